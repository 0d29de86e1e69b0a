"""A streamed read on PostgreSQL: a server-side cursor in the read-only transaction.

The rows come `CHUNK` at a time (one FETCH round trip each), each already the row's JSON
text, so the process holds one chunk, not the page. The transaction stays open until the
last chunk is taken, or until the consumer closes the generator (it is then rolled back).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import TYPE_CHECKING

import asyncpg

from dbrest.context import TxSettings
from dbrest.render.compile import CompiledStream

if TYPE_CHECKING:
    from dbrest.exec.postgres.backend import PostgresBackend

CHUNK = 1000  # rows per FETCH and per body chunk


async def stream_rows(backend: PostgresBackend, compiled: CompiledStream,
                      values: Sequence[object], ctx: TxSettings,
                      chunk: int = CHUNK) -> AsyncGenerator[object, None]:
    """First (response_headers, response_status), then lists of row JSON texts."""
    async with backend._transaction(ctx, readonly=True) as raw:  # noqa: SLF001
        try:
            head = await raw.fetchrow(compiled.settings.sql,
                                      *compiled.settings.bind(values))
            yield (head[0], head[1])
            cursor = await raw.cursor(compiled.rows.sql, *compiled.rows.bind(values))
            while True:
                rows = await cursor.fetch(chunk)
                if not rows:
                    break
                yield [row[0] for row in rows]
        except GeneratorExit:
            # closed early (the client left): end the transaction here rather than
            # leave it to the pool's release, which would log it as a leak
            try:
                await raw.execute("ROLLBACK")
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                pass  # a broken connection: the pool's release discards it
            raise
