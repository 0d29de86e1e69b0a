"""Application-level grants, for databases without roles (SQLite's `sqlite_grants`).

A pure function: the pipeline calls it with what `plan/access.py` says the plan touches.
Deny by default once any grants are configured; none configured allows everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dbrest.errors import DatabaseError

Grants = Mapping[str, Mapping[str, Sequence[str]]]  # role → action → tables (or "*")
# `execute` names functions (issue 10), every other action tables
_KIND = {"execute": "function"}


def check_grants(grants: Grants, role: str | None, authenticated: bool,
                 access: Iterable[tuple[str, str]]) -> None:
    """Refuse (42501: 401 anonymous, 403 authenticated) the first (table, action) pair,
    in sorted order, that `role` was not granted, worded as PostgreSQL words it."""
    if not grants:
        return
    allowed = grants.get(role or "", {})
    for table, action in sorted(access):
        tables = allowed.get(action, ())
        if table not in tables and "*" not in tables:
            kind = _KIND.get(action, "table")
            raise DatabaseError(
                "42501", 403 if authenticated else 401, f"permission denied for {kind} {table}",
                headers=(("www-authenticate", "Bearer"),) if not authenticated else ())


def granted_tables(grants: Grants, role: str | None) -> frozenset[str] | None:
    """The tables `role` was granted any action on (None: every table), e.g. for the
    OpenAPI document's `follow-privileges`."""
    tables = frozenset().union(*grants.get(role or "", {}).values())
    return None if "*" in tables else tables
