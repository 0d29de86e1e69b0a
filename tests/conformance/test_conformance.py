"""Every conformance case, against dbrest in-process, on PostgreSQL and on SQLite.

All cases of a backend run in one event loop (one app start per backend); each case is
then reported as its own test.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from conformance.runner import Case, load_cases, run_cases
from dbrest.app import AppState, create_app
from dbrest.config import load_config

CASES = load_cases()


async def _run_all(uri: str, backend: str) -> dict[str, list[str]]:
    config = load_config({"db_uri": uri}, environ={})
    state = AppState(config)
    app = create_app(config, state)
    await state.start()
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://dbrest") as client:
            results = await run_cases(client, CASES, backend)
    finally:
        await state.stop()
    return {case.id: problems for case, problems in results}


@pytest.fixture(scope="session")
def results(backend_uris: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    return {backend: asyncio.run(_run_all(uri, backend)) for backend, uri in backend_uris.items()}


def test_case_count() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case, backend: str, results: dict[str, Any]) -> None:
    problems = results[backend][case.id]
    assert not problems, "\n".join(problems)
