"""PostgreSQL errors → `DatabaseError` with PostgREST's status (`Error.hs mapSQLtoHTTP`)."""

from __future__ import annotations

from typing import Any

import orjson

from dbrest.errors import DatabaseError, DbrestError, PgrstRaiseError


def custom_error(message: str, detail: str | None) -> DbrestError:
    """`RAISE SQLSTATE 'PGRST' USING MESSAGE = '{"code",…}', DETAIL = '{"status",…}'`:
    the body from the message's JSON, status and headers from the detail's
    (docs/references/errors.rst, Custom Errors); unreadable JSON is PGRST121."""
    try:
        body = orjson.loads(message)
        meta = orjson.loads(detail or "{}")
        status = int(meta["status"])
        headers = tuple((str(k).lower(), str(v)) for k, v in (meta.get("headers") or {}).items())
        if not isinstance(body, dict) or "message" not in body or not 100 <= status <= 599:
            raise ValueError(message)
    except (ValueError, KeyError, TypeError):
        return PgrstRaiseError(
            "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error",
            "Invalid JSON value for MESSAGE or DETAIL", None)
    return DatabaseError(str(body.get("code", "")), status, str(body["message"]),
                         body.get("details"), body.get("hint"), headers)

_EXACT = {
    "23503": 409, "23505": 409, "25006": 405, "42P01": 404, "42P17": 500, "42501": 403,
    "53400": 500, "57P01": 503, "42883": 404, "P0001": 400,
    # the server is shutting down, crashed or starting up: try again later, not a bug
    "57P02": 503, "57P03": 503,
}
# A 503 for one of these is transient: the client may retry (PostgREST's `Retry-After`)
RETRY_AFTER = (("retry-after", "1"),)
_PREFIX = (
    ("08", 503), ("09", 500), ("0L", 403), ("0P", 403), ("25", 500), ("28", 403),
    ("2D", 500), ("38", 500), ("39", 500), ("3B", 500), ("40", 500), ("53", 503),
    ("54", 500), ("55", 500), ("57", 500), ("58", 500), ("F0", 500), ("HV", 500),
    ("XX", 500), ("P0", 500),
)


def status_for(sqlstate: str, message: str, authenticated: bool = False) -> int:
    if sqlstate == "42501":
        return 403 if authenticated else 401
    if sqlstate == "22023" and message.startswith("role") and message.endswith("does not exist"):
        return 401
    if sqlstate == "21000":
        return 400 if message.endswith("requires a WHERE clause") else 500
    if sqlstate in _EXACT:
        return _EXACT[sqlstate]
    if sqlstate.startswith("PT"):
        return int(sqlstate[2:]) if sqlstate[2:].isdigit() else 500
    for prefix, status in _PREFIX:
        if sqlstate.startswith(prefix):
            return status
    return 400


def map_pg_error(err: Any, authenticated: bool = False) -> DbrestError:
    """An asyncpg `PostgresError` as the client sees it."""
    sqlstate = getattr(err, "sqlstate", None) or "XX000"
    message = getattr(err, "message", None) or str(err)
    if sqlstate == "PGRST":
        return custom_error(message, getattr(err, "detail", None))
    headers: tuple[tuple[str, str], ...] = ()
    status = status_for(sqlstate, message, authenticated)
    if status == 401:
        headers = (("www-authenticate", "Bearer"),)
    elif status == 503:
        headers = RETRY_AFTER
    return DatabaseError(sqlstate, status, message, getattr(err, "detail", None),
                         getattr(err, "hint", None), headers)
