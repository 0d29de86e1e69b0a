"""Planning a read: `ApiRequest` + `SchemaCache` → `PlannedRequest` (PostgREST `readPlan`).

Resolve the table (plan/tables.py), refuse strict-handling preferences it cannot honour
(plan/preferences.py), plan the tree node by node (plan/nodes.py: the select list, then
the passes filters, order, range), check every embedded key names an embed, then
negotiate the output. Request values go into one list as they are met, in that fixed
traversal order, and the plan refers to them by index.
"""

from __future__ import annotations

from dbrest.parse import ast
from dbrest.plan.context import DEFAULT_OPTIONS, Context, PlanOptions
from dbrest.plan.negotiate import negotiate
from dbrest.plan.nodes import check_paths, plan_node
from dbrest.plan.preferences import check_preferences, preference_applied
from dbrest.plan.tables import resolve_table
from dbrest.plan.types import PlannedRequest, QueryPlan
from dbrest.schema import SchemaCache


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
        preference_applied=preference_applied(api, timezones=cache.timezones),
    )


__all__ = ["PlanOptions", "plan_read"]  # PlanOptions: re-exported for the pipeline
