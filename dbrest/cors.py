"""CORS, as PostgREST's `Cors.hs` (wai-cors) answers it.

Only requests carrying `Origin` get CORS headers. With no `server_cors_allowed_origins`
every origin is allowed (`Access-Control-Allow-Origin: *`); with a list, a listed origin
is echoed back with credentials allowed and others get no CORS headers. A preflight
(`OPTIONS` with `Access-Control-Request-Method`) is answered here, before authentication.
"""

from __future__ import annotations

from dbrest.http import HttpRequest, HttpResponse

METHODS = "GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD"
EXPOSED = ("Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, "
           "Server, Transfer-Encoding, Range-Unit")
BASE_ALLOWED_HEADERS = "Authorization, Accept, Accept-Language, Content-Language"


def cors_headers(req: HttpRequest, allowed: tuple[str, ...] | None,
                 preflight: bool) -> tuple[tuple[str, str], ...]:
    origin = req.header("origin")
    if origin is None:
        return ()
    if allowed is None:
        headers = [("access-control-allow-origin", "*")]
    elif origin in allowed:
        headers = [("access-control-allow-origin", origin),
                   ("access-control-allow-credentials", "true")]
    else:
        return ()
    if preflight:
        requested = req.header("access-control-request-headers")
        allow_headers = BASE_ALLOWED_HEADERS + (f", {requested}" if requested else "")
        headers += [("access-control-allow-methods", METHODS),
                    ("access-control-allow-headers", allow_headers),
                    ("access-control-max-age", "86400")]
    else:
        headers.append(("access-control-expose-headers", EXPOSED))
    return tuple(headers)


def is_preflight(req: HttpRequest) -> bool:
    return (req.method == "OPTIONS" and req.header("origin") is not None
            and req.header("access-control-request-method") is not None)


def preflight_response(req: HttpRequest, allowed: tuple[str, ...] | None) -> HttpResponse:
    return HttpResponse(200, cors_headers(req, allowed, preflight=True))
