"""`server_workers`: several processes serve one port, each with its own pool."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.test_cli import (
    ROOT,
    START_TIMEOUT,
    assert_one_line_failure,
    clean_env,
    free_port,
    run_cli,
)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
                if b"multiprocessing" in cmdline and b"spawn_main" in cmdline:
                    found.append(int(entry))
    return found


def test_two_workers_serve_one_port_and_stop_together(sqlite_fixture_path: Path,
                                                      tmp_path: Path) -> None:
    db = tmp_path / "workers.sqlite"
    shutil.copyfile(sqlite_fixture_path, db)
    port, admin = free_port(), free_port()
    env = clean_env()
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbrest.cli", "--db-uri", f"sqlite:{db}", "--server-host",
         "127.0.0.1", "--server-port", str(port), "--admin-server-port", str(admin),
         "--server-workers", "2", "--db-anon-role", "anon"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT * 2
        while True:
            assert proc.poll() is None, proc.communicate()
            try:
                urllib.request.urlopen(f"{base}/authors?limit=1", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "dbrest did not answer in time"
                time.sleep(0.2)
        workers = _children(proc.pid)
        assert len(workers) == 2
        for _ in range(20):  # each connection may land on either worker: same answers
            with urllib.request.urlopen(f"{base}/books?select=id&id=eq.7", timeout=5) as r:
                assert r.status == 200 and json.loads(r.read()) == [{"id": 7}]
        post = urllib.request.Request(f"{base}/tags", method="POST",
                                      data=json.dumps({"id": 9001, "name": "w"}).encode(),
                                      headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(post, timeout=5) as r:
            assert r.status == 201
        with urllib.request.urlopen(f"{base}/tags?id=eq.9001&select=id", timeout=5) as r:
            assert json.loads(r.read()) == [{"id": 9001}]
        with urllib.request.urlopen(f"http://127.0.0.1:{admin}/ready", timeout=5) as r:
            assert r.status == 200
        proc.terminate()
        assert proc.wait(timeout=15) == 0
        out, err = proc.communicate()
        assert "Traceback" not in err, err
        assert "2 worker processes" in out
        assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_workers_refuse_an_in_memory_database() -> None:
    assert_one_line_failure(run_cli("--server-workers", "2", "--server-port", "1"),
                            "server_workers: an in-memory SQLite database cannot be shared")


def test_workers_report_an_unreachable_database_in_one_line() -> None:
    assert_one_line_failure(
        run_cli("--server-workers", "2", "--db-uri", "postgres://nobody@127.0.0.1:1/x"),
        "Database connection error.")
