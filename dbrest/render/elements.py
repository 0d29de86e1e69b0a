"""Custom SQL elements of the dialect IR, rendered per dialect in postgres.py / sqlite.py.

Each stands for one construct the two databases spell differently: coercing a bound
text value to a column's type, regex matching, quantified comparisons, JSON steps and
the JSON aggregation of a result.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ClauseElement, ColumnElement
from sqlalchemy.types import NullType


class _Element(ColumnElement[Any]):
    inherit_cache = False
    type = NullType()


class Coerce(_Element):
    """A bound text value read as `native_type` (PG: cast in SQL; SQLite: affinity)."""

    def __init__(self, value: ColumnElement[Any], native_type: str, kind: str,
                 is_list: bool = False) -> None:
        self.value, self.native_type, self.kind, self.is_list = value, native_type, kind, is_list


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


class RegexMatch(_Element):
    def __init__(self, lhs: ColumnElement[Any], pattern: ColumnElement[Any], icase: bool) -> None:
        self.lhs, self.pattern, self.icase = lhs, pattern, icase


class Like(_Element):
    def __init__(self, lhs: ColumnElement[Any], pattern: ColumnElement[Any], icase: bool) -> None:
        self.lhs, self.pattern, self.icase = lhs, pattern, icase


class Quantified(_Element):
    """`lhs <op> ANY|ALL (list)`; `op` is one of = <> > >= < <= like ilike match imatch."""

    def __init__(self, lhs: ColumnElement[Any], op: str, values: ColumnElement[Any],
                 quantifier: str, native_type: str, kind: str) -> None:
        # `operator`, not `op`: ColumnElement.op() is SQLAlchemy's own method
        self.lhs, self.operator, self.values = lhs, op, values
        self.quantifier, self.native_type, self.kind = quantifier, native_type, kind


class IsTest(_Element):
    def __init__(self, lhs: ColumnElement[Any], value: str) -> None:
        self.lhs, self.value = lhs, value


class JsonStep(_Element):
    def __init__(self, base: ColumnElement[Any], arrow: str, key: ColumnElement[Any],
                 is_index: bool) -> None:
        # `step`, not `key`: ColumnElement.key is SQLAlchemy's column name
        self.base, self.arrow, self.step, self.is_index = base, arrow, key, is_index


class TypeCast(_Element):
    """A user cast (`select=col::int`); `type_name` comes from plan/casts.py's table."""

    def __init__(self, expr: ColumnElement[Any], type_name: str, kind: str,
                 source_kind: str) -> None:
        self.expr, self.type_name, self.kind = expr, type_name, kind
        self.source_kind = source_kind


class PgOperator(_Element):
    """PostgreSQL-only operators (ranges, arrays, full-text)."""

    def __init__(self, lhs: ColumnElement[Any], op: str, rhs: ColumnElement[Any]) -> None:
        self.lhs, self.operator, self.rhs = lhs, op, rhs


class FullTextMatch(_Element):
    def __init__(self, lhs: ColumnElement[Any], op: str, query: ColumnElement[Any],
                 language: ColumnElement[Any] | None, is_tsvector: bool) -> None:
        self.lhs, self.operator, self.query = lhs, op, query
        self.language, self.is_tsvector = language, is_tsvector


class MutationSql(ClauseElement):
    """INSERT / UPDATE / DELETE … RETURNING of a `Mutation` plan node."""

    inherit_cache = False

    def __init__(self, mutation: Any, body: Any, where: Any) -> None:
        self.mutation, self.body, self.where = mutation, body, where


class WithMutation(ClauseElement):
    """`WITH pgrst_source AS (<mutation>) <read>`, compiled as one statement."""

    inherit_cache = False

    def __init__(self, mutation: MutationSql, read: Any) -> None:
        self.mutation, self.read = mutation, read


class InsertedCount(_Element):
    """How many rows a merging upsert inserted (NULL where another statement tells)."""


class ExistingCount(ClauseElement):
    """Rows an upsert's body already matches on its conflict target (SQLite pre-count)."""

    inherit_cache = False

    def __init__(self, mutation: Any, body: Any) -> None:
        self.mutation, self.body = mutation, body


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
