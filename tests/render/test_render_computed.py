"""Computed fields and relationships render as functions of the aliased row."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from dbrest.render.computed import function_source, row_call


def sql(stmt: object) -> str:
    return " ".join(str(stmt.compile(dialect=postgresql.dialect())).split())  # type: ignore[attr-defined]


def test_row_call_quotes_names() -> None:
    assert sql(sa.select(row_call("my schema", "Full Name", "t1"))).startswith(
        'SELECT "my schema"."Full Name"("t1")')


def test_function_source_is_a_from_item() -> None:
    src = function_source("public", "writer", "t1", ["name"], "t2")
    assert sql(sa.select(src.c.name).select_from(src)) == (
        'SELECT t2."name" FROM public."writer"("t1") AS t2')
