"""Golden SQL and parameters per dialect for writes, as test_golden.py has for reads.

Each case is a write planned against the in-memory schema (tests/plan/schema_fixture.py,
with `books.year`/`books.available` given catalog defaults for `missing=default`) and
rendered with both dialects. `golden_writes/<case>.<dialect>.sql` lists the statements the
write runs, in order: each step (SQLite's staging, pre-count and the write with
RETURNING) as `-- step:` with its SQL and params, then the main statement.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/render`, and read
the diff.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from dbrest.http import HttpRequest
from dbrest.parse.request import parse_request
from dbrest.plan.mutate import plan_mutation
from dbrest.plan.types import MutationPlan, PlannedRequest
from dbrest.relationships import build_schema_cache
from dbrest.render.compile import CompiledQuery, Renderer
from dbrest.render.dialect import Dialect
from dbrest.render.postgres import POSTGRES
from dbrest.render.sqlite import SQLITE
from dbrest.schema import SchemaCache
from tests.plan.schema_fixture import FOREIGN_KEYS, TABLES, VIEW_SOURCES
from tests.render.golden_files import assert_golden, stray_files

GOLDEN = Path(__file__).parent / "golden_writes"
DIALECTS = (POSTGRES, SQLITE)
DEFAULTS = {"year": "2000", "available": "true"}  # trusted catalog text, as introspected


def _cache() -> SchemaCache:
    tables = []
    for t in TABLES:
        if t.name == "books":
            t = replace(t, columns=tuple(
                replace(c, has_default=True, default_sql=DEFAULTS[c.name])
                if c.name in DEFAULTS else c for c in t.columns))
        tables.append(t)
    return build_schema_cache({(t.schema, t.name): t for t in tables}, FOREIGN_KEYS,
                              {k: dict(v) for k, v in VIEW_SOURCES.items()})


CACHE = _cache()
REPR = "return=representation"
BOOK = {"id": 1, "title": "Dune"}

# name → (method, request target, headers, body)
CASES: dict[str, tuple[str, str, dict[str, str], object]] = {
    "insert": ("POST", "/books", {}, BOOK),
    "insert_bulk": ("POST", "/books", {}, [BOOK, {"id": 2, "title": "Emma"}]),
    "insert_columns": ("POST", "/books?columns=id,title,year", {}, [BOOK]),
    "insert_missing_default": ("POST", "/books?columns=id,title,year,available",
                               {"Prefer": "missing=default"}, [BOOK]),
    "insert_empty_object": ("POST", "/authors", {}, {}),
    "insert_json_column": ("POST", "/books", {}, {"id": 1, "title": "x", "meta": {"a": 1}}),
    "upsert_merge": ("POST", "/books", {"Prefer": "resolution=merge-duplicates"}, [BOOK]),
    "upsert_ignore": ("POST", "/books", {"Prefer": "resolution=ignore-duplicates"}, [BOOK]),
    "upsert_on_conflict": ("POST", "/publishers?on_conflict=name",
                           {"Prefer": "resolution=merge-duplicates"}, {"name": "P", "city": "C"}),
    "update": ("PATCH", "/books?id=eq.1&year=lt.2000", {}, {"title": "New", "year": 2001}),
    "delete": ("DELETE", "/books?id=in.(1,2)", {}, None),
    "put": ("PUT", "/books?id=eq.1", {}, BOOK),
    "representation": ("POST", "/books?select=id,title", {"Prefer": REPR}, BOOK),
    "representation_embed": ("PATCH", "/books?select=title,author:authors(name)&id=eq.1",
                             {"Prefer": REPR}, {"title": "New"}),
    "noop_insert": ("POST", "/books", {"Prefer": REPR}, []),
    "noop_update": ("PATCH", "/books?id=eq.1", {"Prefer": REPR}, {}),
}


def plan_write(method: str, target: str, headers: dict[str, str],
               body: object) -> PlannedRequest:
    path, _, query = target.partition("?")
    hdrs = {k.lower(): v for k, v in headers.items()}
    if body is not None:
        hdrs["content-type"] = "application/json"
    req = HttpRequest(method, path, tuple(parse_qsl(query, keep_blank_values=True)),
                      tuple(hdrs.items()), b"" if body is None else json.dumps(body).encode())
    return plan_mutation(parse_request(req, ("public",)), CACHE)


def _query(compiled: CompiledQuery, values: tuple[object, ...]) -> str:
    return f"{compiled.sql}\n-- params: {json.dumps(compiled.bind(values))}\n"


def render_case(name: str, dialect: Dialect) -> str:
    planned = plan_write(*CASES[name])
    assert isinstance(planned.plan, MutationPlan)
    compiled = Renderer(dialect).render_write(planned.plan)
    out = ""
    for step in compiled.steps:
        flags = [f for f in ("copy", "counts_existing") if getattr(step, f)]
        out += f"-- step{' (' + ', '.join(flags) + ')' if flags else ''}:\n"
        out += _query(step.query, planned.values)
        if step.copy:
            out += f"-- copy: {step.copy}\n"
    return out + "-- main:\n" + _query(compiled.main, planned.values)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_write(name: str, dialect: Dialect) -> None:
    assert_golden(GOLDEN / f"{name}.{dialect.name}.sql", render_case(name, dialect))


def test_no_stray_golden_files() -> None:
    assert not stray_files(GOLDEN, CASES, (d.name for d in DIALECTS))


@pytest.mark.parametrize(("method", "target", "headers", "body"), [
    ("POST", "/books", {}, {"id": 1, "title": "zzvalue"}),
    ("POST", "/books?columns=id,title,year", {"Prefer": "missing=default"}, [{"title": "zzvalue"}]),
    ("POST", "/books", {"Prefer": "resolution=merge-duplicates"}, {"id": 1, "title": "zzvalue"}),
    ("PATCH", "/books?title=eq.zzvalue", {}, {"title": "zzother"}),
    ("DELETE", "/books?title=like.*zzvalue*", {}, None),
])
def test_write_values_never_reach_the_sql_text(method: str, target: str,
                                                headers: dict[str, str], body: object) -> None:
    planned = plan_write(method, target, headers, body)
    assert "zzvalue" in repr(planned.values)
    assert isinstance(planned.plan, MutationPlan)
    for dialect in DIALECTS:
        compiled = Renderer(dialect).render_write(planned.plan)
        for query in (compiled.main, *(step.query for step in compiled.steps)):
            assert "zz" not in query.sql, dialect.name


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_same_write_shape_compiles_once(dialect: Dialect) -> None:
    renderer = Renderer(dialect)
    first = renderer.render_write(plan_write(*CASES["upsert_merge"]).plan)  # type: ignore[arg-type]
    compiles = renderer.compiles
    again = plan_write("POST", "/books", {"Prefer": "resolution=merge-duplicates"},
                       [{"id": 9, "title": "Other"}, {"id": 10, "title": "More"}])
    assert renderer.render_write(again.plan) is first  # type: ignore[arg-type]
    assert renderer.compiles == compiles
