"""EXPLAIN of a request's statement (PostgREST `Query/SqlFragment.explainF`).

The explained statement is the one the request would run, compiled as usual; only a
prefix is added, so its values stay bound parameters:

- PostgreSQL: `EXPLAIN (FORMAT JSON|TEXT[, ANALYZE, VERBOSE, SETTINGS, BUFFERS, WAL]) …`
  of the main statement (a write is nested in it).
- SQLite: `EXPLAIN QUERY PLAN …` of the statement that does the work: a write's own
  statement (its rows are staged, then read by `main`), else `main`. SQLite has no
  EXPLAIN options: they are ignored (the plan is the same either way; exec shapes its
  rows into PostgreSQL's envelope, exec/sqlite/explain.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from dbrest.plan.explain import Explain
from dbrest.render.compile import CompiledQuery, CompiledRead, CompiledWrite
from dbrest.render.dialect import Dialect


@dataclass(frozen=True, slots=True)
class CompiledExplain:
    """A statement whose rows are the plan; exec returns them as the body text."""

    query: CompiledQuery
    json: bool  # FORMAT JSON (one row, a JSON document), else text rows (one per line)


def render_explain(compiled: CompiledRead | CompiledWrite, explain: Explain,
                   dialect: Dialect) -> CompiledExplain:
    target = compiled.main
    if dialect.name == "sqlite":
        writes = [s.query for s in getattr(compiled, "steps", ()) if s.copy is not None]
        target = writes[0] if writes else target
        prefix = "EXPLAIN QUERY PLAN "
    else:
        words = ["FORMAT " + explain.format.upper(), *(o.upper() for o in explain.options)]
        prefix = f"EXPLAIN ({', '.join(words)}) "  # fixed words only (plan/explain.OPTIONS)
    return CompiledExplain(CompiledQuery(prefix + target.sql, target.slots),
                           explain.format == "json")
