"""dbrest as a subprocess for the operations tests: start, request, signal, read its log."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.infra.server import ROOT, clean_env, free_port

__all__ = ["ROOT", "Dbrest", "clean_env", "free_port"]


class Dbrest:
    """`dbrest` on free ports (API and admin), stderr kept in a file."""

    def __init__(self, tmp: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port, self.admin_port = free_port(), free_port()
        self.log_path = tmp / f"dbrest-{self.port}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dbrest.cli", *args, "--server-host", "127.0.0.1",
             "--server-port", str(self.port), "--admin-server-port", str(self.admin_port)],
            cwd=ROOT, env={**clean_env(), **(env or {})}, stdout=subprocess.DEVNULL,
            stderr=self._log, text=True)
        self.until(lambda: self.get("/live", admin=True)[0] == 200, what="start")

    def get(self, path: str, admin: bool = False,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        port = self.admin_port if admin else self.port
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=5) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()
        except OSError:
            return 0, {}, b""

    def json(self, path: str) -> tuple[int, object]:
        status, _, body = self.get(path)
        return status, json.loads(body) if body else None

    def until(self, ok: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not ok():
            if self.proc.poll() is not None:
                raise AssertionError(f"dbrest exited ({self.proc.returncode}): {self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}: {self.log()}")
            time.sleep(0.1)

    def signal(self, sig: signal.Signals) -> None:
        self.proc.send_signal(sig)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
