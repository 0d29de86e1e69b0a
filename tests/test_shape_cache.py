"""The request-shape cache (dbrest/shape.py): a repeated read shape skips parse, plan and
render, and answers exactly as the uncached pipeline does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dbrest.pipeline as pipeline_module
from dbrest.errors import ParseError
from dbrest.parse.ast import OpExpr
from dbrest.parse.grammar import p_op_expr
from dbrest.parse.printer import print_filter_value
from dbrest.parse.query_params import run
from dbrest.parse.request import parse_request
from dbrest.pipeline import Pipeline
from dbrest.plan.request import plan_request
from dbrest.shape import ShapeCache, parse_filter
from tests.infra.apps import InProcessApp
from tests.property.strategies import operations


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def apps(request: pytest.FixtureRequest,
         backend_uris: dict[str, str]) -> Iterator[tuple[InProcessApp, InProcessApp]]:
    """(cached, uncached) apps on one backend's fixture."""
    cached, uncached = InProcessApp(backend_uris[request.param]), \
        InProcessApp(backend_uris[request.param])
    pipeline(uncached).shapes = ShapeCache(pipeline(uncached).plan, max_entries=0)
    try:
        yield cached, uncached
    finally:
        cached.close()
        uncached.close()


def pipeline(app: InProcessApp) -> Pipeline:
    assert app.state.pipeline is not None
    return app.state.pipeline


def answer(app: InProcessApp, url: str, **kw: Any) -> tuple[int, dict[str, str], bytes]:
    r = app.get(url, **kw)
    headers = {k: v for k, v in r.headers.items() if k not in ("date", "server-timing")}
    return r.status_code, headers, r.content


def same(apps: tuple[InProcessApp, InProcessApp], url: str, **kw: Any) -> Any:
    cached, uncached = apps
    got = answer(cached, url, **kw)
    assert got == answer(uncached, url, **kw), url
    return got


def test_repeated_shape_skips_parse_plan_render(
        apps: tuple[InProcessApp, InProcessApp], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[str, int] = {"parse": 0, "plan": 0, "render": 0}

    def counting(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kw: Any) -> Any:
            calls[name] += 1
            return fn(*args, **kw)
        return wrapper

    monkeypatch.setattr(pipeline_module, "parse_request",
                        counting("parse", parse_request))
    monkeypatch.setattr(pipeline_module, "plan_request",
                        counting("plan", plan_request))
    monkeypatch.setattr(Pipeline, "render", counting("render", Pipeline.render))
    url = "/books?select=id,title&id=in.({})&title=not.is.null&order=id&limit=5"
    first = same(apps, url.format("1,2"))
    assert first[0] == 200 and calls["render"] == 2  # the cached and the uncached app
    before = dict(calls)
    shapes = pipeline(apps[0]).shapes
    hits = shapes.hits
    status, _, body = answer(apps[0], url.format("3,4,5"))
    assert calls == before and shapes.hits == hits + 1
    assert status == 200 and body == answer(apps[1], url.format("3,4,5"))[2]


@pytest.mark.parametrize("urls", [
    # a value that changes the plan is part of the shape
    ["/books?id=eq.1&select=id", "/books?id=is.null&select=id", "/books?id=in.(1,2)&select=id",
     "/books?id=not.eq.1&select=id", "/books?id=eq(any).{1,3}&select=id"],
    ["/books?select=id&limit=1", "/books?select=id&limit=2", "/books?select=id",
     "/books?select=id&offset=1", "/books?select=id,title&limit=1"],
    ["/books?select=id&order=id.desc&id=lt.4", "/books?select=id&order=id&id=lt.3"],
    ["/books?id=in.()&select=id", "/books?id=in.(1)&select=id", "/books?id=in.()&select=id"],
    ["/books?title=like.*u*&select=id", "/books?title=like.D*&select=id",
     "/books?title=ilike(any).{*dune*,*a*}&select=id"],
])
def test_values_that_change_the_plan(apps: tuple[InProcessApp, InProcessApp],
                                     urls: list[str]) -> None:
    for url in urls + urls:
        same(apps, url)


def test_a_bad_value_on_a_cached_shape_answers_the_uncached_error(
        apps: tuple[InProcessApp, InProcessApp]) -> None:
    assert same(apps, "/books?id=in.(1,2)&select=id")[0] == 200
    for bad in ['in.(1,"2', "in.(1", "eq.abc", "in.(1,x)"]:
        status, _, body = same(apps, f"/books?id={bad}&select=id")
        assert status == 400, (bad, body)


def test_headers_are_part_of_the_shape(apps: tuple[InProcessApp, InProcessApp]) -> None:
    url = "/books?select=id&id=lt.{}"
    for headers in [{}, {"Accept": "text/csv"}, {"Prefer": "count=exact"},
                    {"Range": "0-0"}, {"Accept": "application/vnd.pgrst.object+json"},
                    {"Accept-Profile": "nope"}, {}]:
        for value in ("2", "3"):
            same(apps, url.format(value), headers=headers)


def test_bounded_and_new_with_the_pipeline(apps: tuple[InProcessApp, InProcessApp]) -> None:
    cached = pipeline(apps[0])
    shapes = ShapeCache(cached.plan, max_entries=2)
    old, cached.shapes = cached.shapes, shapes
    try:
        for column in ("id", "title", "author_id"):
            same(apps, f"/books?select=id&{column}=is.null")
        assert len(shapes._entries) == 2
    finally:
        cached.shapes = old
    fresh = Pipeline(cached.config, cached.backend, cached.cache)
    assert fresh.shapes is not cached.shapes and not fresh.shapes._entries


@settings(max_examples=500, deadline=None)
@given(expr=operations(st.text(), st.sampled_from(["english", "simple"])),
       raw=st.text(max_size=12))
def test_fast_filter_parse_is_the_grammars(expr: OpExpr, raw: str) -> None:
    """`parse_filter` reads a value as `p_op_expr` does, or fails where it fails."""
    for text in (print_filter_value(expr), raw, "not." + raw, "eq." + raw):
        try:
            want: object = run(p_op_expr, text, "filter")
        except ParseError as err:
            want = (err.message, err.details)
        try:
            got: object = parse_filter(text)
        except ParseError as err:
            got = (err.message, err.details)
        assert got == want, text

