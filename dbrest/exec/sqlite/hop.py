"""Where SQLite statements run: on the event loop when short, on the driver's thread else.

A primary-key read takes SQLite ~10 µs; handing it to aiosqlite's thread and back (a
queue, a future, `call_soon_threadsafe`, two context switches) costs several times that
in CPU (bench/README.md, "CPU per request"). So a read is first run on the loop with a
hard time budget, enforced by SQLite's progress handler: a read that outruns it is
interrupted (a read changes nothing, so nothing is lost) and run again on the thread.
Only in WAL mode, where a reader never waits for a lock (in rollback-journal mode it may
sleep up to the busy timeout, which must not happen on the loop).

A write runs on the thread as one function (BEGIN IMMEDIATE … COMMIT): one hop instead of
one per statement, and its lock waits never block the loop.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import aiosqlite

from dbrest.exec.sqlite.deadline import STEPS

T = TypeVar("T")

# seconds a read may hold the loop before it moves to the driver's thread
LOOP_BUDGET = 0.002
# SQLite VM instructions between two looks at the clock (≈ a few µs)
_CHECK_EVERY = 1000
# how long a statement on the driver's thread waits for another process's lock
BUSY_TIMEOUT_MS = 5000


def read_on_loop(conn: aiosqlite.Connection, sql: str, params: Sequence[object],
                 budget: float | None = None,
                 outer: Callable[[], int] | None = None) -> list[Any] | None:
    """The rows, or None when the statement outran `budget` and was interrupted.

    The caller holds `conn` exclusively (from the pool) and has awaited everything it
    sent to the connection's thread, so that thread is idle; the sqlite3 connection is
    opened with check_same_thread=False. `outer`: the connection's own progress handler
    (the statement timeout, deadline.py), consulted too and put back afterwards."""
    raw: sqlite3.Connection = conn._conn  # noqa: SLF001 - aiosqlite's sqlite3 connection
    deadline = time.perf_counter() + (LOOP_BUDGET if budget is None else budget)
    over = False

    def check() -> int:
        nonlocal over
        over = time.perf_counter() > deadline
        return over or (outer is not None and bool(outer()))

    raw.set_progress_handler(check, _CHECK_EVERY)
    try:
        return raw.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        if over:
            return None
        raise
    finally:
        _restore(raw, outer)


def _restore(raw: sqlite3.Connection, outer: Callable[[], int] | None) -> None:
    """The connection's own progress handler back (the statement timeout), or none."""
    if outer is not None:
        raw.set_progress_handler(outer, STEPS)
    else:
        raw.set_progress_handler(None, 0)


async def on_thread(conn: aiosqlite.Connection,
                    fn: Callable[[sqlite3.Connection], T]) -> T:
    """`fn(sqlite3 connection)` on the connection's own thread, in one hop."""
    result: T = await conn._execute(fn, conn._conn)  # type: ignore[no-untyped-call]  # noqa: SLF001 - aiosqlite's one-hop call
    return result


class Moved(Exception):
    """A write that must run on the connection's thread instead (see `write_on_loop`)."""


def write_on_loop(conn: aiosqlite.Connection,
                  transaction: Callable[[sqlite3.Connection, Callable[[], None]], T],
                  outer: Callable[[], int] | None = None) -> T:
    """`transaction(raw, disarm)` on the loop, or `Moved` (nothing written) when it cannot
    finish there within `LOOP_BUDGET`.

    WAL mode only, on the one writer connection, whose busy timeout is 0: `BEGIN
    IMMEDIATE` takes the write lock at once or fails at once (waiting for another
    process's write would stop the loop), and in WAL mode nothing after it waits on a
    lock. The thread path sets the busy timeout for its wait (`patiently`). A statement
    that outruns the budget is interrupted; SQLite then rolls the transaction back, and
    `transaction` rolls back on any error. `transaction` calls `disarm()` before its
    COMMIT, which is never interrupted by the budget. The writer connection does not
    checkpoint on commit (the caller checkpoints on the thread), so a commit is an
    append to the WAL without fsync (synchronous=NORMAL)."""
    raw: sqlite3.Connection = conn._conn  # noqa: SLF001 - aiosqlite's sqlite3 connection
    deadline = time.perf_counter() + LOOP_BUDGET
    armed = True
    over = False

    def check() -> int:
        nonlocal over
        if armed and time.perf_counter() > deadline:
            over = True
            return 1
        return outer() if outer is not None else 0

    def disarm() -> None:
        nonlocal armed
        armed = False

    raw.set_progress_handler(check, _CHECK_EVERY)
    try:
        return transaction(raw, disarm)
    except sqlite3.OperationalError as err:
        if over or (armed and err.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY):
            raise Moved from err
        raise
    finally:
        _restore(raw, outer)


def patiently(raw: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    """`fn(raw)` on a connection whose busy timeout is 0 (the writer's, `write_on_loop`),
    waiting up to `BUSY_TIMEOUT_MS` for other processes' locks: for its thread."""
    raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        return fn(raw)
    finally:
        raw.execute("PRAGMA busy_timeout = 0")
