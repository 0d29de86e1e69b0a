"""Reading the schema cache from PostgreSQL's catalogs, in one query per concern."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dbrest.schema import Column, ForeignKey, SchemaCache, Table, kind_of

TABLES_SQL = """
SELECT n.nspname AS schema, c.relname AS name, c.relkind IN ('v', 'm') AS is_view,
       coalesce(json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod),
                                          NOT a.attnotnull, a.atthasdef OR a.attidentity <> '',
                                          pg_get_expr(d.adbin, d.adrelid))
                         ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), '[]')::text
         AS columns
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND n.nspname = ANY($1::text[])
GROUP BY n.nspname, c.relname, c.relkind
"""

KEYS_SQL = """
SELECT n.nspname AS schema, c.relname AS name, con.conname, con.contype::text AS contype,
       array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.i) AS columns,
       fn.nspname AS ref_schema, fc.relname AS ref_name,
       array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.i) AS ref_columns
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'u', 'f')
  AND (n.nspname = ANY($1::text[])
       OR (con.contype = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema')))
ORDER BY con.conname
"""

# The `_RETURN` rule of each view: its target list records, per output column, the table
# and column it comes from (`resorigtbl`/`resorigcol`), as PostgREST reads it.
VIEWS_SQL = """
SELECT n.nspname AS schema, c.relname AS name, c.relnatts AS ncols, r.ev_action::text AS action
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND r.rulename = '_RETURN' AND n.nspname = ANY($1::text[])
"""

COLUMNS_SQL = """
SELECT c.oid, n.nspname AS schema, c.relname AS name, a.attnum, a.attname
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
"""

_TARGET = re.compile(
    r":resno (\d+) :resname ((?:\\.|[^\s\\])+) :ressortgroupref \d+ "
    r":resorigtbl (\d+) :resorigcol (\d+) :resjunk false")


async def view_sources(conn: Any, schemas: Sequence[str]
                       ) -> dict[tuple[str, str], dict[str, tuple[str, str, str]]]:
    """View column → its base (schema, table, column), followed through views of views."""
    direct: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
    for row in await conn.fetch(VIEWS_SQL, list(schemas)):
        by_resno: dict[int, tuple[str, int, int]] = {}
        for m in _TARGET.finditer(row["action"]):
            resno = int(m.group(1))
            if resno <= row["ncols"]:  # the last target list is the view's own
                name = re.sub(r"\\(.)", r"\1", m.group(2))
                by_resno[resno] = (name, int(m.group(3)), int(m.group(4)))
        direct[(row["schema"], row["name"])] = {
            name: (tbl, col) for name, tbl, col in by_resno.values() if tbl}
    oids = sorted({tbl for cols in direct.values() for tbl, _ in cols.values()})
    names: dict[tuple[int, int], tuple[str, str, str]] = {}
    for row in await conn.fetch(COLUMNS_SQL, oids):
        names[(row["oid"], row["attnum"])] = (row["schema"], row["name"], row["attname"])
    resolved: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {}
    for view, cols in direct.items():
        resolved[view] = {c: names[src] for c, src in cols.items() if src in names}
    for _ in range(8):  # views of views: follow the chain a few levels
        for mapping in resolved.values():
            for col, (schema, table, base_col) in list(mapping.items()):
                deeper = resolved.get((schema, table), {}).get(base_col)
                if deeper is not None:
                    mapping[col] = deeper
    return resolved


async def introspect_postgres(conn: Any, schemas: Sequence[str]) -> SchemaCache:
    import orjson

    keys = await conn.fetch(KEYS_SQL, list(schemas))
    pks: dict[tuple[str, str], tuple[str, ...]] = {}
    uniques: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    fks: list[ForeignKey] = []
    for row in keys:
        key = (row["schema"], row["name"])
        cols = tuple(row["columns"])
        if row["contype"] == "p":
            pks[key] = cols
        elif row["contype"] == "u":
            uniques.setdefault(key, []).append(cols)
        elif row["ref_schema"] is not None:
            fks.append(ForeignKey(row["conname"], row["schema"], row["name"], cols,
                                  row["ref_schema"], row["ref_name"], tuple(row["ref_columns"])))
    tables: dict[tuple[str, str], Table] = {}
    for row in await conn.fetch(TABLES_SQL, list(schemas)):
        key = (row["schema"], row["name"])
        columns = tuple(Column(name, type_, kind_of(type_), nullable, has_default, default)
                        for name, type_, nullable, has_default, default
                        in orjson.loads(row["columns"]))
        tables[key] = Table(row["schema"], row["name"], columns, pks.get(key, ()),
                            row["is_view"], tuple(uniques.get(key, ())))
    from dbrest.exec.introspect.pg_routines import introspect_routines  # RPC

    return SchemaCache(tables, tuple(fks), await view_sources(conn, schemas),
                       routines=await introspect_routines(conn, schemas))
