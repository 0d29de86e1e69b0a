"""Planning RPC calls against an in-memory schema: resolution, arguments, errors."""

from __future__ import annotations

import orjson
import pytest

from dbrest.errors import (
    AmbiguousFunction,
    FunctionNotFound,
    InvalidRpcMethod,
    MaxAffectedRpcViolation,
)
from dbrest.http import HttpRequest
from dbrest.parse.request import parse_request
from dbrest.plan.call import CallPlan, PlannedCall, plan_call, rpc_allow
from tests.plan.helpers import request
from tests.plan.rpc_fixture import RPC_CACHE


def call(target: str, method: str = "GET", body: bytes = b"",
         headers: dict[str, str] | None = None) -> PlannedCall:
    req = request(target, headers, method)
    req = HttpRequest(req.method, req.path, req.query, req.headers, body)
    return plan_call(parse_request(req, ("public",)), RPC_CACHE)


def plan_of(c: PlannedCall) -> CallPlan:
    assert isinstance(c.planned.plan, CallPlan)
    return c.planned.plan


def test_get_arguments_become_one_json_value() -> None:
    c = call("/rpc/add?a=1&b=2")
    p = plan_of(c)
    assert [a.name for a in p.args] == ["a", "b"]
    assert p.body is not None
    assert orjson.loads(c.planned.values[p.body.index]) == {"a": "1", "b": "2"}
    assert c.readonly


def test_query_keys_with_operators_are_filters_not_arguments() -> None:
    p = plan_of(call("/rpc/books_by?author=1&year=gt.2000&select=id"))
    assert [a.name for a in p.args] == ["author"]
    assert p.read is not None and p.read.where and p.read.mutated


def test_omitted_default_argument_is_not_passed() -> None:
    assert plan_of(call("/rpc/greet")).args == ()
    assert [a.name for a in plan_of(call("/rpc/greet?name=x")).args] == ["name"]


def test_same_argument_names_give_equal_plans() -> None:
    assert plan_of(call("/rpc/add?a=1&b=2")) == plan_of(call("/rpc/add?b=5&a=9"))


def test_repeated_keys_make_a_variadic_array() -> None:
    c = call("/rpc/total?v=1&v=2")
    p = plan_of(c)
    assert p.body is not None
    assert orjson.loads(c.planned.values[p.body.index]) == {"v": ["1", "2"]}


def test_post_json_is_passed_as_sent() -> None:
    c = call("/rpc/add", "POST", b'{"a": 1, "b": 2}')
    p = plan_of(c)
    assert p.body is not None
    assert orjson.loads(c.planned.values[p.body.index]) == {"a": 1, "b": 2}


def test_single_unnamed_json_parameter_takes_the_body() -> None:
    c = call("/rpc/echo", "POST", b'[1, 2]')
    p = plan_of(c)
    assert p.positional == "json" and p.args == ()
    assert p.body is not None and c.planned.values[p.body.index] == "[1, 2]"


def test_volatility_decides_read_only() -> None:
    assert not call("/rpc/touch", "POST").readonly
    assert call("/rpc/add", "POST", b'{"a": 1, "b": 2}').readonly  # immutable
    assert call("/rpc/touch").readonly  # GET is always read-only


def test_table_result_embeds_its_relationships() -> None:
    p = plan_of(call("/rpc/books_by?author=1&select=title,authors(name)"))
    assert p.read is not None and p.read.table == "books"
    assert [s.key for s in p.read.select] == ["title", "authors"]


def test_returns_table_columns_are_selectable() -> None:
    p = plan_of(call("/rpc/pairs?select=v&k=eq.x"))
    assert p.read is not None and [s.key for s in p.read.select] == ["v"]


def test_not_found_with_a_fuzzy_name_hint() -> None:
    with pytest.raises(FunctionNotFound) as info:
        call("/rpc/zzz?a=1&b=2")
    err = info.value
    assert (err.http_status(), err.message, err.hint) == (
        404, "Could not find the function public.zzz(a, b) in the schema cache", None)
    with pytest.raises(FunctionNotFound) as info:
        call("/rpc/greeet")
    assert info.value.hint == "Perhaps you meant to call the function public.greet"
    assert info.value.details == ("Searched for the function public.greeet without "
                                  "parameters, but no matches were found in the schema cache.")


def test_not_found_with_a_parameter_hint() -> None:
    with pytest.raises(FunctionNotFound) as info:
        call("/rpc/add", "POST", b'{"a": 1, "c": 2}')
    assert info.value.hint == "Perhaps you meant to call the function public.add(a, b)"
    assert "or with a single unnamed json/jsonb parameter" in str(info.value.details)


def test_ambiguous_overloads() -> None:
    with pytest.raises(AmbiguousFunction) as info:
        call("/rpc/dup?x=1")
    assert info.value.http_status() == 300
    assert info.value.message == ("Could not choose the best candidate function between: "
                                  "public.dup(x => integer), public.dup(x => text)")


def test_max_affected_needs_a_set() -> None:
    with pytest.raises(MaxAffectedRpcViolation):
        call("/rpc/add?a=1&b=2", headers={"Prefer": "handling=strict, max-affected=1"})
    assert call("/rpc/books_by?author=1",
                headers={"Prefer": "handling=strict, max-affected=1"}).max_affected == 1


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_other_methods_are_pgrst101(method: str) -> None:
    with pytest.raises(InvalidRpcMethod) as info:
        call("/rpc/add", method, b"{}")
    assert info.value.message == f"Cannot use the {method} method on RPC"


@pytest.mark.parametrize(("target", "allow"), [
    ("/rpc/touch", "OPTIONS,POST"), ("/rpc/add", "OPTIONS,GET,HEAD,POST")])
def test_options_allow(target: str, allow: str) -> None:
    api = parse_request(request(target, method="OPTIONS"), ("public",))
    assert rpc_allow(RPC_CACHE, api) == allow
