"""Reading the functions of the exposed schemas for RPC (PostgREST `SchemaCache.allFunctions`).

One query: each function's arguments (names, modes, types, how many take defaults), its
return type and whether that type is the row type of a table or view (so the rows it
returns can embed that table's relationships), and its volatility.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from dbrest.relationships import Relationship
from dbrest.schema import (
    Column,
    ComputedField,
    ReturnShape,
    Routine,
    RoutineParam,
    Table,
    kind_of,
)

ROUTINES_SQL = """
SELECT n.nspname AS schema, p.proname AS name, p.provolatile::text AS volatility,
       p.proretset AS returns_set, format_type(p.prorettype, NULL) AS return_type,
       t.typtype::text AS typtype, p.prorettype = 'void'::regtype AS is_void,
       rn.nspname AS rel_schema, rc.relname AS rel_name, rc.relkind::text AS rel_kind,
       coalesce(p.proargnames, '{}'::text[]) AS arg_names,
       coalesce(p.proargmodes::text[], '{}'::text[]) AS arg_modes,
       array(SELECT format_type(u.x, NULL)
             FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]))
                  WITH ORDINALITY u(x, i) ORDER BY u.i) AS arg_types,
       p.pronargdefaults AS ndefaults, obj_description(p.oid, 'pg_proc') AS description,
       (SELECT coalesce(json_agg(json_build_array(a.attname,
                                                  format_type(a.atttypid, a.atttypmod))
                                 ORDER BY a.attnum), '[]')::text
        FROM pg_attribute a
        WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS rel_columns
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_type t ON t.oid = p.prorettype
LEFT JOIN pg_class rc ON rc.oid = t.typrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE n.nspname = ANY($1::text[]) AND p.prokind = 'f'
ORDER BY n.nspname, p.proname, p.oid
"""

_TABLE_KINDS = frozenset({"r", "v", "m", "f", "p"})


def routine_from_row(row: Any, schemas: Sequence[str]) -> Routine:
    names: list[str] = list(row["arg_names"])
    types: list[str] = list(row["arg_types"])
    modes: list[str] = list(row["arg_modes"]) or ["i"] * len(types)
    names += [""] * (len(types) - len(names))
    inputs = [(n, t, m) for n, t, m in zip(names, types, modes, strict=True)
              if m in ("i", "b", "v")]
    outputs = [(n, t) for n, t, m in zip(names, types, modes, strict=True)
               if m in ("o", "b", "t")]
    first_default = len(inputs) - row["ndefaults"]
    params = tuple(RoutineParam(n, t, i < first_default, m == "v", t.endswith("[]"))
                   for i, (n, t, m) in enumerate(inputs))
    returns: ReturnShape = "scalar"
    table = None
    columns: tuple[Column, ...] = ()
    if row["is_void"]:
        returns = "void"
    elif row["typtype"] == "c":
        returns = "composite"
        if row["rel_kind"] in _TABLE_KINDS and row["rel_schema"] in schemas:
            table = (row["rel_schema"], row["rel_name"])
        else:
            columns = tuple(Column(n, t, kind_of(t))
                            for n, t in orjson.loads(row["rel_columns"]))
    elif row["return_type"] == "record" and outputs:  # OUT parameters or RETURNS TABLE
        returns = "composite"
        columns = tuple(Column(n, t, kind_of(t)) for n, t in outputs)
    return Routine(row["schema"], row["name"], params, returns, row["returns_set"],
                   row["return_type"], row["volatility"], table, columns, row["description"])


async def introspect_routines(conn: Any, schemas: Sequence[str]
                              ) -> dict[tuple[str, str], tuple[Routine, ...]]:
    found: dict[tuple[str, str], list[Routine]] = {}
    for row in await conn.fetch(ROUTINES_SQL, list(schemas)):
        found.setdefault((row["schema"], row["name"]), []).append(
            routine_from_row(row, schemas))
    return {key: tuple(overloads) for key, overloads in found.items()}


# Functions of one argument of a table's row type (PostgREST `allComputedFields` and
# `allComputedRels`): a scalar result is a computed field of that table; a table's rows
# (`SETOF t`, or one `t`) a computed relationship, to-one when it returns one row
# (`RETURNS t`, or `ROWS 1`).
COMPUTED_SQL = """
SELECT pn.nspname AS schema, p.proname AS name, tn.nspname AS table_schema,
       tc.relname AS table_name, format_type(p.prorettype, NULL) AS return_type,
       p.proretset AS returns_set, p.prorows AS rows,
       rn.nspname AS rel_schema, rc.relname AS rel_name
FROM pg_proc p
JOIN pg_namespace pn ON pn.oid = p.pronamespace
JOIN pg_class tc ON tc.reltype = p.proargtypes[0]
JOIN pg_namespace tn ON tn.oid = tc.relnamespace
JOIN pg_type rt ON rt.oid = p.prorettype
LEFT JOIN pg_class rc ON rc.oid = rt.typrelid AND rc.relkind IN ('r', 'v', 'm', 'f', 'p')
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE p.pronargs = 1 AND p.prokind = 'f' AND pn.nspname = ANY($1::text[])
  AND tn.nspname = ANY($1::text[])
ORDER BY pn.nspname, p.proname
"""


async def introspect_computed(conn: Any, schemas: Sequence[str],
                              tables: dict[tuple[str, str], Table]) -> tuple[Relationship, ...]:
    """Fill the tables' computed fields; return the computed relationships."""
    rels: list[Relationship] = []
    for row in await conn.fetch(COMPUTED_SQL, list(schemas)):
        table = tables.get((row["table_schema"], row["table_name"]))
        if table is None:
            continue
        target = (row["rel_schema"], row["rel_name"])
        if row["rel_name"] is not None and target in tables:
            to_one = not row["returns_set"] or row["rows"] == 1
            rels.append(Relationship(
                table.schema, table.name, target[0], target[1], "m2o" if to_one else "o2m",
                row["name"], (), target == (table.schema, table.name),
                tables[target].is_view, None, (row["schema"], row["name"])))
        elif not row["returns_set"] and table.column(row["name"]) is None:
            table.computed[row["name"]] = ComputedField(
                row["name"], row["schema"], row["return_type"], kind_of(row["return_type"]))
    return tuple(rels)
