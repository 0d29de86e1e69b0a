"""The in-memory schema of tests/plan/schema_fixture.py plus a few functions (RPC)."""

from __future__ import annotations

from dbrest.relationships import build_schema_cache
from dbrest.schema import Column, Routine, RoutineParam
from tests.plan.schema_fixture import CACHE, S

P = RoutineParam
ROUTINES = (
    Routine(S, "add", (P("a", "integer"), P("b", "integer")), "scalar", False, "integer", "i"),
    Routine(S, "greet", (P("name", "text", required=False),), "scalar", False, "text", "s"),
    Routine(S, "books_by", (P("author", "integer"),), "composite", True, "books", "s",
            return_table=(S, "books")),
    Routine(S, "pairs", (), "composite", True, "record", "s",
            return_columns=(Column("k", "text", "text"), Column("v", "integer", "integer"))),
    Routine(S, "total", (P("v", "integer[]", variadic=True, is_array=True),), "scalar", False,
            "integer", "i"),
    Routine(S, "touch", (), "void", False, "void", "v"),
    Routine(S, "echo", (P("", "json"),), "scalar", False, "json", "i"),
    Routine(S, "dup", (P("x", "integer"),), "scalar", False, "text", "i"),
    Routine(S, "dup", (P("x", "text"),), "scalar", False, "text", "i"),
    Routine(S, "years", (), "scalar", True, "integer", "s"),
)

RPC_CACHE = build_schema_cache(CACHE.tables, CACHE.foreign_keys, CACHE.view_sources, routines={
    (r.schema, r.name): tuple(x for x in ROUTINES if x.name == r.name) for r in ROUTINES})
