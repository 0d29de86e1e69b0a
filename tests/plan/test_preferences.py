"""`Preference-Applied`: one function for reads, writes and RPC calls, PostgREST's order."""

from __future__ import annotations

import pytest

from dbrest.parse import ast
from dbrest.parse.rpc import RpcCall
from dbrest.plan.preferences import preference_applied

EVERYTHING = ast.Preferences(
    return_="representation", count="exact", resolution="merge-duplicates", missing="default",
    handling="strict", tx="rollback", max_affected=5)


def api(method: str, prefs: ast.Preferences = EVERYTHING, *, rpc: bool = False,
        tx_allowed: bool = True) -> ast.ApiRequest:
    return ast.ApiRequest(method, "public", "books", preferences=prefs, tx_allowed=tx_allowed,
                          rpc=RpcCall("json") if rpc else None)


@pytest.mark.parametrize(("method", "upsert", "expected"), [
    ("POST", True, ("resolution=merge-duplicates", "missing=default", "return=representation",
                    "count=exact", "tx=rollback", "handling=strict")),
    ("POST", False, ("missing=default", "return=representation", "count=exact",
                     "tx=rollback", "handling=strict")),
    ("PATCH", False, ("missing=default", "return=representation", "count=exact",
                      "tx=rollback", "handling=strict", "max-affected=5")),
    ("PUT", True, ("return=representation", "count=exact", "tx=rollback", "handling=strict")),
    ("DELETE", False, ("return=representation", "count=exact", "tx=rollback",
                       "handling=strict", "max-affected=5")),
])
def test_writes_honour_what_their_method_allows(method: str, upsert: bool,
                                                expected: tuple[str, ...]) -> None:
    assert preference_applied(api(method), upsert=upsert) == expected


@pytest.mark.parametrize("request_", [api("GET"), api("HEAD"), api("GET", rpc=True),
                                      api("POST", rpc=True)])
def test_reads_and_calls_honour_count_tx_and_handling(request_: ast.ApiRequest) -> None:
    assert preference_applied(request_, upsert=True) == (
        "count=exact", "tx=rollback", "handling=strict")


def test_tx_only_where_allowed_and_max_affected_only_when_strict() -> None:
    lenient = ast.Preferences(handling="lenient", tx="commit", max_affected=1)
    assert preference_applied(api("DELETE", lenient, tx_allowed=False)) == ("handling=lenient",)


def test_nothing_asked_nothing_applied() -> None:
    assert preference_applied(api("PATCH", ast.Preferences())) == ()
