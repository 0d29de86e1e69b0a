"""Setting values as SQL literals, so a transaction's opening is one round trip.

Every request's transaction opens with BEGIN, `set_config` for the role and each setting
(PostgREST's tx vars), and `db_pre_request`. asyncpg sends a statement with parameters
on its own (the extended protocol), so with bound values the opening costs three round
trips — each ≈50 µs of this process's CPU (bench/README.md). Without parameters,
PostgreSQL's simple protocol takes several statements in one message: the values are then
written as escape-string literals, `E'…'` with `\\` and `'` doubled, which PostgreSQL
reads back exactly whatever `standard_conforming_strings` says (tests/exec/
test_pg_literal.py checks hostile strings round-trip both ways). A value PostgreSQL cannot
hold in text (NUL) or that is not valid UTF-8 (a lone surrogate) gets None: the caller
binds it as a parameter instead, and PostgreSQL answers as it always did.
"""

from __future__ import annotations

from collections.abc import Sequence


def literal(text: str) -> str | None:
    """`text` as an escape-string literal, or None where it must be bound instead."""
    if "\x00" in text:
        return None
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def opening(begin: str, settings: Sequence[tuple[str, str]],
            pre_request: str | None) -> str | None:
    """`BEGIN …; SELECT set_config(…), …; SELECT pre_request()` as one simple-protocol
    message, or None when a value cannot be a literal."""
    calls = []
    for name, value in settings:
        name_sql, value_sql = literal(name), literal(value)
        if name_sql is None or value_sql is None:
            return None
        calls.append(f"set_config({name_sql}, {value_sql}, true)")
    parts = [begin]
    if calls:
        parts.append("SELECT " + ", ".join(calls))
    if pre_request is not None:
        parts.append(pre_request)
    return "; ".join(parts)
