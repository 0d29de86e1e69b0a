"""The real `dbrest` command in a subprocess, for tests that need its wire (hypercorn,
reason phrases, signals) or a client in another language.

In charge of: a free port, an environment without the caller's DBREST_/PGRST_ settings
(with this checkout first on PYTHONPATH), waiting until the server answers, and stopping
it (terminate, then kill) however the test ends.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env() -> dict[str, str]:
    """The environment minus dbrest's settings, with this checkout importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBREST_", "PGRST_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


@dataclass(frozen=True)
class RunningServer:
    proc: subprocess.Popen[str]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def answers(port: int, path: str) -> bool:
    """Whether an HTTP server on `port` answers `GET path` (any status counts)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def dbrest_server(args: Sequence[str], probe: str = "/", timeout: float = 20.0,
                  env: Mapping[str, str] | None = None) -> Iterator[RunningServer]:
    """`python -m dbrest.cli ARGS` on 127.0.0.1 and a free port, once `GET probe` answers;
    `env` adds to the clean environment."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbrest.cli", *args, "--server-host", "127.0.0.1",
         "--server-port", str(port)],
        cwd=ROOT, env={**clean_env(), **(env or {})}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + timeout
        while not answers(port, probe):
            if proc.poll() is not None:
                raise AssertionError(f"dbrest exited with {proc.returncode}: "
                                     f"{proc.communicate()[1]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"dbrest did not answer within {timeout:.0f} s")
            time.sleep(0.1)
        yield RunningServer(proc, port)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.communicate()
