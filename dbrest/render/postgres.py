"""PostgreSQL rendering: per-element SQL, value converters and the dialect profile.

Values are bound as text and cast in SQL to the compared column's type, as PostgREST
sends unknown-typed literals: the database, not dbrest, decides what `eq.abc` means for
an integer column (and answers 22P02 when it means nothing).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import literal
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles

from dbrest.render.dialect import Capabilities, Dialect, on_conflict_sql
from dbrest.render.elements import (
    Coerce,
    FullTextMatch,
    InsertedCount,
    IsTest,
    JsonBody,
    JsonScalar,
    JsonStep,
    Like,
    MutationSql,
    PgOperator,
    Quantified,
    RegexMatch,
    TypeCast,
    WithMutation,
)

PG_SOURCE = "pgrst_source"  # PostgREST's name for the rows a write returned
_TEXTUAL = frozenset({"text", "character varying", "varchar"})
_OPS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=",
        "like": "LIKE", "ilike": "ILIKE", "match": "~", "imatch": "~*"}
_PG_OPS = {"cs": "@>", "cd": "<@", "ov": "&&", "sl": "<<", "sr": ">>", "nxr": "&<",
           "nxl": "&>", "adj": "-|-"}
_IS = {"null": "IS NULL", "not_null": "IS NOT NULL", "true": "IS TRUE", "false": "IS FALSE",
       "unknown": "IS UNKNOWN"}
_FTS = {"fts": "to_tsquery", "plfts": "plainto_tsquery", "phfts": "phraseto_tsquery",
        "wfts": "websearch_to_tsquery"}


def _coerce_sql(value_sql: str, native_type: str, is_list: bool) -> str:
    if is_list:
        text = f"CAST({value_sql} AS TEXT[])"
        return text if native_type.lower() in _TEXTUAL else f"CAST({text} AS {native_type}[])"
    text = f"CAST({value_sql} AS TEXT)"
    return text if native_type.lower() in _TEXTUAL else f"CAST({text} AS {native_type})"


@compiles(Coerce, "postgresql")
def _coerce(el: Coerce, compiler: Any, **kw: Any) -> str:
    return _coerce_sql(compiler.process(el.value, **kw), el.native_type, el.is_list)


@compiles(JsonScalar, "postgresql")
def _json_scalar(el: JsonScalar, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(el.expr, **kw))  # jsonb compares by JSON type already


@compiles(RegexMatch, "postgresql")
def _regex(el: RegexMatch, compiler: Any, **kw: Any) -> str:
    op = "~*" if el.icase else "~"
    pattern = compiler.process(el.pattern, **kw)
    return f"{compiler.process(el.lhs, **kw)} {op} CAST({pattern} AS TEXT)"


@compiles(Like, "postgresql")
def _like(el: Like, compiler: Any, **kw: Any) -> str:
    op = "ILIKE" if el.icase else "LIKE"
    pattern = compiler.process(el.pattern, **kw)
    return f"{compiler.process(el.lhs, **kw)} {op} CAST({pattern} AS TEXT)"


@compiles(Quantified, "postgresql")
def _quantified(el: Quantified, compiler: Any, **kw: Any) -> str:
    values = compiler.process(el.values, **kw)
    if el.operator in ("like", "ilike", "match", "imatch"):
        rhs = f"CAST({values} AS TEXT[])"
    else:
        rhs = _coerce_sql(values, el.native_type, True)
    quant = "ANY" if el.quantifier == "any" else "ALL"
    return f"{compiler.process(el.lhs, **kw)} {_OPS[el.operator]} {quant}({rhs})"


@compiles(IsTest, "postgresql")
def _is(el: IsTest, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(el.lhs, **kw)} {_IS[el.value]}"


@compiles(JsonStep, "postgresql")
def _json_step(el: JsonStep, compiler: Any, **kw: Any) -> str:
    key_type = "INTEGER" if el.is_index else "TEXT"
    return (f"({compiler.process(el.base, **kw)} {el.arrow} "
            f"CAST({compiler.process(el.step, **kw)} AS {key_type}))")


@compiles(TypeCast, "postgresql")
def _cast(el: TypeCast, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(el.expr, **kw)} AS {el.type_name})"


@compiles(PgOperator, "postgresql")
def _pg_operator(el: PgOperator, compiler: Any, **kw: Any) -> str:
    return (f"{compiler.process(el.lhs, **kw)} {_PG_OPS[el.operator]} "
            f"{compiler.process(el.rhs, **kw)}")


@compiles(FullTextMatch, "postgresql")
def _fts(el: FullTextMatch, compiler: Any, **kw: Any) -> str:
    lhs = compiler.process(el.lhs, **kw)
    query = f"CAST({compiler.process(el.query, **kw)} AS TEXT)"
    if el.language is not None:
        lang = f"CAST(CAST({compiler.process(el.language, **kw)} AS TEXT) AS regconfig)"
        vector = lhs if el.is_tsvector else f"to_tsvector({lang}, {lhs})"
        return f"{vector} @@ {_FTS[el.operator]}({lang}, {query})"
    vector = lhs if el.is_tsvector else f"to_tsvector({lhs})"
    return f"{vector} @@ {_FTS[el.operator]}({query})"


@compiles(JsonBody, "postgresql")
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


def _text(value: Any, kind: str) -> Any:
    return None if value is None else str(value)


def _text_list(value: Any, kind: str) -> Any:
    return [str(v) for v in value]


def _json_rows(value: Any, kind: str) -> str:
    """Rows for `json_populate_recordset`: the database reads each value by column type."""
    return orjson.dumps(value.rows).decode()




# -- writes -------------------------------------------------------------------------------------

@compiles(MutationSql, "postgresql")
def _mutation(el: MutationSql, compiler: Any, **kw: Any) -> str:
    m = el.mutation
    qt = compiler.preparer.quote_identifier
    target, alias = f"{qt(m.schema)}.{qt(m.table)}", qt(m.alias)
    cols = [qt(c.name) for c in m.columns]
    returning = f" RETURNING {alias}.*"
    if m.counts_inserted:  # a row the upsert created has no deleting transaction yet
        returning += f", ({alias}.xmax = 0) AS _dbrest_inserted"
    if m.kind == "noop":
        return f"SELECT {alias}.* FROM {target} AS {alias} WHERE false"
    where = f" WHERE {compiler.process(el.where, **kw)}" if el.where is not None else ""
    if m.kind == "delete":
        return f"DELETE FROM {target} AS {alias}{where}{returning}"
    body = f"CAST({compiler.process(el.body, **kw)} AS json)"
    if m.kind == "update":
        sets = ", ".join(f"{c} = _body.{c}" for c in cols)
        return (f"UPDATE {target} AS {alias} SET {sets} FROM (SELECT * FROM "
                f"json_populate_record(NULL::{target}, {body} -> 0)) AS _body{where}{returning}")
    if not cols:  # a zero-column SELECT inserts rows of defaults (`{}` bodies)
        sql = f"INSERT INTO {target} AS {alias} SELECT FROM json_array_elements({body})"
    elif any(c.default_sql for c in m.columns):
        # `missing=default`: a key the row lacks takes the column default
        values = ", ".join(
            f"CASE WHEN _elem ? {compiler.process(literal(c.name), **kw)} THEN _row.{qt(c.name)} "
            f"ELSE {c.default_sql} END" if c.default_sql else f"_row.{qt(c.name)}"
            for c in m.columns)
        sql = (f"INSERT INTO {target} AS {alias} ({', '.join(cols)}) SELECT {values} "
               f"FROM jsonb_array_elements(CAST({body} AS jsonb)) AS _elem, "
               f"LATERAL jsonb_populate_record(NULL::{target}, _elem) AS _row")
    else:
        sql = (f"INSERT INTO {target} AS {alias} ({', '.join(cols)}) "
               f"SELECT {', '.join(f'_body.{c}' for c in cols)} "
               f"FROM json_populate_recordset(NULL::{target}, {body}) AS _body")
    return sql + on_conflict_sql(m, qt) + returning


@compiles(InsertedCount, "postgresql")
def _inserted(el: InsertedCount, compiler: Any, **kw: Any) -> str:
    return f"(SELECT count(*) FROM {PG_SOURCE} WHERE _dbrest_inserted)"


@compiles(WithMutation, "postgresql")
def _with_mutation(el: WithMutation, compiler: Any, **kw: Any) -> str:
    mutation = compiler.process(el.mutation, **kw)
    return f"WITH {PG_SOURCE} AS ({mutation}) {compiler.process(el.read, **kw)}"


POSTGRES = Dialect(
    name="postgresql",
    sa_dialect=postgresql.dialect(paramstyle="numeric_dollar"),  # type: ignore[no-untyped-call]
    caps=Capabilities(range_operators=True, full_text_search=True, planned_count=True,
                      schemas=True, dml_in_cte=True, functions=True),
    converters={
        "text": _text, "like": _text, "json_key": _text, "json_value": _text,
        "text_list": _text_list, "like_list": _text_list,
        "int": lambda v, k: int(v), "json_index": lambda v, k: int(v),
        "json_rows": _json_rows,
    },
    mutated_source=lambda table: PG_SOURCE,
)
