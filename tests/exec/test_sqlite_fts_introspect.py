"""SQLite introspection of FTS5 tables (exec/sqlite/fts.py): which columns they index,
with which rowid column, and that their shadow tables are not served."""

from __future__ import annotations

import sqlite3

from dbrest.exec.sqlite.introspect import introspect_sqlite


def _cache(sql: str):  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(":memory:")
    conn.executescript(sql)
    return introspect_sqlite(conn, "public")


def test_external_content_table_indexes_the_named_columns() -> None:
    cache = _cache("CREATE TABLE docs (id integer PRIMARY KEY, title text, body text, x text);"
                   "CREATE VIRTUAL TABLE docs_fts USING fts5(title, body, content='docs', "
                   "content_rowid='id');")
    docs = cache.tables[("public", "docs")]
    assert [(c.name, c.fts_index) for c in docs.columns] == [
        ("id", None), ("title", ("docs_fts", "id")), ("body", ("docs_fts", "id")), ("x", None)]
    assert sorted(name for _, name in cache.tables) == ["docs", "docs_fts"]  # no shadows
    own = cache.tables[("public", "docs_fts")]
    assert {c.fts_index for c in own.columns} == {("docs_fts", "rowid")}


def test_rowid_defaults_to_the_integer_primary_key_or_rowid() -> None:
    cache = _cache('CREATE TABLE "a b" (k integer PRIMARY KEY, t text);'
                   "CREATE TABLE c (t text);"
                   "CREATE VIRTUAL TABLE f1 USING fts5(t, content=\"a b\");"
                   "CREATE VIRTUAL TABLE f2 USING fts5(t, content='c');")
    assert cache.tables[("public", "a b")].column("t").fts_index == ("f1", "k")  # type: ignore[union-attr]
    assert cache.tables[("public", "c")].column("t").fts_index == ("f2", "rowid")  # type: ignore[union-attr]


def test_contentless_and_other_virtual_tables_index_nothing_else() -> None:
    cache = _cache("CREATE TABLE docs (id integer PRIMARY KEY, t text);"
                   "CREATE VIRTUAL TABLE f USING fts5(t, content='');")
    assert cache.tables[("public", "docs")].column("t").fts_index is None  # type: ignore[union-attr]
