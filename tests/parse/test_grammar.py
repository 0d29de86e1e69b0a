"""The query-string grammar (`dbrest/parse/grammar.py`), one production at a time.

Expected trees and error positions follow the doctests of PostgREST's
`ApiRequest/QueryParams.hs`; where dbrest deliberately differs, the case says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dbrest.errors import ParseError
from dbrest.parse.ast import (
    Field,
    Filter,
    JoinType,
    JsonStep,
    LogicExpr,
    OpExpr,
    OpFts,
    OpIn,
    OpIs,
    OpIsDistinct,
    OpQuant,
    OpSimple,
    OrderTerm,
    SelectField,
    SelectRelation,
)
from dbrest.parse.grammar import (
    MAX_DEPTH,
    p_columns,
    p_field_name,
    p_json_path,
    p_logic_tree,
    p_op_expr,
    p_order,
    p_select_forest,
    p_tree_path,
)
from dbrest.parse.query_params import run

STAR = SelectField(Field("*"))


def sf(name: str, *steps: JsonStep, **kw: Any) -> SelectField:
    return SelectField(Field(name, steps), **kw)


def rel(name: str, *children: Any, **kw: Any) -> SelectRelation:
    return SelectRelation(name, children, **kw)


def arrow(key: str, index: bool = False) -> JsonStep:
    return JsonStep("->", key, index)


def arrow2(key: str, index: bool = False) -> JsonStep:
    return JsonStep("->>", key, index)


def parse(parser: Callable[..., Any], text: str) -> Any:
    return run(parser, text, "test")


def failure(parser: Callable[..., Any], text: str) -> tuple[int, str]:
    """(1-based column, details) of the PGRST100 error for `text`."""
    with pytest.raises(ParseError) as info:
        run(parser, text, "test")
    column = int(info.value.message.rsplit("column ", 1)[1].rstrip(")"))
    return column, info.value.details


# -- field names and JSON paths ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "name"), [
    ("identifier", "identifier"),
    ("identifier with spaces", "identifier with spaces"),
    ("identifier-with-dashes", "identifier-with-dashes"),
    ("123", "123"),
    ("_", "_"),
    ("$", "$"),
    ('":"', ":"),
    (" no leading or trailing spaces ", "no leading or trailing spaces"),
    ('" leading and trailing spaces "', " leading and trailing spaces "),
    ('"a\\"b"', 'a"b'),
    ('"back\\\\slash"', "back\\slash"),
    ('"a.b,c(d)"', "a.b,c(d)"),
    ('""', ""),
    ("Ünïcode", "Ünïcode"),
])
def test_field_name(text: str, name: str) -> None:
    assert parse(p_field_name, text) == name


@pytest.mark.parametrize(("text", "column", "details"), [
    (":", 1, 'unexpected ":" expecting field name (* or [a..z0..9_$])'),
    ('"open', 6, "unexpected end of input expecting closing quote"),
    ('"esc\\', 6, "unexpected end of input expecting escaped character"),
    ("a-", 3, "unexpected end of input expecting field name"),
])
def test_field_name_errors(text: str, column: int, details: str) -> None:
    got_column, got_details = failure(p_field_name, text)
    assert got_column == column
    assert got_details.startswith(details)


@pytest.mark.parametrize(("text", "path"), [
    ("->text", (arrow("text"),)),
    ("->!@#$%^&*_a", (arrow("!@#$%^&*_a"),)),
    ("->1", (arrow("1", True),)),
    ("->>text", (arrow2("text"),)),
    ("->>1", (arrow2("1", True),)),
    ("->0", (arrow("0", True),)),
    ("->-1", (arrow("-1", True),)),
    ("->>-12", (arrow2("-12", True),)),
    ("->a->>b", (arrow("a"), arrow2("b"))),
    ("->a->0->>b", (arrow("a"), arrow("0", True), arrow2("b"))),
    ('->"0"', (arrow("0"),)),  # a quoted number is a key, not an index
    ('->"a.b"', (arrow("a.b"),)),
    ("->78xy", (arrow("78xy"),)),
    ("->a-b", (arrow("a-b"),)),
    ("-> spaced key ", (arrow("spaced key"),)),
    ("", ()),
])
def test_json_path(text: str, path: tuple[JsonStep, ...]) -> None:
    assert parse(p_json_path, text) == path


@pytest.mark.parametrize(("text", "column", "details"), [
    ("->>-78xy", 7, 'unexpected \'x\' expecting digit, "->", "::", ".", "," or end of input'),
    ("->>--34", 5, 'unexpected "-" expecting digit'),
    ("->>-xy-4", 5, 'unexpected "x" expecting digit'),
    ("->", 3, "unexpected end of input"),
    ("->(", 3, 'unexpected "("'),
])
def test_json_path_errors(text: str, column: int, details: str) -> None:
    got_column, got_details = failure(p_json_path, text)
    assert (got_column, got_details.startswith(details)) == (column, True)


@pytest.mark.parametrize("digit", ["٣", "²", "５"])
def test_non_ascii_digits_are_a_key_not_an_index(digit: str) -> None:
    # Only ASCII digits make an index (Parsec's `digit`); `int("²")` would fail later.
    assert parse(p_json_path, "->" + digit) == (arrow(digit),)


# -- select --------------------------------------------------------------------------------------

SELECTS: list[tuple[str, tuple[Any, ...]]] = [
    ("id", (sf("id"),)),
    ("*", (STAR,)),
    ("", ()),
    ("id,name", (sf("id"), sf("name"))),
    (" id , name ", (sf("id"), sf("name"))),
    ("alias:name", (sf("name", alias="alias"),)),
    ("name::text", (sf("name", cast="text"),)),
    ("name->jsonpath", (sf("name", arrow("jsonpath")),)),
    ("alias:name->jsonpath::cast", (sf("name", arrow("jsonpath"), alias="alias", cast="cast"),)),
    ("alias:name->!@#$%^&*_a::cast",
     (sf("name", arrow("!@#$%^&*_a"), alias="alias", cast="cast"),)),
    ("data->>0", (sf("data", arrow2("0", True)),)),
    ("data->-1", (sf("data", arrow("-1", True)),)),
    ("data->0::int,x", (sf("data", arrow("0", True), cast="int"), sf("x"))),
    ("data->a->>b", (sf("data", arrow("a"), arrow2("b")),)),
    ('"Column With Space","field-with-dash"', (sf("Column With Space"), sf("field-with-dash"))),
    ('"a:b":c', (sf("c", alias="a:b"),)),
    ("client(id)", (rel("client", sf("id")),)),
    ("*,client(*,nested(*))", (STAR, rel("client", STAR, rel("nested", STAR)))),
    ("client( id , name )", (rel("client", sf("id"), sf("name")),)),
    ("client()", (rel("client"),)),
    ("alias:rel(*)", (rel("rel", STAR, alias="alias"),)),
    ("rel!hint(*)", (rel("rel", STAR, hint="hint"),)),
    ("rel!inner(*)", (rel("rel", STAR, join_type=JoinType.INNER),)),
    ("rel!left(*)", (rel("rel", STAR, join_type=JoinType.LEFT),)),
    ("rel!hint!inner(*)", (rel("rel", STAR, hint="hint", join_type=JoinType.INNER),)),
    ("alias:rel!inner!hint(*)",
     (rel("rel", STAR, alias="alias", hint="hint", join_type=JoinType.INNER),)),
    ('rel!"left"(*)', (rel("rel", STAR, hint="left"),)),
    # dbrest reads a hint that merely starts with left/inner as a hint (PostgREST fails).
    ("rel!leftover(*)", (rel("rel", STAR, hint="leftover"),)),
    ("rel!a!b(*)", (rel("rel", STAR, hint="a"),)),  # the first hint wins
    ("...rel(*)", (rel("rel", STAR, spread=True),)),
    ("...rel!hint!inner(*)",
     (rel("rel", STAR, hint="hint", join_type=JoinType.INNER, spread=True),)),
    ("*,...client(*),other(*)", (STAR, rel("client", STAR, spread=True), rel("other", STAR))),
    ("...count(a)", (rel("count", sf("a"), spread=True),)),
    ("count()", (sf("*", aggregate="count"),)),
    ("count()::int", (sf("*", aggregate="count", aggregate_cast="int"),)),
    ("total:count()", (sf("*", aggregate="count", alias="total"),)),
    ("count", (sf("count"),)),
    ("price.sum()", (sf("price", aggregate="sum"),)),
    ("price.avg(),price.max(),price.min(),id.count()",
     (sf("price", aggregate="avg"), sf("price", aggregate="max"), sf("price", aggregate="min"),
      sf("id", aggregate="count"))),
    ("s:price::int.sum()::text",
     (sf("price", alias="s", cast="int", aggregate="sum", aggregate_cast="text"),)),
    ("books(genre,count())", (rel("books", sf("genre"), sf("*", aggregate="count")),)),
]


@pytest.mark.parametrize(("text", "items"), SELECTS, ids=[t for t, _ in SELECTS])
def test_select(text: str, items: tuple[Any, ...]) -> None:
    assert parse(p_select_forest, text) == items


@pytest.mark.parametrize(("text", "column", "details"), [
    ("id,clients(name[])", 16,
     'unexpected \'[\' expecting "->>", "->", "::", ".", ")", "," or end of input'),
    ("data->>-78xy", 11, "unexpected 'x' expecting digit"),
    ("name!hint", 5, "unexpected '!'"),
    ("*!hint", 2, "unexpected '!'"),
    ("name::", 7, "unexpected end of input"),
    ("rel->jsonpath(*)", 14, "unexpected '('"),
    ("...rel->jsonpath(*)", 7, 'unexpected "-" expecting "("'),
    ("id,authors(name", 16, 'unexpected end of input expecting ")" or ","'),
    ("count(*)", 6, "unexpected '('"),  # `count` is not a relation name
    ("metadata->(x", 11, 'unexpected "("'),
    ("tags->>--1", 9, 'unexpected "-" expecting digit'),
    ("a,,b", 3, 'unexpected ","'),
    ("a:*", 3, 'unexpected "*"'),  # `*` takes neither alias nor cast
    ("*::text", 2, "unexpected ':'"),
])
def test_select_errors(text: str, column: int, details: str) -> None:
    got_column, got_details = failure(p_select_forest, text)
    assert got_column == column, got_details
    assert got_details.startswith(details)


def test_select_nesting_is_bounded() -> None:
    deep = "a(" * MAX_DEPTH + "b" + ")" * MAX_DEPTH
    assert parse(p_select_forest, deep)
    column, details = failure(p_select_forest, "a(" + deep + ")")
    assert (column, details) == (2 * MAX_DEPTH + 3, f"nesting deeper than {MAX_DEPTH} levels")


# -- filter operators ----------------------------------------------------------------------------

def q(op: str, value: str, quantifier: str | None = None, negated: bool = False) -> OpExpr:
    return OpExpr(negated, OpQuant(op, value, quantifier))  # type: ignore[arg-type]


def simple(op: str, value: str, negated: bool = False) -> OpExpr:
    return OpExpr(negated, OpSimple(op, value))  # type: ignore[arg-type]


OPERATORS: list[tuple[str, OpExpr]] = [
    *((f"{op}.5", q(op, "5")) for op in ("eq", "gt", "gte", "lt", "lte")),
    *((f"{op}.*a*", q(op, "*a*")) for op in ("like", "ilike")),
    *((f"{op}.^a", q(op, "^a")) for op in ("match", "imatch")),
    *((f"{op}.{{1,2}}", simple(op, "{1,2}")) for op in ("cs", "cd", "ov")),
    *((f"{op}.[1,2)", simple(op, "[1,2)")) for op in ("sl", "sr", "nxr", "nxl", "adj")),
    ("neq.x", simple("neq", "x")),
    ("eq(any).{1,2}", q("eq", "{1,2}", "any")),
    ("like(all).{a*,*b}", q("like", "{a*,*b}", "all")),
    ("not.eq(all).value", q("eq", "value", "all", negated=True)),
    ("not.eq.1", q("eq", "1", negated=True)),
    ("eq.", q("eq", "")),
    ("eq.a.b,c)(d", q("eq", "a.b,c)(d")),  # the value runs to the end, verbatim
    ('eq."quoted"', q("eq", '"quoted"')),
    ("eq. spaced ", q("eq", " spaced ")),
    ("in.(1,2,3)", OpExpr(False, OpIn(("1", "2", "3")))),
    ('in.("a,b","c\\"d",e)', OpExpr(False, OpIn(("a,b", 'c"d', "e")))),
    ("in.()", OpExpr(False, OpIn(()))),
    ('in.("")', OpExpr(False, OpIn(("",)))),
    ("in.(,)", OpExpr(False, OpIn(("", "")))),
    ("in.( a, b )", OpExpr(False, OpIn(("a", " b ")))),
    ('in.("a"b)', OpExpr(False, OpIn(('"a"b',)))),  # not a whole quoted value: verbatim
    ("not.in.(1)", OpExpr(True, OpIn(("1",)))),
    ("is.null", OpExpr(False, OpIs("null"))),
    ("is.NULL", OpExpr(False, OpIs("null"))),
    ("is.Not_Null", OpExpr(False, OpIs("not_null"))),
    ("is.TRUE", OpExpr(False, OpIs("true"))),
    ("is.false", OpExpr(False, OpIs("false"))),
    ("is.Unknown", OpExpr(False, OpIs("unknown"))),
    ("not.is.null", OpExpr(True, OpIs("null"))),
    ("isdistinct.x", OpExpr(False, OpIsDistinct("x"))),
    ("fts.cat", OpExpr(False, OpFts("fts", "cat"))),
    ("plfts(english).fat cats", OpExpr(False, OpFts("plfts", "fat cats", "english"))),
    ("phfts.a", OpExpr(False, OpFts("phfts", "a"))),
    ("not.wfts(simple).a or b", OpExpr(True, OpFts("wfts", "a or b", "simple"))),
]


@pytest.mark.parametrize(("text", "expr"), OPERATORS, ids=[t for t, _ in OPERATORS])
def test_operator(text: str, expr: OpExpr) -> None:
    assert parse(p_op_expr, text) == expr


@pytest.mark.parametrize(("text", "column", "details"), [
    ("noop.0", 1, 'expecting "not" or operator (eq, gt, ...)'),
    ("val", 1, 'unexpected "v" expecting "not" or operator (eq, gt, ...)'),
    ("eq", 1, 'unexpected "e" expecting "not" or operator'),
    ("eq().value", 3, 'unexpected "(" expecting delimiter (.)'),
    ("eq(some).x", 3, 'unexpected "(" expecting delimiter (.)'),
    ("neq(any).{1,2}", 1, "expecting"),  # quantifiers only on eq, gt, like, …
    ("fts().value", 5, 'unexpected ")"'),
    ("is().value", 1, 'expecting "not" or operator'),
    ("in().value", 1, 'expecting "not" or operator'),
    ("is.nil", 4, "expecting isVal: (null, not_null, true, false, unknown)"),
    ("is.nullx", 8, "expecting end of input"),
    ("in.1,2", 4, 'unexpected "1" expecting "("'),
    ("in.(1,2", 8, 'unexpected end of input expecting ")" or ","'),
    ("in.(1)x", 7, "expecting end of input"),
    ("not.", 5, "unexpected end of input"),
])
def test_operator_errors(text: str, column: int, details: str) -> None:
    got_column, got_details = failure(p_op_expr, text)
    assert got_column == column, got_details
    assert details in got_details


# -- filter keys (tree paths) ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "path", "field"), [
    ("id", (), Field("id")),
    ("a.b.col", ("a", "b"), Field("col")),
    ("data->a->>b", (), Field("data", (arrow("a"), arrow2("b")))),
    ("rel.data->0", ("rel",), Field("data", (arrow("0", True),))),
    ('"a.b".c', ("a.b",), Field("c")),
    ('"Column With Space"', (), Field("Column With Space")),
])
def test_tree_path(text: str, path: tuple[str, ...], field: Field) -> None:
    assert parse(p_tree_path, text) == (path, field)


@pytest.mark.parametrize("text", ["", "a.", ".a", "a..b", "a(b)", "a->"])
def test_tree_path_errors(text: str) -> None:
    failure(p_tree_path, text)


# -- logic trees -------------------------------------------------------------------------------

def f(name: str, expr: OpExpr) -> Filter:
    return Filter(Field(name), expr)


LOGIC: list[tuple[str, Any]] = [
    ("or(a.eq.1,b.gt.2)", LogicExpr("or", (f("a", q("eq", "1")), f("b", q("gt", "2"))))),
    ("and(a.eq.1)", LogicExpr("and", (f("a", q("eq", "1")),))),
    ("not.or(a.eq.1)", LogicExpr("or", (f("a", q("eq", "1")),), negated=True)),
    ("or( a.eq.1 , b.eq.2 )", LogicExpr("or", (f("a", q("eq", "1 ")), f("b", q("eq", "2 "))))),
    ("or(a.eq.1,and(b.eq.2,not.or(c.is.null,d.not.in.(1,2))))",
     LogicExpr("or", (f("a", q("eq", "1")), LogicExpr("and", (
         f("b", q("eq", "2")),
         LogicExpr("or", (f("c", OpExpr(False, OpIs("null"))),
                          f("d", OpExpr(True, OpIn(("1", "2"))))), negated=True)))))),
    ('or(a.eq."x,y",b.eq."q\\"t")', LogicExpr("or", (f("a", q("eq", "x,y")),
                                                     f("b", q("eq", 'q"t'))))),
    ("or(a.cs.{1,2},b.eq.{x})", LogicExpr("or", (f("a", simple("cs", "{1,2}")),
                                                 f("b", q("eq", "{x}"))))),
    ("or(a.eq(any).{1,2})", LogicExpr("or", (f("a", q("eq", "{1,2}", "any")),))),
    ('or(a.eq."x"y)', LogicExpr("or", (f("a", q("eq", '"x"y')),))),
    ("or(a.eq.,b.eq.)", LogicExpr("or", (f("a", q("eq", "")), f("b", q("eq", ""))))),
    ("or(a.is.NULL,b.fts(english).x y)",
     LogicExpr("or", (f("a", OpExpr(False, OpIs("null"))),
                      f("b", OpExpr(False, OpFts("fts", "x y", "english")))))),
    ("or(data->a.eq.1)", LogicExpr("or", (Filter(Field("data", (arrow("a"),)), q("eq", "1")),))),
    ("or(or.eq.1,not.not.eq.2)", LogicExpr("or", (f("or", q("eq", "1")),
                                                  f("not", q("eq", "2", negated=True))))),
    # The parser tries a filter first: `?or=.eq.1` is a filter on a column named `or`.
    ("or.eq.1", f("or", q("eq", "1"))),
]


@pytest.mark.parametrize(("text", "tree"), LOGIC, ids=[t for t, _ in LOGIC])
def test_logic_tree(text: str, tree: Any) -> None:
    assert parse(p_logic_tree, text) == tree


@pytest.mark.parametrize(("text", "column", "details"), [
    ("or()", 4, 'unexpected ")" expecting field name (* or [a..z0..9_$]), '
     'negation operator (not) or logic operator (and, or)'),
    ("or(id.in.1,2,id.eq.3)", 10, 'unexpected "1" expecting "("'),
    ("or)(", 3, 'unexpected ")" expecting "("'),
    ("or(id.eq.1,not.xor(id.eq.2,id.eq.3))", 16,
     'unexpected "x" expecting logic operator (and, or)'),
    ("or(a.eq.1", 10, 'unexpected end of input expecting ")" or ","'),
    ("or(a.eq.1))", 11, "unexpected ')' expecting end of input"),
    # Both branches fail; the filter branch got further (Parsec reports the same).
    ("xor(a.eq.1)", 4, 'unexpected "(" expecting delimiter (.)'),
    ("or(a.eq.{1,2}x)", 14, 'unexpected "x" expecting ")" or ","'),
])
def test_logic_tree_errors(text: str, column: int, details: str) -> None:
    got_column, got_details = failure(p_logic_tree, text)
    assert got_column == column, got_details
    assert got_details.startswith(details)


def test_logic_nesting_is_bounded() -> None:
    deep = "or(" * MAX_DEPTH + "a.eq.1" + ")" * MAX_DEPTH
    assert parse(p_logic_tree, deep)
    _, details = failure(p_logic_tree, "or(" + deep + ")")
    assert details.startswith("nesting deeper than")


# -- order ---------------------------------------------------------------------------------------

def term(name: str, *steps: JsonStep, **kw: Any) -> OrderTerm:
    return OrderTerm(Field(name, steps), **kw)


ORDERS: list[tuple[str, tuple[OrderTerm, ...]]] = [
    ("id", (term("id"),)),
    ("name.desc.nullsfirst", (term("name", direction="desc", nulls="first"),)),
    ("json_col->key.asc.nullslast",
     (term("json_col", arrow("key"), direction="asc", nulls="last"),)),
    ("json_col->!@#$%^&*_a.asc.nullslast",
     (term("json_col", arrow("!@#$%^&*_a"), direction="asc", nulls="last"),)),
    ("clients(json_col->key).desc.nullsfirst",
     (term("json_col", arrow("key"), direction="desc", nulls="first", relation="clients"),)),
    ("name,clients(name),id", (term("name"), term("name", relation="clients"), term("id"))),
    ("id.nullslast", (term("id", nulls="last"),)),
    ("a->0.desc,b->>-1", (term("a", arrow("0", True), direction="desc"),
                          term("b", arrow2("-1", True)))),
    ("rel(a->0)", (term("a", arrow("0", True), relation="rel"),)),
    (" a , b.asc ", (term("a"), term("b", direction="asc"))),
    ('"a.b".desc', (term("a.b", direction="desc"),)),
]


@pytest.mark.parametrize(("text", "terms"), ORDERS, ids=[t for t, _ in ORDERS])
def test_order(text: str, terms: tuple[OrderTerm, ...]) -> None:
    assert parse(p_order, text) == terms


@pytest.mark.parametrize(("text", "column", "details"), [
    ("clients(name,id)", 8, "unexpected '('"),
    ("id.ac", 4, 'expecting "asc", "desc", "nullsfirst" or "nullslast"'),
    ("id.descc", 8, 'unexpected \'c\' expecting delimiter (.), "," or end of input'),
    ("id.nulsfist", 4, 'expecting "asc", "desc", "nullsfirst" or "nullslast"'),
    ("id.nullslasttt", 13, 'unexpected \'t\' expecting "," or end of input'),
    ("id.smth34", 4, 'unexpected "s" expecting "asc", "desc", "nullsfirst" or "nullslast"'),
    ("id.asc.nlsfst", 8, 'unexpected "l" expecting "nullsfirst" or "nullslast"'),
    ("id.asc.nullslasttt", 17, 'unexpected \'t\' expecting "," or end of input'),
    ("id.asc.smth34", 8, 'unexpected "s" expecting "nullsfirst" or "nullslast"'),
    ("", 1, "unexpected end of input"),
    ("a,", 3, "unexpected end of input"),
])
def test_order_errors(text: str, column: int, details: str) -> None:
    got_column, got_details = failure(p_order, text)
    assert got_column == column, got_details
    assert details in got_details


# -- columns / on_conflict ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "names"), [
    ("a", ("a",)),
    ("a, b ,c", ("a", "b", "c")),
    ('"x,y",z', ("x,y", "z")),
])
def test_columns(text: str, names: tuple[str, ...]) -> None:
    assert parse(p_columns, text) == names


@pytest.mark.parametrize("text", ["", "a,", "a b,(c)", "a->b"])
def test_columns_errors(text: str) -> None:
    failure(p_columns, text)
