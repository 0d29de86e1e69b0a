"""A backend's rendering profile: its SQLAlchemy dialect, capabilities and value converters.

Dialect differences take four forms only, all in render/: capability flags here,
per-element overrides (`@compiles` in postgres.py / sqlite.py), rewrites in lower.py
keyed on a capability, and parameter converters. Nothing outside render/ and exec/
asks which backend it is talking to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine.interfaces import Dialect as SaDialect


@dataclass(frozen=True)
class Capabilities:
    range_operators: bool  # cs cd ov sl sr nxr nxl adj
    full_text_search: bool  # fts plfts phfts wfts
    planned_count: bool  # count=planned/estimated from the query planner
    schemas: bool  # tables are schema-qualified (SQLite serves one schema, unqualified)
    dml_in_cte: bool  # `WITH s AS (INSERT … RETURNING …) SELECT …` (else: a temp table)
    functions: bool = False  # RPC: calling the database's functions (render/call.py)


@dataclass(frozen=True)
class Dialect:
    name: str
    sa_dialect: SaDialect
    caps: Capabilities
    # ParamConv tag → (value, kind) → the value handed to the driver
    converters: dict[str, Callable[[Any, str], Any]]
    # what the rows a write returned are called in the read that follows it
    mutated_source: Callable[[str], str]
    # without `dml_in_cte`: (set-up statements, INSERT prefix) staging a write's rows
    stage_rows: Callable[[str], tuple[tuple[str, ...], str]] | None = None


def on_conflict_sql(mutation: Any, quote: Callable[[str], str]) -> str:
    """The upsert clause both dialects spell alike (`EXCLUDED` is the proposed row)."""
    if not mutation.resolution:
        return ""
    target = ", ".join(quote(c) for c in mutation.on_conflict)
    updates = [c.name for c in mutation.columns]
    if mutation.resolution == "ignore" or not updates:
        return f" ON CONFLICT ({target}) DO NOTHING"
    sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updates)
    return f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
