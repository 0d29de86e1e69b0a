"""Custom SQL elements of the dialect IR, each with its default rendering.

Each element stands for one construct databases spell differently: coercing a bound text
value to a column's type, regex matching, quantified comparisons, JSON steps, the JSON
aggregation of a result and the rows of a write's body. The `@compiles(X)` here is the
default form (PostgreSQL's, which is also the ANSI one where there is one); a dialect
module (sqlite.py) overrides only the elements it spells differently, as SQLAlchemy's
own dialects do (`@compiles(X)` then `@compiles(X, "sqlite")`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import quoted_name
from sqlalchemy.sql.elements import ClauseElement, ColumnElement
from sqlalchemy.sql.selectable import TableClause
from sqlalchemy.types import NullType

from dbrest.plan.types import WriteColumn

# comparison operators, and the `is.` tests (`unknown` is SQL's null boolean)
COMPARISONS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_OPS = {**COMPARISONS, "like": "LIKE", "ilike": "ILIKE", "match": "~", "imatch": "~*"}
IS = {"null": "IS NULL", "not_null": "IS NOT NULL", "true": "IS TRUE", "false": "IS FALSE",
      "unknown": "IS UNKNOWN"}
_PG_OPS = {"cs": "@>", "cd": "<@", "ov": "&&", "sl": "<<", "sr": ">>", "nxr": "&<",
           "nxl": "&>", "adj": "-|-"}
_FTS = {"fts": "to_tsquery", "plfts": "plainto_tsquery", "phfts": "phraseto_tsquery",
        "wfts": "websearch_to_tsquery"}
_TEXTUAL = frozenset({"text", "character varying", "varchar"})


def bind_constant(compiler: Any, value: str, kw: dict[str, Any]) -> str:
    """A constant of the SQL's shape (a JSON key, an output key): bound, never spliced."""
    return str(compiler.process(literal(value), **kw))


def nested(compiler: Any, stmt: Any, kw: dict[str, Any]) -> str:
    """`stmt` (a write) compiled as part of the element around it, not as the statement
    at top level: on the compiler's stack, as SQLAlchemy puts a CTE's body."""
    compiler.stack.append({"correlate_froms": set(), "asfrom_froms": set(),
                           "selectable": stmt})
    try:
        return str(compiler.process(stmt, **kw))
    finally:
        compiler.stack.pop()


class _Element(ColumnElement[Any]):
    inherit_cache = False
    type = NullType()


# -- reads --------------------------------------------------------------------------------------

class Coerce(_Element):
    """A bound text value read as `native_type` (PG: cast in SQL; SQLite: affinity)."""

    def __init__(self, value: ColumnElement[Any], native_type: str, kind: str,
                 is_list: bool = False) -> None:
        self.value, self.native_type, self.kind, self.is_list = value, native_type, kind, is_list


def _coerce_sql(value_sql: str, native_type: str, is_list: bool) -> str:
    if is_list:
        text = f"CAST({value_sql} AS TEXT[])"
        return text if native_type.lower() in _TEXTUAL else f"CAST({text} AS {native_type}[])"
    text = f"CAST({value_sql} AS TEXT)"
    return text if native_type.lower() in _TEXTUAL else f"CAST({text} AS {native_type})"


@compiles(Coerce)
def _coerce(el: Coerce, compiler: Any, **kw: Any) -> str:
    return _coerce_sql(compiler.process(el.value, **kw), el.native_type, el.is_list)


class Temporal(_Element):
    """One side of a comparison on a date/timestamp column. PostgreSQL compares its own
    types as they are; SQLite stores ISO-8601 text in several spellings and compares
    both sides normalised (render/sqlite.py)."""

    def __init__(self, expr: ColumnElement[Any], kind: str) -> None:
        self.expr, self.kind = expr, kind


@compiles(Temporal)
def _temporal(el: Temporal, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(el.expr, **kw))


class JsonScalar(_Element):
    """A JSON value compared as a scalar: numbers as numbers, strings as text."""

    def __init__(self, expr: ColumnElement[Any]) -> None:
        self.expr = expr


@compiles(JsonScalar)
def _json_scalar(el: JsonScalar, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(el.expr, **kw))  # jsonb compares by JSON type already


class RegexMatch(_Element):
    def __init__(self, lhs: ColumnElement[Any], pattern: ColumnElement[Any], icase: bool) -> None:
        self.lhs, self.pattern, self.icase = lhs, pattern, icase


@compiles(RegexMatch)
def _regex(el: RegexMatch, compiler: Any, **kw: Any) -> str:
    op = "~*" if el.icase else "~"
    pattern = compiler.process(el.pattern, **kw)
    return f"{compiler.process(el.lhs, **kw)} {op} CAST({pattern} AS TEXT)"


class Like(_Element):
    def __init__(self, lhs: ColumnElement[Any], pattern: ColumnElement[Any], icase: bool) -> None:
        self.lhs, self.pattern, self.icase = lhs, pattern, icase


@compiles(Like)
def _like(el: Like, compiler: Any, **kw: Any) -> str:
    op = "ILIKE" if el.icase else "LIKE"
    pattern = compiler.process(el.pattern, **kw)
    return f"{compiler.process(el.lhs, **kw)} {op} CAST({pattern} AS TEXT)"


class Quantified(_Element):
    """`lhs <op> ANY|ALL (list)`; `op` is one of = <> > >= < <= like ilike match imatch."""

    def __init__(self, lhs: ColumnElement[Any], op: str, values: ColumnElement[Any],
                 quantifier: str, native_type: str, kind: str) -> None:
        # `operator`, not `op`: ColumnElement.op() is SQLAlchemy's own method
        self.lhs, self.operator, self.values = lhs, op, values
        self.quantifier, self.native_type, self.kind = quantifier, native_type, kind


@compiles(Quantified)
def _quantified(el: Quantified, compiler: Any, **kw: Any) -> str:
    values = compiler.process(el.values, **kw)
    if el.operator in ("like", "ilike", "match", "imatch"):
        rhs = f"CAST({values} AS TEXT[])"
    else:
        rhs = _coerce_sql(values, el.native_type, True)
    quant = "ANY" if el.quantifier == "any" else "ALL"
    return f"{compiler.process(el.lhs, **kw)} {_OPS[el.operator]} {quant}({rhs})"


class IsTest(_Element):
    def __init__(self, lhs: ColumnElement[Any], value: str) -> None:
        self.lhs, self.value = lhs, value


@compiles(IsTest)
def _is(el: IsTest, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(el.lhs, **kw)} {IS[el.value]}"


class JsonStep(_Element):
    def __init__(self, base: ColumnElement[Any], arrow: str, key: ColumnElement[Any],
                 is_index: bool) -> None:
        # `step`, not `key`: ColumnElement.key is SQLAlchemy's column name
        self.base, self.arrow, self.step, self.is_index = base, arrow, key, is_index


@compiles(JsonStep)
def _json_step(el: JsonStep, compiler: Any, **kw: Any) -> str:
    key_type = "INTEGER" if el.is_index else "TEXT"
    return (f"({compiler.process(el.base, **kw)} {el.arrow} "
            f"CAST({compiler.process(el.step, **kw)} AS {key_type}))")


class TypeCast(_Element):
    """A user cast (`select=col::int`); `type_name` comes from plan/casts.py's table."""

    def __init__(self, expr: ColumnElement[Any], type_name: str, kind: str,
                 source_kind: str) -> None:
        self.expr, self.type_name, self.kind = expr, type_name, kind
        self.source_kind = source_kind


@compiles(TypeCast)
def _cast(el: TypeCast, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(el.expr, **kw)} AS {el.type_name})"


class PgOperator(_Element):
    """PostgreSQL-only operators (ranges, arrays, full-text); lowering refuses them
    where the dialect lacks the capability."""

    def __init__(self, lhs: ColumnElement[Any], op: str, rhs: ColumnElement[Any]) -> None:
        self.lhs, self.operator, self.rhs = lhs, op, rhs


@compiles(PgOperator)
def _pg_operator(el: PgOperator, compiler: Any, **kw: Any) -> str:
    return (f"{compiler.process(el.lhs, **kw)} {_PG_OPS[el.operator]} "
            f"{compiler.process(el.rhs, **kw)}")


class FullTextMatch(_Element):
    def __init__(self, lhs: ColumnElement[Any], op: str, query: ColumnElement[Any],
                 language: ColumnElement[Any] | None, is_tsvector: bool) -> None:
        self.lhs, self.operator, self.query = lhs, op, query
        self.language, self.is_tsvector = language, is_tsvector


@compiles(FullTextMatch)
def _fts(el: FullTextMatch, compiler: Any, **kw: Any) -> str:
    lhs = compiler.process(el.lhs, **kw)
    query = f"CAST({compiler.process(el.query, **kw)} AS TEXT)"
    if el.language is not None:
        lang = f"CAST(CAST({compiler.process(el.language, **kw)} AS TEXT) AS regconfig)"
        vector = lhs if el.is_tsvector else f"to_tsvector({lang}, {lhs})"
        return f"{vector} @@ {_FTS[el.operator]}({lang}, {query})"
    vector = lhs if el.is_tsvector else f"to_tsvector({lhs})"
    return f"{vector} @@ {_FTS[el.operator]}({query})"


class JsonBody(_Element):
    """The rows of subquery `source` as JSON: `array` of objects (`[]` when empty), one
    `object` (NULL when no row), or an array of the `values` of its single column.

    `keys` are (output key, kind) of the source's columns, in order; `as_text` gives the
    response body's text rather than a JSON value to nest.
    """

    def __init__(self, source: Any, keys: tuple[tuple[str, str], ...], strip_nulls: bool,
                 mode: str, as_text: bool = False) -> None:
        self.source, self.keys, self.strip_nulls = source, keys, strip_nulls
        self.mode, self.as_text = mode, as_text


@compiles(JsonBody)
def _json_body(el: JsonBody, compiler: Any, **kw: Any) -> str:
    name = compiler.preparer.quote(el.source.name)
    if el.mode == "object":
        sql = f"row_to_json({name})"
    elif el.mode == "values":
        sql = f"coalesce(json_agg({name}.{compiler.preparer.quote(el.keys[0][0])}), '[]')"
    else:
        sql = f"coalesce(json_agg({name}), '[]')"
    if el.strip_nulls:
        sql = f"json_strip_nulls({sql})"
    return f"({sql})::text" if el.as_text else sql


# -- writes -------------------------------------------------------------------------------------

BODY = "_body"  # what the body's rows are called in the statement that writes them


class BodyRows(TableClause):
    """The rows of a write's JSON body, one column per written column, as a FROM item
    named `_body`: every row, or only the `first` (an UPDATE sets from the first row).

    A row without a column's key takes NULL, or with `missing=default` the column's
    `default_sql` (trusted catalog text, as introspected). `table` is the written table.
    """

    __visit_name__ = "body_rows"
    inherit_cache = False

    def __init__(self, body: ColumnElement[Any], columns: tuple[WriteColumn, ...],
                 table: TableClause, first: bool = False) -> None:
        from sqlalchemy import column

        super().__init__(quoted_name(BODY, True),
                         *(column(quoted_name(c.name, True)) for c in columns))
        self.body, self.written, self.target, self.first = body, columns, table, first


@compiles(BodyRows)
def _body_rows(el: BodyRows, compiler: Any, **kw: Any) -> str:
    if not kw.get("asfrom"):
        return str(compiler.preparer.quote(el.name))
    qt = compiler.preparer.quote_identifier
    row_type = f"NULL::{compiler.preparer.format_table(el.target)}"
    body = compiler.process(el.body, **kw)
    if any(c.from_json for c in el.written):
        return _body_through_domains(el, compiler, body, row_type, kw)
    if el.first:
        return (f"(SELECT * FROM json_populate_record({row_type}, CAST({body} AS json) -> 0))"
                f" AS {qt(el.name)}")
    if not any(c.default_sql for c in el.written):
        return f"json_populate_recordset({row_type}, CAST({body} AS json)) AS {qt(el.name)}"
    # `missing=default`: `?` tells a key the row lacks from one it sets to null
    values = ", ".join(
        (f"CASE WHEN _elem ? {bind_constant(compiler, c.name, kw)} THEN _row.{qt(c.name)} "
         f"ELSE {c.default_sql} END" if c.default_sql else f"_row.{qt(c.name)}")
        + f" AS {qt(c.name)}" for c in el.written)
    return (f"(SELECT {values} FROM jsonb_array_elements(CAST({body} AS jsonb)) AS _elem, "
            f"LATERAL jsonb_populate_record({row_type}, _elem) AS _row) AS {qt(el.name)}")


def _body_through_domains(el: BodyRows, compiler: Any, body: str, row_type: str,
                          kw: dict[str, Any]) -> str:
    """Body rows where some columns are domains with a json → domain cast: their JSON
    values go through its function (JSON null: NULL), the others are read by column type
    from the element without those keys (which the domain's own input would refuse)."""
    qt = compiler.preparer.quote_identifier
    values = []
    def key(name: str) -> str:  # bound only where used: an unused parameter has no type
        return f"CAST({bind_constant(compiler, name, kw)} AS TEXT)"

    for c in el.written:
        if c.from_json:
            fn = f"{qt(c.from_json[0])}.{qt(c.from_json[1])}"
            value = f"{fn}(CAST(NULLIF(_elem -> {key(c.name)}, 'null'::jsonb) AS json))"
            value = (f"CASE WHEN _elem ? {key(c.name)} THEN {value} ELSE {c.default_sql} END"
                     if c.default_sql else value)
        elif c.default_sql:
            value = (f"CASE WHEN _elem ? {key(c.name)} THEN _row.{qt(c.name)} "
                     f"ELSE {c.default_sql} END")
        else:
            value = f"_row.{qt(c.name)}"
        values.append(f"{value} AS {qt(c.name)}")
    dropped = ", ".join(key(c.name) for c in el.written if c.from_json)
    elems = (f"(SELECT CAST({body} AS jsonb) -> 0) AS _first(_elem)" if el.first
             else f"jsonb_array_elements(CAST({body} AS jsonb)) AS _elem")
    return (f"(SELECT {', '.join(values)} FROM {elems}, LATERAL jsonb_populate_record("
            f"{row_type}, _elem - ARRAY[{dropped}]) AS _row) AS {qt(el.name)}")


class ReturnedRow(_Element):
    """`RETURNING` every column of the written row (`alias.*`: an UPDATE … FROM must
    not return its FROM items' columns)."""

    def __init__(self, name: str) -> None:
        self.name = name


@compiles(ReturnedRow)
def _returned_row(el: ReturnedRow, compiler: Any, **kw: Any) -> str:
    return f"{compiler.preparer.quote_identifier(el.name)}.*"


class InsertedFlag(_Element):
    """In an upsert's RETURNING: whether the row was inserted (no deleting transaction
    yet: `xmax = 0`) rather than updated."""

    def __init__(self, name: str) -> None:
        self.name = name


@compiles(InsertedFlag)
def _inserted_flag(el: InsertedFlag, compiler: Any, **kw: Any) -> str:
    return f"({compiler.preparer.quote_identifier(el.name)}.xmax = 0)"


class DefaultRows(ClauseElement):
    """An INSERT of `{}` rows: every column takes its default, one row per body row
    (a zero-column SELECT). `insert` is the statement SQLAlchemy renders with
    `DEFAULT VALUES`, with its ON CONFLICT and RETURNING; `plain` the same without
    ON CONFLICT, for a dialect whose DEFAULT VALUES takes none."""

    inherit_cache = False

    def __init__(self, insert: Any, plain: Any, body: ColumnElement[Any]) -> None:
        self.insert, self.plain, self.body = insert, plain, body


@compiles(DefaultRows)
def _default_rows(el: DefaultRows, compiler: Any, **kw: Any) -> str:
    sql = nested(compiler, el.insert, kw)
    head = f"INSERT INTO {compiler.preparer.format_table(el.insert.table)} "
    assert sql.startswith(head + "DEFAULT VALUES")
    rows = f"SELECT FROM json_array_elements(CAST({compiler.process(el.body, **kw)} AS json))"
    return head + rows + sql[len(head) + len("DEFAULT VALUES"):]


class WithMutation(ClauseElement):
    """`WITH <source> AS (<write … RETURNING>) <read>`, compiled as one statement."""

    inherit_cache = False

    def __init__(self, source: str, mutation: Any, read: Any) -> None:
        self.source, self.mutation, self.read = source, mutation, read


@compiles(WithMutation)
def _with_mutation(el: WithMutation, compiler: Any, **kw: Any) -> str:
    mutation = nested(compiler, el.mutation, kw)
    return (f"WITH {compiler.preparer.quote(el.source)} AS ({mutation}) "
            f"{compiler.process(el.read, **kw)}")
