"""Planning a read: `ApiRequest` + `SchemaCache` → `PlannedRequest`.

A sequence of small passes (PostgREST `Plan.readPlan`): resolve the table, the select
list, filters, logic trees, order and range, then negotiate the output. Unknown tables
and columns are reported here, never in render/. Request values go into one list as they
are met, in a fixed traversal order, and the plan refers to them by index.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dbrest.errors import InvalidRange, NotEmbedded, NotImplementedOnBackend, TableNotFound
from dbrest.errors import UndefinedColumn
from dbrest.parse import ast
from dbrest.plan.casts import resolve_cast
from dbrest.plan.negotiate import negotiate
from dbrest.plan.types import (
    BoolOp,
    CastExpr,
    ColumnExpr,
    Compare,
    Cond,
    Expr,
    FullText,
    InList,
    IsCheck,
    JsonPathExpr,
    Not,
    OrderOut,
    Param,
    ParamConv,
    PlannedRequest,
    QueryPlan,
    RangeOp,
    ReadPlan,
    SelectOut,
    TypeRef,
)
from dbrest.schema import SchemaCache, Table

JSON_TEXT = TypeRef("text", "text")
JSON_JSON = TypeRef("json", "jsonb")


@dataclass(slots=True)
class Values:
    """The request's values, collected in traversal order."""

    items: list[object] = field(default_factory=list)

    def add(self, value: object, conv: ParamConv = "text", kind: str = "text") -> Param:
        self.items.append(value)
        return Param(len(self.items) - 1, conv, kind)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class PlanOptions:
    max_rows: int | None = None


def plan_read(api: ast.ApiRequest, cache: SchemaCache,
              options: PlanOptions = PlanOptions()) -> PlannedRequest:
    table = resolve_table(api, cache)
    values = Values()
    read = ReadPlan(api.schema, table.name, "t", ())
    for pass_ in READ_PASSES:
        read = pass_(read, api, table, values, options)
    output, content_type, strip_nulls = negotiate(api.accept)
    return PlannedRequest(
        plan=QueryPlan(read, api.preferences.count, output, strip_nulls),
        values=tuple(values.items), offset=api.top_range.offset,
        content_type=content_type, method=api.method, schema=api.schema,
        profile_header=api.profile_requested,
    )


def resolve_table(api: ast.ApiRequest, cache: SchemaCache) -> Table:
    table = cache.table(api.schema, api.resource)
    if table is None:
        raise TableNotFound(
            f"Could not find the table '{api.schema}.{api.resource}' in the schema cache")
    return table


# -- expressions ---------------------------------------------------------------------------------

def resolve_field(fld: ast.Field, table: Table, alias: str, values: Values) -> Expr:
    column = table.column(fld.name)
    if column is None:
        raise UndefinedColumn(f"column {table.name}.{fld.name} does not exist")
    expr: Expr = ColumnExpr(alias, column.name, TypeRef(column.kind, column.native_type))
    if fld.json_path:
        steps = tuple(
            (step.arrow, values.add(int(step.key), "json_index") if step.is_index
             else values.add(step.key, "json_key"))
            for step in fld.json_path)
        final = JSON_TEXT if fld.json_path[-1].arrow == "->>" else JSON_JSON
        expr = JsonPathExpr(expr, steps, final)
    return expr


def output_key(fld: ast.Field) -> str:
    """The last key of a JSON path, else the column name (PostgREST `addAliases`)."""
    for step in reversed(fld.json_path):
        if not step.is_index:
            return step.key
    return fld.name


# -- passes --------------------------------------------------------------------------------------

def resolve_select(read: ReadPlan, api: ast.ApiRequest, table: Table, values: Values,
                   options: PlanOptions) -> ReadPlan:
    outs: list[SelectOut] = []
    for item in api.query.select:
        if isinstance(item, ast.SelectRelation):
            raise NotImplementedOnBackend("resource embedding is not available yet")
        if item.aggregate is not None:
            raise NotImplementedOnBackend("aggregate functions are not available yet")
        if item.field.name == "*" and not item.field.json_path:
            outs.extend(SelectOut(ColumnExpr(read.alias, c.name, TypeRef(c.kind, c.native_type)),
                                  c.name) for c in table.columns)
            continue
        expr = resolve_field(item.field, table, read.alias, values)
        if item.cast:
            target = resolve_cast(item.cast)
            expr = CastExpr(expr, target.native_type, target)
        outs.append(SelectOut(expr, item.alias or output_key(item.field)))
    return replace(read, select=tuple(outs))


def add_filters(read: ReadPlan, api: ast.ApiRequest, table: Table, values: Values,
                options: PlanOptions) -> ReadPlan:
    conds: list[Cond] = []
    for path, flt in api.query.filters:
        if path:
            raise NotEmbedded(f"'{'.'.join(path)}' is not an embedded resource in this request",
                              hint=f"Verify that '{'.'.join(path)}' is included in the "
                                   "'select' query parameter.")
        conds.append(plan_filter(flt, table, read.alias, values))
    return replace(read, where=read.where + tuple(conds))


def add_logic(read: ReadPlan, api: ast.ApiRequest, table: Table, values: Values,
              options: PlanOptions) -> ReadPlan:
    conds: list[Cond] = []
    for path, tree in api.query.logic:
        if path:
            raise NotEmbedded(f"'{'.'.join(path)}' is not an embedded resource in this request")
        conds.append(plan_logic(tree, table, read.alias, values))
    return replace(read, where=read.where + tuple(conds))


def add_order(read: ReadPlan, api: ast.ApiRequest, table: Table, values: Values,
              options: PlanOptions) -> ReadPlan:
    outs: list[OrderOut] = []
    for path, terms in api.query.order:
        if path:
            raise NotEmbedded(f"'{'.'.join(path)}' is not an embedded resource in this request")
        for term in terms:
            if term.relation is not None:
                raise NotImplementedOnBackend("ordering by an embedded resource is not "
                                              "available yet")
            expr = resolve_field(term.field, table, read.alias, values)
            outs.append(OrderOut(expr, term.direction == "desc", term.nulls))
    return replace(read, order=tuple(outs))


def add_range(read: ReadPlan, api: ast.ApiRequest, table: Table, values: Values,
              options: PlanOptions) -> ReadPlan:
    rng = api.top_range
    limit = rng.limit
    if limit is not None and limit < 0:
        raise InvalidRange("Limit should be greater than or equal to zero.")
    if options.max_rows is not None:
        limit = options.max_rows if limit is None else min(limit, options.max_rows)
    return replace(
        read,
        limit=values.add(limit, "int") if limit is not None else None,
        offset=values.add(rng.offset, "int") if rng.offset else None,
    )


READ_PASSES = (resolve_select, add_filters, add_logic, add_order, add_range)


# -- filters -------------------------------------------------------------------------------------

def plan_logic(tree: ast.LogicTree, table: Table, alias: str, values: Values) -> Cond:
    if isinstance(tree, ast.Filter):
        return plan_filter(tree, table, alias, values)
    cond: Cond = BoolOp(tree.op, tuple(plan_logic(c, table, alias, values)
                                       for c in tree.children))
    return Not(cond) if tree.negated else cond


def plan_filter(flt: ast.Filter, table: Table, alias: str, values: Values) -> Cond:
    lhs = resolve_field(flt.field, table, alias, values)
    cond = plan_operation(lhs, flt.expr.operation, values)
    return Not(cond) if flt.expr.negated else cond


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
            return RangeOp(lhs, name, values.add(value, "text", kind))  # type: ignore[arg-type]
        case ast.OpIn(values=items):
            return InList(lhs, values.add(list(items), "text_list", kind))
        case ast.OpIs(value=value):
            return IsCheck(lhs, value)
        case ast.OpIsDistinct(value=value):
            return Compare(lhs, "isdistinct", values.add(value, "text", kind))
        case ast.OpFts(op=name, value=value, language=lang):
            language = values.add(lang, "text") if lang else None
            return FullText(lhs, name, values.add(value, "text"), language)
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
