"""Several exposed schemas (PostgreSQL): profiles choose the schema, embeds cross them.

SQLite serves one schema; there the second profile is an unknown schema, PGRST106.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.support import InProcessApp, fixture_copy

EXTRA = """
CREATE SCHEMA shop;
CREATE TABLE shop.carts (id integer PRIMARY KEY, owner text NOT NULL,
  book_id integer REFERENCES public.books (id));
INSERT INTO shop.carts VALUES (1, 'ann', 1), (2, 'bob', 3);
"""


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def app(request: pytest.FixtureRequest, pg_admin_uri: str, pg_fixture_uri: str,
        sqlite_fixture_path: Path, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[InProcessApp]:
    uri = fixture_copy(request.param, "e2e_schemas", pg_admin_uri, sqlite_fixture_path,
                       tmp_path_factory.mktemp("schemas"))
    if request.param == "postgres":
        async def add_schema() -> None:
            conn = await asyncpg.connect(uri)
            await conn.execute(EXTRA)
            await conn.close()
        asyncio.run(add_schema())
    client = InProcessApp(uri, db_schemas="public,shop")
    client.backend = request.param  # type: ignore[attr-defined]
    yield client
    client.close()


def test_accept_profile_selects_the_schema(app: InProcessApp) -> None:
    resp = app.get("/carts?select=id,owner,books(title)&order=id",
                   headers={"Accept-Profile": "shop"})
    if app.backend == "sqlite":  # type: ignore[attr-defined]
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
    if app.backend == "sqlite":  # type: ignore[attr-defined]
        assert resp.status_code == 404
        return
    assert resp.status_code == 201, resp.text
    assert resp.json() == [{"id": 3, "owner": "cy", "book_id": 2}]
