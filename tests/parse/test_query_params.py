"""Sorting query parameters into select / filters / logic / order / ranges
(`dbrest/parse/query_params.py`, PostgREST `ApiRequest/QueryParams.parse`), and the
canonical form `dbrest/parse/printer.py` prints them back in."""

from __future__ import annotations

from typing import Any

import pytest

from dbrest.errors import ParseError
from dbrest.parse.ast import (
    Field,
    Filter,
    JsonStep,
    LogicExpr,
    OpExpr,
    OpIn,
    OpQuant,
    OrderTerm,
    QueryParams,
    Range,
    SelectField,
    SelectRelation,
)
from dbrest.parse.printer import print_query
from dbrest.parse.query_params import parse_query_params

Pairs = tuple[tuple[str, str], ...]


def eq(value: str, negated: bool = False) -> OpExpr:
    return OpExpr(negated, OpQuant("eq", value))


def parse(*pairs: tuple[str, str]) -> QueryParams:
    return parse_query_params(pairs)


def test_empty_query_selects_everything() -> None:
    assert parse() == QueryParams(select=(SelectField(Field("*")),))


@pytest.mark.parametrize(("pairs", "filters"), [
    ((("id", "eq.1"),), (((), Filter(Field("id"), eq("1"))),)),
    ((("a.b", "eq.0"),), ((("a",), Filter(Field("b"), eq("0"))),)),
    ((("a.b.col", "eq.1"),), ((("a", "b"), Filter(Field("col"), eq("1"))),)),
    ((("data->x->>y", "eq.1"),),
     (((), Filter(Field("data", (JsonStep("->", "x"), JsonStep("->>", "y"))), eq("1"))),)),
    # repeated keys are all kept, in order
    ((("id", "gt.1"), ("id", "lt.5")),
     (((), Filter(Field("id"), OpExpr(False, OpQuant("gt", "1")))),
      ((), Filter(Field("id"), OpExpr(False, OpQuant("lt", "5")))))),
    # a quoted name escapes the reserved words
    ((('"order"', "eq.1"), ('"select"', "eq.2")),
     (((), Filter(Field("order"), eq("1"))), ((), Filter(Field("select"), eq("2"))))),
    ((("rel.select", "eq.1"),), ((("rel",), Filter(Field("select"), eq("1"))),)),
    ((("id", "not.in.(1,2)"),), (((), Filter(Field("id"), OpExpr(True, OpIn(("1", "2"))))),)),
])
def test_filters(pairs: Pairs, filters: Any) -> None:
    assert parse(*pairs).filters == filters


@pytest.mark.parametrize(("pairs", "logic"), [
    ((("or", "(a.eq.1,b.eq.2)"),),
     (((), LogicExpr("or", (Filter(Field("a"), eq("1")), Filter(Field("b"), eq("2"))))),)),
    ((("and", "(a.eq.1)"),), (((), LogicExpr("and", (Filter(Field("a"), eq("1")),))),)),
    ((("not.or", "(a.eq.1)"),),
     (((), LogicExpr("or", (Filter(Field("a"), eq("1")),), negated=True)),)),
    ((("rel.or", "(a.eq.1)"),), ((("rel",), LogicExpr("or", (Filter(Field("a"), eq("1")),))),)),
    ((("a.b.not.and", "(x.eq.1)"),),
     ((("a", "b"), LogicExpr("and", (Filter(Field("x"), eq("1")),), negated=True)),)),
    # `not` anywhere in the path negates (PostgREST `pLogicPath`)
    ((("not.a.or", "(x.eq.1)"),),
     ((("a",), LogicExpr("or", (Filter(Field("x"), eq("1")),), negated=True)),)),
    ((("or", "(a.eq.1)"), ("or", "(b.eq.2)")),
     (((), LogicExpr("or", (Filter(Field("a"), eq("1")),))),
      ((), LogicExpr("or", (Filter(Field("b"), eq("2")),))))),
    # the key's operator is glued to the value and a filter is tried first
    ((("or", ".eq.1"),), (((), Filter(Field("or"), eq("1"))),)),
])
def test_logic(pairs: Pairs, logic: Any) -> None:
    assert parse(*pairs).logic == logic


@pytest.mark.parametrize(("pairs", "order"), [
    ((("order", "id.desc"),), (((), (OrderTerm(Field("id"), "desc"),)),)),
    ((("rel.order", "name"),), ((("rel",), (OrderTerm(Field("name")),)),)),
    ((("a.b.order", "x.asc.nullslast"),), ((("a", "b"), (OrderTerm(Field("x"), "asc", "last"),)),)),
    ((("order", "rel(col).desc"),),
     (((), (OrderTerm(Field("col"), "desc", relation="rel"),)),)),
])
def test_order(pairs: Pairs, order: Any) -> None:
    assert parse(*pairs).order == order


@pytest.mark.parametrize(("pairs", "ranges"), [
    ((("limit", "10"),), (((), Range(0, 10)),)),
    ((("offset", "5"),), (((), Range(5, None)),)),
    ((("limit", "10"), ("offset", "5")), (((), Range(5, 10)),)),
    ((("offset", "5"), ("limit", "10")), (((), Range(5, 10)),)),
    ((("limit", "0"),), (((), Range(0, 0)),)),
    ((("limit", "-1"),), (((), Range(0, -1)),)),  # request.py rejects it (PGRST103)
    ((("offset", "-3"),), (((), Range(0, None)),)),
    ((("limit", " 7 "),), (((), Range(0, 7)),)),
    # an empty value is ignored, as PostgREST ignores it
    ((("limit", ""),), (((), Range(0, None)),)),
    ((("offset", " "),), (((), Range(0, None)),)),
    # the last of a repeated key wins
    ((("limit", "1"), ("limit", "2")), (((), Range(0, 2)),)),
    ((("rel.limit", "3"), ("rel.offset", "1")), ((("rel",), Range(1, 3)),)),
    ((("a.b.offset", "2"),), ((("a", "b"), Range(2, None)),)),
    # paths with a limit come first, then those with only an offset
    ((("a.offset", "1"), ("b.limit", "2"), ("limit", "3")),
     ((("b",), Range(0, 2)), ((), Range(0, 3)), (("a",), Range(1, None)))),
])
def test_ranges(pairs: Pairs, ranges: Any) -> None:
    assert parse(*pairs).ranges == ranges


@pytest.mark.parametrize(("pair", "message", "details"), [
    (("limit", "abc"), '"failed to parse limit parameter (abc)" (line 1, column 1)',
     'unexpected "a" expecting digit'),
    (("offset", "x"), '"failed to parse offset parameter (x)" (line 1, column 1)',
     'unexpected "x" expecting digit'),
    (("limit", "1.5"), '"failed to parse limit parameter (1.5)" (line 1, column 2)',
     'unexpected "." expecting digit'),
    (("limit", "-"), '"failed to parse limit parameter (-)" (line 1, column 2)',
     "unexpected end of input expecting digit"),
    (("rel.offset", "+5"), '"failed to parse offset parameter (+5)" (line 1, column 1)',
     'unexpected "+" expecting digit'),
    (("limit", "1_000"), '"failed to parse limit parameter (1_000)" (line 1, column 2)',
     'unexpected "_" expecting digit'),
    (("limit", "٣"), '"failed to parse limit parameter (٣)" (line 1, column 1)',
     'unexpected "٣" expecting digit'),
])
def test_non_integer_ranges_are_parse_errors(pair: tuple[str, str], message: str,
                                             details: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(pair)
    assert (caught.value.code, caught.value.status) == ("PGRST100", 400)
    assert (caught.value.message, caught.value.details) == (message, details)


def test_select_columns_on_conflict() -> None:
    got = parse(("select", "id,name"), ("columns", "a, b"), ("on_conflict", '"x,y"'))
    assert got.select == (SelectField(Field("id")), SelectField(Field("name")))
    assert got.columns == ("a", "b")
    assert got.on_conflict == ("x,y",)


def test_empty_select_selects_nothing() -> None:
    assert parse(("select", "")).select == ()


def test_first_select_wins() -> None:
    # PostgREST looks `select` up with `lookup`: the first one counts, the rest are ignored
    # (not even parsed).
    got = parse(("select", "id"), ("select", "name"), ("select", "(((("))
    assert got.select == (SelectField(Field("id")),)
    assert parse(("columns", "a"), ("columns", "b")).columns == ("a",)


@pytest.mark.parametrize(("pairs", "message", "details"), [
    ((("a.b", "noop.0"),), '"failed to parse filter (noop.0)" (line 1, column 1)',
     'unexpected "n" expecting "not" or operator (eq, gt, ...)'),
    ((("id", "val"),), '"failed to parse filter (val)" (line 1, column 1)',
     'unexpected "v" expecting "not" or operator (eq, gt, ...)'),
    ((("select", "id,clients(name[])"),),
     '"failed to parse select parameter (id,clients(name[]))" (line 1, column 16)',
     'unexpected \'[\' expecting "->>", "->", "::", ".", ")", "," or end of input'),
    ((("order", "id.ac"),), '"failed to parse order (id.ac)" (line 1, column 4)',
     'unexpected "c" expecting "asc", "desc", "nullsfirst" or "nullslast"'),
    ((("or", "(id.in.1,2,id.eq.3)"),),
     '"failed to parse logic tree ((id.in.1,2,id.eq.3))" (line 1, column 10)',
     'unexpected "1" expecting "("'),
    ((("a..b", "eq.1"),), '"failed to parse tree path (a..b)" (line 1, column 3)',
     'unexpected "." expecting field name (* or [a..z0..9_$])'),
    ((('"open', "eq.1"),), '"failed to parse tree path ("open)" (line 1, column 6)',
     "unexpected end of input expecting closing quote '\"'"),
    ((("a.(.order", "id"),), '"failed to parse tree path (a.(.order)" (line 1, column 3)',
     'unexpected "(" expecting field name (* or [a..z0..9_$])'),
    ((("columns", "a,"),), '"failed to parse columns parameter (a,)" (line 1, column 3)',
     "unexpected end of input expecting field name (* or [a..z0..9_$])"),
    ((("on_conflict", ""),), '"failed to parse on_conflict parameter ()" (line 1, column 1)',
     "unexpected end of input expecting field name (* or [a..z0..9_$])"),
])
def test_pgrst100(pairs: Pairs, message: str, details: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(*pairs)
    err = info.value
    assert (err.code, err.status) == ("PGRST100", 400)
    assert err.message == message
    assert err.details == details
    assert err.hint is None
    assert set(err.payload()) == {"code", "message", "details", "hint"}


# -- the canonical form (`dbrest/parse/printer.py`) ---------------------------------------------

@pytest.mark.parametrize(("pairs", "canonical"), [
    ((("select", "*"),), ()),
    ((("select", ""),), (("select", ""),)),
    ((("select", " id , a:name->x->>0::text , rel!fk!inner( * ) , ...p(n) , count() "),),
     (("select", "id,a:name->x->>0::text,rel!fk!inner(*),...p(n),count()"),)),
    ((("select", '"*"::text,"a b":c,"x,y",rel!"left"(*),d->"0"'),),
     (("select", '"*"::text,a b:c,"x,y",rel!"left"(*),d->"0"'),)),
    ((("id", "eq.a,b)c"),), (("id", "eq.a,b)c"),)),
    ((('"order"', "eq.1"), ("rel.limit->x", "is.NULL")),
     (('"order"', "eq.1"), ('rel."limit"->x', "is.null"))),
    ((("or", '(a.eq."x,y",b.in.( 1,"",c),c.cs.{1,2},d.eq."q\\"")'),),
     (("or", '(a.eq."x,y",b.in.(1,"",c),c.cs.{1,2},d.eq.q")'),)),
    ((("a.not.and", "(x.fts(english).y, not.or(z.is.true))"),),
     (("a.not.and", "(x.fts(english).y,not.or(z.is.true))"),)),
    ((("order", "a->b.desc , rel(c).nullsfirst"),),
     (("order", "a->b.desc,rel(c).nullsfirst"),)),
    ((("offset", "5"), ("rel.limit", ""), ("limit", "3")),
     (("rel.limit", ""), ("limit", "3"), ("offset", "5"))),
    ((("columns", 'a, "b,c"'),), (("columns", 'a,"b,c"'),)),
])
def test_canonical_form(pairs: Pairs, canonical: Pairs) -> None:
    printed = print_query(parse(*pairs))
    assert printed == canonical
    assert parse(*printed) == parse(*pairs)


@pytest.mark.parametrize("query", [
    QueryParams(select=(SelectRelation("count", ()),)),
    QueryParams(select=(SelectRelation("r", (), alias="a", spread=True),)),
    QueryParams(select=(SelectField(Field("a"), cast="no-identifier"),)),
    QueryParams(select=(SelectField(Field("a"), aggregate_cast="int"),)),
    QueryParams(logic=((("not",), LogicExpr("or", (Filter(Field("a"), eq("1")),))),)),
    QueryParams(logic=(((), Filter(Field("a"), eq("1"))),)),
])
def test_unprintable(query: QueryParams) -> None:
    # ASTs the parser never produces have no text.
    with pytest.raises(ValueError):
        print_query(query)
