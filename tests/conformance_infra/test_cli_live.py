"""`python -m conformance` end to end: against dbrest running as a real server process.

dbrest (`python -m dbrest.cli`) serves a SQLite copy of the fixture, loaded as the
dbrest-sqlite description says and configured with its default-profile settings, on a
free port; the conformance CLI, also a subprocess, runs two case files against it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.runner import load_cases
from conformance.servers import load_server, settings_for

ROOT = Path(__file__).resolve().parents[2]
FILES = ["read_select", "write_insert"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBREST_", "PGRST_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(sqlite_fixture_path: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[str]:
    db = tmp_path_factory.mktemp("cli_live") / "fixture.sqlite"
    shutil.copyfile(sqlite_fixture_path, db)
    port = _free_port()
    # the profile's settings as a dbrest config file (tables such as sqlite_functions as a
    # JSON string, as the environment gives them)
    config = db.with_name("dbrest.conf")
    config.write_text("".join(
        f"{key.replace('_', '-')} = "
        f"{json.dumps(json.dumps(value) if isinstance(value, dict) else value)}\n"
        for key, value in settings_for(load_server("dbrest-sqlite"), "default").items()))
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbrest.cli", "--config", str(config), "--db-uri", f"sqlite:{db}",
         "--server-host", "127.0.0.1", "--server-port", str(port)],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"dbrest exited with {proc.returncode}: "
                                     f"{proc.communicate()[1]}")
            try:
                urllib.request.urlopen(f"{url}/authors?limit=1", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("dbrest did not answer within 15 s") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        proc.communicate()


def test_cli_judges_a_running_server(base_url: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "--server", "dbrest-sqlite", "--base-url",
         base_url, *FILES], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
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
         base_url, "auth_jwt"], cwd=ROOT, env=_env(), capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 1
    assert "FAIL auth_jwt::" in proc.stdout
    last = proc.stdout.splitlines()[-1]
    assert last.startswith("total: ") and " 0 failed" not in last, last
