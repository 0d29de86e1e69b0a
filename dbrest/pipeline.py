"""The request pipeline: parse → plan → render → exec → serialize, for one request.

Only `exec` is async and touches I/O. Every `DbrestError` becomes its PostgREST-style
response here, the one place errors are rendered; anything else is a bug, logged and
answered with a generic 500 body (never a traceback).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import orjson

from dbrest.auth import make_authenticator
from dbrest.config import Config
from dbrest.context import apply_response_settings, request_context
from dbrest.cors import cors_headers, is_preflight, preflight_response
from dbrest.errors import DbrestError, TableNotFound
from dbrest.exec.base import Backend, RequestContext
from dbrest.http import HttpRequest, HttpResponse
from dbrest.parse.ast import ApiRequest
from dbrest.parse.request import parse_request
from dbrest.plan.call import plan_call, rpc_options
from dbrest.plan.mutate import plan_mutation
from dbrest.plan.read import PlanOptions, plan_read
from dbrest.plan.types import MutationPlan, QueryPlan
from dbrest.render.call import render_call
from dbrest.render.compile import Renderer
from dbrest.schema import SchemaCache
from dbrest.serialize import (
    check_write,
    content_location,
    error_response,
    serialize_read,
    serialize_write,
)
from dbrest.serialize_rpc import check_call, serialize_call

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


@dataclass
class Pipeline:
    config: Config
    backend: Backend
    cache: SchemaCache

    def __post_init__(self) -> None:
        self.renderer = Renderer(self.backend.dialect)
        self.options = PlanOptions(max_rows=self.config.db_max_rows)
        self.authenticator = make_authenticator(self.config)

    async def handle(self, req: HttpRequest) -> HttpResponse:
        allowed = self.config.server_cors_allowed_origins
        if is_preflight(req):
            return preflight_response(req, allowed)
        timer = Timer()
        try:
            response = await self._handle(req, timer)
        except DbrestError as err:
            response = error_response(err)
        except Exception:
            log.exception("unhandled error on %s %s", req.method, req.path)
            response = HttpResponse(500, (("content-type", "application/json; charset=utf-8"),),
                                    orjson.dumps({"code": "PGRSTX00", "message": "Internal error",
                                                  "details": None, "hint": None}))
        extra = cors_headers(req, allowed, preflight=False)
        if self.config.server_timing_enabled:
            extra += (("server-timing", timer.header()),)
        if extra:
            response = HttpResponse(response.status, response.headers + extra, response.body)
        return response

    async def _handle(self, req: HttpRequest, timer: Timer) -> HttpResponse:
        auth = self.authenticator.authenticate(req.header("authorization"))
        timer.lap("jwt")
        api = parse_request(req, self.config.db_schemas, self.config.db_tx_end)
        timer.lap("parse")
        if not api.resource:
            return self.untimed(self.root(), timer)
        if api.is_rpc:  # RPC (issue 10): a separate branch, see `call`
            if api.method == "OPTIONS":
                return self.untimed(rpc_options(self.cache, api), timer)
            return await self.call(api, request_context(req, auth), timer)
        if api.method == "OPTIONS":
            return self.untimed(self.options_response(api.schema, api.resource), timer)
        ctx = request_context(req, auth)
        if api.method not in ("GET", "HEAD"):
            return await self.write(api, ctx, timer)
        planned = plan_read(api, self.cache, self.options)
        assert isinstance(planned.plan, QueryPlan)
        self.backend.authorize(ctx, planned.plan)
        compiled = self.renderer.render(planned.plan)
        timer.lap("plan")
        result = await self.backend.run_read(compiled, planned.values, ctx)
        timer.lap("transaction")
        response = serialize_read(planned, result)
        response = HttpResponse(response.status, response.headers + (
            ("content-location", content_location(planned.table, req.query)),), response.body)
        response = apply_response_settings(response, result)
        timer.lap("response")
        return response

    async def write(self, api: ApiRequest, ctx: RequestContext, timer: Timer) -> HttpResponse:
        planned = plan_mutation(api, self.cache, self.options)
        assert isinstance(planned.plan, MutationPlan) and planned.write is not None
        self.backend.authorize(ctx, planned.plan)
        compiled = self.renderer.render_write(planned.plan)
        timer.lap("plan")
        result = await self.backend.run_write(compiled, planned.values, ctx,
                                              lambda r: check_write(planned, r),
                                              planned.write.rollback)
        timer.lap("transaction")
        response = apply_response_settings(serialize_write(planned, result), result)
        timer.lap("response")
        return response

    # -- RPC (issue 10): re-home with the pipeline refactor --------------------------------
    async def call(self, api: ApiRequest, ctx: RequestContext, timer: Timer) -> HttpResponse:
        call = plan_call(api, self.cache, self.options)
        self.backend.authorize(ctx, call.planned.plan)  # issue 10: `execute` grants (SQLite)
        compiled = render_call(self.renderer, call.planned.plan)  # type: ignore[arg-type]
        timer.lap("plan")
        result = await self.backend.run_call(compiled, call.planned.values, ctx,
                                             lambda r: check_call(call, r), call.rollback,
                                             call.readonly)
        timer.lap("transaction")
        response = apply_response_settings(serialize_call(call, result), result)
        timer.lap("response")
        return response

    @staticmethod
    def untimed(response: HttpResponse, timer: Timer) -> HttpResponse:
        """An answer without a transaction still reports every stage, as PostgREST's
        `Server-Timing` does (plan, transaction and response then take no time)."""
        for stage in ("plan", "transaction", "response"):
            timer.lap(stage)
        return response

    def options_response(self, schema: str, resource: str) -> HttpResponse:
        """`Allow` for a table or view (PostgREST `Response.hs`); no transaction."""
        table = self.cache.table(schema, resource)
        if table is None:
            raise TableNotFound(
                f"Could not find the table '{schema}.{resource}' in the schema cache")
        allow = "OPTIONS,GET,HEAD" if table.is_view else "OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE"
        return HttpResponse(200, (("allow", allow),))

    def root(self) -> HttpResponse:
        """A minimal OpenAPI document listing the exposed tables and views."""
        paths = {f"/{t.name}": {"get": {"tags": [t.name]}}
                 for (schema, _), t in sorted(self.cache.tables.items())
                 if schema == self.config.db_schemas[0]}
        doc = {"swagger": "2.0", "info": {"title": "dbrest", "version": "0.1.0"},
               "paths": {"/": {"get": {}}, **paths}}
        return HttpResponse(200, (("content-type", "application/openapi+json; charset=utf-8"),),
                            orjson.dumps(doc))  # HEAD: app.send_response drops the body
