"""Full-text indexes of a SQLite file: which columns an FTS5 table indexes.

A column is searchable (`fts`, `plfts`, `phfts`, `wfts`) when an FTS5 virtual table
indexes it: an external-content table (`content='<table>'`, sqlite.org/fts5.html §4.4.3)
whose columns are named after the content table's, its rowid being the content table's
`content_rowid` column (default `rowid`, which an `INTEGER PRIMARY KEY` aliases). An FTS5
table's own columns are indexed by itself. Its shadow tables (`<name>_data`, `_idx`,
`_content`, `_docsize`, `_config`) are storage, not resources, and are not served.
"""

from __future__ import annotations

import re
import sqlite3

_VIRTUAL = re.compile(r"CREATE\s+VIRTUAL\s+TABLE\s+.*?\bUSING\s+fts5\s*\((.*)\)\s*;?\s*$",
                      re.IGNORECASE | re.DOTALL)
_OPTION = re.compile(r"^\s*(content|content_rowid)\s*=\s*(.+?)\s*$", re.IGNORECASE | re.DOTALL)
_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`[":
        return text[1:-1].replace(text[0] * 2, text[0])
    return text


def _fts5_options(sql: str | None) -> dict[str, str] | None:
    """The `content`/`content_rowid` options of an FTS5 table's SQL; None if not FTS5."""
    m = _VIRTUAL.match(sql or "")
    if m is None:
        return None
    options: dict[str, str] = {}
    for arg in _split_args(m.group(1)):
        opt = _OPTION.match(arg)
        if opt:
            options[opt.group(1).lower()] = _unquote(opt.group(2))
    return options


def _split_args(text: str) -> list[str]:
    """Split the module arguments on commas outside quotes."""
    args: list[str] = []
    buf: list[str] = []
    quote = ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch == ",":
            args.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    args.append("".join(buf))
    return args


def fts_shadow_tables(rows: list[tuple[str, str, str]]) -> set[str]:
    return {name + suffix for name, _, sql in rows if _fts5_options(sql) is not None
            for suffix in _SHADOWS}


def _rowid_column(conn: sqlite3.Connection, table: str) -> str:
    """The column a table's rowid is: its lone `INTEGER PRIMARY KEY`, else `rowid`."""
    keys = [r for r in conn.execute("SELECT name, type, pk FROM pragma_table_info(?)",
                                    (table,)).fetchall() if r[2] > 0]
    if len(keys) == 1 and (keys[0][1] or "").upper() == "INTEGER":
        return str(keys[0][0])
    return "rowid"


def fts_indexes(conn: sqlite3.Connection,
                rows: list[tuple[str, str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(table, column) → (FTS5 table, the table's column that is the FTS5 rowid)."""
    tables = {name for name, _, _ in rows}
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for name, _, sql in rows:
        options = _fts5_options(sql)
        if options is None:
            continue
        columns = [r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?)",
                                              (name,)).fetchall()]
        for column in columns:
            found[(name, column)] = (name, "rowid")
        content = options.get("content", "")
        if content and content in tables:
            rowid = options.get("content_rowid") or _rowid_column(conn, content)
            for column in columns:
                found.setdefault((content, column), (name, rowid))
    return found
