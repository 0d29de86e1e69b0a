"""Where statements run: short SQLite reads on the loop (with a hard budget), writes in
one hop on the driver's thread; PostgreSQL connections go back to the pool unreset."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from pathlib import Path

import aiosqlite
import asyncpg
import pytest

from dbrest.context import TxSettings
from dbrest.exec.postgres import PostgresBackend
from dbrest.exec.sqlite import SqliteBackend, hop
from dbrest.exec.sqlite.hop import on_thread, read_on_loop
from dbrest.render.compile import Renderer
from tests.exec.test_backends import introspect
from tests.plan.helpers import plan

LONG = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "SELECT count(*) FROM n")


def test_a_short_read_runs_on_the_loop_a_long_one_is_interrupted() -> None:
    async def run() -> tuple[object, object]:
        async with aiosqlite.connect(":memory:", check_same_thread=False) as conn:
            short = read_on_loop(conn, "SELECT ? + 1", (41,))
            long = read_on_loop(conn, LONG, (10_000_000,), budget=0.001)
            return short, long

    short, long = asyncio.run(run())
    assert short == [(42,)]
    assert long is None  # outran its budget: the caller runs it on the thread


def test_on_thread_runs_on_the_connections_thread() -> None:
    async def run() -> tuple[str, str]:
        async with aiosqlite.connect(":memory:", check_same_thread=False) as conn:
            name = await on_thread(conn, lambda raw: threading.current_thread().name)
            return name, threading.current_thread().name

    there, here = asyncio.run(run())
    assert there != here


def test_a_read_over_budget_is_answered_from_the_thread(
        sqlite_fixture_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "hop.sqlite"
    shutil.copyfile(sqlite_fixture_path, path)
    backend = SqliteBackend(str(path), 2, acquire_timeout=1.0)
    planned = plan("/items?select=id&id=lte.3&order=id.desc", cache=introspect(backend))
    compiled = Renderer(backend.dialect).render(planned.plan)
    on_the_thread: list[str] = []
    real = aiosqlite.Connection.execute_fetchall

    async def counted(self: aiosqlite.Connection, sql: str, params: object = None) -> object:
        on_the_thread.append(sql)
        return await real(self, sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(aiosqlite.Connection, "execute_fetchall", counted)

    async def run() -> list[str]:
        await backend.start()
        try:
            assert backend.wal
            fast = await backend.run(compiled, planned.values, TxSettings())
            monkeypatch.setattr(hop, "LOOP_BUDGET", -1.0)  # every read outruns it
            monkeypatch.setattr(hop, "_CHECK_EVERY", 1)
            slow = await backend.run(compiled, planned.values, TxSettings())
            return [fast.body, slow.body]
        finally:
            await backend.stop()

    fast, slow = asyncio.run(run())
    assert json.loads(fast) == json.loads(slow) == [{"id": 3}, {"id": 2}, {"id": 1}]
    # only the second read went to the thread
    assert [sql for sql in on_the_thread if sql == compiled.main.sql] == [compiled.main.sql]


def test_postgres_connections_return_to_the_pool_without_a_reset_query(
        pg_fixture_uri: str) -> None:
    """asyncpg's default reset (`RESET ALL`, `UNLISTEN *`, …) would be a fifth statement per
    request; settings are transaction-local, so the last statement stays the COMMIT."""
    async def run() -> tuple[str, bool]:
        backend = PostgresBackend(pg_fixture_uri, pool_size=1)
        await backend.start()
        observer = await asyncpg.connect(pg_fixture_uri)
        try:
            async with backend._transaction(TxSettings(), readonly=True) as raw:  # noqa: SLF001
                pid = await raw.fetchval("SELECT pg_backend_pid()")
            last = await observer.fetchval(
                "SELECT query FROM pg_stat_activity WHERE pid = $1", pid)
            # a request cancelled mid-transaction: its connection comes back rolled back
            task = asyncio.create_task(_hold(backend))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            async with backend._connection() as raw:  # noqa: SLF001
                in_tx = raw.is_in_transaction()
            return last, in_tx
        finally:
            await observer.close()
            await backend.stop()

    last, in_tx = asyncio.run(run())
    assert last == "COMMIT"
    assert in_tx is False


async def _hold(backend: PostgresBackend) -> None:
    async with backend._transaction(TxSettings(), readonly=True) as raw:  # noqa: SLF001
        await raw.execute("SELECT pg_sleep(5)")


def test_a_cancelled_slow_read_does_not_share_its_connection(
        sqlite_fixture_path: Path, tmp_path: Path) -> None:
    """A client that leaves cancels its request, not the statement the driver's thread
    still runs: its connection goes back to the pool only once that thread is done (else
    the next request would touch it mid-statement and the loop would deadlock on SQLite's
    lock against the thread's progress handler, as under wrk's timeouts)."""
    path = tmp_path / "cancel.sqlite"
    shutil.copyfile(sqlite_fixture_path, path)
    backend = SqliteBackend(str(path), 1, acquire_timeout=60.0)  # one connection: shared
    planned = plan("/items?select=id&id=eq.1", cache=introspect(backend))
    compiled = Renderer(backend.dialect).render(planned.plan)

    async def run() -> str:
        await backend.start()
        try:
            async def request() -> None:
                async with backend.connection() as conn:
                    await conn.execute_fetchall(LONG, (2_000_000,))
            task = asyncio.create_task(request())
            await asyncio.sleep(0.1)
            task.cancel()  # the client left; its statement runs on
            result = await asyncio.wait_for(
                backend.run(compiled, planned.values, TxSettings()), 60)
            return result.body
        finally:
            await backend.stop()

    assert json.loads(asyncio.run(run())) == [{"id": 1}]
