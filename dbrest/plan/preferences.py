"""The `Prefer` header in planning: refusing what strict handling cannot honour, and
the one `Preference-Applied` value for reads, writes and RPC calls.

PostgREST (`Preferences.prefAppliedHeader`) lists what it honoured in one fixed order:
resolution, missing, return, count, tx, handling, (timezone), max-affected. Each request
kind honours a subset: writes all of them (as their method allows), reads and calls
count, tx and handling.
"""

from __future__ import annotations

from dbrest.errors import InvalidPreferences
from dbrest.parse import ast

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def check_preferences(api: ast.ApiRequest) -> None:
    """`Prefer: handling=strict` refuses preferences it does not know (PGRST122)."""
    prefs = api.preferences
    if prefs.handling == "strict" and prefs.invalid:
        raise InvalidPreferences("Invalid preferences given with handling=strict",
                                 f"Invalid preferences: {', '.join(prefs.invalid)}")


def valid_timezone(api: ast.ApiRequest, timezones: frozenset[str]) -> str | None:
    """`Prefer: timezone=…` when the database knows the zone (PostgREST 12-13 check it
    against `pg_timezone_names`; an unknown one is ignored, not an error). A backend
    without time zones lists none, so there it is always ignored."""
    tz = api.preferences.timezone
    return tz if tz is not None and tz in timezones else None


def tx_settings(api: ast.ApiRequest, timezones: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The transaction settings the request's preferences ask for (`timezone`)."""
    tz = valid_timezone(api, timezones)
    return () if tz is None else (("timezone", tz),)


def preference_applied(api: ast.ApiRequest, upsert: bool = False,
                       timezones: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """What the request honours of `Prefer`, in PostgREST's order; `upsert`: a POST
    that resolves conflicts on some key (without one the preference is ignored)."""
    prefs = api.preferences
    write = not api.is_rpc and api.method in WRITE_METHODS
    honoured: tuple[tuple[str, object, bool], ...] = (
        ("resolution", prefs.resolution, write and upsert and api.method == "POST"),
        ("missing", prefs.missing, write and api.method in ("POST", "PATCH")),
        ("return", prefs.return_, write),
        ("count", prefs.count, True),
        ("tx", prefs.tx, api.tx_allowed),
        ("handling", prefs.handling, True),
        ("timezone", valid_timezone(api, timezones), True),
        ("max-affected", prefs.max_affected,
         write and prefs.handling == "strict" and api.method in ("PATCH", "DELETE")),
        ("read", prefs.read, True),  # dbrest's own, last: every request honours it
    )
    return tuple(f"{name}={value}" for name, value, applies in honoured
                 if applies and value is not None)
