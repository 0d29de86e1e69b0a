"""CSV of array columns as PostgREST writes it: PostgreSQL's `array_out` text inside the
record text (`row::text`), e.g. `1,"{classic,magic}"`; SQLite keeps arrays as JSON text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbrest.serialize import to_csv
from tests.support import InProcessApp


@pytest.mark.parametrize(("tags", "field"), [
    ('["classic","magic"]', '"{classic,magic}"'),
    ('["a b","c"]', '"{""a b"",c}"'),
    ('["x",null,"NULL",""]', '"{x,NULL,""NULL"",""""}"'),
    ('["q\\"uote","back\\\\slash"]', '"{""q\\\\""uote"",""back\\\\\\\\slash""}"'),
    ('[1,2.5,true]', '"{1,2.5,t}"'),
    ('[[1,2],[3,4]]', '"{{1,2},{3,4}}"'),
    ('["single"]', "{single}"),
    ("[]", "{}"),
    ("null", ""),
])
def test_array_column_as_array_out(tags: str, field: str) -> None:
    body = f'[{{"id": 1, "tags": {tags}}}]'
    assert to_csv(body, ("id", "tags"), frozenset({"tags"})).decode() == f"id,tags\n1,{field}"


def test_array_kept_as_json_text_is_read_as_array() -> None:
    body = '[{"id": 1, "tags": "[\\"classic\\",\\"magic\\"]"}]'
    assert to_csv(body, ("id", "tags"), frozenset({"tags"})).decode() == \
        'id,tags\n1,"{classic,magic}"'


def test_json_column_stays_jsonb_text() -> None:
    body = '[{"id": 1, "tags": ["classic", "magic"]}]'
    assert to_csv(body, ("id", "tags")).decode() == 'id,tags\n1,"[""classic"", ""magic""]"'


def test_sqlite_array_column_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "arrays.db"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE films (id integer PRIMARY KEY, tags TEXT[], meta JSON);"
                       """INSERT INTO films VALUES (1, '["classic","magic"]', '["x"]'),"""
                       """ (2, '["a b","c"]', NULL);""")
    conn.commit()
    conn.close()
    app = InProcessApp(f"sqlite:{path}")
    try:
        response = app.get("/films?order=id", headers={"Accept": "text/csv"})
    finally:
        app.close()
    assert response.status_code == 200
    assert response.text == 'id,tags,meta\n1,"{classic,magic}","[""x""]"\n2,"{""a b"",c}",'
