"""Small helpers shared by the plan tests: a request in, a `PlannedRequest` out."""

from __future__ import annotations

from urllib.parse import parse_qsl

from dbrest.http import HttpRequest
from dbrest.parse.request import parse_request
from dbrest.plan.read import PlanOptions, plan_read
from dbrest.plan.types import (
    PlannedRequest,
    ReadPlan,
    walk,  # noqa: F401 - re-exported for the plan tests
)
from dbrest.schema import SchemaCache
from tests.plan.schema_fixture import CACHE


def request(target: str, headers: dict[str, str] | None = None,
            method: str = "GET") -> HttpRequest:
    """`"/books?select=id&id=eq.1"` → an `HttpRequest` (query pairs in order)."""
    path, _, query = target.partition("?")
    pairs = tuple(parse_qsl(query, keep_blank_values=True))
    return HttpRequest(method, path, pairs,
                       tuple((k.lower(), v) for k, v in (headers or {}).items()))


def plan(target: str, headers: dict[str, str] | None = None, *,
         cache: SchemaCache = CACHE, max_rows: int | None = None,
         method: str = "GET", schemas: tuple[str, ...] = ("public",)) -> PlannedRequest:
    api = parse_request(request(target, headers, method), schemas)
    return plan_read(api, cache, PlanOptions(max_rows=max_rows))


def keys(read: ReadPlan) -> tuple[str, ...]:
    return tuple(s.key for s in read.select)


