"""The ASGI application: Quart for the lifecycle, a plain-ASGI entry for the API.

Quart runs start-up and shutdown (pool, schema cache); API requests never enter Quart's
routing, whose per-request machinery costs more than a primary-key read: `api_entry`
turns the ASGI scope into an `HttpRequest`, runs the pipeline and sends the
`HttpResponse` itself (../shared/DESIGN.md has the measurements).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from quart import Quart

from dbrest.admission import ClientGone, admit
from dbrest.admission import read_body as read_limited_body
from dbrest.config import DEMO_SQL, IN_DB_KEYS, Config, ConfigError, with_db_settings
from dbrest.cors import cors_headers
from dbrest.errors import DbrestError
from dbrest.exec import make_backend
from dbrest.exec.base import BackendSettings
from dbrest.http import HttpRequest, HttpResponse, parse_query_string
from dbrest.metrics import Metrics, instrumented
from dbrest.pipeline import Pipeline
from dbrest.reload import Reloader
from dbrest.serialize import error_response
from dbrest.sqlite_functions import DeclarationError

log = logging.getLogger("dbrest")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def backend_settings(config: Config) -> BackendSettings:
    """The plain settings exec is made from (it never sees the configuration)."""
    postgres = config.backend == "postgres"
    return BackendSettings(
        config.backend, config.db_uri if postgres else config.sqlite_path, config.db_pool,
        config.db_pool_acquisition_timeout, config.db_pre_request, config.app_settings,
        seed=DEMO_SQL.read_text() if config.is_demo else None,
        functions=tuple(config.sqlite_functions.values()),
        statement_timeout=config.db_statement_timeout,
        replicas=config.db_uri_replicas if postgres else ())


async def with_in_db_settings(config: Config) -> Config:
    """`config` with the connecting role's `pgrst.*` settings applied (`--dump-config`)."""
    backend = make_backend(backend_settings(config))
    await backend.start()
    try:
        return with_db_settings(config, await backend.db_settings(IN_DB_KEYS))
    finally:
        await backend.stop()


class AppState:
    """What lives as long as the server: the backend and the current pipeline."""

    def __init__(self, config: Config, load: Callable[[], Config] | None = None) -> None:
        self.config = config
        self.backend = make_backend(backend_settings(config))
        self.pipeline: Pipeline | None = None
        self._lock = asyncio.Lock()
        self.metrics = Metrics()
        # schema and configuration reloads; `load` re-reads the configuration's sources
        self.reloader = Reloader(self, load)

    async def start(self) -> None:
        async with self._lock:
            if self.pipeline is not None:
                return
            await self.backend.start()
            try:
                if self.config.db_config:  # PostgREST reads them before the schema cache
                    self.config = with_db_settings(
                        self.config, await self.backend.db_settings(IN_DB_KEYS))
                started = time.perf_counter()
                cache = await self.backend.introspect(self.config.db_schemas)
                self.metrics.schema_loaded(True, time.perf_counter() - started)
            except DeclarationError as err:  # a `sqlite_functions` entry (issue 10)
                await self.backend.stop()
                raise ConfigError(f"sqlite_functions: {err}") from None
            except BaseException:
                await self.backend.stop()
                raise
            if not self.backend.enforces_roles and not self.config.sqlite_grants \
                    and not self.config.is_demo:  # the demo needs no warning
                log.warning("no sqlite_grants configured: "
                            "every role may read and write every table")
            self.pipeline = Pipeline(self.config, self.backend, cache)

    async def stop(self) -> None:
        async with self._lock:
            if self.pipeline is not None:
                self.pipeline = None
                await self.backend.stop()


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def to_request(scope: Scope, body: bytes) -> HttpRequest:
    headers = tuple([(k.decode("latin-1").lower(), v.decode("latin-1"))
                     for k, v in scope.get("headers", ())])
    return HttpRequest(scope["method"], scope["path"],
                       parse_query_string(scope.get("query_string", b"")), headers, body)


async def send_response(send: Send, response: HttpResponse, head: bool = False) -> None:
    """Send `response`; for HEAD, the head GET would have (its Content-Length included)
    and no body. 204 and 304 carry no Content-Length (RFC 9110 §8.6; PostgREST sends
    none); every other answer has one, so the server never falls back to chunking —
    except a streamed body (`response.stream`, dbrest/plan/stream.py), sent chunked."""
    if response.stream is not None:
        await send_stream(send, response, head)
        return
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if response.status not in (204, 304):
        headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else response.body})


async def send_watched_stream(send: Send, receive: Receive, response: HttpResponse,
                              head: bool) -> None:
    """A streamed body is read from the database while it is sent: when the client
    leaves, stop at the next chunk (not by cancelling a fetch mid-flight, so the
    transaction ends cleanly)."""
    left = asyncio.Event()

    async def watch() -> None:
        # the body is read: per ASGI, the next message can only be `http.disconnect`
        if (await receive())["type"] == "http.disconnect":
            left.set()

    watcher = asyncio.create_task(watch())
    try:
        await send_stream(send, response, head, left.is_set)
    finally:
        watcher.cancel()


async def send_stream(send: Send, response: HttpResponse, head: bool = False,
                      gone: Callable[[], bool] = lambda: False) -> None:
    """A streamed body, chunk by chunk (the server sends it chunked, each `send` waiting
    for the socket to drain, so memory stays at a chunk). The stream is closed however
    this ends, which ends its transaction. An error after the head cannot change the
    status any more: it is logged and the body left unfinished (no terminating chunk),
    so the client sees a truncated transfer rather than a complete-looking body."""
    chunks: Any = response.stream  # dbrest.serialize_stream.StreamBody
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    try:
        await send({"type": "http.response.start", "status": response.status,
                    "headers": headers})
        if not head:
            try:
                async for chunk in chunks:
                    if gone():
                        return
                    await send({"type": "http.response.body", "body": chunk,
                                "more_body": True})
            except Exception as err:  # noqa: BLE001 - too late for an error response
                log.warning("streamed response aborted: %s", err)
                return
        await send({"type": "http.response.body", "body": b""})
    finally:
        await chunks.aclose()


def api_entry(quart_app: ASGIApp, state: AppState) -> ASGIApp:
    async def entry(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await quart_app(scope, receive, send)
            return
        if state.pipeline is None:
            await state.start()
        pipeline = state.pipeline
        assert pipeline is not None
        head = to_request(scope, b"")
        try:
            # refuse from the headers (JWT, grants, Content-Length) before the body
            admit(pipeline, head)
            body = await read_limited_body(receive, pipeline.config.server_max_body_size,
                                           head.header("content-length"))
        except ClientGone:
            return
        except DbrestError as err:
            refusal = error_response(err)
            extra = cors_headers(head, pipeline.config.server_cors_allowed_origins, False)
            await send_response(send, HttpResponse(
                refusal.status, refusal.headers + extra + (("connection", "close"),),
                refusal.body))
            return
        request = HttpRequest(head.method, head.path, head.query, head.headers, body) \
            if body else head
        response = await answer(pipeline, request, receive)
        if response is not None and response.stream is not None:
            await send_watched_stream(send, receive, response, request.method == "HEAD")
        elif response is not None:
            await send_response(send, response, request.method == "HEAD")
    return entry


async def answer(pipeline: Pipeline, request: HttpRequest,
                 receive: Receive) -> HttpResponse | None:
    """The pipeline's answer, or None when the client disconnected first: its query is
    then cancelled (the backend rolls back) rather than left running for nobody."""
    task = asyncio.current_task()
    assert task is not None
    gone = False

    async def watch() -> None:
        nonlocal gone
        # the body is read: per ASGI, the next message can only be `http.disconnect`
        if (await receive())["type"] == "http.disconnect":
            gone = True
            task.cancel()

    watcher: asyncio.Task[None] | None = None

    def start() -> None:
        nonlocal watcher
        watcher = loop.create_task(watch())

    # The watcher starts only once the answer waits on something: one that never yields
    # to the loop (a read run on it, dbrest/exec/sqlite/hop.py) costs no task.
    loop = task.get_loop()
    starting = loop.call_soon(start)
    try:
        return await pipeline.handle(request)
    except asyncio.CancelledError:
        if not gone:
            raise
        task.uncancel()
        return None
    finally:
        if watcher is None:
            starting.cancel()
        else:
            watcher.cancel()


def create_app(config: Config, state: AppState | None = None) -> Quart:
    app = Quart("dbrest")
    app.config["DBREST_STATE"] = state = state or AppState(config)

    @app.before_serving
    async def startup() -> None:
        await state.start()

    @app.after_serving
    async def shutdown() -> None:
        await state.stop()

    # Quart types its ASGI callables with TypedDicts; the entry speaks plain dicts.
    app.asgi_app = instrumented(  # type: ignore[method-assign,assignment]
        api_entry(app.asgi_app, state),  # type: ignore[arg-type]
        state.metrics, lambda: state.config.server_trace_header)
    return app
