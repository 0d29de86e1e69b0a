"""Schema and configuration reloads on a running server (issue 13): SQLite notices a
schema change by itself; PostgreSQL reloads on NOTIFY, on SIGUSR1, and when a lost
connection returns; SIGUSR2 and NOTIFY 'reload config' re-read the configuration."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.infra.pgserver import create_database
from tests.ops.server import Dbrest


@pytest.fixture
def servers() -> Iterator[list[Dbrest]]:
    started: list[Dbrest] = []
    yield started
    for server in started:
        server.stop()


def sqlite_db(tmp_path: Path) -> Path:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    return path


def pg(uri: str, *statements: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(uri)
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()
    asyncio.run(run())


@pytest.fixture
def pg_db(pg_admin_uri: str, request: pytest.FixtureRequest) -> str:
    uri = create_database(pg_admin_uri, "reload_" + request.node.name.lower()[:40])
    pg(uri, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1), (2), (3)")
    return uri


def served(server: Dbrest) -> bool:
    return server.json("/t?select=id,n&order=id&limit=1") == (200, [{"id": 1, "n": 7}])


def test_sqlite_schema_change_is_noticed_without_a_signal(
        tmp_path: Path, servers: list[Dbrest]) -> None:
    db = sqlite_db(tmp_path)
    server = Dbrest(tmp_path, "--db-uri", f"sqlite:{db}", "--db-anon-role", "anon")
    servers.append(server)
    assert server.json("/t?select=id,n")[0] == 400  # n is unknown
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE t ADD COLUMN n INTEGER DEFAULT 7")
    server.until(lambda: served(server), timeout=5, what="the new column")


def test_sigusr1_reloads_the_schema_cache(pg_db: str, tmp_path: Path,
                                          servers: list[Dbrest]) -> None:
    # no listener: only the signal can make the column known
    server = Dbrest(tmp_path, "--db-uri", pg_db, "--db-anon-role", "postgres",
                    "--db-channel-enabled", "false")
    servers.append(server)
    pg(pg_db, "ALTER TABLE t ADD COLUMN n int DEFAULT 7")
    assert server.json("/t?select=id,n")[0] == 400
    server.signal(signal.SIGUSR1)
    server.until(lambda: served(server), timeout=10, what="the new column")
    assert server.proc.poll() is None


def test_notify_reloads_the_schema_cache(pg_db: str, tmp_path: Path,
                                         servers: list[Dbrest]) -> None:
    server = Dbrest(tmp_path, "--db-uri", pg_db, "--db-anon-role", "postgres")
    servers.append(server)
    pg(pg_db, "ALTER TABLE t ADD COLUMN n int DEFAULT 7")
    assert server.json("/t?select=id,n")[0] == 400
    pg(pg_db, "NOTIFY pgrst, 'reload schema'")
    server.until(lambda: served(server), timeout=10, what="the new column")


def test_notify_on_another_channel(pg_db: str, tmp_path: Path,
                                   servers: list[Dbrest]) -> None:
    server = Dbrest(tmp_path, "--db-uri", pg_db, "--db-anon-role", "postgres",
                    "--db-channel", "my chan")
    servers.append(server)
    pg(pg_db, "ALTER TABLE t ADD COLUMN n int DEFAULT 7", "NOTIFY pgrst, 'reload schema'")
    assert server.json("/t?select=id,n")[0] == 400  # not its channel
    pg(pg_db, "NOTIFY \"my chan\", 'reload schema'")
    server.until(lambda: served(server), timeout=10, what="the new column")


def test_the_cache_is_reloaded_when_a_lost_connection_returns(
        pg_db: str, tmp_path: Path, servers: list[Dbrest]) -> None:
    server = Dbrest(tmp_path, "--db-uri", pg_db, "--db-anon-role", "postgres",
                    "--db-channel-enabled", "false", "--log-level", "error")
    servers.append(server)
    assert server.json("/t?select=id")[0] == 200
    pg(pg_db, "ALTER TABLE t ADD COLUMN n int DEFAULT 7",
       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    server.until(lambda: served(server), timeout=15, what="the new column")
    log = server.log()
    assert log.count("database connection lost") == 1, log
    assert "database connection restored" in log and "Traceback" not in log, log


def test_sigusr2_reloads_the_configuration(tmp_path: Path, servers: list[Dbrest]) -> None:
    db = sqlite_db(tmp_path)
    conf = tmp_path / "dbrest.conf"
    conf.write_text(f'db-uri = "sqlite:{db}"\ndb-anon-role = "anon"\ndb-max-rows = 1\n'
                    'log-level = "warn"\n')
    server = Dbrest(tmp_path, str(conf))
    servers.append(server)
    assert server.json("/t?select=id") == (200, [{"id": 1}])
    conf.write_text(f'db-uri = "sqlite:{db}"\ndb-anon-role = "anon"\ndb-max-rows = 2\n'
                    'log-level = "warn"\ndb-pool = 3\nserver-trace-header = "X-Request-Id"\n')
    server.signal(signal.SIGUSR2)
    server.until(lambda: server.json("/t?select=id") == (200, [{"id": 1}, {"id": 2}]),
                 timeout=10, what="db-max-rows = 2")
    assert server.get("/t", headers={"X-Request-Id": "r1"})[1]["x-request-id"] == "r1"
    assert "db-pool changed; it takes effect on restart" in server.log()
    # a bad file keeps the configuration in use, and says why
    conf.write_text('db-max-rows = "many"\n')
    server.signal(signal.SIGHUP)
    server.until(lambda: "configuration reload failed" in server.log(), timeout=10,
                 what="the failure")
    assert "db_max_rows: invalid value 'many'" in server.log()
    assert server.json("/t?select=id") == (200, [{"id": 1}, {"id": 2}])
    assert server.proc.poll() is None


def test_notify_reload_config_reads_the_in_database_settings(
        pg_db: str, tmp_path: Path, servers: list[Dbrest]) -> None:
    server = Dbrest(tmp_path, "--db-uri", pg_db, "--db-anon-role", "postgres")
    servers.append(server)
    assert server.json("/t?select=id")[1] == [{"id": 1}, {"id": 2}, {"id": 3}]
    name = pg_db.rsplit("/", 1)[1].split("?")[0]
    pg(pg_db, f'ALTER ROLE CURRENT_USER IN DATABASE "{name}" SET pgrst.db_max_rows = \'1\'',
       "NOTIFY pgrst, 'reload config'")
    server.until(lambda: server.json("/t?select=id") == (200, [{"id": 1}]), timeout=10,
                 what="db-max-rows = 1 from the database")
