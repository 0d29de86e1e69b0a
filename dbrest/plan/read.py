"""Planning a read: `ApiRequest` + `SchemaCache` → `PlannedRequest`.

A sequence of small passes (PostgREST `Plan.readPlan`): resolve the table, the select
list, filters, logic trees, order and range, then negotiate the output. Unknown tables
and columns are reported here, never in render/. Request values go into one list as they
are met, in a fixed traversal order, and the plan refers to them by index.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dbrest.errors import (
    DuplicateAlias,
    InvalidPreferences,
    InvalidRange,
    NoRelationship,
    NotEmbedded,
    NotImplementedOnBackend,
    RelatedOrderNotToOne,
    TableNotFound,
)
from dbrest.parse import ast
from dbrest.plan.casts import resolve_cast
from dbrest.plan.embed import find_relationship
from dbrest.plan.fields import Child, Values, output_key, resolve_field
from dbrest.plan.filters import existence, plan_filter, plan_logic
from dbrest.plan.negotiate import negotiate
from dbrest.plan.types import (
    CastExpr,
    ColumnEq,
    ColumnExpr,
    Cond,
    Embed,
    Exists,
    Expr,
    JoinTable,
    OrderOut,
    PlannedRequest,
    QueryPlan,
    ReadPlan,
    Scalar,
    SelectOut,
    TypeRef,
)
from dbrest.relationships import Relationship
from dbrest.schema import SchemaCache, Table


@dataclass(frozen=True, slots=True)
class PlanOptions:
    max_rows: int | None = None


DEFAULT_OPTIONS = PlanOptions()


@dataclass(slots=True)
class Context:
    """What planning one request shares across the tree."""

    api: ast.ApiRequest
    cache: SchemaCache
    options: PlanOptions
    values: Values = field(default_factory=Values)
    aliases: int = 0
    paths: set[ast.EmbedPath] = field(default_factory=lambda: {()})

    def next_alias(self) -> str:
        self.aliases += 1
        return f"t{self.aliases}"


def plan_read(api: ast.ApiRequest, cache: SchemaCache,
              options: PlanOptions = DEFAULT_OPTIONS) -> PlannedRequest:
    table = resolve_table(api, cache)
    check_preferences(api)
    ctx = Context(api, cache, options)
    read = plan_node(ctx, table, "t", api.query.select, frozenset({()}))
    check_paths(ctx)
    output, content_type, strip_nulls = negotiate(api.accept)
    return PlannedRequest(
        plan=QueryPlan(read, api.preferences.count, output, strip_nulls,
                       options.max_rows if api.preferences.count == "estimated" else None),
        values=tuple(ctx.values.items), offset=api.top_range.offset,
        content_type=content_type, method=api.method, schema=api.schema,
        profile_header=api.profile_requested, table=table.name,
        preference_applied=read_preferences(api),
    )


def read_preferences(api: ast.ApiRequest) -> tuple[str, ...]:
    """What a read honours of `Prefer`, in PostgREST's order (`responsePreferences`)."""
    prefs = api.preferences
    out = []
    if prefs.count:
        out.append(f"count={prefs.count}")
    if prefs.tx and api.tx_allowed:
        out.append(f"tx={prefs.tx}")
    if prefs.handling:
        out.append(f"handling={prefs.handling}")
    return tuple(out)


def resolve_table(api: ast.ApiRequest, cache: SchemaCache) -> Table:
    table = cache.table(api.schema, api.resource)
    if table is None:
        raise TableNotFound(
            f"Could not find the table '{api.schema}.{api.resource}' in the schema cache")
    return table


def check_preferences(api: ast.ApiRequest) -> None:
    """`Prefer: handling=strict` refuses preferences it does not know (PGRST122)."""
    prefs = api.preferences
    if prefs.handling == "strict" and prefs.invalid:
        raise InvalidPreferences("Invalid preferences given with handling=strict",
                                 f"Invalid preferences: {', '.join(prefs.invalid)}")


def check_paths(ctx: Context) -> None:
    """Every embedded key (`rel.col=…`, `rel.order=…`) must name an embed of the select."""
    q = ctx.api.query
    used = [p for p, _ in q.filters] + [p for p, _ in q.logic] + [p for p, _ in q.order] + [
        p for p, _ in q.ranges]
    for path in used:
        if path not in ctx.paths:
            name = next(p for i, p in enumerate(path) if path[:i + 1] not in ctx.paths)
            raise NotEmbedded(f"'{name}' is not an embedded resource in this request",
                              hint=f"Verify that '{name}' is included in the 'select' query "
                                   "parameter.")


# -- one node of the tree ---------------------------------------------------------------------

def plan_node(ctx: Context, table: Table, alias: str, items: tuple[ast.SelectItem, ...],
              paths: frozenset[ast.EmbedPath], root_filters: bool = True) -> ReadPlan:
    """Plan one table of the tree; `paths` are the spellings of its embed path (with the
    alias, and with the relation name as PostgREST's legacy target names allow)."""
    read = ReadPlan(table.schema, table.name, alias, ())
    children: list[Child] = []
    outs: list[SelectOut] = []
    check_embed_names(table, items, len(next(iter(paths))) + 1)
    for item in items:
        if isinstance(item, ast.SelectRelation):
            outs.extend(plan_embed(ctx, table, read, item, paths, children))
        else:
            outs.extend(plan_field(ctx, table, alias, item))
    read = replace(read, select=tuple(outs))
    # A write's representation reads the written rows: the root filters chose those rows
    # already (and may no longer hold after an update).
    read = add_filters(ctx, read, table, paths if root_filters else frozenset(), children)
    read = add_order(ctx, read, table, paths, children)
    return add_range(ctx, read, paths)


def check_embed_names(table: Table, items: tuple[ast.SelectItem, ...], depth: int) -> None:
    """Two embeds of one node under one name (`users!a(*),users!b(*)`): PostgREST names
    each embed's join `<table>_<name>_<depth>` (`Plan.hs` relAggAlias), so PostgreSQL
    refuses its query with 42712; answer the same rather than a duplicated JSON key."""
    seen: set[str] = set()
    for item in items:
        if isinstance(item, ast.SelectRelation):
            name = item.alias or item.name
            if name in seen:
                raise DuplicateAlias(f'table name "{table.name}_{name}_{depth}" specified '
                                     "more than once")
            seen.add(name)


def plan_field(ctx: Context, table: Table, alias: str, item: ast.SelectField) -> list[SelectOut]:
    if item.aggregate is not None:
        raise NotImplementedOnBackend("aggregate functions are not available yet")
    if item.field.name == "*" and not item.field.json_path:
        return [SelectOut(ColumnExpr(alias, c.name, TypeRef(c.kind, c.native_type)), c.name)
                for c in table.columns]
    expr = resolve_field(item.field, table, alias, ctx.values)
    if item.cast:
        target = resolve_cast(item.cast)
        expr = CastExpr(expr, target.native_type, target)
    return [SelectOut(expr, item.alias or output_key(item.field))]


def plan_embed(ctx: Context, table: Table, parent: ReadPlan, item: ast.SelectRelation,
               paths: frozenset[ast.EmbedPath], children: list[Child]) -> list[SelectOut]:
    rel = find_relationship(ctx.cache, table.schema, table.name, item.name, item.hint)
    target = ctx.cache.table(rel.foreign_schema, rel.foreign_table)
    if target is None:  # a relationship to a table outside the exposed schemas
        raise NoRelationship(
            f"Could not find a relationship between '{table.name}' and '{item.name}' in the "
            "schema cache")
    alias = ctx.next_alias()
    keys = {item.alias or item.name, item.name}  # legacy target names: the name works too
    child_paths = frozenset(p + (key,) for p in paths for key in keys)
    ctx.paths.update(child_paths)
    read = plan_node(ctx, target, alias, item.children, child_paths)
    read = join_to_parent(ctx, read, rel, parent.alias)
    if rel.to_one:
        read = replace(read, limit=None, offset=None)
    inner = Exists(existence(read)) if item.join_type is ast.JoinType.INNER else None
    children.append(Child(item.name, item.alias, read, rel.to_one, inner))
    if item.spread:
        return spread_outs(read, rel.to_one)
    if not read.select:  # `rel()`: joined for filtering only, no key in the output
        return []
    return [SelectOut(Embed(read, "object" if rel.to_one else "array"),
                      item.alias or item.name)]


def join_to_parent(ctx: Context, read: ReadPlan, rel: Relationship, parent_alias: str) -> ReadPlan:
    parent_table = ctx.cache.table(rel.schema, rel.table)
    child_table = ctx.cache.table(read.schema, read.table)
    assert parent_table is not None and child_table is not None

    def col(table: Table, alias: str, name: str) -> ColumnExpr:
        c = table.column(name)
        kind, native = (c.kind, c.native_type) if c else ("other", "")
        return ColumnExpr(alias, name, TypeRef(kind, native))

    if rel.junction is None:
        conds = tuple(ColumnEq(col(child_table, read.alias, fc),
                               col(parent_table, parent_alias, oc))
                      for oc, fc in rel.columns)
        return replace(read, where=conds + read.where)
    j = rel.junction
    j_table = ctx.cache.table(j.schema, j.table)
    j_alias = ctx.next_alias()

    def jcol(name: str) -> ColumnExpr:
        if j_table is not None:
            return col(j_table, j_alias, name)
        return ColumnExpr(j_alias, name, TypeRef("other", ""))

    on = tuple(ColumnEq(jcol(jc), col(child_table, read.alias, fc)) for jc, fc in j.target_columns)
    conds = tuple(ColumnEq(jcol(jc), col(parent_table, parent_alias, oc))
                  for jc, oc in j.source_columns)
    return replace(read, joins=read.joins + (JoinTable(j.schema, j.table, j_alias, on),),
                   where=conds + read.where)


def spread_outs(read: ReadPlan, to_one: bool) -> list[SelectOut]:
    """`...rel(cols)`: each column lifted into the parent (an array of values if to-many)."""
    outs = []
    for out in read.select:
        one = replace(read, select=(out,))
        if to_one:
            outs.append(SelectOut(Scalar(replace(one, order=(), limit=None, offset=None),
                                         out.expr.type), out.key))
        else:
            outs.append(SelectOut(Embed(one, "values"), out.key))
    return outs


# -- filters, order, range of a node ------------------------------------------------------------

def add_filters(ctx: Context, read: ReadPlan, table: Table, paths: frozenset[ast.EmbedPath],
                children: list[Child]) -> ReadPlan:
    conds: list[Cond] = [c.inner for c in children if c.inner is not None]
    for p, flt in ctx.api.query.filters:
        if p in paths:
            conds.append(plan_filter(flt, table, read.alias, ctx.values, children))
    for p, tree in ctx.api.query.logic:
        if p in paths:
            conds.append(plan_logic(tree, table, read.alias, ctx.values, children))
    return replace(read, where=read.where + tuple(conds))


def add_order(ctx: Context, read: ReadPlan, table: Table, paths: frozenset[ast.EmbedPath],
              children: list[Child]) -> ReadPlan:
    outs: list[OrderOut] = []
    for p, terms in ctx.api.query.order:
        if p not in paths:
            continue
        for term in terms:
            if term.relation is None:
                expr = resolve_field(term.field, table, read.alias, ctx.values)
            else:
                expr = related_order(ctx, term, table, children)
            outs.append(OrderOut(expr, term.direction == "desc", term.nulls))
    return replace(read, order=tuple(outs))


def related_order(ctx: Context, term: ast.OrderTerm, table: Table,
                  children: list[Child]) -> Expr:
    """`order=rel(col)`: the value of `col` in the to-one related row."""
    assert term.relation is not None
    # Only the name the embed goes by in the response: its alias when it has one.
    child = next((c for c in children if (c.alias or c.name) == term.relation), None)
    if child is None:
        raise NotEmbedded(f"'{term.relation}' is not an embedded resource in this request",
                          hint=f"Verify that '{term.relation}' is included in the 'select' "
                               "query parameter.")
    if not child.to_one:
        raise RelatedOrderNotToOne(
            f"A related order on '{term.relation}' is not possible",
            f"'{table.name}' and '{term.relation}' do not form a many-to-one or one-to-one "
            "relationship")
    target = ctx.cache.table(child.read.schema, child.read.table)
    assert target is not None
    expr = resolve_field(term.field, target, child.read.alias, ctx.values)
    one = replace(child.read, select=(SelectOut(expr, "v"),), order=(), limit=None, offset=None)
    return Scalar(one, expr.type)


def add_range(ctx: Context, read: ReadPlan, paths: frozenset[ast.EmbedPath]) -> ReadPlan:
    if () in paths:
        rng = ctx.api.top_range
    else:
        ranges = dict(ctx.api.query.ranges)
        rng = next((ranges[p] for p in paths if p in ranges), ast.Range())
    limit = rng.limit
    if limit is not None and limit < 0:
        raise InvalidRange("Limit should be greater than or equal to zero.")
    if ctx.options.max_rows is not None:
        limit = ctx.options.max_rows if limit is None else min(limit, ctx.options.max_rows)
    return replace(
        read,
        limit=ctx.values.add(limit, "int") if limit is not None else None,
        offset=ctx.values.add(rng.offset, "int") if rng.offset else None,
    )


