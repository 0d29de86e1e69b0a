"""Test helpers shared across stages: dbrest in-process, driven from synchronous tests.

Hypothesis' `@given` tests are synchronous; `InProcessApp` keeps one app and one event
loop alive for a whole module and runs each request to completion on it.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import httpx

from conformance.pgserver import create_database
from dbrest.app import AppState, create_app
from dbrest.config import load_config


class InProcessApp:
    def __init__(self, uri: str, **settings: Any) -> None:
        role = "postgres" if uri.startswith("postgres") else "anon"
        config = load_config({"db_uri": uri, "db_anon_role": role, **settings}, environ={})
        self.loop = asyncio.new_event_loop()
        self.state = AppState(config)
        self.loop.run_until_complete(self.state.start())
        assert self.state.pipeline is not None
        self.cache = self.state.pipeline.cache
        transport = httpx.ASGITransport(app=create_app(config, self.state))  # type: ignore[arg-type]
        self.client = httpx.AsyncClient(transport=transport, base_url="http://dbrest")

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, path, **kw))

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self.state.stop())
        self.loop.close()


def fixture_copy(backend: str, name: str, pg_admin_uri: str, sqlite_fixture_path: Path,
                 tmp: Path) -> str:
    """A fresh, writable copy of the loaded conformance fixture on `backend`."""
    if backend == "postgres":
        return create_database(pg_admin_uri, name, template="dbrest_fixture")
    path = tmp / f"{name}.sqlite"
    shutil.copyfile(sqlite_fixture_path, path)
    return f"sqlite:{path}"
