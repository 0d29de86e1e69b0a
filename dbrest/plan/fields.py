"""What a plan refers to: resolved fields (columns, JSON paths) and the request's values.

Values are collected in one list as planning meets them, in a fixed traversal order, and
the plan holds `Param(index)` references, so equal request shapes give equal plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dbrest.errors import UndefinedColumn, UndefinedFunction
from dbrest.parse import ast
from dbrest.plan.types import (
    ColumnExpr,
    ComputedExpr,
    Cond,
    Expr,
    JsonPathExpr,
    Param,
    ParamConv,
    ReadPlan,
    TypeRef,
)
from dbrest.schema import Column, Table

_NOT_JSON = frozenset({"integer", "number", "boolean", "date", "timestamp"})
JSON_TEXT = TypeRef("text", "text")
JSON_JSON = TypeRef("json", "jsonb")



@dataclass(slots=True)
class Values:
    """The request's values, collected in traversal order."""

    items: list[object] = field(default_factory=list)

    def add(self, value: object, conv: ParamConv = "text", kind: str = "text") -> Param:
        self.items.append(value)
        return Param(len(self.items) - 1, conv, kind)  # type: ignore[arg-type]



@dataclass(slots=True)
class Child:
    """An embedded resource of a node, as the node's filters and order refer to it."""

    name: str
    alias: str | None
    read: ReadPlan
    to_one: bool
    inner: Cond | None = None  # `!inner`: the parent keeps only rows with a match



def resolve_field(fld: ast.Field, table: Table, alias: str, values: Values) -> Expr:
    column = table.column(fld.name)
    expr: Expr
    if column is not None:
        expr = ColumnExpr(alias, column.name, TypeRef(column.kind, column.native_type),
                          column.domain)
    elif (computed := table.computed.get(fld.name)) is not None:
        column = Column(computed.name, computed.native_type, computed.kind)
        expr = ComputedExpr(alias, computed.schema, computed.name, TypeRef(
            computed.kind, computed.native_type))
    else:
        raise UndefinedColumn(f"column {table.name}.{fld.name} does not exist")
    if fld.json_path and column.kind in _NOT_JSON:
        # as PostgreSQL answers it (no `->` on these types); SQLite would read NULLs
        arrow = fld.json_path[0].arrow
        native = column.native_type.lower()
        raise UndefinedFunction(f"operator does not exist: {native} {arrow} unknown",
                                hint="No operator matches the given name and argument types. "
                                     "You might need to add explicit type casts.")
    if fld.json_path:
        steps = tuple(
            (step.arrow, values.add(int(step.key), "json_index") if step.is_index
             else values.add(step.key, "json_key"))
            for step in fld.json_path)
        final = JSON_TEXT if fld.json_path[-1].arrow == "->>" else JSON_JSON
        # PostgREST reads a composite as JSON for a path (`to_jsonb(col)->'f'`, pgFmtField).
        expr = JsonPathExpr(expr, steps, final, column.composite)
    return expr


def output_key(fld: ast.Field) -> str:
    """The last key of a JSON path, else the column name (PostgREST `addAliases`)."""
    for step in reversed(fld.json_path):
        if not step.is_index:
            return step.key
    return fld.name
