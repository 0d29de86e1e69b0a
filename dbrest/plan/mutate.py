"""Planning a write: POST (insert, upsert), PATCH (update), PUT (single-row upsert), DELETE.

PostgREST's `Plan.mutatePlan`: the body's keys (or `columns=`) are the written columns,
checked against the table (PGRST204); filters on the root table restrict UPDATE/DELETE;
PUT must address exactly one row by its whole primary key (PGRST105, PGRST114, PGRST115).
The rows written are then read back through the node planner reads use (plan/nodes.py),
so `select=` and embedding shape a write's representation exactly as they shape a read.
"""

from __future__ import annotations

from dataclasses import replace

from dbrest.errors import (
    ApiRequestError,
    ColumnNotFound,
    InvalidFilters,
    PutLimitNotAllowed,
    PutMismatch,
)
from dbrest.parse import ast
from dbrest.plan.context import DEFAULT_OPTIONS, Context, PlanOptions
from dbrest.plan.filters import plan_filter, plan_logic
from dbrest.plan.negotiate import negotiate
from dbrest.plan.nodes import check_paths, plan_node
from dbrest.plan.preferences import check_preferences, preference_applied
from dbrest.plan.tables import resolve_table
from dbrest.plan.types import (
    BodyRows,
    Cond,
    Mutation,
    MutationPlan,
    PlannedRequest,
    ReadPlan,
    TypeRef,
    WriteColumn,
    WriteResponse,
)
from dbrest.schema import SchemaCache, Table

KIND = {"POST": "insert", "PUT": "insert", "PATCH": "update", "DELETE": "delete"}


def plan_mutation(api: ast.ApiRequest, cache: SchemaCache,
                  options: PlanOptions = DEFAULT_OPTIONS) -> PlannedRequest:
    table = resolve_table(api, cache)
    prefs = api.preferences
    check_preferences(api)
    ctx = Context(api, cache, options)
    mutation = Mutation(KIND[api.method], table.schema, table.name, "t")  # type: ignore[arg-type]
    if api.method == "PUT":
        check_put(api, table)
        api = put_rows(api, table)
    if mutation.kind != "delete":
        mutation = add_body(ctx, mutation, api, table)
    if mutation.kind != "insert":
        mutation = replace(mutation, where=root_filters(ctx, api, table))
    if mutation.kind == "insert":
        mutation = add_conflict(mutation, api, table)
    if (mutation.kind == "insert" and api.payload and not api.payload.rows) or (
            mutation.kind == "update" and not mutation.columns):
        mutation = replace(mutation, kind="noop")  # `[]` inserts nothing, `{}` updates nothing
    return_ = prefs.return_ or "minimal"
    read = plan_representation(ctx, api, table, return_)
    check_paths(ctx)
    output, content_type, strip_nulls = negotiate(api.accept)
    return PlannedRequest(
        plan=MutationPlan(mutation, read, output, strip_nulls, prefs.count),
        values=tuple(ctx.values.items), offset=0, content_type=content_type,
        method=api.method, schema=api.schema, profile_header=api.profile_requested,
        table=table.name,
        preference_applied=preference_applied(api, bool(mutation.on_conflict),
                                              cache.timezones),
        write=WriteResponse(
            return_, table.primary_key if return_ == "headers-only" else (),
            prefs.max_affected if prefs.handling == "strict" and mutation.kind in (
                "update", "delete") else None,
            api.rollback, mutation.resolution == "merge"),
    )


def add_body(ctx: Context, mutation: Mutation, api: ast.ApiRequest, table: Table) -> Mutation:
    payload = api.payload
    assert payload is not None
    columns = []
    for key in payload.keys:
        column = table.column(key)
        if column is None:
            raise ColumnNotFound(
                f"Could not find the '{key}' column of '{table.name}' in the schema cache")
        default = column.default_sql if api.preferences.missing == "default" else None
        columns.append(WriteColumn(key, TypeRef(column.kind, column.native_type), default,
                                   column.domain.from_json if column.domain else None))
    kinds = tuple((c.name, c.type.kind) for c in columns)
    body = ctx.values.add(BodyRows(payload.rows, kinds), "json_rows")
    return replace(mutation, columns=tuple(columns), body=body)


def root_filters(ctx: Context, api: ast.ApiRequest, table: Table) -> tuple[Cond, ...]:
    conds: list[Cond] = [plan_filter(flt, table, "t", ctx.values)
                         for path, flt in api.query.filters if path == ()]
    conds += [plan_logic(tree, table, "t", ctx.values)
              for path, tree in api.query.logic if path == ()]
    return tuple(conds)


def add_conflict(mutation: Mutation, api: ast.ApiRequest, table: Table) -> Mutation:
    resolution = api.preferences.resolution
    if api.method == "PUT":
        return replace(mutation, on_conflict=table.primary_key, resolution="merge")
    if resolution is None:
        return mutation
    target = api.query.on_conflict or table.primary_key
    if not target:  # no key to conflict on: PostgREST ignores the preference
        return mutation
    for name in target:
        if table.column(name) is None:
            raise ColumnNotFound(
                f"Could not find the '{name}' column of '{table.name}' in the schema cache")
    return replace(mutation, on_conflict=tuple(target),
                   resolution="merge" if resolution == "merge-duplicates" else "ignore")


def check_put(api: ast.ApiRequest, table: Table) -> None:
    """PUT addresses one row: `eq` filters on exactly the primary key, body agreeing."""
    root = dict(api.query.ranges).get((), ast.Range())
    if root.limit is not None or root.offset:
        raise PutLimitNotAllowed("limit/offset querystring parameters are not allowed for PUT")
    filters = [flt for path, flt in api.query.filters if path == ()]
    eq = {flt.field.name: flt.expr.operation.value for flt in filters
          if not flt.expr.negated and not flt.field.json_path
          and isinstance(flt.expr.operation, ast.OpQuant) and flt.expr.operation.op == "eq"
          and flt.expr.operation.quantifier is None}
    if (not table.primary_key or len(eq) != len(filters) or set(eq) != set(table.primary_key)
            or api.query.logic):
        raise InvalidFilters("Filters must include all and only primary key columns with 'eq' "
                             "operators")
    payload = api.payload
    assert payload is not None
    if not any(_matches_url(row, eq, table.primary_key) for row in payload.rows):
        raise PutMismatch("Payload values do not match URL in primary key column(s)")


def _matches_url(row: dict[str, object], eq: dict[str, str], key: tuple[str, ...]) -> bool:
    return all(col in row and _text(row[col]) == eq[col] for col in key)


def _text(value: object) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def put_rows(api: ast.ApiRequest, table: Table) -> ast.ApiRequest:
    """PUT writes the body row the URL names (PostgREST filters the body by the key)."""
    assert api.payload is not None
    eq = {flt.field.name: flt.expr.operation.value for _, flt in api.query.filters
          if isinstance(flt.expr.operation, ast.OpQuant)}
    row = next(r for r in api.payload.rows if _matches_url(r, eq, table.primary_key))
    return replace(api, payload=replace(api.payload, rows=(row,)))


def plan_representation(ctx: Context, api: ast.ApiRequest, table: Table,
                        return_: str) -> ReadPlan:
    """The read of the written rows: `select=` for representation, the key for Location."""
    if return_ == "representation":
        items = api.query.select
    elif return_ == "headers-only" and table.primary_key:
        items = tuple(ast.SelectField(ast.Field(name)) for name in table.primary_key)
    else:
        items = ()
    read = plan_node(ctx, table, "t", items, frozenset({()}), root_filters=False)
    return replace(read, mutated=True, limit=None, offset=None)


__all__ = ["ApiRequestError", "plan_mutation"]
