"""PostgreSQL errors → `DatabaseError` with PostgREST's status (`Error.hs mapSQLtoHTTP`)."""

from __future__ import annotations

from typing import Any

from dbrest.errors import DatabaseError

_EXACT = {
    "23503": 409, "23505": 409, "25006": 405, "42P01": 404, "42P17": 500, "42501": 403,
    "53400": 500, "57P01": 503, "42883": 404, "P0001": 400,
}
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
    if sqlstate.startswith("PT") and sqlstate[2:].isdigit():
        return int(sqlstate[2:])
    for prefix, status in _PREFIX:
        if sqlstate.startswith(prefix):
            return status
    return 400


def map_pg_error(err: Any, authenticated: bool = False) -> DatabaseError:
    """An asyncpg `PostgresError` as the client sees it."""
    sqlstate = getattr(err, "sqlstate", None) or "XX000"
    message = getattr(err, "message", None) or str(err)
    headers: tuple[tuple[str, str], ...] = ()
    status = status_for(sqlstate, message, authenticated)
    if status == 401:
        headers = (("www-authenticate", "Bearer"),)
    return DatabaseError(sqlstate, status, message, getattr(err, "detail", None),
                         getattr(err, "hint", None), headers)
