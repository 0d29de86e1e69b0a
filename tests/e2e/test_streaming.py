"""Issue 13, "Big responses": a large read is streamed (chunked) with bounded memory.

The real server in a subprocess, on a table of a million ~110-byte rows (a ~120 MB JSON
body): the whole table comes back as a valid JSON array of 1M elements, sent chunked,
while the server's peak RSS (VmHWM) grows by less than `BOUND`. Building that body in
one piece (the database's aggregate, then Python's str and bytes copies) needs several
times the body's size. Small pages keep the one-piece path (Content-Length).
"""

from __future__ import annotations

import asyncio
import http.client
import os
import sqlite3
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from dbrest.app import send_response
from dbrest.errors import DatabaseError
from dbrest.http import HttpResponse
from dbrest.serialize_stream import StreamBody, json_chunks
from tests.infra.apps import BACKENDS, anon_role
from tests.infra.pgserver import _run_sync, create_database
from tests.infra.server import RunningServer, dbrest_server

ROWS = 1_000_000
BOUND = 150 * 1024 * 1024  # bytes of peak-RSS growth allowed while streaming ROWS rows
PAD = 90  # characters of padding per row
POOL = 3

SQLITE_SQL = f"""
CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT NOT NULL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {ROWS})
INSERT INTO big SELECT x, printf('%0{PAD}d', x) FROM c;
"""
PG_SQL = f"""
CREATE TABLE big (id integer PRIMARY KEY, pad text NOT NULL);
INSERT INTO big SELECT x, lpad(x::text, {PAD}, '0') FROM generate_series(1, {ROWS}) AS x;
"""


def make_db(backend: str, request: pytest.FixtureRequest, tmp: Path) -> str:
    if backend == "sqlite":
        path = tmp / "big.sqlite"
        with sqlite3.connect(path) as conn:
            conn.executescript(SQLITE_SQL)
        conn.close()
        return f"sqlite:{path}"
    import asyncpg

    uri = create_database(request.getfixturevalue("pg_admin_uri"), "dbrest_stream_big")

    async def load() -> None:
        conn = await asyncpg.connect(uri)
        try:
            await conn.execute(PG_SQL)
        finally:
            await conn.close()
    _run_sync(load)
    return uri


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    uri = make_db(request.param, request, tmp_path_factory.mktemp("stream"))
    # a small pool: a streamed read that kept its connection would soon starve the rest
    with dbrest_server(["--db-uri", uri, "--db-anon-role", anon_role(uri)],
                       probe="/big?limit=1", env={"PGRST_DB_POOL": str(POOL)}) as running:
        yield running


def peak_rss(pid: int) -> int:
    """VmHWM (the process's peak resident set) in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def get(server: RunningServer, path: str,
        headers: dict[str, str] | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    chunks = []
    while chunk := response.read(1 << 20):  # incrementally, as a client would
        chunks.append(chunk)
    conn.close()
    return response, b"".join(chunks)


def test_a_million_rows_stream_in_bounded_memory(server: RunningServer) -> None:
    get(server, "/big?limit=10")  # warm: imports, pools, caches
    before = peak_rss(server.proc.pid)
    response, body = get(server, "/big")
    grown = peak_rss(server.proc.pid) - before
    assert response.status == 200
    assert response.getheader("transfer-encoding") == "chunked"
    assert response.getheader("content-length") is None
    assert len(body) > ROWS * PAD  # the body is far larger than the bound's share
    rows = orjson.loads(body)
    assert len(rows) == ROWS
    # no order asked: PostgreSQL's synchronized scans may start anywhere in the table
    assert sorted(row["id"] for row in rows) == list(range(1, ROWS + 1))
    assert all(row["pad"] == str(row["id"]).rjust(PAD, "0") for row in rows[:1000])
    assert grown < BOUND, f"peak RSS grew by {grown / 2**20:.0f} MiB"


def test_streamed_body_equals_the_one_piece_body(server: RunningServer) -> None:
    """Above the threshold a limited page streams; with a count it does not (the total
    goes in Content-Range, before the body): both bodies hold the same rows."""
    path = "/big?select=id,pad&order=id.desc&limit=20000&offset=5"
    streamed, body = get(server, path)
    counted, whole = get(server, path, {"Prefer": "count=exact"})
    assert streamed.getheader("transfer-encoding") == "chunked"
    assert streamed.getheader("content-range") is None
    assert streamed.getheader("content-type") == "application/json; charset=utf-8"
    assert counted.getheader("content-length") == str(len(whole))
    assert counted.getheader("content-range") == f"5-20004/{ROWS}"
    assert orjson.loads(body) == orjson.loads(whole)
    assert len(orjson.loads(body)) == 20000


def test_streamed_csv(server: RunningServer) -> None:
    path = "/big?select=id,pad&order=id&limit=10001"
    streamed, body = get(server, path, {"Accept": "text/csv"})
    counted, whole = get(server, path, {"Accept": "text/csv", "Prefer": "count=exact"})
    assert streamed.getheader("transfer-encoding") == "chunked"
    assert counted.getheader("content-length") is not None
    assert body == whole
    lines = body.split(b"\n")
    assert lines[0] == b"id,pad" and len(lines) == 10002
    assert lines[1] == b"1," + b"1".rjust(PAD, b"0")


def test_small_pages_keep_content_length(server: RunningServer) -> None:
    response, body = get(server, "/big?limit=3&order=id")
    assert response.getheader("content-length") == str(len(body))
    assert response.getheader("transfer-encoding") is None
    assert response.getheader("content-range") == "0-2/*"
    assert [row["id"] for row in orjson.loads(body)] == [1, 2, 3]


@pytest.mark.parametrize(("path", "rows", "streams"), [
    ("/big?id=lt.0", 0, False), ("/big?id=lte.3", 3, False),
    ("/big?id=lte.10000", 10000, False), ("/big?id=lte.10001", 10001, True),
    ("/big?id=lte.10001&limit=10000", 10000, False),  # within the threshold: never
    ("/big?id=lte.10002&limit=10001", 10001, True),
    ("/big?id=lte.10002&limit=50000", 10002, True),
])
def test_only_pages_above_the_threshold_stream(server: RunningServer, path: str, rows: int,
                                               streams: bool) -> None:
    """A read that may be large but is not answers exactly as before (one piece, with
    Content-Length and Content-Range); a page above 10,000 rows is streamed."""
    response, body = get(server, path)
    assert response.status == 200
    assert len(orjson.loads(body)) == rows
    assert (response.getheader("transfer-encoding") == "chunked") is streams
    assert (response.getheader("content-length") is None) is streams
    if not streams:
        assert response.getheader("content-range") == (f"0-{rows - 1}/*" if rows else "*/*")


@pytest.mark.parametrize("path", ["/big?id=eq.abc", "/big?nope=eq.1", "/big?order=nope"])
def test_errors_before_the_first_row_answer_as_unstreamed(server: RunningServer,
                                                           path: str) -> None:
    """The first chunk is fetched before the response starts, so what fails in SQL
    (PostgreSQL: `abc` is no integer) or in planning answers as the one-piece path does."""
    streamed, body = get(server, path)
    counted, whole = get(server, path, {"Prefer": "count=exact"})
    assert streamed.status == counted.status
    if streamed.status >= 400:
        assert streamed.getheader("content-length") == str(len(body))
        assert orjson.loads(body) == orjson.loads(whole)
    else:
        assert orjson.loads(body) == orjson.loads(whole) == []


def test_a_client_leaving_mid_stream_frees_its_connection(server: RunningServer) -> None:
    """The client closes the socket after the first MiB, more times than the pool has
    connections: each streamed read's transaction must end and give its connection back."""
    for _ in range(POOL * 3):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.request("GET", "/big")
        response = conn.getresponse()
        assert response.status == 200 and len(response.read(1 << 20)) == 1 << 20
        conn.close()
    response, body = get(server, "/big?limit=2&order=id")
    assert response.status == 200 and len(orjson.loads(body)) == 2
    assert server.proc.poll() is None
    # each transaction ended by dbrest, not left to asyncpg's pool (which logs it)
    assert server.proc.stderr is not None
    os.set_blocking(server.proc.stderr.fileno(), False)
    logged = server.proc.stderr.read() or ""
    assert "active transaction" not in logged and "Traceback" not in logged, logged


class _Rows:
    """A database stream that fails after its first chunk, recording that it was closed."""

    def __init__(self) -> None:
        self.closed = False

    async def gen(self) -> AsyncGenerator[object, None]:
        try:
            yield ["1"]
            raise DatabaseError("57014", 500, "canceling statement due to statement timeout")
        finally:
            self.closed = True


def test_an_error_mid_stream_leaves_the_body_unfinished() -> None:
    """After the head the status cannot change: the body ends without its final
    (`more_body` False) message, so the server never marks it complete."""
    rows = _Rows()
    gen = rows.gen()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def main() -> None:
        first = await anext(gen)
        assert isinstance(first, list)
        body = json_chunks(first, gen)
        await send_response(send, HttpResponse(200, (("content-type", "x"),),
                                               stream=StreamBody(body, gen)))
    asyncio.run(main())
    assert sent[0]["type"] == "http.response.start"
    assert all(b"content-length" != k for k, _ in sent[0]["headers"])
    assert [m["body"] for m in sent[1:]] == [b"[1"]
    assert all(m.get("more_body") for m in sent[1:])
    assert rows.closed
