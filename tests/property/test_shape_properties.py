"""The request-shape cache answers exactly as the uncached pipeline, on both backends.

Reads are generated over the fixture as in test_no_5xx.py; a sibling request differs
only in its filters' values (same operators and modifiers, so mostly the same shape;
an `in` list of another length, a value the grammar refuses…). A cached app answers the
request, its sibling (a cache hit when the first one was cacheable) and the request
again; an app whose shape cache is off answers the same three; status, headers and body
must be identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbrest.parse import ast
from dbrest.parse.grammar import p_op_expr
from dbrest.parse.printer import print_filter_value
from dbrest.parse.query_params import run
from dbrest.shape import ShapeCache, is_filter
from tests.infra.apps import InProcessApp
from tests.property.test_no_5xx import VALUES, Request, Schema, _fixture_schema, requests

pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")

Pair = tuple[InProcessApp, InProcessApp]


@contextmanager
def app_pairs(backend_uris: dict[str, str], **settings: Any) -> Iterator[dict[str, Pair]]:
    """Per backend, an app with the shape cache and one without, on the same database."""
    apps: dict[str, Pair] = {}
    try:
        for backend, uri in backend_uris.items():
            cached, uncached = InProcessApp(uri, **settings), InProcessApp(uri, **settings)
            p = uncached.state.pipeline
            assert p is not None
            p.shapes = ShapeCache(p.plan, max_entries=0)
            apps[backend] = (cached, uncached)
        yield apps
    finally:
        for pair in apps.values():
            for app in pair:
                app.close()


@pytest.fixture(scope="module")
def shape_apps(backend_uris: dict[str, str],
               sqlite_fixture_path: Path) -> Iterator[tuple[Schema, dict[str, Pair]]]:
    with app_pairs(backend_uris) as apps:
        yield _fixture_schema(sqlite_fixture_path), apps


@st.composite
def revalued(draw: st.DrawFn, expr: ast.OpExpr) -> ast.OpExpr:
    """`expr` with other values, the same operator and modifiers."""
    value = st.sampled_from(VALUES)
    op = expr.operation
    match op:
        case ast.OpIn():
            op = ast.OpIn(tuple(draw(st.lists(value, max_size=3))))
        case ast.OpQuant() | ast.OpSimple() | ast.OpIsDistinct() | ast.OpFts():
            op = replace(op, value=draw(value))
    return replace(expr, operation=op)


@st.composite
def sibling(draw: st.DrawFn, req: Request) -> Request:
    path, _, query = req.url.partition("?")
    pairs = []
    for raw in query.split("&") if query else []:
        key, eq, value = raw.partition("=")
        try:
            expr = run(p_op_expr, unquote(value), "filter")
        except Exception:
            expr = None
        if eq and expr is not None and is_filter(unquote(key)):
            raw = f"{key}={quote(print_filter_value(draw(revalued(expr))), safe='')}"
        pairs.append(raw)
    return Request(req.method, path + ("?" + "&".join(pairs) if pairs else ""), req.headers)


def answer(app: InProcessApp, req: Request) -> tuple[int, list[tuple[str, str]], bytes]:
    r = app.request(req.method, req.url, headers=req.headers)
    return (r.status_code, [h for h in r.headers.multi_items() if h[0] != "date"], r.content)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_cached_answers_as_uncached(shape_apps: tuple[Schema, dict[str, Pair]],
                                    data: st.DataObject) -> None:
    schema, apps = shape_apps
    first = data.draw(requests(schema), label="request")
    second = data.draw(sibling(first), label="sibling")
    for backend, (cached, uncached) in apps.items():
        for req in (first, second, first):
            assert answer(cached, req) == answer(uncached, req), (backend, str(req))


def test_siblings_hit(shape_apps: tuple[Schema, dict[str, Pair]]) -> None:
    """Guards the property above against a cache that never hits."""
    for backend, (cached, uncached) in shape_apps[1].items():
        shapes = cached.state.pipeline.shapes  # type: ignore[union-attr]
        hits = shapes.hits
        for value in ("1", "2", "3"):
            req = Request("GET", f"/books?select=id&id=gte.{value}&order=id", ())
            assert answer(cached, req) == answer(uncached, req)
        assert shapes.hits == hits + 2, backend
