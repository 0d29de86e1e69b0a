"""The PyPI `postgrest` client (supabase-py's) against dbrest, unchanged, on both backends.

The compatibility target is PostgREST's existing clients: this drives the real client
library through reads, embedding, filters, single rows, writes, upserts and errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import postgrest
import pytest

from tests.infra.apps import fixture_copy, serving


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def uri(request: pytest.FixtureRequest, pg_admin_uri: str, pg_fixture_uri: str,
        sqlite_fixture_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield fixture_copy(request.param, "e2e_client", pg_admin_uri, sqlite_fixture_path,
                       tmp_path_factory.mktemp("client"))


def run(uri: str, scenario: Any) -> Any:
    async def main() -> Any:
        async with serving(uri) as served:
            client = postgrest.AsyncPostgrestClient("http://dbrest", http_client=served.client)
            return await scenario(client)
    return asyncio.run(main())


def test_reads(uri: str) -> None:
    async def scenario(c: Any) -> list[Any]:
        return [
            (await c.from_("books").select("title, authors(name)").eq("id", 1).execute()).data,
            (await c.from_("books").select("id", count="exact").lte("id", 3).execute()).count,
            (await c.from_("books").select("id").in_("id", [2, 4]).order("id", desc=True)
             .execute()).data,
            (await c.from_("authors").select("name").ilike("name", "%le guin%").execute()).data,
            (await c.from_("books").select("id").or_("id.eq.1,id.eq.2").order("id")
             .execute()).data,
            (await c.from_("books").select("id,title").eq("id", 2).single().execute()).data,
            (await c.from_("books").select("id").range(0, 1).order("id").execute()).data,
        ]

    assert run(uri, scenario) == [
        [{"title": "A Wizard of Earthsea", "authors": {"name": "Ursula K. Le Guin"}}],
        3,
        [{"id": 4}, {"id": 2}],
        [{"name": "Ursula K. Le Guin"}],
        [{"id": 1}, {"id": 2}],
        {"id": 2, "title": "The Left Hand of Darkness"},
        [{"id": 1}, {"id": 2}],
    ]


def test_writes(uri: str) -> None:
    async def scenario(c: Any) -> list[Any]:
        tags = c.from_("tags")
        return [
            (await tags.insert({"id": 700, "name": "from-client"}).execute()).data,
            (await tags.update({"name": "renamed"}).eq("id", 700).execute()).data,
            (await tags.upsert({"id": 700, "name": "upserted"}).execute()).data,
            (await tags.delete().eq("id", 700).execute()).data,
            (await tags.select("id").eq("id", 700).execute()).data,
        ]

    assert run(uri, scenario) == [
        [{"id": 700, "name": "from-client"}],
        [{"id": 700, "name": "renamed"}],
        [{"id": 700, "name": "upserted"}],
        [{"id": 700, "name": "upserted"}],
        [],
    ]


def test_errors_reach_the_client_as_api_errors(uri: str) -> None:
    async def scenario(c: Any) -> Any:
        with pytest.raises(postgrest.APIError) as err:
            await c.from_("nosuch").select("*").execute()
        return err.value.code

    assert run(uri, scenario) == "PGRST205"


def test_rpc(uri: str) -> None:
    """`.rpc()`: POST and GET calls, filters and order on a set, errors (PostgreSQL; SQLite
    has no functions yet and answers PGRST202)."""
    async def scenario(c: Any) -> Any:
        if not uri.startswith("postgres"):
            with pytest.raises(postgrest.APIError) as err:
                await c.rpc("add_them", {"a": 1, "b": 2}).execute()
            return err.value.code
        return [
            (await c.rpc("add_them", {"a": 1, "b": 2}).execute()).data,
            (await c.rpc("greet", {"name": "client"}, get=True).execute()).data,
            (await c.rpc("books_by", {"author": 1}).select("id").gt("year", 1968)
             .order("id", desc=True).execute()).data,
            (await c.rpc("books_by", {"author": 2}, count="exact").select("id").limit(1)
             .execute()).count,
        ]

    result = run(uri, scenario)
    if uri.startswith("postgres"):
        assert result == [3, "hello client", [{"id": 3}, {"id": 2}], 3]
    else:
        assert result == "PGRST202"
