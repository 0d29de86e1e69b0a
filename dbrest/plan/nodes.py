"""Planning one table of the tree (PostgREST `Plan.readPlan` per node), shared by reads,
writes (the representation of the written rows) and RPC (the rows a function returns).

A node is planned in small named passes, in a fixed order because request values are
numbered as they are met: the select list (recursing into embeds, which fills the node's
children), then `NODE_PASSES` folded over the plan: filters, order, range. Unknown
columns and embeds are reported here, never in render/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import reduce

from dbrest.errors import (
    DuplicateAlias,
    InvalidRange,
    NoRelationship,
    NotEmbedded,
    RelatedOrderNotToOne,
)
from dbrest.parse import ast
from dbrest.plan.aggregates import group, is_legacy_count, plan_aggregate, single_row
from dbrest.plan.casts import resolve_cast
from dbrest.plan.context import Context
from dbrest.plan.embed import find_relationship
from dbrest.plan.fields import Child, output_key, resolve_field
from dbrest.plan.filters import existence, plan_filter, plan_logic
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
    ReadPlan,
    Scalar,
    SelectOut,
    TypeRef,
)
from dbrest.relationships import Relationship
from dbrest.schema import Table


@dataclass(frozen=True, slots=True)
class Node:
    """One table of the tree once its select list is planned: what the passes need."""

    table: Table
    # the spellings of its embed path (with the alias, and with the relation name as
    # PostgREST's legacy target names allow)
    paths: frozenset[ast.EmbedPath]
    children: tuple[Child, ...]  # its embeds, for `rel=is.null`, `!inner`, related order
    # where its filters are keyed: none for a write's representation, whose rows the
    # write's own filters chose already (and may no longer match after an update)
    filter_paths: frozenset[ast.EmbedPath]


NodePass = Callable[[Context, Node, ReadPlan], ReadPlan]


def plan_node(ctx: Context, table: Table, alias: str, items: tuple[ast.SelectItem, ...],
              paths: frozenset[ast.EmbedPath], root_filters: bool = True) -> ReadPlan:
    """Plan one table of the tree: its select list, then `NODE_PASSES` in order."""
    children: list[Child] = []
    read = plan_select(ctx, ReadPlan(table.schema, table.name, alias, ()), table, items,
                       paths, children)
    node = Node(table, paths, tuple(children), paths if root_filters else frozenset())
    return reduce(lambda plan, step: step(ctx, node, plan), NODE_PASSES, read)


def check_paths(ctx: Context) -> None:
    """Every embedded key (`rel.col=…`, `rel.order=…`) must name an embed of the select."""
    q = ctx.api.query
    used = [p for p, _ in q.filters] + [p for p, _ in q.logic] + [p for p, _ in q.order] + [
        p for p, _ in q.ranges]
    for path in used:
        if path not in ctx.paths:
            name = next(p for i, p in enumerate(path) if path[:i + 1] not in ctx.paths)
            raise not_embedded(name)


def not_embedded(name: str) -> NotEmbedded:
    return NotEmbedded(f"'{name}' is not an embedded resource in this request",
                       hint=f"Verify that '{name}' is included in the 'select' query "
                            "parameter.")


# -- the select list ----------------------------------------------------------------------------

def plan_select(ctx: Context, read: ReadPlan, table: Table, items: tuple[ast.SelectItem, ...],
                paths: frozenset[ast.EmbedPath], children: list[Child]) -> ReadPlan:
    outs: list[SelectOut] = []
    check_embed_names(table, items, len(next(iter(paths))) + 1)
    for item in items:
        if isinstance(item, ast.SelectRelation):
            outs.extend(plan_embed(ctx, table, read, item, paths, children))
        else:
            outs.extend(plan_field(ctx, table, read.alias, item))
    return group(replace(read, select=tuple(outs)))


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
    if item.aggregate is not None or is_legacy_count(item, table):
        return [plan_aggregate(ctx, table, alias, item, legacy=item.aggregate is None)]
    if item.field.name == "*" and not item.field.json_path:
        return [SelectOut(ColumnExpr(alias, c.name, TypeRef(c.kind, c.native_type), c.domain),
                          c.name)
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

    if rel.function is not None:  # computed: the function of the parent's row is the source
        return replace(read, function_source=(*rel.function, parent_alias))
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
        if to_one or single_row(read):
            outs.append(SelectOut(Scalar(replace(one, order=(), limit=None, offset=None),
                                         out.expr.type), out.key))
        else:
            outs.append(SelectOut(Embed(one, "values"), out.key))
    return outs


# -- the passes after the select list: filters, order, range ------------------------------------

def add_filters(ctx: Context, node: Node, read: ReadPlan) -> ReadPlan:
    conds: list[Cond] = [c.inner for c in node.children if c.inner is not None]
    for p, flt in ctx.api.query.filters:
        if p in node.filter_paths:
            conds.append(plan_filter(flt, node.table, read.alias, ctx.values, node.children))
    for p, tree in ctx.api.query.logic:
        if p in node.filter_paths:
            conds.append(plan_logic(tree, node.table, read.alias, ctx.values, node.children))
    return replace(read, where=read.where + tuple(conds))


def add_order(ctx: Context, node: Node, read: ReadPlan) -> ReadPlan:
    outs: list[OrderOut] = []
    for p, terms in ctx.api.query.order:
        if p not in node.paths:
            continue
        for term in terms:
            if term.relation is None:
                expr = resolve_field(term.field, node.table, read.alias, ctx.values)
            else:
                expr = related_order(ctx, term, node)
            outs.append(OrderOut(expr, term.direction == "desc", term.nulls))
    return replace(read, order=tuple(outs))


def related_order(ctx: Context, term: ast.OrderTerm, node: Node) -> Expr:
    """`order=rel(col)`: the value of `col` in the to-one related row."""
    assert term.relation is not None
    # Only the name the embed goes by in the response: its alias when it has one.
    child = next((c for c in node.children if (c.alias or c.name) == term.relation), None)
    if child is None:
        raise not_embedded(term.relation)
    if not child.to_one:
        raise RelatedOrderNotToOne(
            f"A related order on '{term.relation}' is not possible",
            f"'{node.table.name}' and '{term.relation}' do not form a many-to-one or "
            "one-to-one relationship")
    target = ctx.cache.table(child.read.schema, child.read.table)
    assert target is not None
    expr = resolve_field(term.field, target, child.read.alias, ctx.values)
    if isinstance(expr, ColumnExpr) and expr.domain is not None:
        expr = replace(expr, domain=None)  # ordered by the stored value, not its JSON
    one = replace(child.read, select=(SelectOut(expr, "v"),), order=(), limit=None, offset=None)
    return Scalar(one, expr.type)


def add_range(ctx: Context, node: Node, read: ReadPlan) -> ReadPlan:
    if () in node.paths:
        rng = ctx.api.top_range
    else:
        ranges = dict(ctx.api.query.ranges)
        rng = next((ranges[p] for p in node.paths if p in ranges), ast.Range())
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


NODE_PASSES: tuple[NodePass, ...] = (add_filters, add_order, add_range)
