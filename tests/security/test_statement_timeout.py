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
