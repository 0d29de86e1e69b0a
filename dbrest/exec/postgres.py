"""Running compiled SQL on PostgreSQL through `databases` (asyncpg underneath).

`databases` owns the pool and the transaction; the cached SQL text runs on its raw
asyncpg connection with positional parameters, so nothing is compiled per request and
asyncpg's prepared-statement cache makes each read one round trip. The body column is
JSON text built by `json_agg` and is passed on as is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
import orjson
from databases import Database

from dbrest.errors import ConnectionError_
from dbrest.exec.base import ReadResult
from dbrest.exec.introspect.postgres import introspect_postgres
from dbrest.exec.pg_errors import map_pg_error
from dbrest.render.compile import CompiledRead, CompiledWrite
from dbrest.render.postgres import POSTGRES
from dbrest.schema import SchemaCache


class PostgresBackend:
    dialect = POSTGRES

    def __init__(self, uri: str, pool_size: int = 10) -> None:
        uri = uri.replace("postgres://", "postgresql://", 1)
        self.database = Database(uri, min_size=1, max_size=pool_size)

    async def start(self) -> None:
        try:
            await self.database.connect()
        except (OSError, asyncpg.PostgresError) as err:
            raise ConnectionError_("Database connection error.", str(err)) from err

    async def stop(self) -> None:
        await self.database.disconnect()

    async def introspect(self, schemas: Sequence[str]) -> SchemaCache:
        async with self.database.connection() as conn:
            return await introspect_postgres(conn.raw_connection, schemas)

    async def ping(self) -> bool:
        try:
            async with self.database.connection() as conn:
                await conn.raw_connection.fetchval("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - a health check answers, it never raises
            return False

    async def run_write(self, compiled: CompiledWrite, values: Sequence[object],
                        check: Callable[[ReadResult], None], rollback: bool) -> ReadResult:
        args = compiled.main.bind(values)
        try:
            async with self.database.connection() as conn:
                tx = conn.transaction()
                await tx.start()
                try:
                    row = await conn.raw_connection.fetchrow(compiled.main.sql, *args)
                    result = ReadResult(row["total"], row["page_total"], row["body"],
                                        row.get("inserted"))
                    check(result)
                    if rollback:  # surface deferred constraint errors before discarding
                        await conn.raw_connection.execute("SET CONSTRAINTS ALL IMMEDIATE")
                except BaseException:
                    await tx.rollback()
                    raise
                if rollback:
                    await tx.rollback()
                else:
                    await tx.commit()
                return result
        except asyncpg.PostgresError as err:
            raise map_pg_error(err) from err
        except (OSError, asyncpg.InterfaceError) as err:
            raise ConnectionError_("Database connection error.", str(err)) from err

    async def run_read(self, compiled: CompiledRead, args: list[Any],
                       count_args: list[Any] | None) -> ReadResult:
        try:
            async with self.database.connection() as conn:
                raw = conn.raw_connection
                # A single statement is its own transaction: one round trip.
                row = await raw.fetchrow(compiled.main.sql, *args)
                total = row["total"]
                if compiled.count is not None and count_args is not None:
                    plan = await raw.fetchval("EXPLAIN (FORMAT JSON) " + compiled.count.sql,
                                              *count_args)
                    total = int(orjson.loads(plan)[0]["Plan"]["Plan Rows"])
        except asyncpg.PostgresError as err:
            raise map_pg_error(err) from err
        except (OSError, asyncpg.InterfaceError) as err:
            raise ConnectionError_("Database connection error.", str(err)) from err
        return ReadResult(total, row["page_total"], row["body"])
