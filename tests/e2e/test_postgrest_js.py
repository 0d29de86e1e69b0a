"""The real `@supabase/postgrest-js` client (npm) against dbrest, on both backends.

dbrest runs as users run it (`python -m dbrest.cli`, real hypercorn, so the reason phrase
that postgrest-js reports as `statusText` is what went over the wire) on a fresh copy of
the conformance fixture; `tests/e2e/js/run.mjs` drives it through the scenarios of
`tests/e2e/js/scenarios.mjs` and prints what the client hands its users. Each scenario is
one test here, with its exact expected data, error, count, status and statusText.

Node and npm are required (`.ci/run` installs them): without them these tests fail, they
are not skipped. `npm ci` runs once, when tests/e2e/js/node_modules lacks the pinned client.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.servers import load_server, settings_for
from tests.e2e.postgrest_js_expected import EXPECTED
from tests.infra.apps import anon_role, fixture_copy
from tests.infra.server import dbrest_server

JS = Path(__file__).resolve().parent / "js"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is not on PATH: install Node.js and npm (.ci/run does, with apt)")
    return found


def _pinned_version() -> str:
    deps = json.loads((JS / "package.json").read_text())["dependencies"]
    return str(deps["@supabase/postgrest-js"])


@pytest.fixture(scope="session")
def node_client() -> str:
    """The path of `node`, once tests/e2e/js/node_modules holds the pinned client."""
    node = _tool("node")
    installed = JS / "node_modules" / "@supabase" / "postgrest-js" / "package.json"
    if (not installed.exists()
            or json.loads(installed.read_text())["version"] != _pinned_version()):
        proc = subprocess.run([_tool("npm"), "ci", "--no-audit", "--no-fund"], cwd=JS,
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            pytest.fail(f"npm ci failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return node


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def results(request: pytest.FixtureRequest, node_client: str,
            sqlite_fixture_path: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    """(backend, {scenario: what postgrest-js returned}) for all scenarios, run in order
    on a fresh, writable copy of the fixture (the scenarios write)."""
    backend = request.param
    admin = ""
    if backend == "postgres":
        request.getfixturevalue("pg_fixture_uri")  # the template database must exist
        admin = request.getfixturevalue("pg_admin_uri")
    uri = fixture_copy(backend, "e2e_postgrest_js", admin, sqlite_fixture_path,
                       tmp_path_factory.mktemp("postgrest_js"))
    env = {}
    if backend == "sqlite":  # the fixture's functions, declared as SQL (issue 10)
        functions = settings_for(load_server("dbrest-sqlite"), "default")["sqlite_functions"]
        env["PGRST_SQLITE_FUNCTIONS"] = json.dumps(functions)
    # aggregates and plans are off by default (as in PostgREST): the scenarios use both
    with dbrest_server(["--db-uri", uri, "--db-anon-role", anon_role(uri),
                        "--db-aggregates-enabled", "true", "--db-plan-enabled", "true"],
                       probe="/authors?limit=1", env=env) as server:
        proc = subprocess.run([node_client, str(JS / "run.mjs"), server.url], cwd=JS,
                              capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    yield backend, {line.pop("name"): line for line in lines}


def test_every_scenario_has_an_expectation(results: tuple[str, dict[str, Any]]) -> None:
    _, by_name = results
    assert list(by_name) == list(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_scenario(results: tuple[str, dict[str, dict[str, Any]]], name: str) -> None:
    backend, by_name = results
    expected = EXPECTED[name]
    want = expected.get(backend, expected.get("both"))
    assert by_name[name] == want
