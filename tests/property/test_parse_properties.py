"""Properties of the parse stage: the printer inverts the parser, and junk is PGRST100.

- `parse(print(ast)) == ast` for generated select forests, filters, logic trees, orders
  and whole `QueryParams` (`dbrest/parse/printer.py`);
- whatever the text of a key or value, parsing returns or raises `ParseError`, never
  anything else; and what it returns prints back to the same tree.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbrest.errors import ParseError
from dbrest.parse.ast import (
    Field,
    Filter,
    JoinType,
    JsonStep,
    LogicExpr,
    LogicTree,
    OpExpr,
    OrderTerm,
    QueryParams,
    Range,
    SelectField,
    SelectItem,
    SelectRelation,
)
from dbrest.parse.printer import (
    print_filter_value,
    print_logic,
    print_order,
    print_query,
    print_select,
)
from dbrest.parse.query_params import parse_query_params
from tests.property.strategies import AGGREGATES, operations

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# -- strategies for the AST -------------------------------------------------------------------

# Characters the grammar gives a meaning to, so that generated text hits the quoting rules.
RESERVED_CHARS = ' ,.:()"\\->!*{}[]_$\t'
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8) | \
    st.text(st.sampled_from(RESERVED_CHARS + "abn0"), max_size=8)
words = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True)
names = words | text | st.sampled_from(
    ["*", "count", "not", "or", "and", "order", "limit", "select", "left", "inner", "0", "-1",
     "a-b", "a b", " a", "..."])
identifiers = st.from_regex(r"[A-Za-z0-9_$]([A-Za-z0-9_$ ]{0,5}[A-Za-z0-9_$])?",
                            fullmatch=True) | st.just("")
index_keys = st.from_regex(r"-?[0-9]{1,3}", fullmatch=True)
json_steps = st.builds(JsonStep, st.sampled_from(["->", "->>"]), names, st.just(False)) | \
    st.builds(JsonStep, st.sampled_from(["->", "->>"]), index_keys, st.just(True))
fields = st.builds(Field, names, st.lists(json_steps, max_size=3).map(tuple))
values = text | words | st.sampled_from(['"q"', "{1,2}", "{a", "a,b", "x)", " ", ""])


@st.composite
def select_fields(draw: st.DrawFn) -> SelectField:
    aggregate = draw(st.none() | st.sampled_from(AGGREGATES))
    return SelectField(
        field=draw(fields),
        alias=draw(st.none() | names),
        cast=draw(st.none() | identifiers),
        aggregate=aggregate,  # type: ignore[arg-type]
        aggregate_cast=draw(st.none() | identifiers) if aggregate else None,
    )


def select_relations(children: st.SearchStrategy[Any]) -> st.SearchStrategy[SelectRelation]:
    @st.composite
    def build(draw: st.DrawFn) -> SelectRelation:
        spread = draw(st.booleans())
        name = draw(names if spread else names.filter(lambda n: n != "count"))
        return SelectRelation(
            name=name,
            children=tuple(draw(st.lists(children, max_size=3))),
            alias=None if spread else draw(st.none() | names),
            hint=draw(st.none() | names),
            join_type=draw(st.none() | st.sampled_from(JoinType)),
            spread=spread,
        )
    return build()


select_items: st.SearchStrategy[SelectItem] = st.recursive(
    select_fields() | st.just(SelectField(Field("*"))), select_relations, max_leaves=8)
select_forests = st.lists(select_items, max_size=4).map(tuple)

op_exprs = operations(values, identifiers, max_in=4)
filters = st.builds(Filter, fields, op_exprs)
logic_exprs: st.SearchStrategy[LogicExpr] = st.recursive(
    st.builds(LogicExpr, st.sampled_from(["and", "or"]),
              st.lists(filters, min_size=1, max_size=3).map(tuple), st.booleans()),
    lambda children: st.builds(
        LogicExpr, st.sampled_from(["and", "or"]),
        st.lists(children | filters, min_size=1, max_size=3).map(tuple), st.booleans()),
    max_leaves=6)
order_terms = st.builds(OrderTerm, fields, st.none() | st.sampled_from(["asc", "desc"]),
                        st.none() | st.sampled_from(["first", "last"]), st.none() | names)
orders = st.lists(order_terms, min_size=1, max_size=3).map(tuple)
paths = st.lists(names, max_size=2).map(tuple)
ranges = st.builds(Range, st.integers(0, 10**6), st.none() | st.integers(-5, 10**6))


@st.composite
def query_params(draw: st.DrawFn) -> QueryParams:
    range_paths = draw(st.lists(paths, max_size=3, unique=True))
    return QueryParams(
        select=draw(select_forests | st.just(QueryParams().select)),
        filters=tuple(draw(st.lists(st.tuples(paths, filters), max_size=3))),
        logic=tuple(draw(st.lists(st.tuples(paths.filter(lambda p: "not" not in p),
                                            logic_exprs), max_size=2))),
        order=tuple(draw(st.lists(st.tuples(paths, orders), max_size=2))),
        ranges=tuple((path, draw(ranges)) for path in range_paths),
        columns=draw(st.none() | st.lists(names, min_size=1, max_size=3).map(tuple)),
        on_conflict=draw(st.none() | st.lists(names, min_size=1, max_size=3).map(tuple)),
    )


def parse(*pairs: tuple[str, str]) -> QueryParams:
    return parse_query_params(pairs)


# -- round trips -------------------------------------------------------------------------------

@SETTINGS
@given(select_forests)
def test_select_round_trip(items: tuple[SelectItem, ...]) -> None:
    assert parse(("select", print_select(items))).select == items


@SETTINGS
@given(op_exprs)
def test_filter_round_trip(expr: OpExpr) -> None:
    assert parse(("col", print_filter_value(expr))).filters == (((), Filter(Field("col"), expr)),)


@SETTINGS
@given(logic_exprs)
def test_logic_round_trip(tree: LogicTree) -> None:
    key, value = print_logic(tree)
    assert parse((key, value)).logic == (((), tree),)


@SETTINGS
@given(orders)
def test_order_round_trip(terms: tuple[OrderTerm, ...]) -> None:
    assert parse(("order", print_order(terms))).order == (((), terms),)


@SETTINGS
@given(query_params())
def test_query_round_trip(query: QueryParams) -> None:
    assert parse_query_params(print_query(query)) == query


# -- arbitrary text --------------------------------------------------------------------------

TOKENS = ["->", "->>", "::", "not.", "eq.", "in.(", "is.", "or(", "and(", "!inner", "!left",
          "...", "count()", ".sum()", ".desc", ".nullsfirst", "(any)", '"', "\\", ",", ")", "(",
          ".", ":", "a", "b", "0", "-1", " ", "{", "}", "*", "!", "or", "and", "order", "limit",
          "select", "offset", "fts(english)."]
junk = st.lists(st.sampled_from(TOKENS), max_size=12).map("".join) | st.text(max_size=20)
KEYS = ["select", "order", "or", "and", "not.or", "limit", "offset", "columns", "on_conflict",
        "id", "a.b", "rel.order", "rel.or", "rel.limit"]


def parses_or_pgrst100(pairs: tuple[tuple[str, str], ...]) -> None:
    """Parsing `pairs` returns or raises ParseError; a result prints back to itself."""
    try:
        query = parse_query_params(pairs)
    except ParseError as err:
        assert err.code == "PGRST100"
        assert isinstance(err.message, str) and isinstance(err.details, str)
        return
    assert parse_query_params(print_query(query)) == query


@SETTINGS
@given(st.sampled_from(KEYS), junk)
def test_any_value_parses_or_is_pgrst100(key: str, value: str) -> None:
    parses_or_pgrst100(((key, value),))


@SETTINGS
@given(junk, st.sampled_from(["eq.1", "(a.eq.1)", "id.desc", "5", "not.is.null"]))
def test_any_key_parses_or_is_pgrst100(key: str, value: str) -> None:
    parses_or_pgrst100(((key, value),))


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(KEYS) | junk, junk), max_size=4))
def test_any_query_parses_or_is_pgrst100(pairs: list[tuple[str, str]]) -> None:
    parses_or_pgrst100(tuple(pairs))
