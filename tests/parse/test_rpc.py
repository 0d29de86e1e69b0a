"""Parsing RPC requests: which query keys are arguments, and the bodies."""

from __future__ import annotations

import pytest

from dbrest.errors import InvalidBody
from dbrest.parse.rpc import has_operator, parse_rpc_body, split_rpc_query


@pytest.mark.parametrize(("value", "expected"), [
    ("1", False), ("eq.1", True), ("not.eq.1", True), ("in.(1,2)", True), ("is.null", True),
    ("fts(english).cat", True), ("{1,2}", False), ("hello.world", False), ("not", False)])
def test_has_operator(value: str, expected: bool) -> None:
    assert has_operator(value) is expected


def test_split_rpc_query() -> None:
    args, rest = split_rpc_query((("a", "1"), ("select", "x"), ("b", "gt.2"), ("v", "1"),
                                  ("v", "2"), ("rel.c", "3"), ("order", "x"), ("e", "")))
    assert args == (("a", "1"), ("v", "1"), ("v", "2"))
    assert rest == (("select", "x"), ("b", "gt.2"), ("rel.c", "3"), ("order", "x"), ("e", ""))


def test_bodies() -> None:
    assert parse_rpc_body(None, b"", False).keys == frozenset()
    assert parse_rpc_body("application/json", b'{"a":1}', False).keys == {"a"}
    form = parse_rpc_body("application/x-www-form-urlencoded", b"v=1&v=2&a=x", False)
    assert form.pairs == (("v", ("1", "2")), ("a", ("x",)))
    assert parse_rpc_body("text/csv", b"a,b\n1,2", False).pairs == (("a", ("1",)), ("b", ("2",)))
    raw = parse_rpc_body("text/plain; charset=utf-8", b"hi", False)
    assert (raw.kind, raw.raw) == ("raw", b"hi")
    with pytest.raises(InvalidBody):
        parse_rpc_body("application/json", b"{bad", False)
    with pytest.raises(InvalidBody):
        parse_rpc_body("image/png", b"", False)
