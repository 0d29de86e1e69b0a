"""A streamed read on SQLite: one statement stepped `CHUNK` rows at a time.

The statement runs on the connection's thread (one hop per chunk), each row already its
JSON text; the statement's read snapshot lasts until it is finished or closed, so every
chunk comes from the same state of the file. The statement timeout applies to each
chunk's work, not to the time the client takes to read.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncGenerator, Sequence
from typing import TYPE_CHECKING

from dbrest.context import TxSettings
from dbrest.exec.sqlite.casts import cast_error
from dbrest.exec.sqlite.deadline import timeout_error
from dbrest.exec.sqlite.errors import map_sqlite_error
from dbrest.render.compile import CompiledStream

if TYPE_CHECKING:
    from dbrest.exec.sqlite.backend import SqliteBackend

CHUNK = 1000  # rows per step and per body chunk


async def stream_rows(backend: SqliteBackend, compiled: CompiledStream,
                      values: Sequence[object], ctx: TxSettings,
                      chunk: int = CHUNK) -> AsyncGenerator[object, None]:
    """First (response_headers, response_status), then lists of row JSON texts."""
    async with backend.session(ctx) as conn:
        variables = backend._vars[id(conn)]  # noqa: SLF001
        deadline = backend._deadlines[id(conn)]  # noqa: SLF001
        cursor = None
        try:
            deadline.start(backend.statement_timeout)
            head = list(await conn.execute_fetchall(compiled.settings.sql,
                                                    compiled.settings.bind(values)))[0]
            yield (head[0], head[1])
            deadline.start(backend.statement_timeout)
            cursor = await conn.execute(compiled.rows.sql, compiled.rows.bind(values))
            while True:
                deadline.start(backend.statement_timeout)
                rows = await cursor.fetchmany(chunk)
                if not rows:
                    break
                yield [row[0] for row in rows]
        except asyncio.CancelledError:
            deadline.cancel()  # stop the step still running in the driver
            raise
        except (sqlite3.Error, OverflowError) as err:
            if deadline.hit:
                raise timeout_error() from err
            raise (cast_error(err, variables) or map_sqlite_error(err)) from err
        finally:
            if cursor is not None:  # an unfinished statement keeps its read lock
                await cursor.close()
