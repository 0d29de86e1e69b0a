"""`python -m conformance` end to end: against dbrest running as a real server process.

dbrest (`python -m dbrest.cli`) serves a SQLite copy of the fixture, loaded as the
dbrest-sqlite description says and configured with its default-profile settings, on a
free port; the conformance CLI, also a subprocess, runs two case files against it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.runner import load_cases
from conformance.servers import load_server, settings_for
from tests.infra.server import ROOT, clean_env, dbrest_server

FILES = ["read_select", "write_insert"]


@pytest.fixture(scope="module")
def base_url(sqlite_fixture_path: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[str]:
    db = tmp_path_factory.mktemp("cli_live") / "fixture.sqlite"
    shutil.copyfile(sqlite_fixture_path, db)
    # the profile's settings as a dbrest config file (tables such as sqlite_functions as a
    # JSON string, as the environment gives them)
    config = db.with_name("dbrest.conf")
    config.write_text("".join(
        f"{key.replace('_', '-')} = "
        f"{json.dumps(json.dumps(value) if isinstance(value, dict) else value)}\n"
        for key, value in settings_for(load_server("dbrest-sqlite"), "default").items()))
    with dbrest_server(["--config", str(config), "--db-uri", f"sqlite:{db}"],
                       probe="/authors?limit=1") as server:
        yield server.url


def test_cli_judges_a_running_server(base_url: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "--server", "dbrest-sqlite", "--base-url",
         base_url, *FILES], cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=120)
    counts = {f: len(load_cases(pattern=f"{f}.yaml")) for f in FILES}
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        *(f"{f}: {n} passed, 0 failed, 0 not applicable" for f, n in counts.items()),
        f"total: {sum(counts.values())} passed, 0 failed, 0 not applicable",
    ]


def test_cli_reports_failures_against_the_wrong_expectations(base_url: str) -> None:
    # The auth profile's files need JWT settings this server was not started with.
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "--server", "dbrest-sqlite", "--base-url",
         base_url, "auth_jwt"], cwd=ROOT, env=clean_env(), capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 1
    assert "FAIL auth_jwt::" in proc.stdout
    last = proc.stdout.splitlines()[-1]
    assert last.startswith("total: ") and " 0 failed" not in last, last
