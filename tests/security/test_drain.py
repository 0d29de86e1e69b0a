"""SIGTERM drains: requests in flight finish with 2xx, then the server exits."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

SLOW_VIEW = """
CREATE VIEW slow AS
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000)
SELECT count(*) AS c FROM n
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sigterm_lets_in_flight_requests_finish(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite"
    conn = sqlite3.connect(db)
    conn.execute(SLOW_VIEW)
    conn.commit()
    conn.close()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dbrest.cli", "--db-uri", f"sqlite:{db}",
                             "--db-anon-role", "anon", "--server-port", str(port),
                             "--server-host", "127.0.0.1", "--server-drain-timeout", "20"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # the banner: serving
        started = time.monotonic()
        with httpx.Client(timeout=30) as probe:
            assert probe.get(f"http://127.0.0.1:{port}/slow").status_code == 200
        slow = time.monotonic() - started
        results: list[object] = []

        def fetch() -> None:
            try:
                with httpx.Client(timeout=30) as client:
                    results.append(client.get(f"http://127.0.0.1:{port}/slow").status_code)
            except httpx.HTTPError as err:
                results.append(err)

        threads = [threading.Thread(target=fetch) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(slow / 3)  # all three in flight (the query takes `slow` seconds)
        proc.send_signal(signal.SIGTERM)
        for t in threads:
            t.join(60)
        assert results == [200, 200, 200], (results, slow)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
