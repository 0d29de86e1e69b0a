"""`HttpRequest` → `ApiRequest` (`dbrest/parse/request.py`, PostgREST `userApiRequest`)."""

from __future__ import annotations

from typing import Any

import pytest

from dbrest.errors import (
    DbrestError,
    InvalidRange,
    InvalidResourcePath,
    InvalidSchema,
    ParseError,
    UnsupportedMethod,
)
from dbrest.http import HttpRequest
from dbrest.parse.ast import Field, MediaType, Preferences, Range, SelectField
from dbrest.parse.request import parse_request

SCHEMAS = ("api", "other")


def request(method: str = "GET", path: str = "/books", query: tuple[tuple[str, str], ...] = (),
            headers: dict[str, str] | None = None, **more: str) -> HttpRequest:
    """A request; header keywords spell `-` as `_` (`accept_profile=`)."""
    items = {**(headers or {}), **more}.items()
    return HttpRequest(method, path, query,
                       tuple((k.replace("_", "-"), v) for k, v in items), b"{}")


@pytest.mark.parametrize(("path", "resource"), [
    ("/books", "books"),
    ("/books/", "books"),
    ("//books", "books"),
    ("/", ""),
    ("", ""),
    ("/odd table", "odd table"),
])
def test_resource(path: str, resource: str) -> None:
    assert parse_request(request(path=path), SCHEMAS).resource == resource


@pytest.mark.parametrize("path", ["/a/b", "/rpc/f/x", "/books/1"])
def test_nested_path_is_pgrst125(path: str) -> None:
    with pytest.raises(InvalidResourcePath) as info:
        parse_request(request(path=path), SCHEMAS)
    assert (info.value.code, info.value.status) == ("PGRST125", 404)
    assert info.value.message == "Invalid path specified in request URL"


@pytest.mark.parametrize(("method", "headers", "schema", "profiled"), [
    ("GET", {}, "api", True),  # several schemas: the default one counts as negotiated
    ("GET", {"accept_profile": "other"}, "other", True),
    ("HEAD", {"accept_profile": "other"}, "other", True),
    ("OPTIONS", {"accept_profile": "other"}, "other", True),
    ("GET", {"content_profile": "other"}, "api", True),  # reads ignore Content-Profile
    ("POST", {"content_profile": "other"}, "other", True),
    ("PATCH", {"content_profile": "other"}, "other", True),
    ("PUT", {"content_profile": "other"}, "other", True),
    ("DELETE", {"content_profile": "other"}, "other", True),
    ("POST", {"accept_profile": "other"}, "api", True),  # writes ignore Accept-Profile
])
def test_schema(method: str, headers: dict[str, str], schema: str, profiled: bool) -> None:
    api = parse_request(request(method, headers=headers), SCHEMAS)
    assert (api.schema, api.profile_requested) == (schema, profiled)


def test_single_schema_is_not_negotiated() -> None:
    api = parse_request(request(), ("api",))
    assert (api.schema, api.profile_requested) == ("api", False)
    api = parse_request(request(accept_profile="api"), ("api",))
    assert (api.schema, api.profile_requested) == ("api", True)


@pytest.mark.parametrize(("method", "header"), [
    ("GET", "accept_profile"),
    ("HEAD", "accept_profile"),
    ("POST", "content_profile"),
    ("DELETE", "content_profile"),
])
def test_unknown_schema_is_pgrst106(method: str, header: str) -> None:
    with pytest.raises(InvalidSchema) as info:
        parse_request(request(method, headers={header: "secret"}), SCHEMAS)
    err = info.value
    assert (err.code, err.status) == ("PGRST106", 406)
    assert err.message == "Invalid schema: secret"
    assert err.hint == "Only the following schemas are exposed: api, other"


@pytest.mark.parametrize(("method", "path"), [
    ("TRACE", "/books"),
    ("CONNECT", "/books"),
    ("get", "/books"),
    ("POST", "/"),  # the root is read-only
    ("DELETE", "/"),
])
def test_unsupported_method_is_pgrst117(method: str, path: str) -> None:
    with pytest.raises(UnsupportedMethod) as info:
        parse_request(request(method, path), SCHEMAS)
    assert (info.value.code, info.value.status) == ("PGRST117", 405)
    assert info.value.message == f"Unsupported HTTP method: {method}"


@pytest.mark.parametrize(("req", "error"), [
    # PostgREST's order: path, schema, method, query string, ranges
    (request("TRACE", "/a/b"), InvalidResourcePath),
    (request("TRACE", accept_profile="secret"), InvalidSchema),
    (request("TRACE", query=(("id", "bad"),)), UnsupportedMethod),
    (request(query=(("id", "bad"), ("limit", "-1"))), ParseError),
    (request(query=(("limit", "-1"),), range="5-2"), InvalidRange),
])
def test_error_precedence(req: HttpRequest, error: type[DbrestError]) -> None:
    with pytest.raises(error):
        parse_request(req, SCHEMAS)


def test_query_and_headers_are_parsed() -> None:
    api = parse_request(request(query=(("select", "id"), ("id", "eq.1")),
                                prefer="count=exact", accept="text/csv"), SCHEMAS)
    assert api.method == "GET"
    assert api.query.select == (SelectField(Field("id")),)
    assert len(api.query.filters) == 1
    assert api.preferences == Preferences(count="exact")
    assert api.accept == (MediaType("text/csv"),)


def test_prefer_headers_merge() -> None:
    req = HttpRequest("GET", "/books", (), (("prefer", "count=exact"), ("prefer", "bogus")))
    assert parse_request(req, SCHEMAS).preferences == Preferences(count="exact",
                                                                  invalid=("bogus",))


def test_no_accept_is_anything() -> None:
    assert parse_request(request(), SCHEMAS).accept == (MediaType("*/*"),)


@pytest.mark.parametrize(("method", "query", "headers", "top"), [
    ("GET", (), {}, Range()),
    ("GET", (("limit", "5"), ("offset", "2")), {}, Range(2, 5)),
    ("GET", (), {"range": "0-9"}, Range(0, 10)),
    ("GET", (), {"range": "10-"}, Range(10, None)),
    ("GET", (("limit", "5"),), {"range": "2-20"}, Range(2, 3)),
    ("GET", (("limit", "0"),), {"range": "0-9"}, Range(0, 0)),
    ("GET", (), {"range": "junk"}, Range()),
    ("GET", (("rel.limit", "1"),), {}, Range()),  # an embed's limit is not the top range
    # the Range header only applies to GET (RFC 9110)
    ("HEAD", (), {"range": "0-9"}, Range()),
    ("DELETE", (), {"range": "0-9"}, Range()),
    ("HEAD", (), {"range": "5-2"}, Range()),
])
def test_top_range(method: str, query: Any, headers: dict[str, str], top: Range) -> None:
    assert parse_request(request(method, query=query, headers=headers),
                         SCHEMAS).top_range == top


@pytest.mark.parametrize(("query", "headers", "details"), [
    ((("limit", "-1"),), {}, "Limit should be greater than or equal to zero."),
    ((("limit", "-10"), ("offset", "3")), {}, "Limit should be greater than or equal to zero."),
    ((), {"range": "5-2"},
     "The lower boundary must be lower than or equal to the upper boundary in the Range header."),
])
def test_invalid_range_is_pgrst103(query: Any, headers: dict[str, str], details: str) -> None:
    with pytest.raises(InvalidRange) as info:
        parse_request(request(query=query, headers=headers), SCHEMAS)
    err = info.value
    assert (err.code, err.status) == ("PGRST103", 416)
    assert err.message == "Requested range not satisfiable"
    assert err.details == details


def test_negative_embed_limit_is_left_to_the_planner() -> None:
    api = parse_request(request(query=(("rel.limit", "-1"),)), SCHEMAS)
    assert api.query.ranges == ((("rel",), Range(0, -1)),)
