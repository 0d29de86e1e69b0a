"""Full-text search through an index table, and array operators over JSON arrays: the
forms a dialect without PostgreSQL's tsvector and array types takes (SQLite).

`IndexedMatch` is `fts`/`plfts`/`phfts`/`wfts` on a column an FTS5 table indexes:
`t.<rowid> IN (SELECT rowid FROM <fts> WHERE <fts>.<column> MATCH :q)`, a MATCH on a
column restricting the query to it (sqlite.org/fts5.html §3.1); the query is the user's
text translated to FTS5 syntax by a converter (fts_query.py), bound. `JsonArrayOp` is
`cs`/`cd`/`ov` on a JSON array column with `json_each`, elements equal when of the same
JSON type (numbers alike) and value, as jsonb's `@>` compares them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from dbrest.render.elements import _Element


class IndexedMatch(_Element):
    def __init__(self, rowid: ColumnElement[Any], index: str, column: str,
                 query: ColumnElement[Any]) -> None:
        self.rowid, self.index, self.column, self.query = rowid, index, column, query


@compiles(IndexedMatch)
def _indexed_match(el: IndexedMatch, compiler: Any, **kw: Any) -> str:
    qt = compiler.preparer.quote_identifier
    return (f"{compiler.process(el.rowid, **kw)} IN (SELECT rowid FROM {qt(el.index)} "
            f"WHERE {qt(el.index)}.{qt(el.column)} MATCH {compiler.process(el.query, **kw)})")


_SAME = ("({a}.type = {b}.type OR ({a}.type IN ('integer', 'real') "
         "AND {b}.type IN ('integer', 'real'))) AND {a}.value = {b}.value")


class JsonArrayOp(_Element):
    """`lhs <op> value` for op cs (contains), cd (contained in), ov (overlaps); `value`
    is bound as a JSON array. NULL for a NULL column, as PostgreSQL's operators give."""

    def __init__(self, lhs: ColumnElement[Any], op: str, value: ColumnElement[Any]) -> None:
        self.lhs, self.operator, self.value = lhs, op, value


@compiles(JsonArrayOp)
def _json_array_op(el: JsonArrayOp, compiler: Any, **kw: Any) -> str:
    lhs = compiler.process(el.lhs, **kw)
    value = compiler.process(el.value, **kw)
    same = _SAME.format(a="_c", b="_v")
    if el.operator == "cs":  # every element of the value is in the column
        test = (f"json_type({lhs}) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each({value}) "
                f"AS _v WHERE NOT EXISTS (SELECT 1 FROM json_each({lhs}) AS _c WHERE {same}))")
    elif el.operator == "cd":  # every element of the column is in the value
        test = (f"json_type({lhs}) = 'array' AND NOT EXISTS (SELECT 1 FROM json_each({lhs}) "
                f"AS _c WHERE NOT EXISTS (SELECT 1 FROM json_each({value}) AS _v WHERE {same}))")
    else:  # ov: some element in both
        test = (f"json_type({lhs}) = 'array' AND EXISTS (SELECT 1 FROM json_each({lhs}) AS _c "
                f"JOIN json_each({value}) AS _v ON {same})")
    return f"(CASE WHEN {lhs} IS NULL THEN NULL ELSE ({test}) END)"
