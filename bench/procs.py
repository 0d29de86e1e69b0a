"""Process chores for bench/run.py: ports, CPU pinning, stopping what we started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT, then SIGTERM, then SIGKILL to our child's own process group (it was started
    with start_new_session, so the group is exactly the child and what it forked)."""
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
    with contextlib.suppress(ProcessLookupError):  # a hypercorn worker left behind
        os.killpg(proc.pid, signal.SIGKILL)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


async def pin_postgres(uri: str, cpus: str) -> str:
    """Pin the postmaster and its current processes to `cpus`; backends forked later
    inherit the postmaster's affinity. Only for a server on this machine."""
    import asyncpg

    conn = await asyncpg.connect(uri)
    try:
        backend = await conn.fetchval("SELECT pg_backend_pid()")
    finally:
        await conn.close()
    try:
        stat = Path(f"/proc/{backend}/stat").read_text()
    except OSError:
        return "PostgreSQL runs elsewhere (container or remote): not pinned"
    postmaster = int(stat.rsplit(")", 1)[1].split()[1])
    pids = [postmaster, *children(postmaster)]
    for pid in pids:
        subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(pid)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return f"PostgreSQL (postmaster {postmaster}, {len(pids)} processes) pinned to CPU {cpus}"


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM during clean-up so a second Ctrl-C cannot cut it short."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a held signal is delivered here


@contextlib.contextmanager
def deferring_exit(cm: contextlib.AbstractContextManager[Any]) -> Iterator[Any]:
    """Enter and exit `cm` (starting and stopping PostgreSQL) with SIGINT/SIGTERM held, so
    what was started is always stopped and initdb/pg_ctl are never cut off half-way."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        value = cm.__enter__()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a held Ctrl-C is raised here
        yield value
    except BaseException:
        with signals_deferred():
            if not cm.__exit__(*sys.exc_info()):
                raise
    else:
        with signals_deferred():
            cm.__exit__(None, None, None)
