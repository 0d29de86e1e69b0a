"""Lowering an RPC call: a `CallPlan` → one statement (PostgREST `callPlanToQuery`).

    WITH pgrst_source AS (
      SELECT pgrst_call.* FROM json_to_record(CAST($1 AS json)) AS pgrst_args("a" integer),
           LATERAL "s"."fn"("a" := pgrst_args."a") pgrst_call)
    SELECT total, page_total, body, response settings FROM pgrst_source …

The arguments travel as one JSON parameter, so the SQL depends only on which parameter
names were given. Rows of a composite result are read by the ordinary read lowering
(`aggregate` over `pgrst_source`, like a write's representation); scalars are
aggregated here. Parameter and return types come from the catalog, never the request.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ClauseElement

from dbrest.errors import NotImplementedOnBackend
from dbrest.plan.call import CallPlan
from dbrest.render.compile import CompiledRead, CompiledWrite, Renderer
from dbrest.render.lower import Lowerer, aggregate

SOURCE = "pgrst_source"  # the render/postgres.py name for rows a statement produced


class CallSql(ClauseElement):
    """`SELECT … FROM <the call>` of a `CallPlan`."""

    inherit_cache = False

    def __init__(self, plan: CallPlan, body: Any) -> None:
        self.plan, self.body = plan, body


class WithCall(ClauseElement):
    """`WITH pgrst_source AS (<call>) <read>`."""

    inherit_cache = False

    def __init__(self, call: CallSql, read: Any) -> None:
        self.call, self.read = call, read


@compiles(CallSql, "postgresql")
def _call(el: CallSql, compiler: Any, **kw: Any) -> str:
    p = el.plan
    qt = compiler.preparer.quote_identifier
    body = compiler.process(el.body, **kw) if el.body is not None else ""
    source = ""
    if p.positional is not None:
        args = f"CAST({body} AS {p.positional})"
    elif p.args:
        # parameter types are `format_type` text from the catalog
        cols = ", ".join(f"{qt(a.name)} {a.type}" for a in p.args)
        source = f"json_to_record(CAST({body} AS json)) AS pgrst_args({cols}), LATERAL "
        args = ", ".join(f"{'VARIADIC ' if a.variadic else ''}{qt(a.name)} := "
                         f"pgrst_args.{qt(a.name)}" for a in p.args)
    else:
        args = ""
    call = f"{qt(p.schema)}.{qt(p.function)}({args})"
    if p.returns == "composite":
        return f"SELECT pgrst_call.* FROM {source}{call} pgrst_call"
    return (f"SELECT pgrst_call.pgrst_scalar FROM {source}"
            f"(SELECT {call} AS pgrst_scalar) pgrst_call")


@compiles(WithCall, "postgresql")
def _with_call(el: WithCall, compiler: Any, **kw: Any) -> str:
    call = compiler.process(el.call, **kw)
    return f"WITH {SOURCE} AS ({call}) {compiler.process(el.read, **kw)}"


def _setting(name: str) -> Any:
    return sa.func.current_setting(sa.literal(name), sa.true())


def scalar_aggregate(plan: CallPlan) -> Any:
    """The response row of a scalar, `setof` scalar or void function."""
    if plan.returns == "void":
        body = "'null'"
    elif plan.returns_set:
        body = f"coalesce(json_agg({SOURCE}.pgrst_scalar), '[]')::text"
    else:
        body = f"coalesce((json_agg({SOURCE}.pgrst_scalar) -> 0)::text, 'null')"
    return sa.select(
        sa.null().label("total"), sa.func.count().label("page_total"),
        sa.literal_column(body).label("body"),
        _setting("response.headers").label("response_headers"),
        _setting("response.status").label("response_status"),
    ).select_from(sa.table(SOURCE))


def lower_call(plan: CallPlan, renderer: Renderer) -> Any:
    dialect = renderer.dialect
    if not dialect.caps.functions:
        raise NotImplementedOnBackend(f"functions (RPC) are not available on {dialect.name}")
    lowerer = Lowerer(dialect, plan)
    body: Any = sa.bindparam(f"p{plan.body.index}") if plan.body is not None else None
    if plan.read is not None:
        read = aggregate(lowerer, plan.read, plan.strip_nulls, plan.count)
    else:
        read = scalar_aggregate(plan)
    return WithCall(CallSql(plan, body), read)


def render_call(renderer: Renderer, plan: CallPlan) -> CompiledRead | CompiledWrite:
    """Compiled once per call shape (the plan is the cache key, as for reads)."""
    if renderer.dialect.caps.declared_functions:  # issue 10: SQL from the configuration
        from dbrest.render.sqlite_call import render_declared_call

        return render_declared_call(renderer, plan)

    def build(plan: CallPlan, params: Any) -> CompiledRead:
        return CompiledRead(renderer.compile(lower_call(plan, renderer), params), None)
    return renderer._cached(plan, build)  # type: ignore[no-any-return]
