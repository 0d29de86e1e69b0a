"""Running compiled SQL on SQLite through a pool of aiosqlite connections.

`databases`' SQLite backend opens a new connection (and thread) on every acquire and
cannot run set-up per connection, so dbrest keeps its own small pool: each connection
is opened once with `foreign_keys=ON`, a busy timeout (writers wait rather than fail
with "database is locked") and the SQL functions the SQLite renderer calls. The first
connection switches the file to WAL (when it can) before any other is opened.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import sqlite3
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import aiosqlite
import orjson

from dbrest.errors import ConnectionError_, DatabaseError
from dbrest.exec.base import (
    READ,
    Accessible,
    BackendSettings,
    PooledBackend,
    ReadResult,
    Tx,
    TxSettings,
    enforce,
)
from dbrest.exec.fair import FairPool
from dbrest.exec.sqlite.casts import cast_error, make_cast
from dbrest.exec.sqlite.deadline import STEPS, Deadline, timeout_error
from dbrest.exec.sqlite.errors import map_sqlite_error
from dbrest.exec.sqlite.explain import plan_body
from dbrest.exec.sqlite.hop import (
    BUSY_TIMEOUT_MS,
    Moved,
    on_thread,
    patiently,
    read_on_loop,
    write_on_loop,
)
from dbrest.exec.sqlite.introspect import introspect_sqlite
from dbrest.exec.sqlite.stream import stream_rows
from dbrest.render.compile import CompiledRead, CompiledStream, CompiledWrite, WriteStep
from dbrest.render.explain import CompiledExplain
from dbrest.render.sqlite import SQLITE
from dbrest.schema import SchemaCache
from dbrest.sqlite_functions import SqlFunction

_memory_ids = itertools.count()
log = logging.getLogger("dbrest")

CHECKPOINT_EVERY = 500  # writes between two checkpoints of the writer (`_transaction`)


def _regexp(pattern: str | None, value: Any) -> bool | None:
    if pattern is None or value is None:
        return None
    return re.search(pattern, str(value)) is not None


def _iregexp(pattern: str | None, value: Any) -> bool | None:
    if pattern is None or value is None:
        return None
    return re.search(pattern, str(value), re.IGNORECASE) is not None


def sql_functions(variables: dict[str, str]) -> list[tuple[str, int, Any, bool]]:
    """The SQL functions every connection gets: regex matching for `match`/`imatch`,
    and PostgreSQL's `current_setting`/`set_config` over the request's settings."""

    def current_setting(name: str, missing_ok: Any = False) -> str | None:
        if name in variables:
            return variables[name]
        if missing_ok:
            return None
        raise sqlite3.OperationalError(f'unrecognized configuration parameter "{name}"')

    def set_config(name: str, value: str, is_local: Any = True) -> str:
        variables[str(name)] = str(value)
        return str(value)

    return [
        ("regexp", 2, _regexp, True),
        ("dbrest_iregexp", 2, _iregexp, True),
        ("current_setting", 1, current_setting, False),
        ("current_setting", 2, current_setting, False),
        ("set_config", 3, set_config, False),
        ("dbrest_vars", 0, lambda: orjson.dumps(variables).decode(), False),
        ("dbrest_cast", 2, make_cast(variables), True),  # checked casts (casts.py)
    ]


@dataclass(frozen=True, slots=True)
class SqliteTarget:
    """What `sqlite3.connect(target, uri=True)` opens, and the file behind it."""

    target: str
    file: str | None  # None: an in-memory database
    mode: str  # SQLite's URI `mode`: ro, rw, rwc or memory


def sqlite_target(path: str) -> SqliteTarget:
    """A `sqlite:` path → an SQLite URI. Plain paths open with `mode=rw`, so a missing
    file is an error rather than a new empty database; a `file:` URI may ask for
    `mode=rwc` (create) or `mode=ro`. `:memory:` becomes a shared cache."""
    if path == ":memory:":
        return SqliteTarget(f"file:dbrest_mem_{next(_memory_ids)}?mode=memory&cache=shared",
                            None, "memory")
    if not path.startswith("file:"):
        return SqliteTarget(f"file:{quote(path)}?mode=rw", path, "rw")
    location, _, query = path[len("file:"):].partition("?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    mode = params.setdefault("mode", "rw")
    if location.startswith("//"):  # file://[localhost]/abs/path
        location = location[2:].removeprefix("localhost")
    file = None if mode == "memory" else unquote(location)
    return SqliteTarget(f"file:{location}?{urlencode(params)}", file, mode)


def writable(file: str) -> bool:
    """Whether SQLite may write `file`: the file itself and, for its journal (rollback
    journal or WAL and shared-memory files), the directory it is in."""
    directory = os.path.dirname(os.path.abspath(file))
    return os.access(file, os.W_OK) and os.access(directory, os.W_OK)


def _read_only(target: SqliteTarget) -> SqliteTarget:
    return SqliteTarget(target.target.replace("mode=rw", "mode=ro", 1), target.file, "ro")


def _checked(target: SqliteTarget) -> SqliteTarget:
    """Refuse a missing file (unless `mode=rwc`); open a file dbrest may not write
    read-only, so that reads are served and writes answer 25006."""
    if target.file is None or target.mode == "rwc":
        return target
    if not os.path.isfile(target.file):
        raise ConnectionError_(
            "Database connection error.",
            f"SQLite database file not found: {target.file} (to create an empty one, "
            f"use --db-uri 'sqlite:file:{target.file}?mode=rwc')")
    if target.mode == "rw" and not writable(target.file):
        log.warning("%s is not writable: serving it read-only", target.file)
        return _read_only(target)
    return target


async def _run(conn: aiosqlite.Connection, sql: str) -> list[Any]:
    """Run a statement to completion: an unfinished one (a PRAGMA's unread row) keeps
    its lock, and every other connection then finds the database locked."""
    return list(await conn.execute_fetchall(sql))


class SqliteBackend(PooledBackend):
    dialect = SQLITE
    enforces_roles = False  # no roles: the pipeline checks the configured grants

    @classmethod
    def from_settings(cls, s: BackendSettings) -> SqliteBackend:
        return cls(s.target, s.pool_size, s.acquire_timeout, seed=s.seed,
                   app_settings=s.app_settings, functions=s.functions,
                   statement_timeout=s.statement_timeout)

    def __init__(self, path: str, pool_size: int = 10, acquire_timeout: float = 10.0,
                 seed: str | None = None,
                 app_settings: Sequence[tuple[str, str]] = (),
                 functions: Sequence[SqlFunction] = (),
                 statement_timeout: float | None = None) -> None:
        self.statement_timeout = statement_timeout
        self._deadlines: dict[int, Deadline] = {}  # per connection (deadline.py)
        self.functions = tuple(functions)  # issue 10: `sqlite_functions` (RPC)
        # `app.settings.*`: read with current_setting() like the request's settings
        self.app_settings = tuple(("app.settings." + k, v) for k, v in app_settings)
        self.seed = seed  # a script run once at start (the bundled demo database)
        self.where = sqlite_target(path)
        self.target, self.is_uri = self.where.target, True
        self.wal = False  # whether the file is in WAL mode (decided by the first connection)
        self.pool_size = pool_size
        self.acquire_timeout = acquire_timeout
        self._idle: FairPool[aiosqlite.Connection] = FairPool()
        # Writes are serialized on one more connection of their own: in this process they
        # queue (first come, first served) instead of polling SQLite's lock through the
        # busy timeout; other processes on the same file still meet the busy timeout.
        self._writer: FairPool[aiosqlite.Connection] = FairPool()
        self._all: list[aiosqlite.Connection] = []
        self._settling: set[asyncio.Task[None]] = set()  # cancelled requests' connections
        # per connection: the request's settings, read by current_setting() in SQL
        self._vars: dict[int, dict[str, str]] = {}
        self._writes = 0  # committed by the writer since start (checkpoints)

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.target, isolation_level=None, uri=self.is_uri,
                                       check_same_thread=False)
        try:
            await _run(conn, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await _run(conn, "PRAGMA foreign_keys = ON")
            if self.wal:
                # WAL with synchronous=NORMAL: commits survive a crash of the process, and
                # a write no longer waits for an fsync (sqlite.org/wal.html, "Performance
                # Considerations"); rollback-journal mode keeps the safe default (FULL).
                await _run(conn, "PRAGMA synchronous = NORMAL")
            variables: dict[str, str] = {}
            self._vars[id(conn)] = variables
            deadline = self._deadlines[id(conn)] = Deadline()
            await conn.set_progress_handler(deadline, STEPS)
            for name, nargs, fn, deterministic in sql_functions(variables):
                await conn.create_function(name, nargs, fn, deterministic=deterministic)
            # `_dbrest_vars(key, val)`: the same settings as a relation, for views and triggers
            await _run(conn, "CREATE TEMP VIEW IF NOT EXISTS _dbrest_vars AS "
                             "SELECT key, value AS val FROM json_each(dbrest_vars())")
        except BaseException:
            await conn.close()  # else its thread outlives the event loop (and the process hangs)
            raise
        return conn

    async def _use_wal(self, conn: aiosqlite.Connection) -> None:
        """Switch the file to WAL on this, the only open connection. It cannot when the
        file is read-only or another process holds a lock on it: then keep its journal
        mode (readers and the one writer then take turns, waiting the busy timeout)."""
        mode = str((await _run(conn, "PRAGMA journal_mode"))[0][0]).lower()
        if mode != "wal" and self.where.mode in ("rw", "rwc"):
            await _run(conn, "PRAGMA busy_timeout = 1000")
            try:
                mode = str((await _run(conn, "PRAGMA journal_mode = WAL"))[0][0]).lower()
            except sqlite3.OperationalError as err:
                log.warning("cannot switch %s to WAL (%s): keeping journal_mode=%s",
                            self.where.file, err, mode)
            await _run(conn, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.wal = mode == "wal"
        if self.wal:
            await _run(conn, "PRAGMA synchronous = NORMAL")

    async def start(self) -> None:
        self.where = _checked(self.where)
        self.target = self.where.target
        try:
            # Open and read it once synchronously first: a file that cannot be opened, or
            # is not a database, fails here, before any driver thread exists.
            probe = sqlite3.connect(self.target, uri=self.is_uri, timeout=1.0)
            try:
                probe.execute("SELECT count(*) FROM sqlite_master").fetchall()
            finally:
                probe.close()
        except sqlite3.Error as err:
            raise ConnectionError_("Database connection error.",
                                   f"{self.where.file or ':memory:'}: {err}") from err
        try:
            first = await self._open()
            self._all.append(first)
            await self._use_wal(first)
            if self.seed is not None:
                await first.executescript(self.seed)
            for _ in range(self.pool_size):  # the readers, and the writer
                self._all.append(await self._open())
        except sqlite3.Error as err:
            await self.stop()
            raise ConnectionError_("Database connection error.",
                                   f"{self.where.file or ':memory:'}: {err}") from err
        if self.wal:  # the writer: see `_transaction` and hop.write_on_loop
            await _run(self._all[-1], "PRAGMA wal_autocheckpoint = 0")
            await _run(self._all[-1], "PRAGMA busy_timeout = 0")
        self._writer.put(self._all[-1])
        for conn in self._all[:-1]:
            self._idle.put(conn)

    async def stop(self) -> None:
        await asyncio.gather(*self._settling, return_exceptions=True)
        for conn in self._all:
            await conn.close()
        self._all.clear()
        self._vars.clear()
        self._idle = FairPool()
        self._writer = FairPool()

    async def accessible(self, ctx: TxSettings, schema: str) -> Accessible:
        """SQLite has no privileges of its own: everything (the pipeline narrows it by the
        configured grants)."""
        return Accessible(None, None)

    @asynccontextmanager
    async def session(self, ctx: TxSettings,
                      write: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """A pooled connection (the writer's, to write) carrying the request's settings
        (role, claims, headers…)."""
        async with self.connection(write) as conn:
            self._apply(conn, ctx)
            yield conn

    def _apply(self, conn: aiosqlite.Connection, ctx: TxSettings) -> dict[str, str]:
        """The connection's settings (read by current_setting()) become the request's."""
        variables = self._vars[id(conn)]
        variables.clear()
        variables.update(self.app_settings)
        if ctx.role is not None:
            variables["role"] = ctx.role
        variables.update(ctx.settings)
        return variables

    @asynccontextmanager
    async def connection(self, write: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        pool = self._writer if write else self._idle
        conn = await pool.get(self.acquire_timeout)
        settling = False
        try:
            yield conn
        except asyncio.CancelledError:
            settling = True
            self._settle(conn, pool)
            raise
        finally:
            if not settling:
                pool.put(conn)

    def _settle(self, conn: aiosqlite.Connection,
                pool: FairPool[aiosqlite.Connection]) -> None:
        """The request was cancelled (its client left), not the statement: the driver's
        thread may still be running it. Hand the connection back only once that thread
        is done, or the next request would share it mid-statement (and the loop,
        touching it, would wait on SQLite's lock while that thread waits on the GIL for
        the progress handler: a deadlock)."""
        task = asyncio.get_running_loop().create_task(_settle(conn, pool))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def introspect(self, schemas: Sequence[str]) -> SchemaCache:
        def introspect() -> SchemaCache:
            conn = sqlite3.connect(self.target, uri=self.is_uri)
            for name, nargs, fn, deterministic in sql_functions({}):
                conn.create_function(name, nargs, fn, deterministic=deterministic)
            try:
                return introspect_sqlite(conn, schemas[0], self.functions)
            finally:
                conn.close()
        return await asyncio.to_thread(introspect)

    async def db_settings(self, keys: Sequence[str]) -> dict[str, str]:
        """SQLite has no roles to carry in-database settings."""
        return {}

    async def _probe(self) -> None:
        async with self.connection() as conn:
            await conn.execute("SELECT 1")

    def pool_stats(self) -> tuple[int, int, int]:
        """(most connections, idle ones, waiting acquirers)."""
        return (self.pool_size, len(self._idle), self._idle.waiting)

    async def watch(self, channel: str | None, event: Callable[[str, str], None],
                    every: float = 1.0) -> None:
        """Until cancelled: poll `PRAGMA schema_version` every `every` seconds (one read,
        on a connection of its own, off the event loop) and report a change as
        `event("notify", "reload schema")`; a file that cannot be read is reported once
        (`"lost"`), and again when it can (`"restored"`). SQLite has no channel."""
        conn: sqlite3.Connection | None = None

        def version() -> int:
            nonlocal conn
            if conn is None:
                conn = sqlite3.connect(self.target, uri=self.is_uri, check_same_thread=False)
            return int(conn.execute("PRAGMA schema_version").fetchone()[0])

        seen: int | None = None
        lost = False
        poll: asyncio.Future[int] | None = None
        try:
            while True:
                poll = asyncio.ensure_future(asyncio.to_thread(version))
                try:
                    # shielded: cancelling the watch must not close `conn` (below) while
                    # a worker thread still reads it (a use-after-close in the driver)
                    now = await asyncio.shield(poll)
                except sqlite3.Error as err:
                    if not lost:
                        lost = True
                        event("lost", str(err))
                    if conn is not None:
                        conn.close()
                        conn = None
                else:
                    if lost:
                        lost = False
                        event("restored", "")
                    elif seen is not None and now != seen:
                        event("notify", "reload schema")
                    seen = now
                await asyncio.sleep(every)
        finally:
            if poll is not None and not poll.done():
                await asyncio.wait([poll])  # the read in flight ends before the close
            if conn is not None:
                conn.close()

    async def run(self, compiled: CompiledRead | CompiledWrite | CompiledExplain,
                  values: Sequence[object], ctx: TxSettings, tx: Tx = READ) -> ReadResult:
        """A read is one statement (its own implicit transaction), on the loop when short
        (`hop.py`); anything else runs on the connection's thread, writes in `BEGIN
        IMMEDIATE` on the writer's connection (the write lock up front: concurrent writers
        queue instead of failing on a lock upgrade). Read-only steps (an RPC call to a
        non-volatile function, or by GET) run in a deferred transaction under `PRAGMA
        query_only`, as PostgreSQL runs them READ ONLY. `EXPLAIN QUERY PLAN` runs nothing:
        its rows are the body."""
        steps = getattr(compiled, "steps", ())
        # `connection()` and `session()` inlined: two context managers cost more than
        # the primary-key read itself
        pool = self._idle if tx.readonly else self._writer
        conn = await pool.get(self.acquire_timeout)
        settling = False
        variables = deadline = None
        try:
            variables = self._apply(conn, ctx)
            deadline = self._deadlines[id(conn)]
            deadline.start(self.statement_timeout)
            if isinstance(compiled, CompiledExplain):
                rows = await conn.execute_fetchall(compiled.query.sql,
                                                   compiled.query.bind(values))
                return ReadResult(None, 0, plan_body(list(rows), compiled.json))
            if tx.readonly and not steps:
                result = await self._read(conn, compiled, values)
                enforce(tx, result)
                return result
            return await self._transaction(conn, compiled, values, tx)
        except asyncio.CancelledError:
            settling = True
            self._settle(conn, pool)
            if deadline is not None:  # stop the statement still running in the driver
                deadline.cancel()
            raise
        except (sqlite3.Error, OverflowError) as err:
            if deadline is not None and deadline.hit:
                raise timeout_error() from err
            raise (cast_error(err, variables) or map_sqlite_error(err)) from err
        finally:
            if not settling:
                pool.put(conn)

    async def _transaction(self, conn: aiosqlite.Connection,
                           compiled: CompiledRead | CompiledWrite,
                           values: Sequence[object], tx: Tx) -> ReadResult:
        """A transaction on the loop when the file is in WAL mode and it is short (the
        thread hop costs more CPU than a one-row insert: bench/README.md), else on the
        connection's thread. The writer does not checkpoint on commit (a checkpoint
        writes and syncs the database file, which must not happen on the loop): every
        `CHECKPOINT_EVERY` writes it checkpoints on its thread."""
        if tx.readonly or not self.wal:  # a reader's, or not WAL: on the thread
            return await on_thread(conn, lambda raw: _transaction(raw, compiled, values, tx))
        try:
            result = write_on_loop(conn, lambda raw, disarm: _transaction(
                raw, compiled, values, tx, disarm), self._deadlines[id(conn)])
        except Moved:
            result = await on_thread(conn, lambda raw: patiently(
                raw, lambda raw: _transaction(raw, compiled, values, tx)))
        self._writes += 1
        if self._writes % CHECKPOINT_EVERY == 0:
            await on_thread(conn, _checkpoint)
        return result

    def stream(self, compiled: CompiledStream, values: Sequence[object],
               ctx: TxSettings) -> AsyncGenerator[object, None]:
        """A large read, chunk by chunk (stream.py)."""
        return stream_rows(self, compiled, values, ctx)

    async def _read(self, conn: aiosqlite.Connection, compiled: CompiledRead | CompiledWrite,
                    values: Sequence[object]) -> ReadResult:
        params = compiled.main.bind(values)
        rows = read_on_loop(conn, compiled.main.sql, params,
                            outer=self._deadlines.get(id(conn))) if self.wal else None
        if rows is None:
            # execute_fetchall: one hop to the driver's thread instead of three
            rows = list(await conn.execute_fetchall(compiled.main.sql, params))
        row = next(iter(rows), None)
        assert row is not None
        return ReadResult.of(row)



async def _settle(conn: aiosqlite.Connection, pool: FairPool[aiosqlite.Connection]) -> None:
    """Back to `pool` once the connection's thread has finished what it was given: the
    driver runs a connection's calls in order, so a no-op completes after them."""
    try:
        await conn.execute_fetchall("SELECT 1")
    except Exception:  # noqa: BLE001 - a closed or broken connection: the pool decides
        pass
    finally:
        pool.put(conn)


def _checkpoint(raw: sqlite3.Connection) -> None:
    """A PASSIVE checkpoint: copies what it can of the WAL, waiting on no reader."""
    raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _transaction(raw: sqlite3.Connection, compiled: CompiledRead | CompiledWrite,
                 values: Sequence[object], tx: Tx,
                 disarm: Callable[[], None] | None = None) -> ReadResult:
    """The whole transaction, in one call (on the loop or the connection's thread);
    `disarm` (hop.write_on_loop) is called before it ends."""
    raw.execute("BEGIN" if tx.readonly else "BEGIN IMMEDIATE")
    try:
        result = _steps(raw, compiled, values, tx.readonly)
        enforce(tx, result)
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    if disarm is not None:
        disarm()
    raw.execute("ROLLBACK" if tx.rollback else "COMMIT")
    return result


def _steps(raw: sqlite3.Connection, compiled: CompiledRead | CompiledWrite,
           values: Sequence[object], readonly: bool) -> ReadResult:
    """The steps render gave (staging, the write with RETURNING), then the read."""
    existing = None
    written = 0
    for step in getattr(compiled, "steps", ()):
        rows, width = _step(raw, step, values, readonly and not step.scratch)
        if step.counts_existing:
            existing = rows[0][0]
        if step.copy is not None:
            written = len(rows)
            if step.first_column:
                rows, width = [row[:1] for row in rows], min(width, 1)
            if rows and width:
                raw.executemany(step.copy + "(" + ", ".join("?" * width) + ")", rows)
    rows = raw.execute(compiled.main.sql, compiled.main.bind(values)).fetchall()
    row = next(iter(rows), None)  # read to the end: an unfinished statement keeps a lock
    assert row is not None
    return ReadResult.of(row, None if existing is None else written - existing)


def _step(raw: sqlite3.Connection, step: WriteStep, values: Sequence[object],
          readonly: bool) -> tuple[list[Any], int]:
    """One step's rows and width; `readonly`: where SQLite refuses writes, and a write is
    PostgreSQL's 25006 (a read-only transaction), not a read-only file."""
    if readonly:
        raw.execute("PRAGMA query_only = ON")
    try:
        cursor = raw.execute(step.query.sql, step.query.bind(values))
        return list(cursor.fetchall()), len(cursor.description or ())
    except sqlite3.OperationalError as err:
        if readonly and "readonly database" in str(err):
            verb = (step.query.sql.split(None, 1) or ["statement"])[0].upper()
            raise DatabaseError("25006", 405, f"cannot execute {verb} in a read-only "
                                "transaction") from None
        raise
    finally:
        if readonly:
            raw.execute("PRAGMA query_only = OFF")
