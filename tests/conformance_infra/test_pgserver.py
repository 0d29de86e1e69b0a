"""Tests of the PostgreSQL test server helper and the PostgreSQL fixture loader.

These start a real server through `postgres_server()` (a throwaway local cluster on
machines without Docker or `DBREST_TEST_PG_URI`), once for the module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from conformance.servers import load_server
from tests.infra import pgserver
from tests.infra.fixtures import load_postgres
from tests.infra.pgserver import create_database, postgres_server


@pytest.fixture(scope="module")
def pg_uri() -> Iterator[str]:
    with postgres_server() as uri:
        yield uri


async def _fetch(uri: str, sql: str) -> list[Any]:
    conn = await asyncpg.connect(uri)
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def test_server_answers(pg_uri: str) -> None:
    assert pg_uri.startswith("postgresql://")
    assert asyncio.run(_fetch(pg_uri, "SELECT 1")) == [(1,)]


def test_create_database(pg_uri: str) -> None:
    uri = create_database(pg_uri, "dbrest infra test")
    assert uri.endswith("/dbrest%20infra%20test")
    rows = asyncio.run(_fetch(uri, "SELECT current_database(), datcollate, "
                                   "pg_encoding_to_char(encoding) FROM pg_database "
                                   "WHERE datname = current_database()"))
    assert rows == [("dbrest infra test", "C", "UTF8")]
    # Creating it again replaces it, so reruns against a long-lived server work.
    asyncio.run(_fetch(uri, "CREATE TABLE leftover (x int)"))
    uri = create_database(pg_uri, "dbrest infra test")
    assert asyncio.run(_fetch(uri, "SELECT to_regclass('leftover') IS NULL")) == [(True,)]


def test_create_database_inside_event_loop(pg_uri: str) -> None:
    async def main() -> str:
        return create_database(pg_uri, "dbrest_infra_in_loop")

    uri = asyncio.run(main())
    assert asyncio.run(_fetch(uri, "SELECT 1")) == [(1,)]


def test_docker_check_is_quiet_without_docker() -> None:
    # On machines with no engine this must be False, fast, and raise nothing.
    assert isinstance(pgserver._docker_answers(), bool)


FIXTURE = """
CREATE TABLE authors (id {{serial}} PRIMARY KEY, name text NOT NULL);
CREATE SCHEMA other;
CREATE TABLE other."Odd Table" ("Odd Id" {{serial}} PRIMARY KEY, meta {{json}},
                                at {{timestamp}});
CREATE TABLE empty_one (id {{serial}} PRIMARY KEY);
INSERT INTO authors (id, name) VALUES (1, 'a'), (7, 'b');
INSERT INTO other."Odd Table" ("Odd Id", meta, at)
  VALUES (40, '{"k": [1, "x"]}', '2024-01-02T10:00:00');
"""


def test_load_postgres_moves_sequences(pg_uri: str, tmp_path: Path) -> None:
    fixture = tmp_path / "schema.sql"
    fixture.write_text(FIXTURE, encoding="utf-8")
    uri = create_database(pg_uri, "dbrest_infra_fixture")
    pg = load_server("dbrest-pg")
    # the server's own placeholders and its sequence step, after this fixture
    server = replace(pg, fixture=replace(pg.fixture, files=(str(fixture),
                                                            "postgres_sequences.sql")))
    asyncio.run(load_postgres(uri, server))
    rows = asyncio.run(_fetch(uri, """
        INSERT INTO authors (name) VALUES ('c') RETURNING id;
    """))
    assert rows == [(8,)]
    rows = asyncio.run(_fetch(uri, """
        INSERT INTO other."Odd Table" DEFAULT VALUES RETURNING "Odd Id"
    """))
    assert rows == [(41,)]
    assert asyncio.run(_fetch(uri, "INSERT INTO empty_one DEFAULT VALUES RETURNING id")) == [(1,)]
    rows = asyncio.run(
        _fetch(uri, 'SELECT meta, at::text FROM other."Odd Table" WHERE "Odd Id" = 40')
    )
    assert rows == [('{"k": [1, "x"]}', "2024-01-02 10:00:00")]
