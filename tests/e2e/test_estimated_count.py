"""`Prefer: count=estimated` on PostgreSQL, by PostgREST's rule (`Query.hs`).

The exact count is taken with `LIMIT db_max_rows + 1`; when it exceeds db_max_rows — and
always when db_max_rows is unset (`tableTotal > Nothing` holds in Haskell) — the answer
is the larger of that count and the planner's estimate. A table whose statistics were
taken before most rows were deleted (autovacuum off) makes the estimate larger than the
truth; one whose rows all took one value after ANALYZE makes it smaller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import orjson
import pytest

from tests.support import InProcessApp, fixture_copy

SETUP = """
CREATE TABLE stale (id integer PRIMARY KEY, v integer) WITH (autovacuum_enabled = false);
INSERT INTO stale SELECT g, g FROM generate_series(1, 2000) g;
ANALYZE stale;
DELETE FROM stale WHERE id > 10;             -- 10 rows left, the statistics say 2000
UPDATE stale SET v = 7;                      -- every row has v = 7, the statistics say 1
"""


@pytest.fixture(scope="module")
def uri(pg_admin_uri: str, pg_fixture_uri: str, sqlite_fixture_path: Path,
        tmp_path_factory: pytest.TempPathFactory) -> str:
    uri = fixture_copy("postgres", "estimated_count", pg_admin_uri, sqlite_fixture_path,
                       tmp_path_factory.mktemp("estimated"))

    async def setup() -> None:
        conn = await asyncpg.connect(uri)
        try:
            await conn.execute(SETUP)
        finally:
            await conn.close()
    asyncio.run(setup())
    return uri


def estimate(uri: str, where: str = "") -> int:
    async def explain() -> int:
        conn = await asyncpg.connect(uri)
        try:
            plan = await conn.fetchval(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM stale {where}")
        finally:
            await conn.close()
        return int(orjson.loads(plan)[0]["Plan"]["Plan Rows"])
    return asyncio.run(explain())


@pytest.fixture(params=[None, 5, 100], ids=["no-max-rows", "max-rows-5", "max-rows-100"])
def app(request: pytest.FixtureRequest, uri: str) -> Iterator[InProcessApp]:
    settings = {} if request.param is None else {"db_max_rows": request.param}
    client = InProcessApp(uri, **settings)
    client.max_rows = request.param  # type: ignore[attr-defined]
    yield client
    client.close()


def total(app: InProcessApp, path: str, count: str = "estimated") -> int:
    resp = app.get(path, headers={"Prefer": f"count={count}"})
    assert resp.status_code in (200, 206), resp.text
    assert resp.headers["preference-applied"] == f"count={count}"
    return int(resp.headers["content-range"].split("/")[1])


def test_a_larger_estimate_wins(app: InProcessApp, uri: str) -> None:
    guess = estimate(uri)
    assert guess > 100  # the stale statistics: the setup did what the test needs
    max_rows = app.max_rows  # type: ignore[attr-defined]
    expected = 10 if max_rows is not None and 10 <= max_rows else guess
    assert total(app, "/stale?select=id") == expected


def test_a_smaller_estimate_loses(app: InProcessApp, uri: str) -> None:
    guess = estimate(uri, "WHERE v = 7")
    assert guess < 10
    max_rows = app.max_rows  # type: ignore[attr-defined]
    # the exact count is counted to db_max_rows + 1 at most
    expected = 10 if max_rows is None or 10 <= max_rows else max_rows + 1
    assert total(app, "/stale?select=id&v=eq.7") == expected


def test_planned_is_the_estimate_and_exact_the_truth(app: InProcessApp, uri: str) -> None:
    assert total(app, "/stale?select=id", "planned") == estimate(uri)
    assert total(app, "/stale?select=id&v=eq.7", "exact") == 10
