"""A backend's rendering profile: its SQLAlchemy dialect, capabilities and value converters.

Dialect differences take four forms only, all in render/: capability flags here,
per-element overrides (`@compiles(X, "<dialect>")` over the defaults of elements.py),
rewrites in lower.py / mutate.py keyed on a capability, and parameter converters
(values.py). Nothing outside render/ and exec/ asks which backend it is talking to.
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
    # `WITH s AS (INSERT … RETURNING …) SELECT …`, an upsert's RETURNING telling inserted
    # rows (`xmax = 0`); else the rows are staged in a temp table, inserts pre-counted
    dml_in_cte: bool
    functions: bool = False  # RPC: calling the database's functions (render/call.py)
    # RPC (issue 10): functions are SQL declared in the configuration (render/sqlite_call.py)
    declared_functions: bool = False
    # without full_text_search: fts on columns a full-text index table backs (FTS5)
    indexed_full_text: bool = False
    # without range_operators: cs cd ov on JSON array columns (json_each)
    json_array_operators: bool = False


@dataclass(frozen=True)
class Dialect:
    name: str
    sa_dialect: SaDialect
    caps: Capabilities
    # ParamConv tag → (value, kind) → the value handed to the driver
    converters: dict[str, Callable[[Any, str], Any]]
    # what the rows a write returned are called in the read that follows it
    mutated_source: Callable[[str], str]
    # the dialect's INSERT construct (it has the ON CONFLICT clauses)
    insert: Callable[[Any], Any]
