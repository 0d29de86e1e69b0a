"""`db_statement_timeout`: a slow statement is cancelled (57014), not waited for."""

from __future__ import annotations

import sqlite3
import time

import asyncpg
import pytest

from tests.infra.apps import BACKENDS, AppOn

SLOW = {
    "postgres": "CREATE VIEW slow AS SELECT pg_sleep(10) IS NULL AS done",
    "sqlite": "CREATE VIEW slow AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
              "SELECT i + 1 FROM n WHERE i < 100000000) SELECT count(*) AS done FROM n",
}


def _create(backend: str):  # type: ignore[no-untyped-def]
    def setup(uri: str) -> None:
        if backend == "postgres":
            async def run() -> None:
                conn = await asyncpg.connect(uri)
                try:
                    await conn.execute(SLOW[backend])
                    await conn.execute("GRANT SELECT ON slow TO PUBLIC")
                finally:
                    await conn.close()
            import asyncio
            asyncio.run(run())
        else:
            conn = sqlite3.connect(uri.removeprefix("sqlite:"))
            conn.execute(SLOW[backend])
            conn.commit()
            conn.close()
    return setup


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_slow_statement_is_cancelled(app_on: AppOn, backend: str) -> None:
    with app_on(backend, setup=_create(backend), db_statement_timeout=0.3) as app:
        start = time.monotonic()
        response = app.get("/slow")
        took = time.monotonic() - start
    assert response.status_code == 500, response.text
    assert response.json()["code"] == "57014"
    assert took < 5


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_client_that_disconnects_cancels_its_query(app_on: AppOn, backend: str) -> None:
    import asyncio
    from typing import Any

    with app_on(backend, setup=_create(backend)) as app:
        messages = iter([{"type": "http.request", "body": b"", "more_body": False}])
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            message = next(messages, None)
            if message is not None:
                return message
            await asyncio.sleep(0.3)  # then the client goes away
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "GET", "scheme": "http", "path": "/slow", "raw_path": b"/slow",
                 "query_string": b"", "root_path": "", "headers": [],
                 "client": ("127.0.0.1", 1), "server": ("dbrest", 80)}
        asgi = app.client._transport.app  # type: ignore[attr-defined]
        start = time.monotonic()
        app.loop.run_until_complete(asgi(scope, receive, send))
        assert time.monotonic() - start < 5 and sent == []
        # the server goes on answering
        assert app.get("/books?limit=1").status_code == 200
