"""Generated write bodies: never a 5xx, and a refused write leaves no row behind.

Bodies mix the table's real keys with junk keys and values of every JSON type, single
objects and bulk arrays, on PostgreSQL and SQLite alike.
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

KEYS = st.sampled_from(["id", "name", "birth_year", "country", "active", "nope", "Name", ""])
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
    st.text(max_size=12), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
ROW = st.dictionaries(KEYS, VALUES, max_size=5)
BODY = st.one_of(ROW, st.lists(ROW, min_size=1, max_size=4))
PREFER = st.sampled_from(["", "return=representation", "missing=default",
                          "resolution=merge-duplicates", "return=headers-only"])


class Client:
    """One app on one event loop, kept for the whole test."""

    def __init__(self, uri: str) -> None:
        self.loop = asyncio.new_event_loop()
        role = "postgres" if uri.startswith("postgres") else "anon"
        config = load_config({"db_uri": uri, "db_anon_role": role}, environ={})
        self.state = AppState(config)
        self.loop.run_until_complete(self.state.start())
        transport = httpx.ASGITransport(app=create_app(config, self.state))  # type: ignore[arg-type]
        self.client = httpx.AsyncClient(transport=transport, base_url="http://dbrest")

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, path, **kw))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self.state.stop())
        self.loop.close()


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def client(request: pytest.FixtureRequest, pg_admin_uri: str, pg_fixture_uri: str,
           sqlite_fixture_path: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Client]:
    if request.param == "postgres":
        uri = create_database(pg_admin_uri, "prop_writes", template="dbrest_fixture")
    else:
        path = tmp_path_factory.mktemp("prop") / "writes.sqlite"
        shutil.copyfile(sqlite_fixture_path, path)
        uri = f"sqlite:{path}"
    c = Client(uri)
    yield c
    c.close()


def _count(client: Client) -> str:
    return client.request("GET", "/authors?select=id",
                          headers={"Prefer": "count=exact"}).headers["content-range"]


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODY, prefer=PREFER, method=st.sampled_from(["POST", "PATCH"]))
def test_writes_never_5xx_nor_partial(client: Client, body: Any, prefer: str,
                                      method: str) -> None:
    before = _count(client)
    path = "/authors" if method == "POST" else "/authors?id=eq.1"
    resp = client.request(method, path, json=body, headers={"Prefer": prefer} if prefer else {})
    assert resp.status_code < 500, resp.text
    if resp.status_code >= 400:
        error = resp.json()
        assert set(error) == {"code", "message", "details", "hint"}
        assert _count(client) == before  # a refused write wrote nothing
