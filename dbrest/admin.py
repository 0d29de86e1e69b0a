"""The admin server (`admin_server_port`), as PostgREST's `Admin.hs`.

`GET /live` and `GET /ready`: health; `GET /metrics`: Prometheus text (dbrest/metrics.py);
`GET /config`: the configuration in use, in the config-file format (`--dump-config`),
with the JWT secret and the database password masked; `GET /schema_cache`: the schema
cache in use, as JSON. The admin port is for operators: do not expose it publicly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from typing import Any

import orjson

from dbrest.app import AppState, ASGIApp, Receive, Scope, Send, read_body, send_response
from dbrest.config import Config, dump_config
from dbrest.http import HttpResponse
from dbrest.metrics import PoolStats

_TEXT = (("content-type", "text/plain; charset=utf-8"),)
_PROMETHEUS = (("content-type", "text/plain; version=0.0.4; charset=utf-8"),)
_JSON = (("content-type", "application/json; charset=utf-8"),)


def config_text(config: Config) -> str:
    """`--dump-config`'s text, secrets masked."""
    masked = dataclasses.replace(
        config, jwt_secret="********" if config.jwt_secret else None,
        db_uri=re.sub(r"(://[^:/@]*:)[^@]*@", r"\1********@", config.db_uri))
    return dump_config(masked)


def plain(value: Any) -> Any:
    """The schema cache as JSON values: dataclasses → objects, tuple keys → "a.b"."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name != "by_name"}  # by_name repeats `columns`
    if isinstance(value, dict):
        return {".".join(k) if isinstance(k, tuple) else str(k): plain(v)
                for k, v in value.items()}
    if isinstance(value, (tuple, list, frozenset, set)):
        return [plain(v) for v in value]
    return value


def pool_stats(state: AppState) -> PoolStats | None:
    stats = getattr(state.backend, "pool_stats", None)
    return None if stats is None else PoolStats(*stats())


async def answer(state: AppState, path: str) -> HttpResponse | None:
    """The admin answers besides health; None: not one of them."""
    if path == "/metrics":
        return HttpResponse(200, _PROMETHEUS,
                            state.metrics.render(pool_stats(state)).encode())
    if path == "/config":
        return HttpResponse(200, _TEXT, config_text(state.config).encode())
    if path == "/schema_cache":
        pipeline = state.pipeline
        if pipeline is None:
            return HttpResponse(503)
        return HttpResponse(200, _JSON, orjson.dumps(plain(pipeline.cache)))
    return None


PING_TIMEOUT = 2.0  # seconds: a frozen database makes /ready answer 503, not hang


async def ready(state: AppState) -> bool:
    if state.pipeline is None:
        return False
    try:
        return await asyncio.wait_for(state.backend.ping(), PING_TIMEOUT)
    except TimeoutError:
        return False


def admin_app(state: AppState) -> ASGIApp:
    """`GET /live` and `GET /ready` on the admin port (PostgREST `Admin.hs`)."""
    async def admin(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        await read_body(receive)
        other = await answer(state, scope["path"])
        if other is not None:
            await send_response(send, other, scope["method"] == "HEAD")
            return
        if scope["path"] == "/live":  # the process serves: no database round trip
            status = 200
        elif scope["path"] == "/ready":  # the database and the schema cache are usable
            status = 200 if await ready(state) else 503
        else:
            status = 404
        await send_response(send, HttpResponse(status))
    return admin
