"""The request-shape cache (dbrest/shape.py) on writes: POST, PATCH and DELETE repeated with
new values skip parse and plan, and answer and write exactly as the uncached pipeline.

Its own module: the apps here are on fresh copies of the fixture, which PostgreSQL copies
from a template no other open app may be connected to (test_shape_cache.py's are)."""

from __future__ import annotations

from typing import Any

import pytest

import dbrest.pipeline as pipeline_module
from dbrest.parse.request import parse_request
from dbrest.pipeline import Pipeline
from dbrest.shape import ShapeCache
from tests.infra.apps import InProcessApp


def pipeline(app: InProcessApp) -> Pipeline:
    assert app.state.pipeline is not None
    return app.state.pipeline


JSON_BODY = {"Content-Type": "application/json"}
REPRESENT = {**JSON_BODY, "Prefer": "return=representation"}
# (method, url, headers, body): run in order on a cached and an uncached app, each on its
# own fresh copy of the fixture; repeated shapes with new values are hits
WRITES: list[tuple[str, str, dict[str, str], str]] = [
    ("POST", "/empty_table", JSON_BODY, '{"name": "a"}'),
    ("POST", "/empty_table", JSON_BODY, '{"name": "b"}'),
    ("POST", "/empty_table", REPRESENT, '[{"name": "c"}, {"name": "d"}]'),
    ("POST", "/empty_table", REPRESENT, '[{"name": "e"}]'),
    ("POST", "/empty_table", REPRESENT, "[]"),
    ("POST", "/empty_table", REPRESENT, '{"nme": "x"}'),  # PGRST204
    ("POST", "/empty_table", REPRESENT, '{"name": '),  # invalid JSON
    ("POST", "/empty_table", REPRESENT, '[{"name": "y"}, {"other": 1}]'),  # keys differ
    ("POST", "/empty_table?columns=name&select=name", REPRESENT, '[{"name": "f", "x": 1}]'),
    ("POST", "/empty_table?columns=name&select=name", REPRESENT, '[{"name": "g", "x": 2}]'),
    ("POST", "/empty_table", {"Content-Type": "application/x-www-form-urlencoded",
                              "Prefer": "return=representation"}, "name=h"),
    ("POST", "/empty_table", {"Content-Type": "application/x-www-form-urlencoded",
                              "Prefer": "return=representation"}, "name=i"),
    ("POST", "/empty_table", {"Content-Type": "text/csv"}, "name\nj\nk"),
    ("POST", "/empty_table", {"Content-Type": "text/csv"}, "name\nl"),
    ("POST", "/empty_table", {**REPRESENT, "Prefer": "resolution=merge-duplicates"},
     '{"id": 1, "name": "A"}'),
    ("POST", "/empty_table", {**REPRESENT, "Prefer": "resolution=merge-duplicates"},
     '{"id": 2, "name": "B"}'),
    ("PATCH", "/empty_table?id=eq.3", REPRESENT, '{"name": "C"}'),
    ("PATCH", "/empty_table?id=eq.4", REPRESENT, '{"name": "D"}'),
    ("PATCH", "/empty_table?id=in.(5,6)", {**JSON_BODY, "Prefer": "count=exact"},
     '{"name": "E"}'),
    ("PATCH", "/empty_table?id=in.(7)", {**JSON_BODY, "Prefer": "count=exact"},
     '{"name": "F"}'),
    ("PATCH", "/empty_table?id=eq.abc", JSON_BODY, '{"name": "G"}'),  # 22P02 on PostgreSQL
    ("PATCH", "/empty_table?id=eq.8", JSON_BODY, "{}"),  # updates nothing
    ("DELETE", "/empty_table?id=eq.9", {"Prefer": "return=representation"}, ""),
    ("DELETE", "/empty_table?id=eq.10", {"Prefer": "return=representation"}, ""),
    ("DELETE", "/empty_table?name=eq.l", {}, ""),
    ("PUT", "/empty_table?id=eq.11", REPRESENT, '{"id": 11, "name": "H"}'),
    ("PUT", "/empty_table?id=eq.12", REPRESENT, '{"id": 99, "name": "I"}'),  # PGRST115
]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_writes_answer_as_uncached(app_on: Any, backend: str,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write, repeated with new values, answers and writes as the uncached pipeline;
    the repeats skip parse and plan."""
    parses = {"n": 0}

    def counting(*args: Any, **kw: Any) -> Any:
        parses["n"] += 1
        return parse_request(*args, **kw)

    monkeypatch.setattr(pipeline_module, "parse_request", counting)
    with app_on(backend) as cached, app_on(backend) as uncached:
        pipeline(uncached).shapes = ShapeCache(pipeline(uncached).plan, max_entries=0)
        shapes = pipeline(cached).shapes
        for method, url, headers, body in WRITES:
            before, hits = parses["n"], shapes.hits
            got = [(r.status_code, {k: v for k, v in r.headers.items()
                                    if k not in ("date", "server-timing")}, r.content)
                   for r in (app.request(method, url, headers=headers, content=body)
                             for app in (cached, uncached))]
            assert got[0] == got[1], (method, url, body)
            if shapes.hits > hits:  # a hit parsed nothing (the uncached app parsed once)
                assert parses["n"] == before + 1, (method, url, body)
        final = [app.get("/empty_table?order=id").json() for app in (cached, uncached)]
    assert final[0] == final[1] and len(final[0]) > 5
    assert shapes.hits >= 8  # b, e, g, i, l, B, D, F, id=eq.10
