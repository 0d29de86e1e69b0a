"""Generated write bodies: never a 5xx, and a refused write leaves no row behind.

Bodies mix the table's real keys with junk keys and values of every JSON type, single
objects and bulk arrays, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.infra.apps import BACKENDS, AppOn, InProcessApp

KEYS = st.sampled_from(["id", "name", "birth_year", "country", "active", "nope", "Name", ""])
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
ROW = st.dictionaries(KEYS, VALUES, max_size=5)
BODY = st.one_of(ROW, st.lists(ROW, min_size=1, max_size=4))
PREFER = st.sampled_from(["", "return=representation", "missing=default",
                          "resolution=merge-duplicates", "return=headers-only"])


@pytest.fixture(scope="module", params=BACKENDS)
def client(request: pytest.FixtureRequest, app_on: AppOn) -> Iterator[InProcessApp]:
    with app_on(request.param) as app:
        yield app


def _count(client: InProcessApp) -> str:
    return client.request("GET", "/authors?select=id",
                          headers={"Prefer": "count=exact"}).headers["content-range"]


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODY, prefer=PREFER, method=st.sampled_from(["POST", "PATCH"]))
def test_writes_never_5xx_nor_partial(client: InProcessApp, body: Any, prefer: str,
                                      method: str) -> None:
    before = _count(client)
    path = "/authors" if method == "POST" else "/authors?id=eq.1"
    resp = client.request(method, path, json=body, headers={"Prefer": prefer} if prefer else {})
    assert resp.status_code < 500, resp.text
    if resp.status_code >= 400:
        error = resp.json()
        assert set(error) == {"code", "message", "details", "hint"}
        assert _count(client) == before  # a refused write wrote nothing
