"""Generated nested select trees over the fixture's relationships: never a 5xx.

Trees are drawn from the live schema cache (tables, columns, relationships, hints), with
aliases, `!inner`, spreads and embedded filters/order/limit, on PostgreSQL and SQLite;
an answer is either the JSON shape the tree asks for or a PostgREST-style error.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.pgserver import create_database
from dbrest.app import AppState, create_app
from dbrest.config import load_config
from dbrest.schema import SchemaCache

ROOTS = ("books", "authors", "reviews", "tags", "orders", "employees", "stores", "regions",
         "publishers", "book_details", "recent_books", "addresses")


class Client:
    def __init__(self, uri: str, role: str) -> None:
        self.loop = asyncio.new_event_loop()
        config = load_config({"db_uri": uri, "db_anon_role": role}, environ={})
        self.state = AppState(config)
        self.loop.run_until_complete(self.state.start())
        assert self.state.pipeline is not None
        self.cache: SchemaCache = self.state.pipeline.cache
        transport = httpx.ASGITransport(app=create_app(config, self.state))  # type: ignore[arg-type]
        self.client = httpx.AsyncClient(transport=transport, base_url="http://dbrest")

    def get(self, path: str) -> httpx.Response:
        return self.loop.run_until_complete(self.client.get(path))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self.state.stop())
        self.loop.close()


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def client(request: pytest.FixtureRequest, pg_admin_uri: str, pg_fixture_uri: str,
           sqlite_fixture_path: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Client]:
    if request.param == "postgres":
        uri, role = create_database(pg_admin_uri, "prop_embed", template="dbrest_fixture"), \
            "postgres"
    else:
        path = tmp_path_factory.mktemp("prop") / "embed.sqlite"
        shutil.copyfile(sqlite_fixture_path, path)
        uri, role = f"sqlite:{path}", "anon"
    c = Client(uri, role)
    yield c
    c.close()


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
def test_nested_embeds_never_5xx(client: Client, data: Any) -> None:
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
