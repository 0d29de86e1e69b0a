"""Filters: `col=op.value`, `and=`/`or=` trees and `rel=is.null` → plan conditions.

PostgREST `Plan.hs` filter resolution: operators map to conditions over a resolved field,
`*` in like patterns is `%`, `any`/`all` take a PostgreSQL array literal, and an `is`
filter naming an embed of the node tests whether a related row exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dbrest.errors import UnacceptableFilter
from dbrest.parse import ast
from dbrest.plan.fields import Child, Values, resolve_field
from dbrest.plan.types import (
    BoolOp,
    ColumnExpr,
    Compare,
    Cond,
    Exists,
    Expr,
    FullText,
    InList,
    IsCheck,
    Not,
    ParamConv,
    RangeOp,
    ReadPlan,
)
from dbrest.schema import Table


def find_child(children: Sequence[Child], name: str) -> Child | None:
    for child in children:
        if child.alias == name:
            return child
    for child in children:
        if child.name == name:
            return child
    return None


def existence(read: ReadPlan) -> ReadPlan:
    return replace(read, select=(), order=(), limit=None, offset=None)


def plan_logic(tree: ast.LogicTree, table: Table, alias: str, values: Values,
               children: Sequence[Child] = ()) -> Cond:
    if isinstance(tree, ast.Filter):
        return plan_filter(tree, table, alias, values, children)
    cond: Cond = BoolOp(tree.op, tuple(plan_logic(c, table, alias, values, children)
                                       for c in tree.children))
    return Not(cond) if tree.negated else cond


def plan_filter(flt: ast.Filter, table: Table, alias: str, values: Values,
                children: Sequence[Child] = ()) -> Cond:
    child = find_child(children, flt.field.name) if not flt.field.json_path else None
    # Only `is` filters address an embed; anything else is a filter on a column.
    if child is not None and isinstance(flt.expr.operation, ast.OpIs):
        return embed_null_filter(flt, child)
    lhs = resolve_field(flt.field, table, alias, values)
    cond = plan_operation(lhs, flt.expr.operation, values)
    if isinstance(cond, FullText) and isinstance(lhs, ColumnExpr):
        column = table.column(lhs.column)
        if column is not None and column.fts_index is not None:
            cond = replace(cond, index=column.fts_index)
    return Not(cond) if flt.expr.negated else cond


def embed_null_filter(flt: ast.Filter, child: Child) -> Cond:
    """`rel=is.null` (no related row) and `rel=not.is.null` (some related row)."""
    op = flt.expr.operation
    assert isinstance(op, ast.OpIs)
    if op.value not in ("null", "not_null"):
        raise UnacceptableFilter(
            f"Bad operator on the '{flt.field.name}' embedded resource",
            "Only is null or not is null filters are allowed on embedded resources")
    exists = (op.value == "not_null") != flt.expr.negated
    cond: Cond = Exists(existence(child.read))
    return cond if exists else Not(cond)


def _like(value: str) -> str:
    return value.replace("*", "%")


def plan_operation(lhs: Expr, op: ast.Operation, values: Values) -> Cond:
    kind = lhs.type.kind
    match op:
        case ast.OpQuant(op=name, value=value, quantifier=None):
            if name in ("like", "ilike"):
                return Compare(lhs, name, values.add(_like(value), "like", kind))
            return Compare(lhs, name, values.add(value, "text", kind))
        case ast.OpQuant(op=name, value=value, quantifier=quant):
            items = parse_pg_array(value)
            if name in ("like", "ilike"):
                return Compare(lhs, name, values.add([_like(v) for v in items], "like_list", kind),
                               quant)
            return Compare(lhs, name, values.add(items, "text_list", kind), quant)
        case ast.OpSimple(op="neq", value=value):
            return Compare(lhs, "neq", values.add(value, "text", kind))
        case ast.OpSimple(op=name, value=value):
            conv: ParamConv = "array" if name in ("cs", "cd", "ov") else "text"
            return RangeOp(lhs, name, values.add(value, conv, kind))  # type: ignore[arg-type]
        case ast.OpIn(values=items):
            return InList(lhs, values.add(list(items), "text_list", kind))
        case ast.OpIs(value=value):
            return IsCheck(lhs, value)
        case ast.OpIsDistinct(value=value):
            return Compare(lhs, "isdistinct", values.add(value, "text", kind))
        case ast.OpFts(op=name, value=value, language=lang):
            language = values.add(lang, "text") if lang else None
            return FullText(lhs, name, values.add(value, name), language)
    raise AssertionError(op)


def parse_pg_array(text: str) -> list[str]:
    """`{a,"b,c"}` → ['a', 'b,c'] — PostgreSQL's array literal, as `any`/`all` take it."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    items: list[str] = []
    buf: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\" and i + 1 < len(text):
                i += 1
                buf.append(text[i])
            elif c == '"':
                quoted = False
            else:
                buf.append(c)
        elif c == '"':
            quoted = True
        elif c == ",":
            items.append("".join(buf).strip())
            buf = []
        else:
            buf.append(c)
        i += 1
    if buf or items or text:
        items.append("".join(buf).strip())
    return items
