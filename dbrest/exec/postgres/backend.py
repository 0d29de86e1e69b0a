"""Running compiled SQL on PostgreSQL on an asyncpg pool.

The cached SQL text runs on an asyncpg connection with positional parameters, so nothing
is compiled per request and asyncpg's prepared-statement cache makes each statement one
round trip: BEGIN, the settings, the statement, COMMIT. The body column is JSON text
built by `json_agg` and is passed on as is.

dbrest used `databases` here; it is bypassed (bench/README.md, "CPU per request"):
per request its contextvar-tracked Connection, its lock and its Transaction objects cost
more CPU than everything else around the driver, and all dbrest used of it was the
asyncpg pool it creates. Two things differ from asyncpg's defaults:
- no reset query on release (`RESET ALL`, `UNLISTEN *`, advisory unlocks…, a fifth
  statement per request): every setting dbrest makes is transaction-local
  (`set_config(…, true)`), as PostgREST's are, so only a connection that comes back
  inside a transaction (a cancelled request) needs cleaning: it is rolled back;
- waiters for a connection are served first come, first served (`FairPool`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import asyncpg
import orjson

from dbrest.errors import ConnectionError_
from dbrest.exec.base import (
    READ,
    Accessible,
    BackendSettings,
    PooledBackend,
    ReadResult,
    Rollback,
    Tx,
    TxSettings,
    enforce,
)
from dbrest.exec.fair import FairPool
from dbrest.exec.postgres.errors import map_pg_error
from dbrest.exec.postgres.introspect import introspect_postgres
from dbrest.exec.postgres.literal import opening
from dbrest.exec.postgres.replicas import LOST, Replica, Replicas
from dbrest.exec.postgres.stream import stream_rows
from dbrest.render.compile import CompiledRead, CompiledStream, CompiledWrite
from dbrest.render.explain import CompiledExplain
from dbrest.render.postgres import POSTGRES
from dbrest.schema import SchemaCache


class PostgresBackend(PooledBackend):
    dialect = POSTGRES
    enforces_roles = True  # the database decides, through the role set for the transaction

    @classmethod
    def from_settings(cls, s: BackendSettings) -> PostgresBackend:
        return cls(s.target, s.pool_size, s.pre_request, s.acquire_timeout, s.app_settings,
                   s.statement_timeout, s.replicas)

    def __init__(self, uri: str, pool_size: int = 10, pre_request: str | None = None,
                 acquire_timeout: float = 10.0,
                 app_settings: Sequence[tuple[str, str]] = (),
                 statement_timeout: float | None = None,
                 replicas: Sequence[str] = ()) -> None:
        # `app.settings.*`: set in every transaction, with the request's settings
        self.app_settings = tuple(("app.settings." + k, v) for k, v in app_settings)
        if statement_timeout is not None:  # `SET LOCAL statement_timeout`, in milliseconds
            self.app_settings += (("statement_timeout", str(max(1, round(
                statement_timeout * 1000)))),)
        uri = uri.replace("postgres://", "postgresql://", 1)
        self.uri = uri
        self.pool_size = pool_size
        self.acquire_timeout = acquire_timeout
        self.pool: asyncpg.Pool | None = None
        # one permit per connection, so asyncpg's own (barging) queue never has a waiter
        self._permits: FairPool[int] = FairPool(list(range(pool_size)))
        # `db_pre_request`: a function name from the configuration, quoted part by part
        self.pre_request_sql = None if not pre_request else "SELECT " + ".".join(
            '"' + part.replace('"', '""') + '"' for part in pre_request.split(".")) + "()"
        self._settings_sql: dict[int, str] = {}
        # `db_uri_replicas`: where `Tx.replica_ok` statements run (replicas.py)
        self.replicas = Replicas(replicas, pool_size, acquire_timeout, _no_reset)

    async def start(self) -> None:
        try:
            self.pool = await asyncpg.create_pool(
                self.uri, min_size=1, max_size=self.pool_size, reset=_no_reset)
        except (OSError, ValueError, asyncpg.PostgresError) as err:
            raise ConnectionError_("Database connection error.", str(err)) from err
        await self.replicas.start()  # one that is down is skipped (and logged)

    async def stop(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            await pool.close()
        await self.replicas.stop()

    async def introspect(self, schemas: Sequence[str]) -> SchemaCache:
        async with self._connection() as raw:
            return await introspect_postgres(raw, schemas)

    async def db_settings(self, keys: Sequence[str]) -> dict[str, str]:
        """The connecting role's `pgrst.<key>` settings (`ALTER ROLE … SET pgrst.…`), the
        database-specific ones over the global ones (PostgREST's `Config/Database.hs`)."""
        try:
            async with self._connection() as raw:
                rows = await raw.fetch(_DB_SETTINGS_SQL, ["pgrst." + k for k in keys])
        except asyncpg.PostgresError as err:
            raise ConnectionError_("Database connection error.", str(err)) from err
        return {row["key"]: row["value"] for row in rows}

    async def _probe(self) -> None:
        async with self._connection() as raw:
            await raw.fetchval("SELECT 1")

    async def connection_limit(self) -> int | None:
        """`max_connections` less the slots kept for superusers (and, from PostgreSQL
        16, for `pg_use_reserved_connections`); None when it cannot be read."""
        try:
            async with self._connection() as raw:
                return int(await raw.fetchval(_CONNECTION_LIMIT_SQL))
        except Exception:  # noqa: BLE001 - an advisory check never stops start-up
            return None

    def pool_stats(self) -> tuple[int, int, int]:
        """(most connections, idle ones, waiting acquirers): the fair queue's permits."""
        return (self.pool_size, len(self._permits), self._permits.waiting)

    async def watch(self, channel: str | None, event: Callable[[str, str], None],
                    every: float = 5.0) -> None:
        """Until cancelled, on a connection of its own: LISTEN on `channel` (if any)
        and report each payload as `event("notify", payload)`; check the connection
        every `every` seconds; report its loss once (`"lost"`), retry with backoff, and
        report its return (`"restored"`)."""
        lost, delay = False, 0.5
        while True:
            try:
                conn = await asyncpg.connect(self.uri, timeout=every)
            except (OSError, TimeoutError, asyncpg.PostgresError,
                    asyncpg.InterfaceError) as err:
                if not lost:
                    lost = True
                    event("lost", str(err))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if lost:
                lost = False
                event("restored", "")
            delay = 0.5
            closed = asyncio.Event()
            conn.add_termination_listener(lambda _conn, done=closed: done.set())
            detail = "the connection was closed"
            try:
                if channel:  # asyncpg quotes the channel's name
                    await conn.add_listener(channel, lambda _c, _pid, _ch, payload:
                                            event("notify", payload))
                while not conn.is_closed():
                    try:
                        await asyncio.wait_for(closed.wait(), every)
                    except TimeoutError:
                        await conn.fetchval("SELECT 1", timeout=every)
            except (OSError, TimeoutError, asyncpg.PostgresError,
                    asyncpg.InterfaceError) as err:
                detail = str(err) or type(err).__name__
            finally:
                conn.terminate()
            lost = True
            event("lost", detail)

    async def accessible(self, ctx: TxSettings, schema: str) -> Accessible:
        """One query as the request's role, in its transaction (PostgREST `openApiQuery`)."""
        async with self._transaction(ctx, readonly=True) as raw:
            row = await raw.fetchrow(_ACCESSIBLE_SQL, schema)
        return Accessible(frozenset(row["tables"]), frozenset(row["routines"]),
                          row["description"])

    @asynccontextmanager
    async def _transaction(self, ctx: TxSettings, readonly: bool,
                           replica: Replica | None = None) -> AsyncIterator[Any]:
        """One transaction with the request's role and settings (PostgREST's tx vars),
        on the primary or on `replica` (whose connection failures raise `_ReplicaLost`)."""
        try:
            async with self._connection(replica) as raw:
                try:
                    await self._open(raw, ctx, _BEGIN_READ_ONLY if readonly else _BEGIN)
                    yield raw
                except Exception:
                    await _rollback(raw)
                    raise
                # (cancelled: the pool's reset rolls it back)
                await raw.execute("COMMIT")
        except (*LOST, asyncpg.PostgresError) as err:
            raise _failure(err, ctx, replica) from err

    async def _in_transaction(self, ctx: TxSettings, readonly: bool, replica: Replica | None,
                              body: Callable[[Any], Awaitable[ReadResult]]) -> ReadResult:
        """`_transaction` (and `_connection`) around `body(connection)`, as one coroutine:
        on the hot path two nested context managers cost more than the Python around the
        driver's round trips."""
        try:
            pool, permits = self._pools(replica)
            permit = await permits.get(self.acquire_timeout)
            try:
                raw = await pool.acquire()
                try:
                    try:
                        await self._open(raw, ctx, _BEGIN_READ_ONLY if readonly else _BEGIN)
                        result = await body(raw)
                    except Exception:
                        await _rollback(raw)
                        raise
                    await raw.execute("COMMIT")
                    return result
                finally:
                    await pool.release(raw)
            finally:
                permits.put(permit)
        except (*LOST, asyncpg.PostgresError) as err:
            raise _failure(err, ctx, replica) from err

    def _pools(self, replica: Replica | None) -> tuple[asyncpg.Pool, FairPool[int]]:
        pool, permits = (self.pool, self._permits) if replica is None \
            else (replica.pool, replica.permits)
        if pool is None:
            if replica is not None:
                raise OSError("the replica's pool is closed")
            raise ConnectionError_("Database connection error.", "the pool is closed")
        return pool, permits

    @asynccontextmanager
    async def _connection(self, replica: Replica | None = None) -> AsyncIterator[Any]:
        pool, permits = self._pools(replica)
        permit = await permits.get(self.acquire_timeout)
        try:
            raw = await pool.acquire()
            try:
                yield raw
            finally:
                await pool.release(raw)
        finally:
            permits.put(permit)

    async def _open(self, raw: Any, ctx: TxSettings, begin: str) -> None:
        """BEGIN, the role and settings for the transaction, `db_pre_request`: one message
        with the values as literals (literal.py), else values bound, one statement each."""
        settings = [*self.app_settings, *ctx.settings]
        if ctx.role is not None:
            settings.insert(0, ("role", ctx.role))
        sql = opening(begin, settings, self.pre_request_sql)
        if sql is not None:
            await raw.execute(sql)
            return
        await raw.execute(begin)
        sql = self._settings_sql.get(len(settings))
        if sql is None:  # one statement sets them all; values are parameters
            calls = ", ".join(f"set_config(${2 * i + 1}, ${2 * i + 2}, true)"
                              for i in range(len(settings)))
            sql = self._settings_sql[len(settings)] = f"SELECT {calls}"
        await raw.execute(sql, *(v for pair in settings for v in pair))
        if self.pre_request_sql is not None:
            await raw.execute(self.pre_request_sql)

    async def run(self, compiled: CompiledRead | CompiledWrite | CompiledExplain,
                  values: Sequence[object], ctx: TxSettings, tx: Tx = READ) -> ReadResult:
        """One statement in one transaction: READ ONLY for reads, GET/HEAD calls and
        STABLE or IMMUTABLE functions (so a VOLATILE one called by GET fails with 25006,
        as in PostgREST); `tx`'s checks may refuse the result, `tx.rollback` discards a
        good one."""
        if isinstance(compiled, CompiledExplain):
            return await self._explain(compiled, values, ctx, tx)
        if tx.replica_ok and tx.readonly and self.replicas:
            replica = self.replicas.pick()
            if replica is not None:
                try:
                    return await self._run(compiled, values, ctx, tx, replica)
                except _ReplicaLost as lost:  # a read-only transaction: run it again
                    self.replicas.lost(replica, lost.err)
        return await self._run(compiled, values, ctx, tx)

    async def _run(self, compiled: CompiledRead | CompiledWrite, values: Sequence[object],
                   ctx: TxSettings, tx: Tx, replica: Replica | None = None) -> ReadResult:
        async def body(raw: Any) -> ReadResult:
            row = await raw.fetchrow(compiled.main.sql, *compiled.main.bind(values))
            result = ReadResult.of(row)
            if isinstance(compiled, CompiledRead) and compiled.count is not None:
                result = replace(result, total=await self._estimated_total(
                    raw, compiled, values, result.total))
            enforce(tx, result)
            if tx.rollback:
                # surface deferred constraint errors, then discard everything
                if not tx.readonly:
                    await raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
                raise Rollback(result)
            return result

        try:
            return await self._in_transaction(ctx, tx.readonly, replica, body)
        except Rollback as done:
            return done.result

    def stream(self, compiled: CompiledStream, values: Sequence[object],
               ctx: TxSettings) -> AsyncGenerator[object, None]:
        """A large read, chunk by chunk (stream.py)."""
        return stream_rows(self, compiled, values, ctx)

    async def _explain(self, compiled: CompiledExplain, values: Sequence[object],
                       ctx: TxSettings, tx: Tx) -> ReadResult:
        """EXPLAIN's rows as the body: FORMAT JSON is one JSON document, FORMAT TEXT one
        row per line (PostgREST `planRow`: `unlines`). What ANALYZE ran is rolled back
        when `tx.rollback` says so."""
        try:
            async with self._transaction(ctx, readonly=tx.readonly) as raw:
                rows = await raw.fetch(compiled.query.sql, *compiled.query.bind(values))
                body = rows[0][0] if compiled.json else "".join(r[0] + "\n" for r in rows)
                result = ReadResult(None, 0, body)
                if tx.rollback:
                    raise Rollback(result)
        except Rollback as done:
            return done.result
        return result

    @staticmethod
    async def _estimated_total(raw: Any, compiled: CompiledRead, values: Sequence[object],
                               exact: int | None) -> int | None:
        """PostgREST's `count=planned` (the estimate) and `count=estimated` (`Query.hs`):
        the exact count, counted at most to db_max_rows + 1, unless it exceeds
        db_max_rows — or always, with db_max_rows unset (`Just n > Nothing`) — when the
        larger of it and the estimate answers."""
        limit = compiled.estimate_above
        if exact is not None and limit is not None and exact <= limit:
            return exact
        assert compiled.count is not None
        plan = await raw.fetchval("EXPLAIN (FORMAT JSON) " + compiled.count.sql,
                                  *compiled.count.bind(values))
        estimate = int(orjson.loads(plan)[0]["Plan"]["Plan Rows"])
        if exact is None:  # count=planned
            return estimate
        return max(exact if limit is None else limit + 1, estimate)


class _ReplicaLost(Exception):
    """The replica's connection failed: its read runs again on the primary."""

    def __init__(self, err: BaseException) -> None:
        super().__init__(str(err))
        self.err = err


async def _rollback(raw: Any) -> None:
    try:
        await raw.execute("ROLLBACK")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        pass  # a broken connection: the pool's release discards it


def _failure(err: BaseException, ctx: TxSettings, replica: Replica | None) -> Exception:
    """What a driver error in a transaction is raised as."""
    if isinstance(err, LOST):
        if replica is not None:
            return _ReplicaLost(err)
        if isinstance(err, asyncpg.PostgresError):
            return map_pg_error(err, ctx.authenticated)
        # TimeoutError is an OSError: all of LOST is a connection error on the primary
        return ConnectionError_("Database connection error.", str(err))
    if isinstance(err, asyncpg.PostgresError):
        return map_pg_error(err, ctx.authenticated)
    return ConnectionError_("Database connection error.", str(err))


# without arguments asyncpg sends these in the simple protocol: one message, no Parse
_BEGIN = "BEGIN"
_BEGIN_READ_ONLY = "BEGIN READ ONLY"


async def _no_reset(raw: asyncpg.Connection) -> None:
    """The pool's reset: nothing. (Before it, asyncpg's own `Connection._reset` clears
    listeners and rolls back a connection that comes back inside a transaction.)"""


# PostgREST's `accessibleTables` and `accessibleFuncs`, and the schema's comment
_ACCESSIBLE_SQL = """
SELECT array(SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind IN ('v', 'r', 'm', 'f', 'p')
               AND (pg_has_role(c.relowner, 'USAGE')
                    OR has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, '
                                                  'REFERENCES, TRIGGER')
                    OR has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
            ) AS tables,
       array(SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = $1 AND has_function_privilege(p.oid, 'EXECUTE')) AS routines,
       (SELECT obj_description(n.oid, 'pg_namespace') FROM pg_namespace n
        WHERE n.nspname = $1) AS description
"""

_CONNECTION_LIMIT_SQL = """
SELECT current_setting('max_connections')::int
       - current_setting('superuser_reserved_connections')::int
       - coalesce(current_setting('reserved_connections', true)::int, 0)
"""

_DB_SETTINGS_SQL = """
WITH role_setting AS (
  SELECT setdatabase AS database, unnest(setconfig) AS setting
    FROM pg_catalog.pg_db_role_setting
   WHERE setrole = CURRENT_USER::regrole::oid
     AND setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database
                              WHERE datname = CURRENT_CATALOG))
), kv AS (
  SELECT database, substr(setting, 1, strpos(setting, '=') - 1) AS k,
         substr(setting, strpos(setting, '=') + 1) AS v
    FROM role_setting
)
SELECT DISTINCT ON (k) substr(k, 7) AS key, v AS value
  FROM kv WHERE k = ANY($1::text[]) AND v IS NOT NULL
 ORDER BY k, database DESC
"""
