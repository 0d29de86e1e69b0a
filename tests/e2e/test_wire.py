"""The real `dbrest` server on a socket: what HTTP clients read on the wire.

In-process tests (httpx's ASGI transport) never see hypercorn's status line or framing, so
these start `python -m dbrest.cli` on a copy of the SQLite fixture and read raw bytes:
status lines carry reason phrases (fetch's `statusText`), 204 has no Content-Length, HEAD
has the GET's headers and length and no chunking, Server-Timing is complete on HEAD and
OPTIONS.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dbrest.server import with_reason
from tests.infra.server import dbrest_server

STAGES = ["jwt", "parse", "plan", "transaction", "response"]


@dataclass(frozen=True)
class Raw:
    status_line: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return values[0] if values else None


def raw_request(port: int, method: str, target: str, headers: dict[str, str] | None = None,
                body: bytes = b"") -> Raw:
    """One request on its own connection; the answer read until the server closes."""
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    pairs = [(k.strip().lower(), v.strip()) for k, _, v in (h.partition(":") for h in header_lines)]
    return Raw(status_line, pairs, rest)


@pytest.fixture(scope="module")
def port(sqlite_fixture_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    tmp = tmp_path_factory.mktemp("wire")
    db = tmp / "wire.sqlite"
    shutil.copyfile(sqlite_fixture_path, db)
    config = tmp / "dbrest.toml"
    config.write_text(f'db_uri = "sqlite:{db}"\ndb_anon_role = "anon"\n'
                      'server_timing_enabled = true\ndb_tx_end = "commit-allow-override"\n')
    with dbrest_server(["--config", str(config)], probe="/publishers?limit=1") as server:
        yield server.port


# -- reason phrases -----------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "target", "headers", "body", "status_line"), [
    ("GET", "/books?select=id&id=eq.1", {}, b"", "HTTP/1.1 200 OK"),
    ("GET", "/books?select=id&limit=1", {"Prefer": "count=exact"}, b"",
     "HTTP/1.1 206 Partial Content"),
    ("POST", "/tags", {"Content-Type": "application/json", "Prefer": "tx=rollback"},
     b'{"id": 990, "name": "wire"}', "HTTP/1.1 201 Created"),
    ("DELETE", "/tags?id=eq.-1", {}, b"", "HTTP/1.1 204 No Content"),
    ("GET", "/books?select=nope", {}, b"", "HTTP/1.1 400 Bad Request"),
    ("GET", "/nope", {}, b"", "HTTP/1.1 404 Not Found"),
    ("GET", "/books", {"Accept": "text/html"}, b"", "HTTP/1.1 406 Not Acceptable"),
    ("GET", "/books?offset=1000", {"Prefer": "count=exact"}, b"",
     "HTTP/1.1 416 Requested Range Not Satisfiable"),
])
def test_status_line_has_its_reason_phrase(port: int, method: str, target: str,
                                           headers: dict[str, str], body: bytes,
                                           status_line: str) -> None:
    assert raw_request(port, method, target, headers, body).status_line == status_line


def test_node_fetch_sees_status_text(port: int) -> None:
    """postgrest-js hands fetch's `statusText` to applications."""
    node = shutil.which("node")
    assert node is not None, "Node.js is needed for this test"
    script = ("const r = await fetch(process.argv[1]); await r.text();"
              "console.log(JSON.stringify([r.status, r.statusText]));")
    out = subprocess.run([node, "--input-type=module", "-e", script,
                          f"http://127.0.0.1:{port}/books?select=id&id=eq.1"],
                         capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(out.stdout) == [200, "OK"]


def test_a_phrase_given_is_kept_and_unknown_codes_stay_bare() -> None:
    import h11

    given = h11.Response(status_code=200, headers=[], reason=b"Fine")
    assert with_reason(given).reason == b"Fine"
    assert with_reason(h11.Response(status_code=299, headers=[])).reason == b""
    assert with_reason(h11.Response(status_code=201, headers=[])).reason == b"Created"


# -- framing ------------------------------------------------------------------------------------

def test_204_has_no_content_length(port: int) -> None:
    raw = raw_request(port, "PATCH", "/tags?id=eq.1",
                      {"Content-Type": "application/json", "Prefer": "tx=rollback"},
                      b'{"name": "renamed"}')
    assert raw.status_line == "HTTP/1.1 204 No Content"
    assert raw.header("content-length") is None
    assert raw.header("transfer-encoding") is None
    assert raw.body == b""


@pytest.mark.parametrize(("target", "headers"), [
    ("/books?select=id,title&order=id&limit=3", {}),
    ("/books?select=id&id=eq.1", {"Accept": "application/vnd.pgrst.object+json"}),
    ("/books?select=id,title&order=id&limit=2", {"Accept": "text/csv"}),
    ("/", {}),
    ("/nope", {}),
])
def test_head_has_the_get_headers_and_length(port: int, target: str,
                                             headers: dict[str, str]) -> None:
    get = raw_request(port, "GET", target, headers)
    head = raw_request(port, "HEAD", target, headers)
    assert head.status_line == get.status_line
    assert head.body == b""
    assert get.header("content-length") == str(len(get.body))
    assert head.header("content-length") == get.header("content-length")
    assert head.header("transfer-encoding") is None

    def comparable(raw: Raw) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in raw.headers if k not in ("date", "server-timing"))
    assert comparable(head) == comparable(get)


# -- Server-Timing ------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "target"), [
    ("GET", "/books?id=eq.1"), ("HEAD", "/books?id=eq.1"), ("OPTIONS", "/books"),
    ("GET", "/"), ("HEAD", "/"),
])
def test_server_timing_names_every_stage(port: int, method: str, target: str) -> None:
    timing = raw_request(port, method, target).header("server-timing")
    assert timing is not None
    parts = timing.split(", ")
    assert [p.split(";")[0] for p in parts] == STAGES
    assert all(p.split(";dur=")[1].replace(".", "").isdigit() for p in parts)
