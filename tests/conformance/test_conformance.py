"""Every conformance case, against dbrest in-process, on PostgreSQL and on SQLite.

Each case file runs in order on its own fresh copy of the fixture database (writes in
one file never leak into another); all files of a backend run in one event loop, and
each case is then reported as its own test.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from conformance.pgserver import create_database
from conformance.runner import Case, load_cases, run_cases
from dbrest.app import AppState, create_app
from dbrest.config import load_config

CASES = load_cases()
FILES: dict[str, list[Case]] = {}
for _case in CASES:
    FILES.setdefault(_case.file.stem, []).append(_case)
# `Prefer: tx=rollback` is honoured, so cases can write without leaving a trace.
CONFIG = {"db_tx_end": "commit-allow-override"}


def anon_role(uri: str) -> str:
    """The connecting user on PostgreSQL (it may always switch to itself); `anon` else."""
    return urlsplit(uri).username or "postgres" if uri.startswith("postgres") else "anon"


# Files named `auth_*` run with JWTs on and the roles of fixtures/postgres.sql, which
# the SQLite run mirrors with application-level grants.
AUTH_PROFILE: dict[str, dict[str, Any]] = {
    "postgres": {"jwt_secret": "reallyreallyreallyreallyverysafe", "db_anon_role": "dbrest_anon",
                 "db_pre_request": "check_request"},
    "sqlite": {"jwt_secret": "reallyreallyreallyreallyverysafe", "db_anon_role": "dbrest_anon",
               "sqlite_grants": {
                   "dbrest_anon": {"select": ["authors", "books", "publishers", "tags",
                                              "book_tags", "recent_books", "whoami", "rage",
                                              "with_extras"]},
                   "dbrest_user": {"select": ["*"], "insert": ["*"], "update": ["*"],
                                   "delete": ["*"]}}},
}


def profile(stem: str, backend: str, uri: str) -> dict[str, Any]:
    if stem.startswith("auth_"):
        return AUTH_PROFILE[backend]
    return {"db_anon_role": anon_role(uri)}


async def _run_file(uri: str, backend: str, cases: list[Case]) -> dict[str, list[str]]:
    settings = {"db_uri": uri, **CONFIG, **profile(cases[0].file.stem, backend, uri)}
    config = load_config(settings, environ={})
    state = AppState(config)
    app = create_app(config, state)
    await state.start()
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://dbrest") as client:
            results = await run_cases(client, cases, backend)
    finally:
        await state.stop()
    return {case.id: problems for case, problems in results}


def _fresh_copies(backend: str, uris: dict[str, Any], tmp: Path) -> dict[str, str]:
    """One database per case file, copied from the loaded fixture."""
    copies: dict[str, str] = {}
    for index, stem in enumerate(FILES):
        if backend == "postgres":
            copies[stem] = create_database(uris["pg_admin"], f"conf_{index}",
                                           template="dbrest_fixture")
        else:
            path = tmp / f"{stem}.sqlite"
            shutil.copyfile(uris["sqlite_path"], path)
            copies[stem] = f"sqlite:{path}"
    return copies


@pytest.fixture(scope="session")
def results(pg_admin_uri: str, pg_fixture_uri: str, sqlite_fixture_path: Path,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    uris = {"pg_admin": pg_admin_uri, "sqlite_path": sqlite_fixture_path}
    tmp = tmp_path_factory.mktemp("conformance")
    out: dict[str, dict[str, list[str]]] = {}
    for backend in ("postgres", "sqlite"):
        copies = _fresh_copies(backend, uris, tmp)

        async def run_all(copies: dict[str, str], backend: str) -> dict[str, list[str]]:
            merged: dict[str, list[str]] = {}
            for stem, cases in FILES.items():
                merged.update(await _run_file(copies[stem], backend, cases))
            return merged

        out[backend] = asyncio.run(run_all(copies, backend))
    return out


def test_case_count() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case, backend: str, results: dict[str, Any]) -> None:
    problems = results[backend][case.id]
    assert not problems, "\n".join(problems)
