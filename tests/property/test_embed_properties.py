"""Generated nested select trees over the fixture's relationships: never a 5xx.

Trees are drawn from the live schema cache (tables, columns, relationships, hints), with
aliases, `!inner`, spreads and embedded filters/order/limit, on PostgreSQL and SQLite;
an answer is either the JSON shape the tree asks for or a PostgREST-style error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbrest.schema import SchemaCache
from tests.infra.apps import BACKENDS, AppOn, InProcessApp

ROOTS = ("books", "authors", "reviews", "tags", "orders", "employees", "stores", "regions",
         "publishers", "book_details", "recent_books", "addresses")


@pytest.fixture(scope="module", params=BACKENDS)
def client(request: pytest.FixtureRequest, app_on: AppOn) -> Iterator[InProcessApp]:
    with app_on(request.param) as app:
        yield app


@st.composite
def select_tree(draw: st.DrawFn, cache: SchemaCache, table: str, depth: int,
                path: tuple[str, ...], params: list[tuple[str, str]]) -> str:
    t = cache.table("public", table)
    assert t is not None
    columns = [c.name for c in t.columns]
    items = draw(st.lists(st.sampled_from(columns + ["*"]), min_size=0, max_size=3,
                          unique=True))
    rels = cache.relationships.get(("public", table), ())
    if depth > 0 and rels:
        for rel in draw(st.lists(st.sampled_from(rels), max_size=2, unique=True)):
            name = rel.foreign_table
            hint = draw(st.sampled_from([None, rel.constraint,
                                         rel.junction.table if rel.junction else None]))
            alias = draw(st.sampled_from([None, f"a{depth}{len(items)}"]))
            inner = draw(st.sampled_from(["", "!inner", "!left"]))
            spread = rel.to_one and draw(st.booleans()) and not alias
            key = alias or name
            child = draw(select_tree(cache, name, depth - 1, path + (key,), params))
            target = ("..." if spread else (f"{alias}:" if alias else "")) + name
            target += (f"!{hint}" if hint else "") + inner
            items.append(f"{target}({child})")
            if not rel.to_one and draw(st.booleans()):
                params.append((".".join(path + (key, "limit")), str(draw(st.integers(0, 3)))))
            if draw(st.booleans()):
                target_table = cache.table(rel.foreign_schema, name)
                assert target_table is not None
                col = draw(st.sampled_from([c.name for c in target_table.columns]))
                params.append((".".join(path + (key, col)), "not.is.null"))
    return ",".join(items)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_nested_embeds_never_5xx(client: InProcessApp, data: Any) -> None:
    root = data.draw(st.sampled_from(ROOTS))
    params: list[tuple[str, str]] = []
    select = data.draw(select_tree(client.cache, root, 3, (), params))
    query = "&".join([f"select={select}", "limit=5", *(f"{k}={v}" for k, v in params)])
    resp = client.get(f"/{root}?{query}")
    assert resp.status_code < 500, (query, resp.text)
    body = resp.json()
    if resp.status_code == 200:
        assert isinstance(body, list) and len(body) <= 5
    else:
        assert set(body) == {"code", "message", "details", "hint"}, body
