"""Reading the schema cache from SQLite: `sqlite_master` and the table PRAGMAs.

SQLite has one schema per file; its tables are served under the first configured
schema name (`public` by default) so URLs and error messages read as on PostgreSQL.
Foreign-key constraint names are not in `PRAGMA foreign_key_list`, so they are read from
the `CONSTRAINT name FOREIGN KEY` clauses of the table's SQL, else named as PostgreSQL
would name them (`<table>_<cols>_fkey`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import replace

from dbrest.exec.sqlite.fts import fts_indexes, fts_shadow_tables
from dbrest.exec.sqlite.functions import declared_routines
from dbrest.relationships import build_schema_cache
from dbrest.schema import Column, ForeignKey, SchemaCache, Table, kind_of
from dbrest.sqlite_functions import SqlFunction

_CONSTRAINT_FK = re.compile(
    r'CONSTRAINT\s+("(?:[^"]|"")+"|\w+)\s+FOREIGN\s+KEY\s*\(([^)]*)\)', re.IGNORECASE)


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"`[":
        return name[1:-1].replace('""', '"')
    return name


def _fk_names(sql: str | None) -> dict[tuple[str, ...], str]:
    names: dict[tuple[str, ...], str] = {}
    for m in _CONSTRAINT_FK.finditer(sql or ""):
        cols = tuple(_unquote(c) for c in m.group(2).split(","))
        names[cols] = _unquote(m.group(1))
    return names


def introspect_sqlite(conn: sqlite3.Connection, schema: str,
                      functions: Sequence[SqlFunction] = ()) -> SchemaCache:
    tables: dict[tuple[str, str], Table] = {}
    fks: list[ForeignKey] = []
    rows = conn.execute(
        "SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_dbrest%' ESCAPE '\\' "
        "ORDER BY name").fetchall()
    shadows = fts_shadow_tables(rows)
    rows = [r for r in rows if r[0] not in shadows]
    indexes = fts_indexes(conn, rows)
    for name, type_, sql in rows:
        info = conn.execute("SELECT name, type, \"notnull\", dflt_value, pk "
                            "FROM pragma_table_info(?)", (name,)).fetchall()
        # Only a lone `INTEGER PRIMARY KEY` is the rowid: never NULL, filled when absent.
        pk_count = sum(1 for c in info if c[4] > 0)
        rowid = {c[0] for c in info
                 if c[4] > 0 and pk_count == 1 and (c[1] or "").upper() == "INTEGER"}
        columns = tuple(Column(c[0], c[1] or "", kind_of(c[1] or ""),
                               not c[2] and c[0] not in rowid,
                               c[3] is not None or c[0] in rowid, c[3])
                        for c in info)
        columns = tuple(replace(c, fts_index=indexes[(name, c.name)])
                        if (name, c.name) in indexes else c for c in columns)
        pk = tuple(c[0] for c in sorted((c for c in info if c[4] > 0), key=lambda c: c[4]))
        uniques: list[tuple[str, ...]] = []
        for idx in conn.execute("SELECT name, \"unique\", origin FROM pragma_index_list(?)",
                                (name,)).fetchall():
            if idx[1] and idx[2] != "pk":
                uniques.append(tuple(r[0] for r in conn.execute(
                    "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (idx[0],))))
        tables[(schema, name)] = Table(schema, name, columns, pk, type_ == "view",
                                       tuple(uniques))
        fk_names = _fk_names(sql)
        grouped: dict[int, list[tuple[str, str, str]]] = {}
        for fk in conn.execute("SELECT id, \"table\", \"from\", \"to\" "
                               "FROM pragma_foreign_key_list(?) ORDER BY id, seq",
                               (name,)).fetchall():
            grouped.setdefault(fk[0], []).append((fk[1], fk[2], fk[3]))
        for parts in grouped.values():
            cols = tuple(p[1] for p in parts)
            ref_table = parts[0][0]
            ref_cols = tuple(p[2] for p in parts)
            if any(c is None for c in ref_cols):  # FK to the referenced table's PK
                ref_cols = tuple(r[0] for r in sorted(
                    (r for r in conn.execute("SELECT name, pk FROM pragma_table_info(?)",
                                             (ref_table,)).fetchall() if r[1] > 0),
                    key=lambda r: r[1]))
            fk_name = fk_names.get(cols, f"{name}_{'_'.join(cols)}_fkey")
            fks.append(ForeignKey(fk_name, schema, name, cols, schema, ref_table, ref_cols))
    sources = _view_sources(rows, tables, schema)
    # issue 10: the configured functions, each checked by EXPLAIN against these tables
    routines = declared_routines(conn, SchemaCache(tables), schema, functions)
    return build_schema_cache(tables, tuple(fks), sources, routines)


_FROM = re.compile(r'\b(?:FROM|JOIN)\s+("(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)', re.IGNORECASE)


def _view_sources(rows: list[tuple[str, str, str]], tables: dict[tuple[str, str], Table],
                  schema: str) -> dict[tuple[str, str], dict[str, tuple[str, str, str]]]:
    """SQLite keeps no column lineage: a view column maps to the base-table column of the
    same name when exactly one table in the view's FROM/JOIN clauses has it (a view that
    selects key columns plainly); anything else is not mapped, so it has no relationships.
    """
    sources: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {}
    for name, type_, sql in rows:
        if type_ != "view":
            continue
        found = (tables.get((schema, _unquote(m.group(1)))) for m in _FROM.finditer(sql or ""))
        bases = [b for b in found if b is not None and not b.is_view]
        mapping: dict[str, tuple[str, str, str]] = {}
        for column in tables[(schema, name)].columns:
            owners = [b for b in bases if b.column(column.name) is not None]
            if len(owners) == 1:
                mapping[column.name] = (schema, owners[0].name, column.name)
        sources[(schema, name)] = mapping
    return sources
