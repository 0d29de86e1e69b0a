"""The request as SQL sees it: who asks, and the settings of its transaction.

PostgREST's transaction settings (`request.jwt.claims`, `request.headers` with lower-cased
names and without cookies, `request.cookies`, `request.method`, `request.path`). Built
before exec, from the request and its authentication; exec only applies them. A neutral
module: exec imports it, it imports nothing of exec.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie

import orjson

from dbrest import jsontext
from dbrest.auth import AuthResult
from dbrest.http import HttpRequest


@dataclass(frozen=True, slots=True)
class TxSettings:
    """Who asks and the request as SQL sees it: the settings PostgREST makes available
    (`request.jwt.claims`, `request.headers`, … read with `current_setting`)."""

    role: str | None = None
    authenticated: bool = False
    settings: tuple[tuple[str, str], ...] = ()


RequestContext = TxSettings  # the older name, still used by tests and callers


def request_context(req: HttpRequest, auth: AuthResult) -> TxSettings:
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for key, value in req.headers:
        if key != "cookie":
            headers[key] = value
            continue
        try:
            jar = SimpleCookie(value)
        except CookieError:
            continue
        cookies.update((name, morsel.value) for name, morsel in jar.items())
    settings = (
        ("request.jwt.claims", _json(auth.claims)),
        ("request.headers", orjson.dumps(headers).decode()),
        ("request.cookies", orjson.dumps(cookies).decode() if cookies else "{}"),
        ("request.method", req.method),
        ("request.path", req.path),
    )
    return TxSettings(auth.role, auth.authenticated, settings)


def _json(value: object) -> str:
    """orjson, or the standard library for what orjson refuses (integers past 64 bits,
    which a signed token may carry in any claim)."""
    return jsontext.dumps(value)


def with_settings(ctx: TxSettings, extra: tuple[tuple[str, str], ...]) -> TxSettings:
    """The context with more transaction settings (the plan's `timezone`, the search path)."""
    return TxSettings(ctx.role, ctx.authenticated, ctx.settings + extra) if extra else ctx


@lru_cache(maxsize=64)  # the same few (schema, extra) pairs on every request
def search_path(schema: str, extra: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """PostgREST's `search_path`: the request's schema, then `db-extra-search-path`, each
    quoted as an identifier (the value is a parameter of `set_config`, never SQL text)."""
    names = dict.fromkeys((schema, *extra))
    return (("search_path", ", ".join('"' + n.replace('"', '""') + '"' for n in names)),)
