"""Running compiled SQL on PostgreSQL through `databases` (asyncpg underneath).

`databases` owns the pool and the transaction; the cached SQL text runs on its raw
asyncpg connection with positional parameters, so nothing is compiled per request and
asyncpg's prepared-statement cache makes each read one round trip. The body column is
JSON text built by `json_agg` and is passed on as is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import asyncpg
import orjson
from databases import Database

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
    acquire,
    enforce,
)
from dbrest.exec.postgres.errors import map_pg_error
from dbrest.exec.postgres.introspect import introspect_postgres
from dbrest.render.compile import CompiledRead, CompiledWrite
from dbrest.render.postgres import POSTGRES
from dbrest.schema import SchemaCache


class PostgresBackend(PooledBackend):
    dialect = POSTGRES
    enforces_roles = True  # the database decides, through the role set for the transaction

    @classmethod
    def from_settings(cls, s: BackendSettings) -> PostgresBackend:
        return cls(s.target, s.pool_size, s.pre_request, s.acquire_timeout, s.app_settings,
                   s.statement_timeout)

    def __init__(self, uri: str, pool_size: int = 10, pre_request: str | None = None,
                 acquire_timeout: float = 10.0,
                 app_settings: Sequence[tuple[str, str]] = (),
                 statement_timeout: float | None = None) -> None:
        # `app.settings.*`: set in every transaction, with the request's settings
        self.app_settings = tuple(("app.settings." + k, v) for k, v in app_settings)
        if statement_timeout is not None:  # `SET LOCAL statement_timeout`, in milliseconds
            self.app_settings += (("statement_timeout", str(max(1, round(
                statement_timeout * 1000)))),)
        uri = uri.replace("postgres://", "postgresql://", 1)
        self.acquire_timeout = acquire_timeout
        self.database = Database(uri, min_size=1, max_size=pool_size)
        # `db_pre_request`: a function name from the configuration, quoted part by part
        self.pre_request_sql = None if not pre_request else "SELECT " + ".".join(
            '"' + part.replace('"', '""') + '"' for part in pre_request.split(".")) + "()"
        self._settings_sql: dict[int, str] = {}

    async def start(self) -> None:
        try:
            await self.database.connect()
        except (OSError, ValueError, asyncpg.PostgresError) as err:
            raise ConnectionError_("Database connection error.", str(err)) from err

    async def stop(self) -> None:
        await self.database.disconnect()

    async def introspect(self, schemas: Sequence[str]) -> SchemaCache:
        async with self.database.connection() as conn:
            return await introspect_postgres(conn.raw_connection, schemas)

    async def db_settings(self, keys: Sequence[str]) -> dict[str, str]:
        """The connecting role's `pgrst.<key>` settings (`ALTER ROLE … SET pgrst.…`), the
        database-specific ones over the global ones (PostgREST's `Config/Database.hs`)."""
        try:
            async with self.database.connection() as conn:
                rows = await conn.raw_connection.fetch(_DB_SETTINGS_SQL,
                                                       ["pgrst." + k for k in keys])
        except asyncpg.PostgresError as err:
            raise ConnectionError_("Database connection error.", str(err)) from err
        return {row["key"]: row["value"] for row in rows}

    async def _probe(self) -> None:
        async with self.database.connection() as conn:
            await conn.raw_connection.fetchval("SELECT 1")

    async def accessible(self, ctx: TxSettings, schema: str) -> Accessible:
        """One query as the request's role, in its transaction (PostgREST `openApiQuery`)."""
        async with self._transaction(ctx, readonly=True) as raw:
            row = await raw.fetchrow(_ACCESSIBLE_SQL, schema)
        return Accessible(frozenset(row["tables"]), frozenset(row["routines"]),
                          row["description"])

    @asynccontextmanager
    async def _transaction(self, ctx: TxSettings, readonly: bool) -> AsyncIterator[Any]:
        """One transaction with the request's role and settings (PostgREST's tx vars)."""
        try:
            async with self._connection() as conn:
                raw = conn.raw_connection
                tx = conn.transaction(readonly=readonly)
                await tx.start()
                try:
                    await self._apply(raw, ctx)
                    yield raw
                except BaseException:
                    await tx.rollback()
                    raise
                else:
                    await tx.commit()
        except asyncpg.PostgresError as err:
            raise map_pg_error(err, ctx.authenticated) from err
        except (OSError, asyncpg.InterfaceError) as err:
            raise ConnectionError_("Database connection error.", str(err)) from err

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        conn = self.database.connection()
        await acquire(conn.__aenter__(), self.acquire_timeout)
        try:
            yield conn
        finally:
            await conn.__aexit__(None, None, None)

    async def _apply(self, raw: Any, ctx: TxSettings) -> None:
        settings = [*self.app_settings, *ctx.settings]
        if ctx.role is not None:
            settings.insert(0, ("role", ctx.role))
        if settings:
            sql = self._settings_sql.get(len(settings))
            if sql is None:  # one statement sets them all; values are parameters
                calls = ", ".join(f"set_config(${2 * i + 1}, ${2 * i + 2}, true)"
                                  for i in range(len(settings)))
                sql = self._settings_sql[len(settings)] = f"SELECT {calls}"
            await raw.execute(sql, *(v for pair in settings for v in pair))
        if self.pre_request_sql is not None:
            await raw.execute(self.pre_request_sql)

    async def run(self, compiled: CompiledRead | CompiledWrite, values: Sequence[object],
                  ctx: TxSettings, tx: Tx = READ) -> ReadResult:
        """One statement in one transaction: READ ONLY for reads, GET/HEAD calls and
        STABLE or IMMUTABLE functions (so a VOLATILE one called by GET fails with 25006,
        as in PostgREST); `tx`'s checks may refuse the result, `tx.rollback` discards a
        good one."""
        try:
            async with self._transaction(ctx, readonly=tx.readonly) as raw:
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
