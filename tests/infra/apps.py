"""dbrest in-process for tests: one way to build, start and talk to the app.

`serving()` is the async form (for tests that already run an event loop), `InProcessApp`
the synchronous one: Hypothesis' `@given` tests are synchronous, so it keeps one app and
one event loop alive for a whole module and runs each request to completion on it.
`fixture_copy()` hands out fresh, writable copies of the loaded conformance fixture.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from dbrest.app import AppState, create_app
from dbrest.config import load_config
from tests.infra.pgserver import create_database

BACKENDS = ("postgres", "sqlite")


def backend_of(uri: str) -> str:
    return "postgres" if uri.startswith("postgres") else "sqlite"


def anon_role(uri: str) -> str:
    """Anonymous requests run as the connecting user on PostgreSQL (it may always switch
    to itself); SQLite has no roles, any name serves."""
    return (urlsplit(uri).username or "postgres") if backend_of(uri) == "postgres" else "anon"


def build(uri: str, **settings: Any) -> tuple[AppState, Any]:
    """The (not yet started) state and ASGI app for `uri`; `db_anon_role` defaults as above."""
    config = load_config({"db_uri": uri, "db_anon_role": anon_role(uri), **settings}, environ={})
    state = AppState(config)
    return state, create_app(config, state)


@dataclass(frozen=True)
class Served:
    state: AppState
    app: Any
    client: httpx.AsyncClient


@asynccontextmanager
async def serving(uri: str, **settings: Any) -> AsyncIterator[Served]:
    """The app on `uri`, started, with a client talking to it in-process."""
    state, app = build(uri, **settings)
    await state.start()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://dbrest") as client:
            yield Served(state, app, client)
    finally:
        await state.stop()


class InProcessApp:
    def __init__(self, uri: str, **settings: Any) -> None:
        self.backend = backend_of(uri)
        self.loop = asyncio.new_event_loop()
        self.state, app = build(uri, **settings)
        self.loop.run_until_complete(self.state.start())
        assert self.state.pipeline is not None
        self.cache = self.state.pipeline.cache
        transport = httpx.ASGITransport(app=app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://dbrest")

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, path, **kw))

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self.state.stop())
        self.loop.close()


# `app_on` (tests/conftest.py): `with app_on(backend, **settings) as app: ...`
AppOn = Callable[..., AbstractContextManager["InProcessApp"]]


def fixture_copy(backend: str, name: str, pg_admin_uri: str, sqlite_fixture_path: Path,
                 tmp: Path) -> str:
    """A fresh, writable copy of the loaded conformance fixture on `backend`."""
    if backend == "postgres":
        return create_database(pg_admin_uri, name, template="dbrest_fixture")
    path = tmp / f"{name}.sqlite"
    shutil.copyfile(sqlite_fixture_path, path)
    return f"sqlite:{path}"
