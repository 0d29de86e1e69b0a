"""Bodies: refused from the headers before they are read, and bounded in size."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.infra.apps import build


def call(uri: str, method: str, path: str, chunks: list[bytes],
         headers: list[tuple[bytes, bytes]], **settings: Any) -> tuple[int, bytes, int]:
    """(status, body, how many body chunks the app read) for one raw ASGI request."""
    async def run() -> tuple[int, bytes, int]:
        state, app = build(uri, **settings)
        await state.start()
        read = 0
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            nonlocal read
            if read >= len(chunks):
                await asyncio.sleep(3600)
            read += 1
            return {"type": "http.request", "body": chunks[read - 1],
                    "more_body": read < len(chunks)}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": b"", "root_path": "", "headers": headers,
                 "client": ("127.0.0.1", 1), "server": ("dbrest", 80)}
        try:
            await app(scope, receive, send)
        finally:
            await state.stop()
        return sent[0]["status"], sent[1]["body"], read
    return asyncio.run(run())


@pytest.fixture
def uri(tmp_path) -> str:  # type: ignore[no-untyped-def]
    import sqlite3
    path = tmp_path / "t.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    return f"sqlite:{path}"


def test_anonymous_write_without_anon_role_is_refused_unread(uri: str) -> None:
    # a JWT secret: on SQLite, with neither grants nor a secret, anonymous requests are
    # served as `anon` (config.py), so there would be nothing to refuse
    status, body, read = call(uri, "POST", "/notes", [b"[" * 1000] * 5, [],
                              db_anon_role="", jwt_secret="x" * 32)
    assert (status, read) == (401, 0)
    assert b"PGRST302" in body


def test_a_write_the_grants_refuse_is_refused_unread(uri: str) -> None:
    status, body, read = call(uri, "POST", "/notes", [b"{}"] * 5, [],
                              sqlite_grants={"anon": {"select": ["notes"]}})
    assert (status, read) == (401, 0)
    assert b"42501" in body


def test_content_length_over_the_limit_is_413_unread(uri: str) -> None:
    status, body, read = call(uri, "POST", "/notes", [b"{}"],
                              [(b"content-length", b"2000")], server_max_body_size=1000)
    assert (status, read) == (413, 0)
    assert b"server-max-body-size (1000 bytes)" in body


def test_a_streamed_body_over_the_limit_is_413_as_soon_as_it_is(uri: str) -> None:
    status, _, read = call(uri, "POST", "/notes", [b" " * 600] * 10, [],
                           server_max_body_size=1000)
    assert (status, read) == (413, 2)


def test_a_body_within_the_limit_is_written(uri: str) -> None:
    status, _, _ = call(uri, "POST", "/notes", [b'{"body":', b' "x"}'],
                        [(b"content-type", b"application/json")], server_max_body_size=1000)
    assert status == 201
