"""SQLite grants: a write that reads rows (filters, count, representation, embeds)
needs `select` too, as PostgreSQL refuses an UPDATE whose WHERE reads columns the role
cannot select; otherwise an `update`-only role could probe the table with filters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.infra.apps import InProcessApp

GRANTS = {"anon": {"update": ["notes"], "delete": ["notes"]}}


@pytest.fixture
def notes_app(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "notes.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT, body TEXT);
        INSERT INTO notes (owner, body) VALUES ('bob', 'note1 secret'), ('bob', 'note2'),
                                               ('amy', 'note1 other');
    """)
    conn.commit()
    conn.close()
    app = InProcessApp(f"sqlite:{path}", sqlite_grants=GRANTS)
    try:
        yield app
    finally:
        app.close()


@pytest.mark.parametrize(("method", "query", "prefer"), [
    ("PATCH", "owner=eq.bob&body=like.note1*", "count=exact,tx=rollback"),
    ("PATCH", "owner=eq.bob", "tx=rollback"),
    ("PATCH", "", "count=exact,tx=rollback"),
    ("PATCH", "", "return=representation,tx=rollback"),
    ("DELETE", "body=like.note1*", "tx=rollback"),
])
def test_writes_that_read_need_select(notes_app: InProcessApp, method: str, query: str,
                                      prefer: str) -> None:
    response = notes_app.request(method, f"/notes?{query}", json={"body": "x"} if
                                 method == "PATCH" else None,
                                 headers={"Prefer": prefer})
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "42501"
    assert "content-range" not in response.headers


def test_a_blind_write_needs_only_its_own_grant(notes_app: InProcessApp) -> None:
    response = notes_app.request("PATCH", "/notes", json={"body": "x"},
                                 headers={"Prefer": "tx=rollback"})
    assert response.status_code == 204, response.text
