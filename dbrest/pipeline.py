"""The request pipeline: parse → plan → render → exec → serialize, for one request.

One straight path: `plan_request` plans any request (read, write, call, OPTIONS, root)
into one `Planned`; render compiles it, exec runs it with the checks the plan carries
as data, serialize builds the response. Only `exec` is async and touches I/O. Every
`DbrestError` is answered by serialize's PostgREST-style error response; anything else
is a bug, logged and answered with serialize's generic 500 body (never a traceback).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from dbrest import openapi
from dbrest.auth import make_authenticator
from dbrest.config import Config
from dbrest.context import TxSettings, request_context, search_path, with_settings
from dbrest.cors import cors_headers, is_preflight, preflight_response
from dbrest.errors import DbrestError
from dbrest.exec.base import Accessible, Backend, Tx
from dbrest.grants import check_grants, granted_tables
from dbrest.http import HttpRequest, HttpResponse
from dbrest.parse.ast import ApiRequest
from dbrest.parse.request import parse_request
from dbrest.plan.access import accessed
from dbrest.plan.call import CallPlan
from dbrest.plan.context import PlanOptions
from dbrest.plan.request import Planned, plan_request
from dbrest.plan.stream import STREAM_ABOVE, capped_plan, capped_values, streamable
from dbrest.plan.types import MutationPlan, QueryPlan
from dbrest.render.call import render_call
from dbrest.render.compile import CompiledRead, CompiledWrite, Renderer
from dbrest.render.explain import CompiledExplain, render_explain
from dbrest.routing import ReplicaRouting
from dbrest.schema import SchemaCache
from dbrest.serialize import error_response, internal_error_response, root_document, serialize
from dbrest.serialize_stream import stream_response
from dbrest.shape import ShapeCache

log = logging.getLogger("dbrest")


class Timer:
    """Stage durations for `Server-Timing` (PostgREST's jwt, parse, plan, transaction,
    response), in milliseconds."""

    __slots__ = ("laps", "last")

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps.append((stage, (now - self.last) * 1000))
        self.last = now

    def header(self) -> str:
        return ", ".join(f"{stage};dur={ms:.1f}" for stage, ms in self.laps)


class NoTimer(Timer):
    """What `Server-Timing` off needs of a timer: nothing (no clock read per stage)."""

    __slots__ = ()

    def __init__(self) -> None:
        pass

    def lap(self, stage: str) -> None:
        pass


NO_TIMER = NoTimer()


@dataclass
class Pipeline:
    config: Config
    backend: Backend
    cache: SchemaCache

    def __post_init__(self) -> None:
        self.renderer = Renderer(self.backend.dialect)
        self.options = PlanOptions(max_rows=self.config.db_max_rows,
                                   aggregates=self.config.db_aggregates_enabled,
                                   plan=self.config.db_plan_enabled)
        self.authenticator = make_authenticator(self.config)
        # where the database has no roles, the configured grants stand in for them
        self.grants = {} if self.backend.enforces_roles else self.config.sqlite_grants
        # a repeated read shape skips parse, plan and render (dbrest/shape.py); it lives
        # and dies with this pipeline, i.e. with the schema cache
        self.shapes = ShapeCache(self.plan)
        # `db_uri_replicas`: which reads a replica may answer (dbrest/routing.py)
        self.routing = ReplicaRouting(self.config.db_replica_lag_sticky_seconds) \
            if self.config.db_uri_replicas else None

    def plan(self, req: HttpRequest) -> Planned:
        api = parse_request(req, self.config.db_schemas, self.config.db_tx_end)
        return plan_request(api, self.cache, self.options)

    async def handle(self, req: HttpRequest) -> HttpResponse:
        allowed = self.config.server_cors_allowed_origins
        if is_preflight(req):
            return preflight_response(req, allowed)
        timer = Timer() if self.config.server_timing_enabled else NO_TIMER
        try:
            response = await self._handle(req, timer)
        except DbrestError as err:
            response = error_response(err)
        except Exception:
            log.exception("unhandled error on %s %s", req.method, req.path)
            response = internal_error_response()
        extra = cors_headers(req, allowed, preflight=False)
        if self.config.server_timing_enabled:
            extra += (("server-timing", timer.header()),)
        if extra:
            response = HttpResponse(response.status, response.headers + extra, response.body,
                                    response.stream)
        return response

    async def _handle(self, req: HttpRequest, timer: Timer) -> HttpResponse:
        auth = self.authenticator.authenticate(req.header("authorization"))
        timer.lap("jwt")
        shape = self.shapes.match(req)
        hit = shape.hit if shape is not None else None
        compiled: CompiledRead | CompiledWrite | CompiledExplain
        if hit is not None:
            planned, compiled, values = hit.planned, hit.compiled, hit.values
            timer.lap("parse")
        else:
            api = parse_request(req, self.config.db_schemas, self.config.db_tx_end)
            timer.lap("parse")
            planned = plan_request(api, self.cache, self.options)
            if planned.kind == "root":
                doc = await self.root(api, req.query, request_context(req, auth))
                return self.untimed(root_document(doc), timer)
            if not planned.runs:
                return self.untimed(serialize(planned, None), timer)
            assert planned.request is not None
            values = planned.request.values
        assert planned.request is not None
        ctx = with_settings(request_context(req, auth), planned.request.settings + search_path(
            planned.request.schema, self.config.db_extra_search_path))
        plan = planned.request.plan
        if self.grants and isinstance(plan, (QueryPlan, MutationPlan, CallPlan)):
            check_grants(self.grants, ctx.role, ctx.authenticated, accessed(plan))
        if hit is None:
            compiled = self.render(planned)
            capped = self.capped(planned, values, req.method)
            if shape is not None:
                self.shapes.record(shape, req, planned, compiled, capped)
        else:
            capped = hit.capped
        timer.lap("plan")
        checks = planned.request.checks
        routing = self.routing
        tx = Tx(planned.readonly, planned.rollback, checks.singular, checks.max_affected,
                routing is not None and routing.replica_ok(req, planned))
        if capped is not None:
            # a page that may be large: capped first, streamed only if it is
            assert isinstance(plan, QueryPlan)
            result = await self.backend.run(capped, capped_values(plan, values), ctx, tx)
            if result.page_total > STREAM_ABOVE:
                return await self.stream(planned, plan, values, ctx, req.query, timer)
        else:
            result = await self.backend.run(compiled, values, ctx, tx)
        if routing is not None:
            routing.wrote(req, planned)
        timer.lap("transaction")
        response = serialize(planned, result, req.query)
        timer.lap("response")
        return response

    async def stream(self, planned: Planned, plan: QueryPlan, values: tuple[object, ...],
                     ctx: TxSettings, query: tuple[tuple[str, str], ...],
                     timer: Timer) -> HttpResponse:
        """A large read as a chunked body (dbrest/plan/stream.py): answered once its
        first chunk of rows is in, so an error before any row is still an error response."""
        assert planned.request is not None
        rows = self.backend.stream(self.renderer.render_stream(plan), values, ctx)
        try:
            head = await anext(rows)
            first = await anext(rows, [])
            timer.lap("transaction")
            assert isinstance(first, list)
            response = stream_response(planned.request, head, first, rows, query)
        except BaseException:
            await rows.aclose()
            raise
        timer.lap("response")
        return response

    def capped(self, planned: Planned, values: tuple[object, ...],
               method: str) -> CompiledRead | None:
        """A read that may stream, with its page capped (plan/stream.py); None for any
        other request. The same for every request of one shape."""
        assert planned.request is not None
        plan = planned.request.plan
        if not isinstance(plan, QueryPlan) or not streamable(planned, values, method):
            return None
        return self.renderer.render(capped_plan(plan, len(values)))

    def render(self, planned: Planned) -> CompiledRead | CompiledWrite | CompiledExplain:
        assert planned.request is not None
        plan = planned.request.plan
        compiled: CompiledRead | CompiledWrite
        if isinstance(plan, QueryPlan):
            compiled = self.renderer.render(plan)
        elif isinstance(plan, MutationPlan):
            compiled = self.renderer.render_write(plan)
        else:
            compiled = render_call(self.renderer, plan)
        if planned.explain is not None:
            return render_explain(compiled, planned.explain, self.backend.dialect)
        return compiled

    @staticmethod
    def untimed(response: HttpResponse, timer: Timer) -> HttpResponse:
        """An answer without a transaction still reports every stage, as PostgREST's
        `Server-Timing` does (plan, transaction and response then take no time)."""
        for stage in ("plan", "transaction", "response"):
            timer.lap(stage)
        return response

    async def root(self, api: ApiRequest, query: tuple[tuple[str, str], ...],
                   ctx: TxSettings) -> openapi.Document:
        """The OpenAPI document (dbrest/openapi), for the schema `Accept-Profile` names;
        where the database has no roles, what the configured grants allow."""
        async def accessible() -> Accessible:
            seen = await self.backend.accessible(ctx, api.schema)
            if not self.grants:
                return seen
            return Accessible(granted_tables(self.grants, ctx.role), frozenset(),
                              seen.description)
        return await openapi.document(self.cache, openapi.Options.of(self.config), api.schema,
                                      api.accept, query, accessible)
