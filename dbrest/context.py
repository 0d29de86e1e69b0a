"""The request as SQL sees it, and what SQL may say back about the response.

PostgREST's transaction settings (`request.jwt.claims`, `request.headers` with lower-cased
names and without cookies, `request.cookies`, `request.method`, `request.path`) and its
`response.headers` / `response.status` overrides (`Response/GucHeader.hs`): a JSON array
of single-key objects adds or replaces headers; an integer replaces the status.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

import orjson

from dbrest.auth import AuthResult
from dbrest.errors import GucHeadersError, GucStatusError
from dbrest.exec.base import ReadResult, RequestContext
from dbrest.http import HttpRequest, HttpResponse


def request_context(req: HttpRequest, auth: AuthResult) -> RequestContext:
    headers = {k: v for k, v in req.headers if k != "cookie"}
    cookies: dict[str, str] = {}
    for raw in req.header_all("cookie"):
        try:
            jar = SimpleCookie(raw)
        except CookieError:
            continue
        cookies.update((name, morsel.value) for name, morsel in jar.items())
    settings = (
        ("request.jwt.claims", orjson.dumps(auth.claims).decode()),
        ("request.headers", orjson.dumps(headers).decode()),
        ("request.cookies", orjson.dumps(cookies).decode()),
        ("request.method", req.method),
        ("request.path", req.path),
    )
    return RequestContext(auth.role, auth.authenticated, settings)


def apply_response_settings(response: HttpResponse, result: ReadResult) -> HttpResponse:
    status = response.status
    headers = list(response.headers)
    if result.response_status:
        try:
            status = int(result.response_status)
        except ValueError:
            raise GucStatusError("response.status guc must be a valid status code") from None
        if not 100 <= status <= 599:
            raise GucStatusError("response.status guc must be a valid status code")
    if result.response_headers:
        for name, value in _guc_headers(result.response_headers):
            headers = [(k, v) for k, v in headers if k != name] + [(name, value)]
    if status == response.status and len(headers) == len(response.headers) \
            and not result.response_headers:
        return response
    return HttpResponse(status, tuple(headers), response.body)


def _guc_headers(text: str) -> list[tuple[str, str]]:
    try:
        items = orjson.loads(text)
    except orjson.JSONDecodeError:
        items = None
    pairs = []
    if isinstance(items, list):
        for item in items:
            if not (isinstance(item, dict) and len(item) == 1):
                break
            (name, value), = item.items()
            if not isinstance(value, str):
                break
            pairs.append((name.lower(), value))
        else:
            return pairs
    raise GucHeadersError("response.headers guc must be a JSON array composed of objects "
                          "with a single key and a string value")
