"""Several exposed schemas (PostgreSQL): profiles choose the schema, embeds cross them.

SQLite serves one schema; there the second profile is an unknown schema, PGRST106.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest

from tests.infra.apps import BACKENDS, AppOn, InProcessApp

EXTRA = """
CREATE SCHEMA shop;
CREATE TABLE shop.carts (id integer PRIMARY KEY, owner text NOT NULL,
  book_id integer REFERENCES public.books (id));
INSERT INTO shop.carts VALUES (1, 'ann', 1), (2, 'bob', 3);
"""


def add_schema(uri: str) -> None:
    if not uri.startswith("postgres"):
        return

    async def run() -> None:
        conn = await asyncpg.connect(uri)
        await conn.execute(EXTRA)
        await conn.close()
    asyncio.run(run())


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, app_on: AppOn) -> Iterator[InProcessApp]:
    with app_on(request.param, setup=add_schema, db_schemas="public,shop") as client:
        yield client


def test_accept_profile_selects_the_schema(app: InProcessApp) -> None:
    resp = app.get("/carts?select=id,owner,books(title)&order=id",
                   headers={"Accept-Profile": "shop"})
    if app.backend == "sqlite":
        assert resp.status_code == 404  # SQLite's tables are all in the first schema
        return
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-profile"] == "shop"
    assert resp.json() == [{"id": 1, "owner": "ann", "books": {"title": "A Wizard of Earthsea"}},
                           {"id": 2, "owner": "bob", "books": {"title": "The Dispossessed"}}]


def test_default_schema_is_the_first(app: InProcessApp) -> None:
    resp = app.get("/books?select=id&id=eq.1")
    assert resp.json() == [{"id": 1}]
    assert resp.headers["content-profile"] == "public"  # several schemas: always said


def test_unknown_profile_is_pgrst106(app: InProcessApp) -> None:
    resp = app.get("/books", headers={"Accept-Profile": "nope"})
    assert resp.status_code == 406
    assert resp.json()["code"] == "PGRST106"
    assert resp.json()["hint"] == "Only the following schemas are exposed: public, shop"


def test_content_profile_for_writes(app: InProcessApp) -> None:
    resp = app.request("POST", "/carts", json={"id": 3, "owner": "cy", "book_id": 2},
                       headers={"Content-Profile": "shop", "Prefer": "return=representation"})
    if app.backend == "sqlite":
        assert resp.status_code == 404
        return
    assert resp.status_code == 201, resp.text
    assert resp.json() == [{"id": 3, "owner": "cy", "book_id": 2}]
