"""Reading the schema cache from PostgreSQL's catalogs, in one query per concern."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbrest.schema import Column, ForeignKey, SchemaCache, Table, kind_of

TABLES_SQL = """
SELECT n.nspname AS schema, c.relname AS name, c.relkind IN ('v', 'm') AS is_view,
       coalesce(json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod),
                                          NOT a.attnotnull, a.atthasdef OR a.attidentity <> '')
                         ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), '[]')::text
         AS columns
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND n.nspname = ANY($1::text[])
GROUP BY n.nspname, c.relname, c.relkind
"""

KEYS_SQL = """
SELECT n.nspname AS schema, c.relname AS name, con.conname, con.contype,
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
WHERE con.contype IN ('p', 'u', 'f') AND n.nspname = ANY($1::text[])
ORDER BY con.conname
"""


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
        columns = tuple(Column(name, type_, kind_of(type_), nullable, has_default)
                        for name, type_, nullable, has_default in orjson.loads(row["columns"]))
        tables[key] = Table(row["schema"], row["name"], columns, pks.get(key, ()),
                            row["is_view"], tuple(uniques.get(key, ())))
    return SchemaCache(tables, tuple(fks))
