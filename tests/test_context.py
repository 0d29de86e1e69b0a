"""`context.request_context` and `search_path`: the transaction settings SQL reads."""

from __future__ import annotations

import orjson

from dbrest.auth import AuthResult
from dbrest.context import request_context, search_path
from dbrest.http import HttpRequest

_ANON = AuthResult("anon", {"role": "anon"}, False)


def _settings(headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    ctx = request_context(HttpRequest("GET", "/books", (), headers), _ANON)
    assert (ctx.role, ctx.authenticated) == ("anon", False)
    return dict(ctx.settings)


def test_headers_without_cookies_and_no_cookie() -> None:
    got = _settings((("host", "x"), ("accept", "application/json"), ("host", "y")))
    assert orjson.loads(got["request.headers"]) == {"host": "y", "accept": "application/json"}
    assert got["request.cookies"] == "{}"
    assert orjson.loads(got["request.jwt.claims"]) == {"role": "anon"}
    assert (got["request.method"], got["request.path"]) == ("GET", "/books")


def test_cookies_from_every_cookie_header_a_bad_one_skipped() -> None:
    got = _settings((("cookie", "a=1; b=2"), ("accept", "*/*"), ("cookie", 'bad"\\x'),
                     ("cookie", "b=3")))
    assert orjson.loads(got["request.headers"]) == {"accept": "*/*"}
    assert orjson.loads(got["request.cookies"]) == {"a": "1", "b": "3"}


def test_search_path_quotes_and_drops_repeats() -> None:
    assert search_path("api", ("public", "api", 'we"ird')) == \
        (("search_path", '"api", "public", "we""ird"'),)
    assert search_path("api", ()) is search_path("api", ())  # computed once
