"""Every conformance case, against dbrest in-process, on PostgreSQL and on SQLite.

The two backends are the server descriptions conformance/servers/dbrest-pg.yaml and
dbrest-sqlite.yaml: their capabilities choose each case's expectation, their profile
settings (with conformance/profiles/*.yaml) configure the app for each case file. Each
case file runs in order on its own fresh copy of the fixture database (writes in one file
never leak into another); all files of a backend run in one event loop, and each case is
then reported as its own test.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.runner import Case, expected_for, load_cases, run_cases
from conformance.servers import Server, load_server, settings_for
from tests.infra.apps import fixture_copy, serving

CASES = load_cases()
FILES: dict[str, list[Case]] = {}
for _case in CASES:
    FILES.setdefault(_case.file.stem, []).append(_case)
SERVERS: dict[str, Server] = {"postgres": load_server("dbrest-pg"),
                              "sqlite": load_server("dbrest-sqlite")}


def app_settings(server: Server, profile: str, uri: str) -> dict[str, Any]:
    """The profile's settings for `server`; `${db_user}` is the user of `uri`."""
    user = urlsplit(uri).username or "postgres"
    return {key: value.replace("${db_user}", user) if isinstance(value, str) else value
            for key, value in settings_for(server, profile).items()}


async def _run_file(uri: str, server: Server, cases: list[Case]) -> dict[str, list[str] | None]:
    async with serving(uri, **app_settings(server, cases[0].profile, uri)) as served:
        results = await run_cases(served.client, cases, server)
    return {case.id: problems for case, problems in results}


@pytest.fixture(scope="session")
def results(pg_admin_uri: str, pg_fixture_uri: str, sqlite_fixture_path: Path,
            tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, dict[str, list[str] | None]]:
    tmp = tmp_path_factory.mktemp("conformance")
    out: dict[str, dict[str, list[str] | None]] = {}
    for backend, server in SERVERS.items():
        # one database per case file, copied from the loaded fixture
        copies = {stem: fixture_copy(backend, f"conf_{index}", pg_admin_uri,
                                     sqlite_fixture_path, tmp)
                  for index, stem in enumerate(FILES)}

        async def run_all(copies: dict[str, str], server: Server
                          ) -> dict[str, list[str] | None]:
            merged: dict[str, list[str] | None] = {}
            for stem, cases in FILES.items():
                merged.update(await _run_file(copies[stem], server, cases))
            return merged

        out[backend] = asyncio.run(run_all(copies, server))
    return out


def test_case_count() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize("backend", sorted(SERVERS))
def test_every_case_applies_to_dbrest(backend: str) -> None:
    """dbrest's backends run every case: a case requiring a capability one of them lacks
    must say what it answers instead (`otherwise:`), never be left out."""
    left_out = [c.id for c in CASES if expected_for(c, SERVERS[backend]) is None]
    assert not left_out, f"not applicable on {backend}: {left_out}"


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case, backend: str, results: dict[str, Any]) -> None:
    problems = results[backend][case.id]
    assert problems is not None, "not applicable (see test_every_case_applies_to_dbrest)"
    assert not problems, "\n".join(problems)
