"""bench/micro.py still runs against the current pipeline (it is not imported: a script)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_micro_quick_prints_timings_on_sqlite() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "bench/micro.py", "--quick", "--backend", "sqlite"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    timings = dict(re.findall(r"^sqlite\s+(\w+)\s+([\d.]+) µs/request", done.stdout, re.M))
    assert set(timings) == {"handle", "cached", "cpu", "prepare", "parse", "plan", "render"}, \
        done.stdout
    assert re.search(r"^sqlite\s+tail\s+32 clients: p50 [\d.]+ ms, p99 [\d.]+ ms", done.stdout,
                     re.M), done.stdout
    assert all(float(us) > 0 for us in timings.values())
    # end to end includes exec and serialization, so it cannot be faster than its first part
    assert float(timings["handle"]) > float(timings["render"])
    # a shape-cache hit skips parse, plan and render
    assert float(timings["cached"]) < float(timings["prepare"])


def test_asgi_prints_cpu_per_request_for_a_read_and_a_write() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for workload in ("a", "f"):
        done = subprocess.run([sys.executable, "bench/asgi.py", "--scale", "0.01",
                               "--batches", "1", "--workload", workload],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        lines = re.findall(rf"^sqlite\s+{workload} (floor|dbrest)\s+([\d.]+) µs CPU/request",
                           done.stdout, re.M)
        assert [name for name, _ in lines] == ["floor", "dbrest"] * 2, done.stdout
        assert all(float(us) > 0 for _, us in lines)
