"""A streamed read's response (dbrest/plan/stream.py): headers first, then the body as
an async iterator of byte chunks, which app.py sends as a chunked body.

The rows arrive as each row's JSON text, a list per chunk. JSON is `[`, the rows joined
by `,`, `]`; CSV is the header line, then each chunk's rows as `to_csv` writes them.
There is no Content-Range: the page's row count is known only after the last row (a
client that wants it asks for a count, and that read is not streamed). Once the first
chunk is sent the status cannot change: an error after it ends the body early (the
JSON is then incomplete), which the client sees as a truncated transfer.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import replace

from dbrest.exec.base import ReadResult
from dbrest.http import HttpResponse
from dbrest.plan.types import PlannedRequest, QueryPlan
from dbrest.serialize import apply_response_settings, content_location, preference_applied, to_csv


def stream_response(planned: PlannedRequest, head: object, first: list[str],
                    rest: AsyncGenerator[object, None],
                    query: tuple[tuple[str, str], ...]) -> HttpResponse:
    """The response of a streamed read: `head` is (response.headers, response.status)
    as SQL set them, `first` the first chunk of rows (already fetched, so that an error
    before any row is still an error response), `rest` the following chunks."""
    assert isinstance(head, tuple) and isinstance(planned.plan, QueryPlan)
    headers = [("content-type", planned.content_type), *preference_applied(planned)]
    if planned.profile_header:
        headers.append(("content-profile", planned.schema))
    headers.append(("content-location", content_location(planned.table, query)))
    settings = ReadResult(None, 0, "", None, head[0], head[1])
    response = apply_response_settings(HttpResponse(200, tuple(headers)), settings)
    if planned.plan.output == "csv":
        select = planned.plan.read.select
        body = csv_chunks(first, rest, tuple(s.key for s in select), frozenset(
            s.key for s in select if s.expr.type.native_type.endswith("[]")))
    else:
        body = json_chunks(first, rest)
    return replace(response, stream=StreamBody(body, rest))


class StreamBody:
    """The chunks to send; `aclose` ends the rows' transaction whether or not sending
    began (a body generator never started would not close the rows it holds)."""

    __slots__ = ("chunks", "rows")

    def __init__(self, chunks: AsyncGenerator[bytes, None],
                 rows: AsyncGenerator[object, None]) -> None:
        self.chunks, self.rows = chunks, rows

    def __aiter__(self) -> AsyncGenerator[bytes, None]:
        return self.chunks

    async def aclose(self) -> None:
        try:
            await self.chunks.aclose()
        finally:
            await self.rows.aclose()


async def json_chunks(first: list[str],
                      rest: AsyncGenerator[object, None]) -> AsyncGenerator[bytes, None]:
    try:
        yield ("[" + ",".join(first)).encode()
        separator = "," if first else ""
        async for rows in rest:
            assert isinstance(rows, list)
            if rows:
                yield (separator + ",".join(rows)).encode()
                separator = ","
        yield b"]"
    finally:  # closing the body closes the rows' transaction now, not at collection
        await rest.aclose()


async def csv_chunks(first: list[str], rest: AsyncGenerator[object, None],
                     keys: tuple[str, ...],
                     arrays: frozenset[str]) -> AsyncGenerator[bytes, None]:
    def lines(rows: list[str]) -> bytes:
        return to_csv("[" + ",".join(rows) + "]", keys, arrays).partition(b"\n")[2]

    try:
        yield ",".join(keys).encode() + (b"\n" + lines(first) if first else b"")
        async for rows in rest:
            assert isinstance(rows, list)
            if rows:
                yield b"\n" + lines(rows)
    finally:
        await rest.aclose()
