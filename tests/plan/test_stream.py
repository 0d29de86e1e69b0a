"""`dbrest/plan/stream.py`: which reads may stream, and the capped first try."""

from __future__ import annotations

import pytest

from dbrest.parse.request import parse_request
from dbrest.plan.context import PlanOptions
from dbrest.plan.request import plan_request
from dbrest.plan.stream import capped, streamable
from dbrest.plan.types import QueryPlan
from tests.plan.helpers import request
from tests.plan.schema_fixture import CACHE


def planned(target: str, headers: dict[str, str] | None = None, method: str = "GET",
            max_rows: int | None = None):  # type: ignore[no-untyped-def]
    api = parse_request(request(target, headers, method), ("public",))
    return plan_request(api, CACHE, PlanOptions(max_rows=max_rows))


@pytest.mark.parametrize(("target", "headers", "method", "max_rows", "expected"), [
    ("/books", {}, "GET", None, True),
    ("/books?limit=10001", {}, "GET", None, True),
    ("/books?limit=10000", {}, "GET", None, False),
    ("/books", {}, "GET", 10000, False),  # db_max_rows bounds the page
    ("/books", {}, "GET", 20000, True),
    ("/books", {}, "HEAD", None, False),
    ("/books", {"Prefer": "count=exact"}, "GET", None, False),
    ("/books", {"Accept": "text/csv"}, "GET", None, True),
    ("/books", {"Accept": "application/vnd.pgrst.object+json"}, "GET", None, False),
])
def test_streamable(target: str, headers: dict[str, str], method: str,
                    max_rows: int | None, expected: bool) -> None:
    p = planned(target, headers, method, max_rows)
    assert p.request is not None
    assert streamable(p, p.request.values, method) is expected


def test_capped_adds_or_replaces_the_limit() -> None:
    p = planned("/books?id=gt.3")
    assert p.request is not None and isinstance(p.request.plan, QueryPlan)
    plan, values = capped(p.request.plan, p.request.values, 100)
    assert plan.read.limit is not None and values[plan.read.limit.index] == 101
    assert values[:-1] == p.request.values
    p = planned("/books?id=gt.3&limit=50000")
    assert p.request is not None and isinstance(p.request.plan, QueryPlan)
    plan2, values2 = capped(p.request.plan, p.request.values, 100)
    assert plan2 == p.request.plan and len(values2) == len(p.request.values)
    assert plan2.read.limit is not None and values2[plan2.read.limit.index] == 101
