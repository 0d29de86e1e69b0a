"""PostgreSQL's computed fields and relationships: a function applied to a row.

`"schema"."fn"("t1")` passes the whole row of the table aliased `t1` (PostgREST's
computed fields); in FROM, the rows a computed relationship's function returns stand
where the related table would. Names are quoted through SQLAlchemy (`quoted_name`), the
alias is one the planner drew, never user text.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import quoted_name
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.functions import Function


def row_call(schema: str, function: str, row_alias: str) -> Function[Any]:
    """`"schema"."function"("row_alias")`: the function of the aliased table's row."""
    row: ColumnClause[Any] = sa.literal_column('"' + row_alias.replace('"', '""') + '"')
    return Function(quoted_name(function, True), row,
                    packagenames=(quoted_name(schema, True),))


def function_source(schema: str, function: str, row_alias: str, columns: list[str],
                    alias: str) -> Any:
    """The rows of a computed relationship, as a FROM item aliased `alias`."""
    call = row_call(schema, function, row_alias)
    return call.table_valued(*(sa.column(quoted_name(c, True)) for c in columns)).alias(alias)
