"""SQLite writes on the loop (`hop.write_on_loop`): a short write transaction commits there;
one that meets another process's lock or outruns the budget moves to the connection's
thread with nothing written, and the loop never waits; the writer checkpoints on its
thread instead of on commit."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import dbrest.exec.sqlite.backend as sqlite_backend
from dbrest.exec.sqlite import hop
from tests.infra.apps import fixture_copy, serving

HEADERS = {"Content-Type": "application/json"}


def sqlite_copy(sqlite_fixture_path: Path, tmp_path: Path, name: str) -> tuple[str, Path]:
    uri = fixture_copy("sqlite", name, "", sqlite_fixture_path, tmp_path)
    return uri, Path(uri.removeprefix("sqlite:"))


def count(path: Path, where: str = "") -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT count(*) FROM empty_table {where}").fetchone()[0])


def recording_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = sqlite_backend.on_thread

    async def recording(conn: Any, fn: Any) -> Any:
        calls.append(getattr(fn, "__name__", "?"))
        return await real(conn, fn)

    monkeypatch.setattr(sqlite_backend, "on_thread", recording)
    return calls


def test_a_short_write_commits_on_the_loop(sqlite_fixture_path: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    uri, path = sqlite_copy(sqlite_fixture_path, tmp_path, "loop_write")
    threads = recording_threads(monkeypatch)

    async def run() -> list[int]:
        async with serving(uri) as s:
            return [(await s.client.post("/empty_table", headers=HEADERS,
                                         content=json.dumps({"name": f"n{i}"}))).status_code
                    for i in range(3)]

    assert asyncio.run(run()) == [201] * 3
    assert threads == []  # no hop to the driver's thread
    assert count(path, "WHERE name LIKE 'n%'") == 3


def test_a_locked_file_moves_the_write_to_the_thread(sqlite_fixture_path: Path,
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process holds the write lock: the write does not wait on the loop (which
    keeps serving), it waits on its thread (busy timeout) and commits once."""
    uri, path = sqlite_copy(sqlite_fixture_path, tmp_path, "locked_write")
    threads = recording_threads(monkeypatch)

    async def run() -> tuple[int, int]:
        async with serving(uri) as s:
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # as another process's writer would
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1

            tick = asyncio.create_task(ticker())
            asyncio.get_running_loop().call_later(0.3, holder.execute, "COMMIT")
            try:
                r = await s.client.post("/empty_table", headers=HEADERS,
                                        content=json.dumps({"name": "after the lock"}))
            finally:
                tick.cancel()
                holder.close()
            return r.status_code, ticks

    status, ticks = asyncio.run(run())
    assert status == 201
    assert ticks >= 10  # the loop ran while the write waited for the lock
    assert threads == ["<lambda>"]  # the write, on the thread
    assert count(path, "WHERE name = 'after the lock'") == 1


def test_a_long_write_moves_to_the_thread_and_writes_once(
        sqlite_fixture_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uri, path = sqlite_copy(sqlite_fixture_path, tmp_path, "long_write")
    threads = recording_threads(monkeypatch)
    monkeypatch.setattr(hop, "LOOP_BUDGET", 0.0)  # any statement outruns it
    rows = [{"name": f"bulk {i}"} for i in range(5000)]

    async def run() -> int:
        async with serving(uri) as s:
            r = await s.client.post("/empty_table", headers=HEADERS, content=json.dumps(rows))
            return r.status_code

    assert asyncio.run(run()) == 201
    assert threads == ["<lambda>"]
    assert count(path, "WHERE name LIKE 'bulk %'") == 5000  # once: the loop's try left nothing


def test_the_writer_checkpoints_on_its_thread(sqlite_fixture_path: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    uri, path = sqlite_copy(sqlite_fixture_path, tmp_path, "checkpoints")
    threads = recording_threads(monkeypatch)
    monkeypatch.setattr(sqlite_backend, "CHECKPOINT_EVERY", 2)

    async def run() -> int:
        async with serving(uri) as s:
            for i in range(5):
                r = await s.client.post("/empty_table", headers=HEADERS,
                                        content=json.dumps({"name": f"c{i}"}))
                assert r.status_code == 201
            writer = s.state.backend._all[-1]  # noqa: SLF001 - the writer connection
            return int((await writer.execute_fetchall("PRAGMA wal_autocheckpoint"))[0][0])

    assert asyncio.run(run()) == 0  # the writer never checkpoints on commit
    assert threads == ["_checkpoint", "_checkpoint"]  # after writes 2 and 4
    assert count(path, "WHERE name LIKE 'c%'") == 5
