"""Golden SQL and parameters per dialect, for representative request shapes.

Each case is planned against the in-memory schema (tests/plan/schema_fixture.py) and
rendered with both dialects; `golden/<case>.<dialect>.sql` holds the SQL text, then
`-- params: <JSON>` with the bound values (`compiled.main.bind(values)`), and, for
count=planned, `-- count:` / `-- count params:` for the EXPLAIN'd count query. A case a
dialect cannot do holds `-- error: <code> <details>` instead: "unsupported on SQLite" is
an expected result, not a skip.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/render`, and read
the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dbrest.errors import DbrestError
from dbrest.render.compile import Renderer
from dbrest.render.dialect import Dialect
from dbrest.render.postgres import POSTGRES
from dbrest.render.sqlite import SQLITE
from tests.plan.helpers import plan
from tests.render.golden_files import assert_golden, stray_files

GOLDEN = Path(__file__).parent / "golden"
DIALECTS = (POSTGRES, SQLITE)

CSV = {"Accept": "text/csv"}
OBJECT = {"Accept": "application/vnd.pgrst.object+json"}

# name → (request target, headers)
CASES: dict[str, tuple[str, dict[str, str]]] = {
    "select_star": ("/authors", {}),
    "select_alias": ("/books?select=id,name:title", {}),
    "filter_eq": ("/books?select=id&id=eq.1", {}),
    "filter_compare": ("/books?select=id&year=gt.1950&year=lte.2000&price=gte.9.5&id=lt.20"
                       "&title=neq.Dune", {}),
    "filter_like": ("/books?select=id&title=like.*Dune*&title=ilike.the_*", {}),
    "filter_match": ("/books?select=id&title=match.^D&title=imatch.dune$", {}),
    "filter_in": ("/books?select=id&id=in.(1,2,3)", {}),
    "filter_in_text": ('/books?select=id&title=in.("Dune, Messiah",Kindred)', {}),
    "filter_is": ("/books?select=id&year=is.null&available=is.true&title=not.is.null"
                  "&meta=is.unknown", {}),
    "filter_isdistinct": ("/books?select=id&year=isdistinct.2000", {}),
    # SQLite: date/timestamp operands normalised, so ISO spellings of one instant are equal
    "filter_date": ("/books?select=id&published=gte.2024-04-10T09:00:00"
                    "&published=in.(2024-01-01,2024-02-02)&published=lt(all).{2025-01-01}", {}),
    "filter_any": ("/books?select=id&id=eq(any).{1,2}&title=like(any).{D*,*n}", {}),
    "filter_all": ("/books?select=id&year=gt(all).{1900,1950}&title=ilike(all).{*a*,*e*}", {}),
    "filter_not": ("/books?select=id&year=not.eq.1&id=not.in.(1,2)", {}),
    "filter_bool": ("/books?select=id&available=eq.true", {}),
    "logic_or": ("/books?select=id&or=(year.lt.1960,year.gt.2000)", {}),
    "logic_nested": ("/books?select=id&and=(id.gt.1,or(year.is.null,not.and(year.gt.1,"
                     "year.lt.2)))", {}),
    "json_path_select": ("/books?select=id,meta->series->>name,meta->tags->0,"
                         "first:meta->>-1", {}),
    "json_path_filter": ("/books?select=id&meta->>lang=eq.en&meta->rating=gt.4", {}),
    "cast": ("/books?select=id::text,year::text,available::text,price::int,meta::jsonb", {}),
    "order": ("/books?select=id&order=year.desc.nullslast,title,price.asc.nullsfirst", {}),
    "limit_offset": ("/books?select=id&limit=10&offset=20", {}),
    "range_header": ("/books?select=id", {"Range": "5-9"}),
    "count_exact": ("/books?select=id&year=gt.2000", {"Prefer": "count=exact"}),
    "count_planned": ("/books?select=id&year=gt.2000", {"Prefer": "count=planned"}),
    "csv": ("/books?select=id,title", CSV),
    "object": ("/books?select=id,title&id=eq.1", OBJECT),
    "nulls_stripped": ("/books?select=id,year",
                       {"Accept": "application/vnd.pgrst.array+json;nulls=stripped"}),
    "embed_m2o": ("/books?select=id,author:authors(name)", {}),
    "embed_o2m": ("/authors?select=name,books(title)&books.year=gt.2000"
                  "&books.order=title.desc&books.limit=2&books.offset=1", {}),
    "embed_o2o": ("/books?select=id,book_details(isbn)", {}),
    "embed_m2m": ("/books?select=id,tags(name)", {}),
    "embed_self": ("/employees?select=name,manager:manager_id(name),reports:employees(name)",
                   {}),
    "embed_hint": ("/orders?select=id,billing:addresses!billing(city),"
                   "shipping:addresses!shipping(city)", {}),
    "embed_nested": ("/authors?select=name,books(title,tags(name))", {}),
    "embed_view": ("/authors?select=name,recent_books(title)", {}),
    "spread_to_one": ("/books?select=title,...authors(author:name,born)", {}),
    "spread_to_many": ("/authors?select=name,...books(title)", {}),
    "inner_join": ("/books?select=id,authors!inner(name)&authors.name=eq.X", {}),
    "inner_join_m2m": ("/books?select=id,tags!inner(name)&tags.name=eq.classic", {}),
    "embed_is_null": ("/books?select=id,authors()&authors=is.null", {}),
    "embed_not_is_null": ("/books?select=id,publishers(name)&publishers=not.is.null", {}),
    "related_order": ("/books?select=id,authors(name)&order=authors(name).desc,id", {}),
    "quoted_identifiers": ('/books?select="my key":title,y:year&order=title', {}),
    # PostgreSQL only: range/array operators and full-text search
    "range_cs": ("/books?select=id&labels=cs.{a,b}", {}),
    "range_ov": ("/books?select=id&during=ov.[2000-01-01,2001-01-01)", {}),
    "range_adj": ("/books?select=id&during=adj.[1,2)", {}),
    "fts": ("/books?select=id&search=fts.cat", {}),
    "fts_language": ("/books?select=id&title=wfts(english).the cat", {}),
    "fts_plain": ("/books?select=id&title=plfts.cat dog", {}),
    # full-text search on a column a full-text table indexes (SQLite: FTS5), JSON arrays
    "fts_indexed": ("/articles?select=id&body=wfts.\"fat cat\" or dog -rat", {}),
    "fts_indexed_count": ("/articles?select=id&or=(body.fts.a:*,body.phfts.b c)",
                          {"Prefer": "count=exact"}),
    "json_contains": ('/books?select=id&meta=cs.["a",1]&labels=ov.{a,b}', {}),
    "json_contained": ("/books?select=id&meta=not.cd.{a,2}", {}),
    # values SQLite checks as PostgreSQL would: the bind answers 22P02
    "invalid_integer": ("/books?select=id&id=eq.abc", {}),
}


def render_case(name: str, dialect: Dialect) -> str:
    target, headers = CASES[name]
    planned = plan(target, headers)
    try:
        compiled = Renderer(dialect).render(planned.plan)
        params = compiled.main.bind(planned.values)
        count_params = compiled.count.bind(planned.values) if compiled.count else None
    except DbrestError as err:
        return f"-- error: {err.error_code()} {err.details or err.message}\n"
    out = f"{compiled.main.sql}\n-- params: {json.dumps(params)}\n"
    if compiled.count is not None:
        out += f"-- count: {compiled.count.sql}\n-- count params: {json.dumps(count_params)}\n"
    return out


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, dialect: Dialect) -> None:
    assert_golden(GOLDEN / f"{name}.{dialect.name}.sql", render_case(name, dialect))


def test_no_stray_golden_files() -> None:
    assert not stray_files(GOLDEN, CASES, (d.name for d in DIALECTS))


# -- what the golden files must say, checked independently of their text ------------------------

@pytest.mark.parametrize(("name", "details"), [
    ("range_ov", "the 'ov' operator is not available on sqlite for column 'during'"),
    ("range_adj", "the 'adj' operator is not available on sqlite"),
    ("fts", "full-text search ('fts') on sqlite needs an FTS5 table indexing column 'search'"),
    ("fts_language",
     "full-text search ('wfts') on sqlite needs an FTS5 table indexing column 'title'"),
    ("fts_plain",
     "full-text search ('plfts') on sqlite needs an FTS5 table indexing column 'title'"),
])
def test_sqlite_does_not_implement(name: str, details: str) -> None:
    target, headers = CASES[name]
    planned = plan(target, headers)
    with pytest.raises(DbrestError) as info:
        Renderer(SQLITE).render(planned.plan)
    err = info.value
    assert (err.error_code(), err.http_status(), err.message, err.details) == (
        "PGRST127", 400, "Feature not implemented", details)
    Renderer(POSTGRES).render(planned.plan)  # while PostgreSQL renders it


@pytest.mark.parametrize("target", [
    "/books?title=eq.zzvalue",
    "/books?title=like.*zzvalue*",
    "/books?title=match.zzvalue",
    "/books?title=in.(zzvalue,zzother)",
    "/books?title=eq(any).{zzvalue,zzother}",
    "/books?title=isdistinct.zzvalue",
    "/books?or=(title.eq.zzvalue,title.neq.zzother)",
    "/books?select=x:meta->zzvalue->>zzother",  # the output key is SQL, so: an alias
    "/books?meta->>zzvalue=eq.zzother",
    "/books?order=meta->>zzvalue",
    "/books?select=*,authors(*)&authors.name=eq.zzvalue",
    "/books?title=fts(zzvalue).zzother",
    "/articles?body=wfts(zzvalue).zzother",
    "/books?meta=cs.[\"zzvalue\"]",
])
def test_values_never_reach_the_sql_text(target: str) -> None:
    planned = plan(target)
    assert "zzvalue" in repr(planned.values)
    for dialect in DIALECTS:
        try:
            sql = Renderer(dialect).render(planned.plan).main.sql
        except DbrestError:  # fts on SQLite
            continue
        assert "zz" not in sql, dialect.name


@pytest.mark.parametrize(("dialect", "values"), [
    (POSTGRES, ["1", ["1", "2", "3"], "Dune"]),
    (SQLITE, [1, "[1,2,3]", "Dune"]),  # SQLite reads values as the column's type does
])
def test_request_values_bind_in_placeholder_order(dialect: Dialect,
                                                  values: list[object]) -> None:
    """Every placeholder is a request value (converted for the dialect) or a constant
    (JSON keys, setting names); the request values come in the order the SQL uses them."""
    planned = plan("/books?select=id&id=eq.1&id=in.(1,2,3)&title=eq.Dune")
    compiled = Renderer(dialect).render(planned.plan).main
    bound = compiled.bind(planned.values)
    placeholders = (compiled.sql.count("?") if dialect is SQLITE
                    else len(set(re.findall(r"\$\d+", compiled.sql))))
    assert len(bound) == len(compiled.slots) == placeholders
    from_request = [b for b, slot in zip(bound, compiled.slots, strict=False) if slot.index >= 0]
    assert from_request == values


# count=planned exists so that PostgreSQL need not count every row: the EXPLAIN'd count
# query answers it and the main statement counts only its page. count=estimated (PostgREST)
# counts exactly up to db_max_rows and takes the larger of that and the estimate above: it
# keeps the exact count and always has the EXPLAIN at hand. (SQLite, with no estimate,
# counts exactly.)
def test_planned_count_does_not_count_exactly() -> None:
    planned = plan("/books?select=id&year=gt.2000", {"Prefer": "count=planned"})
    compiled = Renderer(POSTGRES).render(planned.plan)
    assert compiled.count is not None
    assert compiled.main.sql.count("count(*)") == 1  # the page's own row count only


# count=estimated also EXPLAINs with db_max_rows unset: PostgREST then takes the larger of
# the exact count and the estimate (`tableTotal > Nothing` holds).
@pytest.mark.parametrize("max_rows", [None, 100])
def test_estimated_count_is_exact_up_to_max_rows(max_rows: int | None) -> None:
    planned = plan("/books?select=id&year=gt.2000", {"Prefer": "count=estimated"},
                   max_rows=max_rows)
    compiled = Renderer(POSTGRES).render(planned.plan)
    assert compiled.main.sql.count("count(*)") == 2  # the exact total and the page's
    assert compiled.count is not None
    assert compiled.estimate_above == max_rows
