"""Shared test fixtures: one PostgreSQL server and the fixture databases per session.

PostgreSQL comes from `conformance.pgserver.postgres_server` (DBREST_TEST_PG_URI, else
testcontainers when Docker answers, else a throwaway initdb cluster).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from conformance.fixtures import load_postgres, load_sqlite
from conformance.pgserver import create_database, postgres_server

# CI runs the property tests derandomized: the same examples every run, so a red build
# is reproducible; developers' runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def pg_admin_uri() -> Iterator[str]:
    with postgres_server() as uri:
        yield uri


@pytest.fixture(scope="session")
def pg_fixture_uri(pg_admin_uri: str) -> str:
    """A database loaded with the conformance fixture (read-only for tests)."""
    uri = create_database(pg_admin_uri, "dbrest_fixture")
    asyncio.run(load_postgres(uri))
    return uri


@pytest.fixture(scope="session")
def sqlite_fixture_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "fixture.sqlite"
    load_sqlite(path)
    return path


@pytest.fixture(scope="session")
def backend_uris(pg_fixture_uri: str, sqlite_fixture_path: Path) -> dict[str, str]:
    return {"postgres": pg_fixture_uri, "sqlite": f"sqlite:{sqlite_fixture_path}"}
