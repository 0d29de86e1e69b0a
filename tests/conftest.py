"""Shared test fixtures: one PostgreSQL server, the fixture databases, apps on them.

PostgreSQL comes from `tests.infra.pgserver.postgres_server` (DBREST_TEST_PG_URI, else
testcontainers when Docker answers, else a throwaway initdb cluster); it is started only
when a test needs it. The fixture databases are loaded as conformance/servers/dbrest-pg
and dbrest-sqlite describe.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.infra.apps import AppOn, InProcessApp, fixture_copy
from tests.infra.fixtures import load_postgres, load_sqlite
from tests.infra.pgserver import create_database, postgres_server

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


@pytest.fixture(scope="session")
def app_on(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> AppOn:
    """`with app_on(backend, **settings) as app:` dbrest on a fresh copy of the fixture.

    Parametrize the fixture using it over `tests.infra.apps.BACKENDS`. PostgreSQL is
    started only when a PostgreSQL app is asked for.
    """
    counter = itertools.count()

    @contextmanager
    def start(backend: str, *, setup: Callable[[str], Any] | None = None,
              **settings: Any) -> Iterator[InProcessApp]:
        sqlite_path = request.getfixturevalue("sqlite_fixture_path")
        admin = ""
        if backend == "postgres":
            request.getfixturevalue("pg_fixture_uri")  # the template must exist
            admin = request.getfixturevalue("pg_admin_uri")
        uri = fixture_copy(backend, f"app_on_{next(counter)}", admin, sqlite_path,
                           tmp_path_factory.mktemp("app_on"))
        if setup is not None:
            setup(uri)  # e.g. extra tables, before the schema cache is read
        app = InProcessApp(uri, **settings)
        try:
            yield app
        finally:
            app.close()

    return start
