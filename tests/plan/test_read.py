"""`plan_read`: requests parsed from HTTP, planned against the in-memory schema cache.

No database. Each table row is one request and what its plan must hold: the selected
keys, the request values in traversal order, the embed modes, the conditions, the
errors PostgREST answers (code, status, message).
"""

from __future__ import annotations

from typing import Any

import pytest

from dbrest.errors import DbrestError
from dbrest.plan.types import (
    BoolOp,
    CastExpr,
    ColumnEq,
    ColumnExpr,
    Compare,
    Embed,
    Exists,
    FullText,
    InList,
    IsCheck,
    JoinTable,
    JsonPathExpr,
    Not,
    Param,
    RangeOp,
    ReadPlan,
    Scalar,
    TypeRef,
)
from dbrest.relationships import build_schema_cache
from dbrest.schema import Column, ForeignKey, SchemaCache, Table
from tests.plan.helpers import keys, plan, walk


def embed_of(read: ReadPlan, key: str) -> Any:
    return next(s.expr for s in read.select if s.key == key)


# -- the select list --------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "expected"), [
    ("/authors", ("id", "name", "born")),
    ("/authors?select=*", ("id", "name", "born")),
    ("/authors?select=name,id", ("name", "id")),
    ("/authors?select=who:name", ("who",)),
    ("/books?select=meta->series->>name", ("name",)),
    ("/books?select=meta->0", ("meta",)),  # an index is no key: the column name stays
    ("/books?select=meta->a->0", ("a",)),
    ("/books?select=m:meta->a", ("m",)),
    ("/books?select=year::text", ("year",)),
    ("/books?select=id,authors(name)", ("id", "authors")),
    ("/books?select=id,writer:authors(name)", ("id", "writer")),
    ("/books?select=id,authors()", ("id",)),  # joined for filtering only, no key
    ("/books?select=id,...authors(name,born)", ("id", "name", "born")),
    ("/authors?select=...books(title)", ("title",)),
    ("/recent_books", ("id", "title", "author_id", "year")),
])
def test_selected_keys(target: str, expected: tuple[str, ...]) -> None:
    assert keys(plan(target).plan.read) == expected


def test_star_resolves_every_column_with_its_type() -> None:
    read = plan("/books?select=*").plan.read
    assert [s.expr for s in read.select[:3]] == [
        ColumnExpr("t", "id", TypeRef("integer", "integer")),
        ColumnExpr("t", "title", TypeRef("text", "text")),
        ColumnExpr("t", "author_id", TypeRef("integer", "integer")),
    ]
    assert read.schema == "public" and read.table == "books" and read.alias == "t"


def test_json_path_steps_are_params_and_the_last_arrow_types_the_result() -> None:
    planned = plan("/books?select=meta->a->>b,meta->2")
    first, second = (s.expr for s in planned.plan.read.select)
    assert isinstance(first, JsonPathExpr) and isinstance(second, JsonPathExpr)
    assert first.steps == (("->", Param(0, "json_key")), ("->>", Param(1, "json_key")))
    assert first.type.kind == "text"
    assert second.steps == (("->", Param(2, "json_index")),)
    assert second.type.kind == "json"
    assert planned.values == ("a", "b", 2)


@pytest.mark.parametrize(("cast", "type_name", "kind"), [
    ("text", "text", "text"),
    ("int", "int4", "integer"),
    ("INTEGER", "int4", "integer"),
    ("bigint", "int8", "integer"),
    ("numeric", "numeric", "number"),
    ("float", "float8", "number"),
    ("bool", "bool", "boolean"),
    ("jsonb", "jsonb", "json"),
    ("date", "date", "date"),
    ("varchar", "varchar", "text"),
])
def test_casts_render_a_canonical_type_name(cast: str, type_name: str, kind: str) -> None:
    expr = plan(f"/books?select=year::{cast}").plan.read.select[0].expr
    assert isinstance(expr, CastExpr)
    assert (expr.type_name, expr.type.kind) == (type_name, kind)


# -- request values, in traversal order --------------------------------------------------------

@pytest.mark.parametrize(("target", "values"), [
    ("/books", ()),
    ("/books?id=eq.1", ("1",)),
    ("/books?year=gt.2000&title=like.*Dune*", ("2000", "%Dune%")),
    ("/books?id=in.(1,2,3)", (["1", "2", "3"],)),
    ('/books?title=in.("a,b",c)', (["a,b", "c"],)),
    ("/books?id=eq(any).{1,2}", (["1", "2"],)),
    ("/books?title=like(all).{A*,*B}", (["A%", "%B"],)),
    ("/books?id=is.null", ()),
    ("/books?id=isdistinct.3", ("3",)),
    ("/books?search=fts(english).cat", ("english", "cat")),
    ("/books?labels=cs.{a}", ("{a}",)),
    ("/books?or=(id.eq.1,id.eq.2)", ("1", "2")),
    ("/books?limit=5&offset=10", (5, 10)),
    ("/books?offset=0", ()),  # offset 0 is no OFFSET at all
    # select (json keys) → embeds (their filters, order, range) → filters → logic →
    # order → range of the parent
    ("/books?select=meta->>k,authors(name)&authors.name=eq.x&or=(id.eq.1)&order=meta->>o"
     "&limit=2",
     ("k", "x", "1", "o", 2)),
    ("/authors?select=books(title)&books.limit=3&books.offset=1&limit=9",
     (3, 1, 9)),
])
def test_values_are_collected_in_traversal_order(target: str, values: tuple[object, ...]) -> None:
    planned = plan(target)
    assert planned.values == values
    # and every value is referenced by exactly one Param of the plan, by its index
    params = sorted({p.index for p in walk(planned.plan) if isinstance(p, Param)})
    assert params == list(range(len(values)))


@pytest.mark.parametrize(("a", "b"), [
    ("/books?id=eq.1", "/books?id=eq.2"),
    ("/books?id=in.(1,2)", "/books?id=in.(3,4,5,6)"),
    ("/books?select=meta->x->>a&limit=1", "/books?select=meta->y->>a&limit=100"),
    ("/books?select=*,authors(*)&authors.name=like.A*",
     "/books?select=*,authors(*)&authors.name=like.B*"),
])
def test_same_shape_gives_an_equal_hashable_plan(a: str, b: str) -> None:
    pa, pb = plan(a), plan(b)
    assert pa.plan == pb.plan and hash(pa.plan) == hash(pb.plan)
    assert pa.values != pb.values


@pytest.mark.parametrize(("a", "b"), [
    ("/books?id=eq.1", "/books?id=gt.1"),
    ("/books?id=eq.1", "/books?year=eq.1"),
    ("/books?limit=1", "/books"),
    ("/books?order=id", "/books?order=id.desc"),
    ("/books", "/books?select=id"),
])
def test_different_shapes_give_different_plans(a: str, b: str) -> None:
    assert plan(a).plan != plan(b).plan


# -- filters -----------------------------------------------------------------------------------

YEAR = ColumnExpr("t", "year", TypeRef("integer", "integer"))
TITLE = ColumnExpr("t", "title", TypeRef("text", "text"))


@pytest.mark.parametrize(("query", "cond"), [
    ("year=eq.1", Compare(YEAR, "eq", Param(0, "text", "integer"))),
    ("year=gte.1", Compare(YEAR, "gte", Param(0, "text", "integer"))),
    ("year=neq.1", Compare(YEAR, "neq", Param(0, "text", "integer"))),
    ("year=not.eq.1", Not(Compare(YEAR, "eq", Param(0, "text", "integer")))),
    ("title=like.a*", Compare(TITLE, "like", Param(0, "like", "text"))),
    ("title=ilike.a*", Compare(TITLE, "ilike", Param(0, "like", "text"))),
    ("title=match.^a", Compare(TITLE, "match", Param(0, "text", "text"))),
    ("title=imatch.^a", Compare(TITLE, "imatch", Param(0, "text", "text"))),
    ("year=isdistinct.1", Compare(YEAR, "isdistinct", Param(0, "text", "integer"))),
    ("year=in.(1,2)", InList(YEAR, Param(0, "text_list", "integer"))),
    ("year=eq(any).{1,2}", Compare(YEAR, "eq", Param(0, "text_list", "integer"), "any")),
    ("year=gt(all).{1,2}", Compare(YEAR, "gt", Param(0, "text_list", "integer"), "all")),
    ("title=like(any).{a*}", Compare(TITLE, "like", Param(0, "like_list", "text"), "any")),
    ("year=is.null", IsCheck(YEAR, "null")),
    ("year=not.is.null", Not(IsCheck(YEAR, "null"))),
    ("available=is.true",
     IsCheck(ColumnExpr("t", "available", TypeRef("boolean", "boolean")), "true")),
    ("labels=cs.{a}",
     RangeOp(ColumnExpr("t", "labels", TypeRef("other", "text[]")), "cs",
             Param(0, "array", "other"))),
    ("during=ov.[1,2)",
     RangeOp(ColumnExpr("t", "during", TypeRef("other", "tstzrange")), "ov",
             Param(0, "array", "other"))),
    ("during=adj.[1,2)",
     RangeOp(ColumnExpr("t", "during", TypeRef("other", "tstzrange")), "adj",
             Param(0, "text", "other"))),
    ("search=fts.cat",
     FullText(ColumnExpr("t", "search", TypeRef("other", "tsvector")), "fts", Param(0, "fts"))),
    ("search=wfts(english).cat",
     FullText(ColumnExpr("t", "search", TypeRef("other", "tsvector")), "wfts",
              Param(1, "wfts"), Param(0))),
    ("or=(year.eq.1,title.is.null)",
     BoolOp("or", (Compare(YEAR, "eq", Param(0, "text", "integer")), IsCheck(TITLE, "null")))),
    ("not.and=(year.gt.1,year.lt.2)",
     Not(BoolOp("and", (Compare(YEAR, "gt", Param(0, "text", "integer")),
                        Compare(YEAR, "lt", Param(1, "text", "integer")))))),
    ("or=(year.eq.1,and(title.eq.a,year.not.eq.2))",
     BoolOp("or", (Compare(YEAR, "eq", Param(0, "text", "integer")),
                   BoolOp("and", (Compare(TITLE, "eq", Param(1, "text", "text")),
                                  Not(Compare(YEAR, "eq", Param(2, "text", "integer")))))))),
])
def test_filters_become_typed_conditions(query: str, cond: object) -> None:
    assert plan(f"/books?{query}").plan.read.where == (cond,)


@pytest.mark.parametrize(("query", "value"), [
    ("title=like.*a*b*", "%a%b%"),
    ("title=eq.*a*", "*a*"),  # only like/ilike read * as %
    ("title=in.(a,\"b c\")", ["a", "b c"]),
    ("title=eq(any).{\"a,b\",c}", ["a,b", "c"]),
    ("title=eq(any).{}", []),
])
def test_filter_values(query: str, value: object) -> None:
    assert plan(f"/books?{query}").values == (value,)


def test_filters_keep_their_order() -> None:
    where = plan("/books?year=gt.1&id=lt.9&title=eq.x").plan.read.where
    assert [c.lhs.column for c in where] == ["year", "id", "title"]  # type: ignore[union-attr]


# -- embeds --------------------------------------------------------------------------------------

def test_many_to_one_embed_is_an_object_joined_on_the_foreign_key() -> None:
    read = plan("/books?select=id,authors(name)").plan.read
    embed = embed_of(read, "authors")
    assert isinstance(embed, Embed) and embed.mode == "object"
    assert embed.read.table == "authors" and embed.read.alias == "t1"
    assert embed.read.where == (ColumnEq(ColumnExpr("t1", "id", TypeRef("integer", "integer")),
                                         ColumnExpr("t", "author_id",
                                                    TypeRef("integer", "integer"))),)
    assert keys(embed.read) == ("name",)


@pytest.mark.parametrize(("target", "key", "mode", "table"), [
    ("/books?select=authors(*)", "authors", "object", "authors"),         # m2o
    ("/authors?select=books(*)", "books", "array", "books"),              # o2m
    ("/books?select=book_details(*)", "book_details", "object", "book_details"),  # o2o
    ("/book_details?select=books(*)", "books", "object", "books"),        # o2o reverse
    ("/books?select=tags(*)", "tags", "array", "tags"),                   # m2m
    ("/tags?select=books(*)", "books", "array", "books"),                 # m2m reverse
    ("/employees?select=employees(*)", "employees", "array", "employees"),  # self: children
    ("/employees?select=boss:manager_id(*)", "boss", "object", "employees"),  # self: parent
    ("/orders?select=addresses!billing(*)", "addresses", "object", "addresses"),
    ("/addresses?select=orders!shipping(*)", "orders", "array", "orders"),
    ("/authors?select=recent_books(*)", "recent_books", "array", "recent_books"),  # view
    ("/recent_books?select=authors(*)", "authors", "object", "authors"),
    ("/authors?select=...books(title)", "title", "values", "books"),      # to-many spread
])
def test_embed_modes(target: str, key: str, mode: str, table: str) -> None:
    embed = embed_of(plan(target).plan.read, key)
    assert isinstance(embed, Embed)
    assert (embed.mode, embed.read.table) == (mode, table)


def test_many_to_many_embed_inner_joins_the_junction() -> None:
    embed = embed_of(plan("/books?select=tags(name)").plan.read, "tags")
    junction = ColumnExpr("t2", "book_id", TypeRef("integer", "integer"))
    assert embed.read.joins == (JoinTable("public", "book_tags", "t2", (
        ColumnEq(ColumnExpr("t2", "tag_id", TypeRef("integer", "integer")),
                 ColumnExpr("t1", "id", TypeRef("integer", "integer"))),)),)
    assert embed.read.where == (ColumnEq(junction,
                                         ColumnExpr("t", "id", TypeRef("integer", "integer"))),)


def test_to_one_spread_is_one_scalar_per_column() -> None:
    read = plan("/books?select=id,...authors(name,born)").plan.read
    name, born = read.select[1].expr, read.select[2].expr
    assert isinstance(name, Scalar) and isinstance(born, Scalar)
    assert keys(name.read) == ("name",) and keys(born.read) == ("born",)
    assert name.type == TypeRef("text", "text") and born.type == TypeRef("integer", "integer")


def test_embedded_filters_order_and_range_go_to_the_child() -> None:
    planned = plan("/authors?select=id,books(title)&books.year=gt.2000&books.order=title.desc"
                   "&books.limit=2&books.offset=1&id=lt.10")
    read = planned.plan.read
    child = embed_of(read, "books").read
    assert [type(c) for c in child.where] == [ColumnEq, Compare]
    assert [o.desc for o in child.order] == [True]
    assert (child.limit, child.offset) == (Param(1, "int"), Param(2, "int"))
    assert [type(c) for c in read.where] == [Compare]
    assert planned.values == ("2000", 2, 1, "10")


def test_embedded_filters_by_alias() -> None:
    child = embed_of(plan("/authors?select=b:books(title)&b.year=eq.1").plan.read, "b").read
    assert isinstance(child.where[-1], Compare)


def test_to_one_embed_drops_its_range() -> None:
    planned = plan("/books?select=authors(name)&authors.limit=3")
    child = embed_of(planned.plan.read, "authors").read
    assert child.limit is None and child.offset is None


def test_nested_embeds() -> None:
    read = plan("/authors?select=name,books(title,tags(name),publishers(name))").plan.read
    books = embed_of(read, "books")
    assert keys(books.read) == ("title", "tags", "publishers")
    assert embed_of(books.read, "tags").mode == "array"
    assert embed_of(books.read, "publishers").mode == "object"
    aliases = {n.alias for n in walk(read) if isinstance(n, (ReadPlan, JoinTable))}
    assert aliases == {"t", "t1", "t2", "t3", "t4"}  # t3 is the book_tags junction


# -- !inner and null filters on embeds: Exists ---------------------------------------------------

@pytest.mark.parametrize(("target", "negated"), [
    ("/books?select=id,authors!inner(name)", False),
    ("/books?select=id,authors(name)&authors=not.is.null", False),
    ("/books?select=id,authors(name)&authors=is.null", True),
    ("/books?select=id,authors(name)&authors=not.is.not_null", True),
    ("/authors?select=id,books!inner(title)", False),
    ("/books?select=id,tags!inner(name)", False),
    ("/books?select=id,authors()&authors=not.is.null", False),
])
def test_exists_conditions(target: str, negated: bool) -> None:
    (cond,) = plan(target).plan.read.where
    if negated:
        assert isinstance(cond, Not)
        cond = cond.cond
    assert isinstance(cond, Exists)
    # an existence test selects nothing, orders nothing and is not limited
    assert cond.read.select == () and cond.read.order == () and cond.read.limit is None
    assert isinstance(cond.read.where[0], ColumnEq)


def test_inner_embed_with_a_filter_keeps_the_filter_in_the_exists() -> None:
    (cond,) = plan("/books?select=id,authors!inner(name)&authors.name=eq.x").plan.read.where
    assert isinstance(cond, Exists)
    assert [type(c) for c in cond.read.where] == [ColumnEq, Compare]


def test_inner_many_to_many_exists_keeps_the_junction() -> None:
    (cond,) = plan("/books?select=id,tags!inner(name)").plan.read.where
    assert isinstance(cond, Exists) and cond.read.joins[0].table == "book_tags"


# -- order and related order ---------------------------------------------------------------------

@pytest.mark.parametrize(("order", "expected"), [
    ("id", [("id", False, None)]),
    ("id.desc", [("id", True, None)]),
    ("id.asc.nullsfirst", [("id", False, "first")]),
    ("year.desc.nullslast,id", [("year", True, "last"), ("id", False, None)]),
])
def test_order(order: str, expected: list[tuple[str, bool, str | None]]) -> None:
    read = plan(f"/books?order={order}").plan.read
    assert [(o.expr.column, o.desc, o.nulls) for o in read.order] == expected  # type: ignore


def test_related_order_is_a_scalar_of_the_to_one_row() -> None:
    (order,) = plan("/books?select=id,authors(name)&order=authors(name).desc").plan.read.order
    assert isinstance(order.expr, Scalar) and order.desc
    assert order.expr.read.table == "authors"
    assert order.expr.read.select[0].expr == ColumnExpr("t1", "name", TypeRef("text", "text"))


# -- range, max_rows ------------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "max_rows", "limit"), [
    ("/books", None, None),
    ("/books", 10, 10),
    ("/books?limit=3", 10, 3),
    ("/books?limit=30", 10, 10),
    ("/books?limit=0", 10, 0),
    ("/books?limit=3", None, 3),
])
def test_max_rows_caps_the_limit(target: str, max_rows: int | None, limit: int | None) -> None:
    planned = plan(target, max_rows=max_rows)
    param = planned.plan.read.limit
    assert (None if param is None else planned.values[param.index]) == limit


def test_max_rows_caps_to_many_embeds_too() -> None:
    planned = plan("/authors?select=books(title)&books.limit=50", max_rows=5)
    child = embed_of(planned.plan.read, "books").read
    assert child.limit is not None and planned.values[child.limit.index] == 5


def test_range_header_sets_the_top_level_range() -> None:
    planned = plan("/books", {"Range": "5-9"})
    read = planned.plan.read
    assert read.limit is not None and read.offset is not None
    assert (planned.values[read.limit.index], planned.values[read.offset.index]) == (5, 5)
    assert planned.offset == 5


# -- the rest of the PlannedRequest ---------------------------------------------------------------

@pytest.mark.parametrize(("headers", "count", "output", "strip"), [
    ({}, None, "json", False),
    ({"Prefer": "count=exact"}, "exact", "json", False),
    ({"Prefer": "count=planned"}, "planned", "json", False),
    ({"Accept": "text/csv"}, None, "csv", False),
    ({"Accept": "application/vnd.pgrst.object+json"}, None, "object", False),
    ({"Accept": "application/vnd.pgrst.array+json;nulls=stripped"}, None, "json", True),
])
def test_query_plan_count_and_output(headers: dict[str, str], count: str | None, output: str,
                                     strip: bool) -> None:
    qp = plan("/books", headers).plan
    assert (qp.count, qp.output, qp.strip_nulls) == (count, output, strip)


def test_planned_request_fields() -> None:
    planned = plan("/books?offset=4", {"Accept-Profile": "public"}, method="HEAD")
    assert (planned.method, planned.schema, planned.offset) == ("HEAD", "public", 4)
    assert planned.content_type == "application/json; charset=utf-8"
    assert planned.profile_header


def test_a_second_schema_is_planned_against_its_tables() -> None:
    other = Table("api", "things", (Column("id", "integer", "integer"),), ("id",))
    cache = SchemaCache({("api", "things"): other})
    planned = plan("/things", {"Accept-Profile": "api"}, cache=cache, schemas=("public", "api"))
    assert (planned.plan.read.schema, planned.schema, planned.profile_header) == (
        "api", "api", True)


# -- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "code", "status", "message"), [
    ("/nope", "PGRST205", 404, "Could not find the table 'public.nope' in the schema cache"),
    ("/books?select=nope", "42703", 400, "column books.nope does not exist"),
    ("/books?nope=eq.1", "42703", 400, "column books.nope does not exist"),
    ("/books?order=nope", "42703", 400, "column books.nope does not exist"),
    ("/books?select=nope->a", "42703", 400, "column books.nope does not exist"),
    ("/books?select=authors(nope)", "42703", 400, "column authors.nope does not exist"),
    ("/books?select=authors(*)&authors.nope=eq.1", "42703", 400,
     "column authors.nope does not exist"),
    ("/books?select=*,nope(*)", "PGRST200", 400,
     "Could not find a relationship between 'books' and 'nope' in the schema cache"),
    ("/books?select=*,tags!nope(*)", "PGRST200", 400,
     "Could not find a relationship between 'books' and 'tags' in the schema cache"),
    ("/orders?select=*,addresses(*)", "PGRST201", 300,
     "Could not embed because more than one relationship was found for 'orders' and "
     "'addresses'"),
    ("/books?authors.name=eq.x", "PGRST108", 400,
     "'authors' is not an embedded resource in this request"),
    ("/books?authors.order=name", "PGRST108", 400,
     "'authors' is not an embedded resource in this request"),
    ("/books?authors.limit=1", "PGRST108", 400,
     "'authors' is not an embedded resource in this request"),
    ("/books?authors.or=(id.eq.1)", "PGRST108", 400,
     "'authors' is not an embedded resource in this request"),
    ("/books?order=authors(name)", "PGRST108", 400,
     "'authors' is not an embedded resource in this request"),
    ("/authors?select=*,books(*)&order=books(title)", "PGRST118", 400,
     "A related order on 'books' is not possible"),
    # only `is` filters address an embed; others are column filters (PostgREST #2862)
    ("/books?select=*,authors(*)&authors=eq.1", "42703", 400,
     "column books.authors does not exist"),
    ("/books?select=*,authors(*)&authors=is.true", "PGRST120", 400,
     "Bad operator on the 'authors' embedded resource"),
    ("/books?select=year::nosuchtype", "42704", 400, 'type "nosuchtype" does not exist'),
    ("/books?limit=-1", "PGRST103", 416, "Requested range not satisfiable"),
    ("/authors?select=*,books(*)&books.limit=-1", "PGRST103", 416,
     "Requested range not satisfiable"),
    ("/books", "PGRST107", 406, "None of these media types are available: text/html"),
])
def test_errors(target: str, code: str, status: int, message: str) -> None:
    headers = {"Accept": "text/html"} if code == "PGRST107" else None
    with pytest.raises(DbrestError) as info:
        plan(target, headers)
    err = info.value
    assert (err.error_code(), err.http_status(), err.message) == (code, status, message)


def test_not_embedded_hint() -> None:
    with pytest.raises(DbrestError) as info:
        plan("/books?authors.name=eq.x")
    assert info.value.hint == ("Verify that 'authors' is included in the 'select' query "
                               "parameter.")


def test_related_order_not_to_one_details() -> None:
    with pytest.raises(DbrestError) as info:
        plan("/authors?select=*,books(*)&order=books(title)")
    assert info.value.details == ("'authors' and 'books' do not form a many-to-one or "
                                  "one-to-one relationship")


def test_negative_limit_details() -> None:
    with pytest.raises(DbrestError) as info:
        plan("/authors?select=*,books(*)&books.limit=-1")
    assert info.value.details == "Limit should be greater than or equal to zero."


def test_embed_to_a_table_outside_the_exposed_schemas_is_no_relationship() -> None:
    cache = build_schema_cache(
        {("public", "notes"): Table("public", "notes", (Column("id", "integer", "integer"),
                                                        Column("owner", "integer", "integer")),
                                    ("id",))},
        (ForeignKey("notes_owner_fkey", "public", "notes", ("owner",), "private", "users",
                    ("id",)),))
    with pytest.raises(DbrestError) as info:
        plan("/notes?select=*,users(*)", cache=cache)
    assert info.value.error_code() == "PGRST200"



def test_same_embed_name_twice_is_postgrest_duplicate_alias() -> None:
    """PostgREST joins each embed as `<table>_<name>_<depth>`: two under one name is
    PostgreSQL's 42712, never an object with a duplicated key."""
    from dbrest.errors import DuplicateAlias
    from dbrest.parse import ast as _ast
    from dbrest.plan.nodes import check_embed_names
    from tests.plan.schema_fixture import CACHE as _CACHE
    books = _CACHE.table("public", "books")
    assert books is not None
    rel = _ast.SelectRelation("authors", ())
    with pytest.raises(DuplicateAlias) as info:
        check_embed_names(books, (rel, rel), 1)
    assert info.value.message == 'table name "books_authors_1" specified more than once'
    check_embed_names(books, (rel, _ast.SelectRelation("authors", (), alias="a")), 1)
