"""Read replicas (`db_uri_replicas`, issue 13): against a real streaming replica of the
test server, made with `pg_basebackup -R` (tests/infra/replica.py) and stopped at the end.

Which server answered is visible in the answer: the view `server` and the functions say
`pg_is_in_recovery()` (true only on the replica) and `inet_server_port()`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from dbrest.config import ConfigError, load_config
from dbrest.exec.postgres import replicas
from dbrest.http import HttpRequest
from dbrest.plan.call import PlannedCall
from dbrest.plan.request import Planned
from dbrest.routing import ReplicaRouting
from tests.infra.apps import InProcessApp
from tests.infra.pgserver import create_database
from tests.infra.replica import Replica, streaming_replica

SETUP = """
CREATE TABLE items (id int PRIMARY KEY, name text,
                    written_on int NOT NULL DEFAULT inet_server_port());
CREATE VIEW server AS SELECT pg_is_in_recovery() AS replica, inet_server_port() AS port;
CREATE FUNCTION on_replica() RETURNS boolean STABLE LANGUAGE sql
    AS 'SELECT pg_is_in_recovery()';
CREATE FUNCTION on_replica_volatile() RETURNS boolean VOLATILE LANGUAGE sql
    AS 'SELECT pg_is_in_recovery()';
"""


@dataclass
class Setup:
    primary: str  # the database's URI on the primary
    replica: Replica
    primary_port: int

    @property
    def replica_uri(self) -> str:
        return self.replica.uri(self.primary)


async def _load(uri: str) -> int:
    conn = await asyncpg.connect(uri)
    try:
        await conn.execute(SETUP)
        return int(await conn.fetchval("SELECT inet_server_port()"))
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def setup(pg_admin_uri: str) -> Iterator[Setup]:
    primary = create_database(pg_admin_uri, "replicas_test")
    port = asyncio.run(_load(primary))
    # the copy is made after the schema exists, so the replica has it at once
    with streaming_replica(pg_admin_uri) as replica:
        yield Setup(primary, replica, port)


@pytest.fixture(scope="module")
def app(setup: Setup) -> Iterator[InProcessApp]:
    served = InProcessApp(setup.primary, db_uri_replicas=setup.replica_uri)
    yield served
    served.close()


def test_a_get_is_answered_by_the_replica(app: InProcessApp, setup: Setup) -> None:
    assert setup.replica.port != setup.primary_port
    response = app.get("/server")
    assert response.status_code == 200
    assert response.json() == [{"replica": True, "port": setup.replica.port}]
    assert app.request("HEAD", "/server").status_code == 200


def test_prefer_read_primary_reads_the_primary(app: InProcessApp, setup: Setup) -> None:
    # strict handling: the preference is known, so it is not refused (PGRST122)
    response = app.get("/server", headers={"Prefer": "read=primary, handling=strict"})
    assert response.status_code == 200, response.text
    assert response.json() == [{"replica": False, "port": setup.primary_port}]
    assert response.headers["preference-applied"] == "handling=strict, read=primary"


def test_calls_on_the_replica_only_when_they_cannot_write(app: InProcessApp) -> None:
    assert app.get("/rpc/on_replica").json() is True  # STABLE, by GET
    assert app.get("/rpc/on_replica_volatile").json() is False  # VOLATILE: the primary
    assert app.request("POST", "/rpc/on_replica", json={}).json() is False  # POST


def test_writes_go_to_the_primary_and_read_your_writes(app: InProcessApp,
                                                        setup: Setup) -> None:
    response = app.request("POST", "/items", json={"id": 1, "name": "one"},
                           headers={"Prefer": "return=representation"})
    assert response.status_code == 201, response.text
    assert response.json() == [{"id": 1, "name": "one", "written_on": setup.primary_port}]
    # at once, with the header: the primary has it
    seen = app.get("/items?id=eq.1", headers={"Prefer": "read=primary"})
    assert seen.json() == [{"id": 1, "name": "one", "written_on": setup.primary_port}]
    # and the replica soon does (asynchronous replication)
    deadline = time.monotonic() + 10
    while app.get("/items?id=eq.1").json() == [] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert app.get("/items?id=eq.1").json() == seen.json()


def test_sticky_seconds_send_a_writer_s_reads_to_the_primary(setup: Setup) -> None:
    served = InProcessApp(setup.primary, db_uri_replicas=setup.replica_uri,
                          db_replica_lag_sticky_seconds="30")
    try:
        assert served.get("/server").json()[0]["replica"] is True
        response = served.request("POST", "/items", json={"id": 2, "name": "two"})
        assert response.status_code == 201, response.text
        assert served.get("/items?id=eq.2").json()[0]["name"] == "two"
        assert served.get("/server").json()[0]["replica"] is False
    finally:
        served.close()


def _req(method: str, headers: dict[str, str] | None = None) -> HttpRequest:
    return HttpRequest(method, "/t", (), tuple((headers or {}).items()))


def test_routing_rules() -> None:
    read = Planned("read")
    routing = ReplicaRouting(sticky_seconds=60)
    assert routing.replica_ok(_req("GET"), read)
    assert routing.replica_ok(_req("HEAD"), read)
    assert not routing.replica_ok(_req("GET", {"prefer": "count=exact,read=primary"}), read)
    assert not routing.replica_ok(_req("POST"), Planned("call", readonly=True))
    volatile: Any = PlannedCall(None, True, False, None, volatile=True)  # type: ignore[arg-type]
    assert not routing.replica_ok(_req("GET"), Planned("call", call=volatile))
    # a client is its Authorization header: one client's write does not move the other
    alice, bob = {"authorization": "Bearer a"}, {"authorization": "Bearer b"}
    routing.wrote(_req("POST", alice), Planned("write", readonly=False))
    assert not routing.replica_ok(_req("GET", alice), read)
    assert routing.replica_ok(_req("GET", bob), read)
    # a rolled-back write wrote nothing; without the setting nothing is remembered
    routing.wrote(_req("POST", bob), Planned("write", readonly=False, rollback=True))
    assert routing.replica_ok(_req("GET", bob), read)
    plain = ReplicaRouting()
    plain.wrote(_req("POST", alice), Planned("write", readonly=False))
    assert plain.replica_ok(_req("GET", alice), read)


def test_sqlite_and_bad_uris_are_refused_at_start_up() -> None:
    with pytest.raises(ConfigError, match="^db_uri_replicas: read replicas are PostgreSQL's"):
        load_config({"db_uri": "sqlite::memory:", "db_uri_replicas": "postgresql://h/db"},
                    environ={})
    with pytest.raises(ConfigError, match="^db_uri_replicas: invalid value"):
        load_config({"db_uri": "postgresql://h/db", "db_uri_replicas": "mysql://h/db"},
                    environ={})
    with pytest.raises(ConfigError, match="^db_replica_lag_sticky_seconds: invalid value"):
        load_config({"db_uri": "postgresql://h/db", "db_replica_lag_sticky_seconds": "-1"},
                    environ={})
    config = load_config({"db_uri": "postgresql://h/db"}, environ={
        "PGRST_DB_URI_REPLICAS": "postgresql://r1/db, postgres://r2/db"})
    assert config.db_uri_replicas == ("postgresql://r1/db", "postgres://r2/db")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_zz_a_replica_that_is_down_falls_back_to_the_primary(
        app: InProcessApp, setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """Last (it stops the replica): reads go to the primary, logged once; when it is
    back (retried in the background), reads go to it again, logged once."""
    monkeypatch.setattr(replicas, "RETRY", 0.2)
    assert app.get("/server").json()[0]["replica"] is True
    records = _Records()
    logger = logging.getLogger("dbrest")
    logger.addHandler(records)
    try:
        setup.replica.stop()
        for _ in range(3):
            response = app.get("/server")
            assert response.status_code == 200, response.text
            assert response.json() == [{"replica": False, "port": setup.primary_port}]
            app.loop.run_until_complete(asyncio.sleep(0.3))  # retries fail meanwhile
        down = [m for m in records.messages if "read replica" in m]
        assert len(down) == 1, records.messages
        assert f"127.0.0.1:{setup.replica.port} is unreachable" in down[0]
        setup.replica.start()
        deadline = time.monotonic() + 10
        while app.get("/server").json()[0]["replica"] is False \
                and time.monotonic() < deadline:
            app.loop.run_until_complete(asyncio.sleep(0.1))
        assert app.get("/server").json() == [{"replica": True, "port": setup.replica.port}]
    finally:
        logger.removeHandler(records)
        setup.replica.stop()
    back = [m for m in records.messages if "read replica" in m][1:]
    assert back == [f"read replica 127.0.0.1:{setup.replica.port} is back: "
                    "reads go to it again"], records.messages


def test_prefer_read_primary_is_a_known_preference() -> None:
    """Parsed (not left for handling=strict to refuse) on every backend; without
    replicas every read is the primary's, so it is honoured, and echoed, there too."""
    from dbrest.parse.headers import parse_prefer

    prefs = parse_prefer(("read=primary, handling=strict",))
    assert prefs.read == "primary" and prefs.invalid == ()
    assert parse_prefer(("read=replica",)).invalid == ("read=replica",)
