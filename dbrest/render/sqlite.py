"""SQLite rendering: per-element SQL, value converters and the dialect profile.

SQLite has no arrays, no ILIKE, no regex operator and a case-insensitive LIKE, so:
lists travel as one JSON parameter read with `json_each`; `like` becomes a
case-sensitive `GLOB` with the pattern translated by a converter; regexes call the
`regexp`/`dbrest_iregexp` functions exec/sqlite.py registers; booleans and JSON columns
are wrapped so that the JSON built by `json_object` has PostgreSQL's types.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import orjson
from sqlalchemy import literal
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.compiler import compiles

from dbrest.errors import DatabaseError
from dbrest.render.dialect import Capabilities, Dialect, on_conflict_sql
from dbrest.render.elements import (
    Coerce,
    ExistingCount,
    InsertedCount,
    IsTest,
    JsonBody,
    JsonScalar,
    JsonStep,
    Like,
    MutationSql,
    Quantified,
    RegexMatch,
    Temporal,
    TypeCast,
)

_OPS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_IS = {"null": "IS NULL", "not_null": "IS NOT NULL", "true": "IS TRUE", "false": "IS FALSE",
       "unknown": "IS NULL"}
_CASTS = {"text": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER",
          "date": "TEXT", "timestamp": "TEXT"}
# SQLite caps a function at 127 arguments: json_object takes this many pairs at once.
_PAIRS_PER_CALL = 60


def _compare(lhs: str, op: str, rhs: str) -> str:
    if op in _OPS:
        return f"{lhs} {_OPS[op]} {rhs}"
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
    if el.kind in ("date", "timestamp") and el.operator in _OPS:
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
    return f"{compiler.process(el.lhs, **kw)} {_IS[el.value]}"


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
    pairs = [(_bind(compiler, key, kw), json_value_sql(f"{source}.{q(key)}", kind))
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


def _bind(compiler: Any, key: str, kw: dict[str, Any]) -> str:
    """Output keys may be user aliases: bind them, never splice them."""
    return str(compiler.process(literal(key), **kw))


# -- converters: request text → what SQLite compares correctly --------------------------------

_TRUE = frozenset({"true", "t", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "off", "0"})


_INT64 = (-2**63, 2**63 - 1)


def _limit(value: Any, kind: str) -> int:
    """LIMIT/OFFSET: SQLite integers are 64-bit; anything larger means "all"."""
    return min(int(value), _INT64[1])


def _invalid(type_name: str, value: Any) -> DatabaseError:
    return DatabaseError("22P02", 400, f'invalid input syntax for type {type_name}: "{value}"')


def _scalar(value: Any, kind: str) -> Any:
    """Read request text as PostgreSQL would for a column of `kind` (22P02 if it can't)."""
    if value is None:
        return None
    text = str(value).strip()
    if kind == "boolean":
        if text.lower() in _TRUE:
            return 1
        if text.lower() in _FALSE:
            return 0
        raise _invalid("boolean", value)
    if kind == "integer":
        try:
            number = int(text)
        except ValueError:
            raise _invalid("integer", value) from None
        if not _INT64[0] <= number <= _INT64[1]:
            raise DatabaseError("22003", 400, f'value "{value}" is out of range for type bigint')
        return number
    if kind == "number":
        try:
            real = float(text)
        except ValueError:
            raise _invalid("numeric", value) from None
        return int(real) if real.is_integer() and "." not in text and "e" not in text.lower() \
            else real
    if kind in ("date", "timestamp"):
        return _temporal_value(text, kind)
    return value


def _temporal_value(text: str, kind: str) -> str:
    """A filter value on a date/timestamp column, checked as PostgreSQL would (22007) and
    spelled the way SQLite's date functions read it (an offset such as `+02` included)."""
    if text.lower() == "now":
        return "now"
    iso = text.replace("z", "Z")
    if len(iso) > 3 and iso[-3] in "+-" and iso[-2:].isdigit() and ":" in iso:
        iso += ":00"  # PostgreSQL's `+02`: SQLite wants `+02:00`
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        raise DatabaseError("22007", 400, f'invalid input syntax for type '
                            f'{"date" if kind == "date" else "timestamp"}: "{text}"') from None
    if kind == "date":
        return value.date().isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat(sep=" ")


def like_to_glob(pattern: str) -> str:
    """A LIKE pattern (`%`, `_`, `\\` escapes) as the equivalent case-sensitive GLOB."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            i += 1
            c = pattern[i]
            out.append(f"[{c}]" if c in "*?[" else c)
        elif c == "%":
            out.append("*")
        elif c == "_":
            out.append("?")
        elif c in "*?[":
            out.append(f"[{c}]")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _json_key(value: Any, kind: str) -> str:
    return '$."' + str(value).replace('"', '\\"') + '"'


def _json_index(value: Any, kind: str) -> str:
    n = int(value)
    return f"$[{n}]" if n >= 0 else f"$[#{n}]"




# -- writes -------------------------------------------------------------------------------------

_PREPARER = sqlite.dialect().identifier_preparer


def mutated_table(table: str) -> str:
    """The temp table a write's returned rows are copied into (one per written table)."""
    return f"_dbrest_mut_{table}"


def temp_statements(table: str) -> tuple[tuple[str, ...], str]:
    """(set-up statements, INSERT prefix) that stage a write's rows in its temp table."""
    qt = _PREPARER.quote_identifier
    temp, source = qt(mutated_table(table)), qt(table)
    return ((f"CREATE TEMP TABLE IF NOT EXISTS {temp} AS SELECT * FROM main.{source} WHERE 0",
             f"DELETE FROM temp.{temp}"), f"INSERT INTO temp.{temp} VALUES ")


def _extract(row: str, path: str, kind: str) -> str:
    """A body value as the column stores it: JSON columns keep JSON text, others SQL values."""
    if kind == "json":
        return (f"(CASE WHEN coalesce(json_type({row}, {path}), 'null') = 'null' THEN NULL "
                f"ELSE {row} -> {path} END)")
    return f"({row} ->> {path})"


@compiles(MutationSql, "sqlite")
def _mutation(el: MutationSql, compiler: Any, **kw: Any) -> str:
    m = el.mutation
    qt = compiler.preparer.quote_identifier
    target, alias = qt(m.table), qt(m.alias)
    if m.kind == "noop":
        return f"SELECT * FROM {target} WHERE 0"
    where = f" WHERE {compiler.process(el.where, **kw)}" if el.where is not None else ""
    if m.kind == "delete":
        return f"DELETE FROM {target} AS {alias}{where} RETURNING *"
    body = compiler.process(el.body, **kw)
    paths = [(qt(c.name), _bind(compiler, f'$."{c.name}"', kw), c.type.kind) for c in m.columns]
    if m.kind == "update":
        row = f"({body} -> '$[0]')"
        sets = ", ".join(f"{c} = {_extract(row, p, k)}" for c, p, k in paths)
        return f"UPDATE {target} AS {alias} SET {sets}{where} RETURNING *"
    if not paths:
        return f"INSERT INTO {target} DEFAULT VALUES RETURNING *"
    values = ", ".join(
        f"(CASE WHEN json_type(_body.value, {p}) IS NULL THEN {c.default_sql} "
        f"ELSE {_extract('_body.value', p, k)} END)" if c.default_sql
        else _extract("_body.value", p, k)
        for (_, p, k), c in zip(paths, m.columns, strict=False))
    # `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint.
    return (f"INSERT INTO {target} ({', '.join(c for c, _, _ in paths)}) SELECT {values} "
            f"FROM json_each({body}) AS _body WHERE true{on_conflict_sql(m, qt)} RETURNING *")


@compiles(InsertedCount, "sqlite")
def _inserted(el: InsertedCount, compiler: Any, **kw: Any) -> str:
    return "NULL"  # told by the ExistingCount run before the write


@compiles(ExistingCount, "sqlite")
def _existing(el: ExistingCount, compiler: Any, **kw: Any) -> str:
    m = el.mutation
    qt = compiler.preparer.quote_identifier
    body = compiler.process(el.body, **kw)
    keys = [(qt(c), _bind(compiler, f'$."{c}"', kw)) for c in m.on_conflict]
    target = ", ".join(c for c, _ in keys)
    values = ", ".join(f"_body.value ->> {p}" for _, p in keys)
    return (f"SELECT count(*) FROM {qt(m.table)} WHERE ({target}) IN "
            f"(SELECT {values} FROM json_each({body}) AS _body)")


def _json_rows(value: Any, kind: str) -> str:
    """Body rows with each value read as PostgreSQL would read it for its column."""
    kinds = dict(value.kinds)
    rows = [{k: _body_value(v, kinds.get(k, "text")) for k, v in row.items()}
            for row in value.rows]
    return orjson.dumps(rows).decode()


def _body_value(value: Any, kind: str) -> Any:
    if value is None or kind in ("json", "other"):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind in ("integer", "number", "boolean") and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        if kind == "integer" and isinstance(value, float) and not value.is_integer():
            raise _invalid("integer", value)
        return value
    if isinstance(value, (dict, list)):
        if kind == "text":
            return orjson.dumps(value).decode()
        raise _invalid(kind, orjson.dumps(value).decode())
    if isinstance(value, bool):
        if kind == "text":
            return "true" if value else "false"
        raise _invalid(kind, value)
    return _scalar(value, kind) if kind in ("integer", "number", "boolean") else str(value)


SQLITE = Dialect(
    name="sqlite",
    sa_dialect=sqlite.dialect(),
    caps=Capabilities(range_operators=False, full_text_search=False, planned_count=False,
                      schemas=False, dml_in_cte=False),
    converters={
        "text": _scalar,
        "json_value": _scalar,
        "like": lambda v, k: like_to_glob(str(v)),
        "text_list": lambda v, k: orjson.dumps([_scalar(x, k) for x in v]).decode(),
        "like_list": lambda v, k: orjson.dumps([like_to_glob(str(x)) for x in v]).decode(),
        "json_key": _json_key,
        "json_index": _json_index,
        "int": _limit,
        "json_rows": _json_rows,
    },
    mutated_source=mutated_table,
    stage_rows=temp_statements,
)
