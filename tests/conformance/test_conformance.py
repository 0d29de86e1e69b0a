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


async def _run_file(uri: str, backend: str, cases: list[Case]) -> dict[str, list[str]]:
    config = load_config({"db_uri": uri, **CONFIG}, environ={})
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

        async def run_all() -> dict[str, list[str]]:
            merged: dict[str, list[str]] = {}
            for stem, cases in FILES.items():
                merged.update(await _run_file(copies[stem], backend, cases))
            return merged

        out[backend] = asyncio.run(run_all())
    return out


def test_case_count() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case, backend: str, results: dict[str, Any]) -> None:
    problems = results[backend][case.id]
    assert not problems, "\n".join(problems)
