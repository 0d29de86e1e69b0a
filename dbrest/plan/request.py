"""Planning any request: `ApiRequest` + `SchemaCache` → one `Planned`.

Dispatches by the request to the read, mutation and call planners, and says as data
what the rest of the pipeline needs: how to run it (read-only, rollback) and what
exec must enforce inside the transaction (`WriteChecks`). OPTIONS and the root are
planned too (no transaction): their answers need only the schema cache.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from dbrest.errors import TableNotFound
from dbrest.parse.ast import ApiRequest
from dbrest.plan.call import PlannedCall, plan_call, rpc_allow
from dbrest.plan.context import DEFAULT_OPTIONS, PlanOptions
from dbrest.plan.explain import Explain, explain_of
from dbrest.plan.mutate import plan_mutation
from dbrest.plan.preferences import tx_settings
from dbrest.plan.read import plan_read
from dbrest.plan.types import PlannedRequest, WriteChecks
from dbrest.schema import SchemaCache

Kind = Literal["read", "write", "call", "options", "root"]


@dataclass(frozen=True, slots=True)
class Planned:
    kind: Kind
    request: PlannedRequest | None = None  # read, write, call (`.checks` filled)
    call: PlannedCall | None = None  # call: how its result is shaped
    readonly: bool = True
    rollback: bool = False
    allow: str = ""  # options: the `Allow` value
    explain: Explain | None = None  # answer the database's plan of it (plan/explain.py)

    @property
    def runs(self) -> bool:
        """Whether it needs a transaction (OPTIONS and the root do not)."""
        return self.request is not None


def plan_request(api: ApiRequest, cache: SchemaCache,
                 options: PlanOptions = DEFAULT_OPTIONS) -> Planned:
    if not api.resource:
        return Planned("root")
    if api.method == "OPTIONS":
        allow = rpc_allow(cache, api) if api.is_rpc else table_allow(cache, api)
        return Planned("options", allow=allow)
    explain, api = explain_of(api, options.plan)
    planned = _plan_run(api, cache, options)
    if explain is None:
        return planned
    # PostgREST's `planRow`: no singular or max-affected check on a plan; what EXPLAIN
    # ANALYZE wrote is rolled back
    assert planned.request is not None
    request = replace(planned.request, checks=WriteChecks())
    call = None if planned.call is None else replace(planned.call, planned=request)
    return replace(planned, request=request, call=call, explain=explain,
                   rollback=not planned.readonly or planned.rollback)


def _plan_run(api: ApiRequest, cache: SchemaCache, options: PlanOptions) -> Planned:
    """A read, write or call."""
    if api.is_rpc:
        call = plan_call(api, cache, options)
        plan = call.planned.plan
        singular = plan.output == "object" and getattr(plan, "returns_set", False)
        planned = replace(call.planned, checks=WriteChecks(singular, call.max_affected),
                          settings=tx_settings(api, cache.timezones))
        return Planned("call", planned, replace(call, planned=planned), call.readonly,
                       call.rollback)
    if api.method in ("GET", "HEAD"):
        planned = plan_read(api, cache, options)
        # PostgREST's `failNotSingular` runs in the read's transaction too
        return Planned("read", replace(planned, checks=WriteChecks(
            planned.plan.output == "object"), settings=tx_settings(api, cache.timezones)))
    planned = plan_mutation(api, cache, options)
    write = planned.write
    assert write is not None
    checks = WriteChecks(planned.plan.output == "object", write.max_affected)
    settings = tx_settings(api, cache.timezones)
    return Planned("write", replace(planned, checks=checks, settings=settings), readonly=False,
                   rollback=write.rollback)


def table_allow(cache: SchemaCache, api: ApiRequest) -> str:
    """`Allow` for a table or view (PostgREST `Response.hs`)."""
    table = cache.table(api.schema, api.resource)
    if table is None:
        raise TableNotFound(
            f"Could not find the table '{api.schema}.{api.resource}' in the schema cache")
    return "OPTIONS,GET,HEAD" if table.is_view else "OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE"
