"""SQLite's rendering profile: the elements it spells differently from the defaults.

SQLite has no arrays, no ILIKE, no regex operator and a case-insensitive LIKE, so:
lists travel as one JSON parameter read with `json_each`; `like` becomes a
case-sensitive `GLOB` with the pattern translated by a converter (values.py); regexes
call the `regexp`/`dbrest_iregexp` functions exec/sqlite.py registers; booleans and JSON
columns are wrapped so that the JSON built by `json_object` has PostgreSQL's types. A
write's body rows are read with `json_each` and `->>`/`->`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.compiler import compiles

from dbrest.render.dialect import Capabilities, Dialect
from dbrest.render.elements import (
    COMPARISONS,
    IS,
    BodyRows,
    Coerce,
    DefaultRows,
    IsTest,
    JsonBody,
    JsonScalar,
    JsonStep,
    Like,
    Quantified,
    RegexMatch,
    ReturnedRow,
    Temporal,
    TypeCast,
    bind_constant,
    nested,
)
from dbrest.render.values import SQLITE_CONVERTERS

_CASTS = {"text": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER",
          "date": "TEXT", "timestamp": "TEXT"}
# SQLite caps a function at 127 arguments: json_object takes this many pairs at once.
_PAIRS_PER_CALL = 60


def _compare(lhs: str, op: str, rhs: str) -> str:
    if op in COMPARISONS:
        return f"{lhs} {COMPARISONS[op]} {rhs}"
    if op == "like":
        return f"{lhs} GLOB {rhs}"
    if op == "ilike":
        return f"lower({lhs}) GLOB lower({rhs})"
    if op == "match":
        return f"regexp({rhs}, {lhs})"
    return f"dbrest_iregexp({rhs}, {lhs})"  # imatch


@compiles(Coerce, "sqlite")
def _coerce(el: Coerce, compiler: Any, **kw: Any) -> str:
    value = compiler.process(el.value, **kw)
    if el.is_list:
        return f"(SELECT value FROM json_each({value}))"
    return f"json({value})" if el.kind == "json" else value


@compiles(JsonScalar, "sqlite")
def _json_scalar(el: JsonScalar, compiler: Any, **kw: Any) -> str:
    # `->` gives JSON text, which would compare 13 < 9; the SQL value compares right
    return f"json_extract({compiler.process(el.expr, **kw)}, '$')"


@compiles(RegexMatch, "sqlite")
def _regex(el: RegexMatch, compiler: Any, **kw: Any) -> str:
    return _compare(compiler.process(el.lhs, **kw), "imatch" if el.icase else "match",
                    compiler.process(el.pattern, **kw))


@compiles(Like, "sqlite")
def _like(el: Like, compiler: Any, **kw: Any) -> str:
    return _compare(compiler.process(el.lhs, **kw), "ilike" if el.icase else "like",
                    compiler.process(el.pattern, **kw))


def normalised(expr: str, kind: str) -> str:
    """A date/timestamp operand as SQLite's date functions read it, so that ISO-8601
    spellings of one instant ('T' or space, fractional seconds, 'Z' or an offset, which
    is applied) compare equal: `date()` for dates, `julianday()` (millisecond precision)
    for timestamps. Values they cannot read become NULL and match nothing."""
    return f"date({expr})" if kind == "date" else f"julianday({expr})"


@compiles(Temporal, "sqlite")
def _temporal(el: Temporal, compiler: Any, **kw: Any) -> str:
    return normalised(compiler.process(el.expr, **kw), el.kind)


@compiles(Quantified, "sqlite")
def _quantified(el: Quantified, compiler: Any, **kw: Any) -> str:
    lhs = compiler.process(el.lhs, **kw)
    values = compiler.process(el.values, **kw)
    item, value = "_q.value", "value"
    if el.kind in ("date", "timestamp") and el.operator in COMPARISONS:
        lhs = normalised(lhs, el.kind)
        item, value = normalised(item, el.kind), normalised(value, el.kind)
    test = _compare(lhs, el.operator, item)
    if el.quantifier == "any":
        if el.operator == "eq":
            return f"{lhs} IN (SELECT {value} FROM json_each({values}))"
        return f"EXISTS (SELECT 1 FROM json_each({values}) AS _q WHERE {test})"
    return f"NOT EXISTS (SELECT 1 FROM json_each({values}) AS _q WHERE NOT ({test}))"


@compiles(IsTest, "sqlite")
def _is(el: IsTest, compiler: Any, **kw: Any) -> str:
    test = "IS NULL" if el.value == "unknown" else IS[el.value]  # no IS UNKNOWN in SQLite
    return f"{compiler.process(el.lhs, **kw)} {test}"


@compiles(JsonStep, "sqlite")
def _json_step(el: JsonStep, compiler: Any, **kw: Any) -> str:
    base = compiler.process(el.base, **kw)
    key = compiler.process(el.step, **kw)
    if el.arrow == "->":
        return f"({base} -> {key})"
    # `->>` gives SQL values; PostgreSQL gives text, with JSON booleans as 'true'/'false'.
    return (f"(CASE json_type({base}, {key}) WHEN 'true' THEN 'true' "
            f"WHEN 'false' THEN 'false' ELSE CAST({base} ->> {key} AS TEXT) END)")


@compiles(TypeCast, "sqlite")
def _cast(el: TypeCast, compiler: Any, **kw: Any) -> str:
    expr = compiler.process(el.expr, **kw)
    if el.kind == "json":
        return f"json({expr})"
    if el.source_kind == "boolean" and el.kind == "text":  # PostgreSQL's bool::text
        return f"(CASE WHEN {expr} IS NULL THEN NULL WHEN {expr} THEN 'true' ELSE 'false' END)"
    if el.kind in ("integer", "number", "boolean"):
        # SQLite's CAST never fails; dbrest_cast (exec/sqlite/casts.py) fails as PostgreSQL
        # does. `type_name` is a fixed name from plan/casts.py's table, never user text.
        return f"dbrest_cast({expr}, '{el.type_name}')"
    return f"CAST({expr} AS {_CASTS.get(el.kind, 'TEXT')})"


def json_value_sql(column: str, kind: str) -> str:
    """A column as a JSON value of PostgreSQL's type (booleans, nested JSON)."""
    if kind == "boolean":
        return (f"json(CASE WHEN {column} IS NULL THEN NULL WHEN {column} "
                f"THEN 'true' ELSE 'false' END)")
    if kind == "json":
        return f"json({column})"
    return column


@compiles(JsonBody, "sqlite")
def _json_body(el: JsonBody, compiler: Any, **kw: Any) -> str:
    q = compiler.preparer.quote
    source = q(el.source.name)
    if el.mode == "values":
        key, kind = el.keys[0]
        return f"coalesce(json_group_array({json_value_sql(f'{source}.{q(key)}', kind)}), '[]')"
    pairs = [(bind_constant(compiler, key, kw), json_value_sql(f"{source}.{q(key)}", kind))
             for key, kind in el.keys]
    obj = "json_object(" + ", ".join(f"{k}, {v}" for k, v in pairs[:_PAIRS_PER_CALL]) + ")"
    for start in range(_PAIRS_PER_CALL, len(pairs), _PAIRS_PER_CALL):
        chunk = pairs[start:start + _PAIRS_PER_CALL]
        sets = ", ".join(f"'$.' || json_quote({k}), {v}" for k, v in chunk)
        obj = f"json_set({obj}, {sets})"
    if el.strip_nulls:
        obj = f"json_patch('{{}}', {obj})"  # a merge patch drops null members (RFC 7396)
    if el.mode == "object":
        return obj
    return f"coalesce(json_group_array({obj}), '[]')"


# -- writes -------------------------------------------------------------------------------------

def _extract(row: str, path: str, kind: str) -> str:
    """A body value as the column stores it: JSON columns keep JSON text, others SQL values."""
    if kind == "json":
        return (f"(CASE WHEN coalesce(json_type({row}, {path}), 'null') = 'null' THEN NULL "
                f"ELSE {row} -> {path} END)")
    return f"({row} ->> {path})"


@compiles(BodyRows, "sqlite")
def _body_rows(el: BodyRows, compiler: Any, **kw: Any) -> str:
    qt = compiler.preparer.quote_identifier
    if not kw.get("asfrom"):
        return str(qt(el.name))
    values = []
    for c in el.written:
        path = bind_constant(compiler, f'$."{c.name}"', kw)
        value = _extract("_elem.value", path, c.type.kind)
        if c.default_sql:  # `missing=default`: json_type is NULL for a key the row lacks
            value = (f"(CASE WHEN json_type(_elem.value, {path}) IS NULL THEN {c.default_sql} "
                     f"ELSE {value} END)")
        values.append(f"{value} AS {qt(c.name)}")
    first = " WHERE _elem.key = 0" if el.first else ""  # the array's first element
    return (f"(SELECT {', '.join(values)} FROM json_each({compiler.process(el.body, **kw)}) "
            f"AS _elem{first}) AS {qt(el.name)}")


@compiles(ReturnedRow, "sqlite")
def _returned_row(el: ReturnedRow, compiler: Any, **kw: Any) -> str:
    return "*"  # SQLite's RETURNING takes no `alias.*`; `*` is the written table's row


@compiles(DefaultRows, "sqlite")
def _default_rows(el: DefaultRows, compiler: Any, **kw: Any) -> str:
    # no zero-column SELECT: DEFAULT VALUES (one row), which takes no ON CONFLICT
    return nested(compiler, el.plain, kw)


def mutated_table(table: str) -> str:
    """The temp table a write's returned rows are copied into (one per written table)."""
    return f"_dbrest_mut_{table}"


SQLITE = Dialect(
    name="sqlite",
    sa_dialect=sqlite.dialect(),
    caps=Capabilities(range_operators=False, full_text_search=False, planned_count=False,
                      schemas=False, dml_in_cte=False, declared_functions=True,
                      indexed_full_text=True, json_array_operators=True),
    converters=SQLITE_CONVERTERS,
    mutated_source=mutated_table,
    insert=sqlite.insert,
)
