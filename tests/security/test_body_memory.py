"""A served dbrest's peak memory stays bounded under large bodies it refuses."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _post(port: int, size: int, statuses: list[bytes]) -> None:
    """POST `size` bytes (as fast as the server takes them) and keep its status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % size)
        chunk = b" " * (1 << 20)
        try:
            for _ in range(size // len(chunk)):
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed without reading it all
        try:
            statuses.append(sock.recv(64).split(b"\r\n")[0])
        except OSError:
            statuses.append(b"reset")


def test_refused_large_bodies_are_not_read(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dbrest.cli", "--db-uri", f"sqlite:{db}",
                             "--server-port", str(port), "--server-host", "127.0.0.1",
                             # with a JWT secret and no anon role, anonymous requests are
                             # refused (without one, SQLite serves them as `anon`)
                             "--jwt-secret", "x" * 32],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # the banner: serving
        time.sleep(0.3)
        before = _hwm_kb(proc.pid)
        statuses: list[bytes] = []
        # no db_anon_role: anonymous writes are 401 from the headers alone
        threads = [threading.Thread(target=_post, args=(port, 64 << 20, statuses))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        grown_mb = (_hwm_kb(proc.pid) - before) / 1024
        assert statuses and all(s in (b"HTTP/1.1 401 Unauthorized", b"reset")
                                for s in statuses), statuses
        assert b"HTTP/1.1 401 Unauthorized" in statuses
        assert grown_mb < 32, f"peak memory grew {grown_mb:.0f} MB for 256 MB of bodies"
    finally:
        proc.terminate()
        proc.wait(10)
