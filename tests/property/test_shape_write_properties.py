"""The request-shape cache answers writes exactly as the uncached pipeline, on both backends.

Writes are generated from test_no_5xx.py's requests (table, filters, select, order,
headers) turned into POST, PATCH or DELETE with a JSON body of some of the table's
columns; a sibling keeps the shape (the filters' operators, the body's keys) with other
values. Both apps end every transaction with a rollback (`db_tx_end`), so the fixture
never changes and a cached app and an uncached one can answer the same requests in turn:
status, headers and body must be identical. A POST answers `return=minimal` only: its
representation would show sequence values, which a rollback does not give back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.infra.apps import InProcessApp
from tests.property.test_no_5xx import Request, Schema, _fixture_schema, requests
from tests.property.test_shape_properties import app_pairs, sibling

pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")

Pair = tuple[InProcessApp, InProcessApp]
BODY_VALUES = [None, 0, 1, 7, -3, 2.5, "", "x", "O'Brien", "2020-01-02", True, "abc\\d"]


@pytest.fixture(scope="module")
def write_apps(backend_uris: dict[str, str],
               sqlite_fixture_path: Path) -> Iterator[tuple[Schema, dict[str, Pair]]]:
    with app_pairs(backend_uris, db_tx_end="rollback") as apps:
        yield _fixture_schema(sqlite_fixture_path), apps


def body(draw: st.DrawFn, keys: list[str], array: bool) -> str:
    rows = [{k: draw(st.sampled_from(BODY_VALUES)) for k in keys}
            for _ in range(draw(st.integers(1, 2)) if array else 1)]
    return json.dumps(rows if array else rows[0])


@st.composite
def writes(draw: st.DrawFn, schema: Schema) -> tuple[Request, str, Request, str]:
    """A write and its sibling (same shape, other values), with their bodies."""
    base = draw(requests(schema))
    method = draw(st.sampled_from(["POST", "PATCH", "DELETE"]))
    table = base.url.split("?", 1)[0].lstrip("/")
    headers = [h for h in base.headers if method != "POST" or h[0] != "Prefer"]
    first_body = second_body = ""
    if method != "DELETE":
        columns = schema.columns.get(table, ("id",))
        keys = draw(st.lists(st.sampled_from(columns), unique=True, min_size=1, max_size=3))
        array = method == "POST" and draw(st.booleans())
        first_body, second_body = body(draw, keys, array), body(draw, keys, array)
        headers.append(("Content-Type", "application/json"))
    if method == "POST":
        headers.append(("Prefer", "return=minimal"))
    first = Request(method, base.url, tuple(headers))
    return first, first_body, draw(sibling(first)), second_body


def answer(app: InProcessApp, req: Request, content: str) -> tuple[int, list[tuple[str, str]],
                                                                   object]:
    """Status, headers and body; PostgreSQL's "Failing row contains (…)" shows the row's
    sequence value, which each app's insert advanced: that detail is left out."""
    r = app.request(req.method, req.url, headers=req.headers, content=content.encode())
    body: object = r.content
    if r.status_code >= 400 and b"Failing row contains" in r.content:
        body = {**r.json(), "details": "Failing row contains …"}
    return (r.status_code, [h for h in r.headers.multi_items()
                            if h[0] not in ("date", "content-length")], body)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_cached_writes_answer_as_uncached(write_apps: tuple[Schema, dict[str, Pair]],
                                          data: st.DataObject) -> None:
    schema, apps = write_apps
    first, first_body, second, second_body = data.draw(writes(schema), label="writes")
    for backend, (cached, uncached) in apps.items():
        for req, content in ((first, first_body), (second, second_body), (first, first_body)):
            assert answer(cached, req, content) == answer(uncached, req, content), (
                backend, str(req), content)


def test_write_siblings_hit(write_apps: tuple[Schema, dict[str, Pair]]) -> None:
    """Guards the property above against a cache that never hits on writes."""
    for backend, (cached, uncached) in write_apps[1].items():
        shapes = cached.state.pipeline.shapes  # type: ignore[union-attr]
        hits = shapes.hits
        for value in ("1", "2", "3"):
            req = Request("PATCH", f"/books?id=eq.{value}&select=id,title",
                          (("Content-Type", "application/json"),
                           ("Prefer", "return=representation")))
            content = json.dumps({"title": f"t{value}"})
            assert answer(cached, req, content) == answer(uncached, req, content)
        assert shapes.hits == hits + 2, backend
