"""Aggregate functions in `select` (`amount.sum()`, `count()`, `total:amount.sum()::int`)
and the automatic GROUP BY they bring (PostgREST `Plan.hs` addAggregates / QueryBuilder).

An aggregate is planned as an `AggExpr` (under its optional output cast); a node whose
select holds one is grouped by its other selected expressions. Allowed only with
`db_aggregates_enabled` (else PGRST123), except the legacy `rel(count)` shorthand, which
predates the setting.
"""

from __future__ import annotations

from dataclasses import replace

from dbrest.errors import AggregatesNotAllowed
from dbrest.parse import ast
from dbrest.plan.casts import resolve_cast
from dbrest.plan.context import Context
from dbrest.plan.fields import resolve_field
from dbrest.plan.types import (
    AggExpr,
    CastExpr,
    ColumnEq,
    ColumnExpr,
    Embed,
    Expr,
    ReadPlan,
    SelectOut,
    TypeRef,
    walk,
)
from dbrest.schema import Table

COUNT = TypeRef("integer", "bigint")
_SUM = {"integer": COUNT, "number": TypeRef("number", "numeric")}


def is_legacy_count(item: ast.SelectField, table: Table) -> bool:
    """`rel(count)`: a bare `count` where the table has no such column counts the rows."""
    return (item.field == ast.Field("count") and item.aggregate is None and item.cast is None
            and table.column("count") is None)


def plan_aggregate(ctx: Context, table: Table, alias: str, item: ast.SelectField,
                   legacy: bool = False) -> SelectOut:
    if not (legacy or ctx.options.aggregates):
        raise AggregatesNotAllowed()
    func = item.aggregate or "count"
    expr: Expr | None = None
    if item.field.name != "*" and not legacy:
        expr = resolve_field(item.field, table, alias, ctx.values)
        if item.cast:
            target = resolve_cast(item.cast)
            expr = CastExpr(expr, target.native_type, target)
    out: Expr = AggExpr(func, expr, result_type(func, expr))
    if item.aggregate_cast:
        target = resolve_cast(item.aggregate_cast)
        out = CastExpr(out, target.native_type, target)
    return SelectOut(out, item.alias or func)


def result_type(func: str, expr: Expr | None) -> TypeRef:
    """PostgreSQL's result types: count → bigint, sum of integers → bigint, avg → numeric."""
    if expr is None or func == "count":
        return COUNT
    if func == "avg":
        return _SUM["number"]
    if func == "sum":
        return _SUM.get(expr.type.kind, expr.type)
    return expr.type


def is_aggregate(expr: Expr) -> bool:
    while isinstance(expr, CastExpr):
        expr = expr.expr
    return isinstance(expr, AggExpr)


def group(read: ReadPlan) -> ReadPlan:
    """With an aggregate in the select: GROUP BY every other selected expression
    (embeds included, as PostgREST groups by the embedded JSON)."""
    if not any(is_aggregate(s.expr) for s in read.select):
        return read
    # PostgreSQL has no equality on json: a grouped embed is read as jsonb (as PostgREST)
    outs = tuple(replace(s, expr=CastExpr(s.expr, "jsonb", s.expr.type))
                 if isinstance(s.expr, Embed) else s for s in read.select)
    keys = tuple(s.expr for s in outs if not is_aggregate(s.expr))
    grouped = replace(read, select=outs)
    return replace(grouped, group_by=keys + correlated(grouped))


def correlated(read: ReadPlan) -> tuple[Expr, ...]:
    """The node's columns its grouped embeds are joined on: PostgreSQL wants them grouped
    too (the embed is a correlated subquery here, not PostgREST's lateral join), so rows
    group by the embedded value and the key it was fetched by."""
    found: dict[ColumnExpr, None] = {}
    for out in read.select:
        if isinstance(out.expr, CastExpr) and isinstance(out.expr.expr, Embed):
            for cond in walk(out.expr.expr.read.where):
                if isinstance(cond, ColumnEq) and cond.right.table_alias == read.alias:
                    found[cond.right] = None
    return tuple(found)


def single_row(read: ReadPlan) -> bool:
    """Aggregated without grouping: exactly one row (a to-many spread lifts its values)."""
    return not read.group_by and bool(read.select) and all(
        is_aggregate(s.expr) for s in read.select)

