"""What `@supabase/postgrest-js` must hand its users for each scenario of js/scenarios.mjs.

One entry per scenario, in the scenarios' order: {"both": result} or one result per backend.
A result is what the client resolves to: data, error, count, status and statusText (the
reason phrase dbrest sent, which postgrest-js reports as is). Values follow PostgREST on
the conformance fixture (conformance/fixtures/schema.sql); error bodies are PostgREST's.
"""

from __future__ import annotations

from typing import Any

Result = dict[str, Any]


def ok(data: Any, status: str = "200 OK", count: int | None = None) -> Result:
    code, text = status.split(" ", 1)
    return {"data": data, "error": None, "count": count, "status": int(code), "statusText": text}


def err(status: str, code: str, message: str, details: str | None = None,
        hint: str | None = None) -> Result:
    result = ok(None, status)
    result["error"] = {"code": code, "details": details, "hint": hint, "message": message}
    return result


def ids(*values: int) -> list[dict[str, int]]:
    return [{"id": v} for v in values]


def no_function(name: str, searched: str, post: bool = True) -> Result:
    """PGRST202 as PostgREST words it (POST also looks for a single json parameter)."""
    alt = " or with a single unnamed json/jsonb parameter" if post else ""
    return err("404 Not Found", "PGRST202",
               f"Could not find the function public.{name} in the schema cache",
               f"Searched for the function public.{searched}{alt}, but no matches were "
               "found in the schema cache.")


def single_error(rows: int) -> Result:
    return err("406 Not Acceptable", "PGRST116",
               "Cannot coerce the result to a single JSON object",
               f"The result contains {rows} rows")


EXPECTED: dict[str, dict[str, Result]] = {
    # -- reads, embedding
    "select_columns": {"both": ok([{"id": 1, "name": "Ursula K. Le Guin"},
                                   {"id": 2, "name": "Isaac Asimov"}])},
    "select_alias_and_cast": {"both": ok([{"name": "Dune", "year": "1965"}])},
    "embed_many_to_one": {"both": ok([{"title": "A Wizard of Earthsea",
                                       "authors": {"name": "Ursula K. Le Guin"}}])},
    "embed_one_to_many_ordered_limited": {"both": ok(
        [{"name": "Frank Herbert", "books": [{"id": 8, "title": "Dune Messiah"}]}])},
    "embed_inner_filtered": {"both": ok([{"id": 11, "books": [{"id": 26}]}])},
    # -- filters
    "filter_eq": {"both": ok(ids(9, 10, 30))},
    "filter_gt_lte": {"both": ok(ids(24, 25))},
    "filter_in": {"both": ok(ids(4, 2))},
    "filter_like": {"both": ok([{"title": "Dune"}, {"title": "Dune Messiah"}])},
    "filter_ilike": {"both": ok([{"name": "Ursula K. Le Guin"}])},
    "filter_is_null": {"both": ok(ids(11, 13))},
    "filter_or": {"both": ok(ids(1, 25))},
    "filter_not": {"both": ok(ids(5, 6, 7, 8))},
    "filter_match": {"both": ok(ids(19))},
    "filter_contains": {"both": ok(ids(18, 19, 20))},  # jsonb @>; SQLite: json_each
    # -- order, limit, range, count
    "order_nulls_first_limit": {"both": ok(ids(11, 13, 7))},
    "range_count_partial": {"both": ok(ids(3, 4, 5), "206 Partial Content", count=30)},
    "range_count_complete": {"both": ok(ids(1, 2, 3, 4, 5, 6, 7), count=7)},
    "head_count": {"both": ok(None, count=3)},
    # -- single rows, csv
    "single_ok": {"both": ok({"id": 2, "title": "The Left Hand of Darkness"})},
    "single_error_many": {"both": single_error(3)},
    "single_error_none": {"both": single_error(0)},
    "maybe_single_none": {"both": ok(None)},
    "maybe_single_one": {"both": ok({"id": 5})},
    # maybeSingle() asks for an array and refuses several rows itself, with its own words
    "maybe_single_error_many": {"both": err(
        "406 Not Acceptable", "PGRST116",
        "JSON object requested, multiple (or no) rows returned",
        "Results contain 2 rows, application/vnd.pgrst.object+json requires 1 row")},
    "csv": {"both": ok('id,name\n1,"Ursula K. Le Guin"\n2,"Isaac Asimov"')},
    # -- writes (in order, on this module's own copy of the fixture)
    "insert_returning": {"both": ok([{"id": 700, "name": "from-js"}], "201 Created")},
    "insert_minimal": {"both": ok(None, "201 Created")},
    "insert_bulk_count": {"both": ok(ids(702, 703), "201 Created", count=2)},
    "update_returning": {"both": ok([{"id": 700, "name": "renamed"}])},
    "upsert_returning": {"both": ok([{"id": 700, "name": "upserted"},
                                     {"id": 704, "name": "new"}], "201 Created")},
    "upsert_all_existing": {"both": ok([{"name": "again"}])},
    "upsert_ignore_duplicates": {"both": ok([], "201 Created")},
    "delete_returning": {"both": ok(ids(700, 701, 702, 703, 704))},
    "after_writes": {"both": ok([])},
    # -- errors
    "error_unknown_column_select": {"both": err(
        "400 Bad Request", "42703", "column books.nosuch does not exist")},
    "error_unknown_column_insert": {"both": err(
        "400 Bad Request", "PGRST204",
        "Could not find the 'nosuch' column of 'tags' in the schema cache")},
    "error_unknown_table": {"both": err(
        "404 Not Found", "PGRST205",
        "Could not find the table 'public.nosuch' in the schema cache")},
    "error_unique_violation": {  # the database's own words
        "postgres": err("409 Conflict", "23505",
                        'duplicate key value violates unique constraint "tags_pkey"',
                        "Key (id)=(1) already exists."),
        "sqlite": err("409 Conflict", "23505", "UNIQUE constraint failed: tags.id"),
    },
    # -- rpc: SQLite serves the fixture's functions declared as SQL (the dbrest-sqlite
    # conformance profile's `sqlite_functions`), so both backends answer alike
    "rpc_scalar": {"both": ok(3)},
    "rpc_select_filter": {"both": ok([{"id": 2, "title": "The Left Hand of Darkness"},
                                      {"id": 3, "title": "The Dispossessed"}])},
    "rpc_head_count": {"both": ok(None, count=3)},
    "rpc_get": {"both": ok("hello js")},
    "rpc_get_count_range": {"both": ok(ids(18, 19), "206 Partial Content", count=3)},
    "rpc_single": {"both": ok({"title": "Dune Messiah"})},
    "rpc_void": {"both": ok(None, "204 No Content")},
    "rpc_unknown": {"both": no_function("nosuch_fn(x)", "nosuch_fn with parameter x")},
    # -- aggregates (conformance fixture: 30 books)
    "aggregate_count": {"both": ok([{"count": 30}])},
    "aggregate_count_legacy": {"both": ok([{"name": "Ursula K. Le Guin",
                                            "books": [{"count": 3}]}])},
    "aggregate_grouped": {"both": ok([
        {"genre": "epic", "count": 1}, {"genre": "fantasy", "count": 7},
        {"genre": "historical", "count": 2}, {"genre": "magical realism", "count": 3},
        {"genre": "romance", "count": 3}, {"genre": "scifi", "count": 13},
        {"genre": None, "count": 1}])},  # NULLs last, as ascending order puts them
    "aggregate_sum_max": {"both": ok([{"sum": 856, "max": 13.99}])},
    # -- explain: PostgreSQL's EXPLAIN (its top node aggregates the rows into the body);
    # SQLite's EXPLAIN QUERY PLAN in the same envelope (plan/explain.py)
    "explain_text": {"postgres": ok("Aggregate"), "sqlite": ok("QUERY")},
    "explain_json": {"postgres": ok({"keys": ["Plan"], "node": "Aggregate"}),
                     "sqlite": ok({"keys": ["Plan"], "node": "Query Plan"})},
    "explain_analyze_write": {
        "postgres": ok({"keys": ["Plan", "Planning Time", "Triggers", "Execution Time"],
                        "node": "Aggregate"}),
        "sqlite": ok({"keys": ["Plan"], "node": "Query Plan"})},
    "explain_wrote_nothing": {"both": ok([])},  # ANALYZE ran the insert, then rolled back
}
