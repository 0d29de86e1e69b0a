"""SQLite files as users have them: made by the `sqlite3` CLI or Python in SQLite's default
(rollback-journal) mode, already in WAL, locked by another process, read-only, missing.

Each test opens the file through the whole app (pool of several connections), reads, and
writes where the file allows it.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbrest.errors import ConnectionError_
from dbrest.exec.sqlite import SqliteBackend, sqlite_target
from dbrest.exec.sqlite import backend as sqlite_exec
from tests.support import InProcessApp

SCHEMA = ("CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);"
          "INSERT INTO items VALUES (1, 'one');")


def journal_mode(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def python_file(tmp_path: Path, wal: bool = False) -> Path:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA)
    conn.commit()
    conn.close()
    return path


def cli_file(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    subprocess.run(["sqlite3", str(path), SCHEMA], check=True)
    return path


@pytest.fixture
def serve() -> Iterator[list[InProcessApp]]:
    apps: list[InProcessApp] = []
    yield apps
    for app in apps:
        app.close()


def start(apps: list[InProcessApp], uri: str) -> InProcessApp:
    app = InProcessApp(uri, db_pool=4)
    apps.append(app)
    return app


def read_and_write(app: InProcessApp) -> None:
    assert app.get("/items?select=id,name").json() == [{"id": 1, "name": "one"}]
    created = app.request("POST", "/items", json={"id": 2, "name": "two"})
    assert created.status_code == 201, created.text
    assert app.get("/items?select=id&order=id").json() == [{"id": 1}, {"id": 2}]


@pytest.mark.parametrize("make", [python_file, cli_file], ids=["python", "sqlite3-cli"])
def test_default_journal_mode_file_opens_and_becomes_wal(
        tmp_path: Path, serve: list[InProcessApp], make: object) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    assert journal_mode(path) == "delete"
    read_and_write(start(serve, f"sqlite:{path}"))
    assert journal_mode(path) == "wal"


def test_wal_file_opens(tmp_path: Path, serve: list[InProcessApp]) -> None:
    path = python_file(tmp_path, wal=True)
    read_and_write(start(serve, f"sqlite:{path}"))


def test_file_another_process_reads_keeps_its_journal_mode(
        tmp_path: Path, serve: list[InProcessApp], caplog: pytest.LogCaptureFixture) -> None:
    """Another process in a read transaction: WAL cannot be enabled, the file is served in
    its own mode, and writes go through once the reader is done."""
    path = python_file(tmp_path)
    reader = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys\n"
         f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
         "c.execute('BEGIN'); c.execute('SELECT * FROM items').fetchall()\n"
         "print('reading', flush=True); sys.stdin.readline()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "reading\n"
        with caplog.at_level(logging.WARNING, logger="dbrest"):
            app = start(serve, f"sqlite:{path}")
        assert "cannot switch" in caplog.text and "keeping journal_mode=delete" in caplog.text
        assert app.get("/items?select=id").json() == [{"id": 1}]
    finally:
        reader.communicate("done\n", timeout=10)
    read_and_write_after = app.request("POST", "/items", json={"id": 2, "name": "two"})
    assert read_and_write_after.status_code == 201
    assert journal_mode(path) == "delete"


def test_read_only_uri_serves_reads_and_refuses_writes(
        tmp_path: Path, serve: list[InProcessApp]) -> None:
    path = python_file(tmp_path)
    app = start(serve, f"sqlite:file:{path}?mode=ro")
    assert app.get("/items?select=id,name").json() == [{"id": 1, "name": "one"}]
    refused = app.request("POST", "/items", json={"id": 2, "name": "two"})
    assert refused.status_code == 405
    body = refused.json()
    assert body["code"] == "25006" and "read-only" in body["message"]
    assert journal_mode(path) == "delete"


def test_unwritable_file_is_served_read_only(
        tmp_path: Path, serve: list[InProcessApp], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """File or directory not writable by dbrest (tests run as root, who may write anything,
    so the permission check is what is replaced here)."""
    path = python_file(tmp_path)
    monkeypatch.setattr(sqlite_exec, "writable", lambda file: False)
    with caplog.at_level(logging.WARNING, logger="dbrest"):
        app = start(serve, f"sqlite:{path}")
    assert "not writable: serving it read-only" in caplog.text
    assert app.get("/items?select=id").json() == [{"id": 1}]
    assert app.request("DELETE", "/items?id=eq.1").json()["code"] == "25006"
    assert journal_mode(path) == "delete"


def test_writable_checks_file_and_directory(tmp_path: Path) -> None:
    path = python_file(tmp_path)
    assert sqlite_exec.writable(str(path))
    calls: list[str] = []

    def access(p: str, mode: int) -> bool:
        calls.append(p)
        return p != str(tmp_path)  # the directory is read-only

    mp = pytest.MonkeyPatch()
    mp.setattr(sqlite_exec.os, "access", access)
    try:
        assert not sqlite_exec.writable(str(path))
    finally:
        mp.undo()
    assert str(tmp_path) in calls


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    backend = SqliteBackend(str(path), 2)
    with pytest.raises(ConnectionError_) as info:
        asyncio.run(backend.start())
    assert str(path) in str(info.value.details) and "mode=rwc" in str(info.value.details)
    assert not path.exists()


def test_missing_file_is_created_when_the_uri_asks(tmp_path: Path) -> None:
    path = tmp_path / "new.db"

    async def run() -> None:
        backend = SqliteBackend(f"file:{path}?mode=rwc", 2)
        await backend.start()
        await backend.stop()

    asyncio.run(run())
    assert path.exists() and journal_mode(path) == "wal"


def test_not_a_database_fails_before_any_thread(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database" * 100)
    before = set(threading.enumerate())  # other tests' threads may end meanwhile: no count
    with pytest.raises(ConnectionError_) as info:
        asyncio.run(SqliteBackend(str(path), 2).start())
    assert "file is not a database" in str(info.value.details)
    assert not [t for t in threading.enumerate() if t not in before and t.is_alive()]


def test_connection_failing_half_way_leaves_no_thread(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection whose set-up fails is closed: its thread would keep the process alive."""
    path = python_file(tmp_path)
    run = sqlite_exec._run
    opened = 0

    async def failing(conn: object, sql: str) -> list[object]:
        nonlocal opened
        if sql.startswith("PRAGMA foreign_keys"):
            opened += 1
            if opened == 3:
                raise sqlite3.OperationalError("disk I/O error")
        return await run(conn, sql)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite_exec, "_run", failing)
    with pytest.raises(ConnectionError_):
        asyncio.run(SqliteBackend(str(path), 4).start())
    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            thread.join(timeout=2)
    assert not [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]


@pytest.mark.parametrize(("path", "target", "file", "mode"), [
    ("app.db", "file:app.db?mode=rw", "app.db", "rw"),
    ("/var/db/my app.db", "file:/var/db/my%20app.db?mode=rw", "/var/db/my app.db", "rw"),
    ("file:x.db?mode=ro", "file:x.db?mode=ro", "x.db", "ro"),
    ("file:x.db?mode=rwc&cache=shared", "file:x.db?mode=rwc&cache=shared", "x.db", "rwc"),
    ("file:x.db", "file:x.db?mode=rw", "x.db", "rw"),
    ("file:///abs/x.db?mode=ro", "file:/abs/x.db?mode=ro", "/abs/x.db", "ro"),
])
def test_sqlite_target(path: str, target: str, file: str, mode: str) -> None:
    assert sqlite_target(path) == sqlite_exec.SqliteTarget(target, file, mode)


def test_sqlite3_cli_is_installed() -> None:
    """The CLI-made file case above needs the `sqlite3` program (apt-get install sqlite3)."""
    assert shutil.which("sqlite3")
