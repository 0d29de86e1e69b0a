"""The canonical printer of the request AST: the inverse of `grammar` and `query_params`.

For every AST the parser can produce, `parse_query_params(print_query(q)) == q`; the
property tests in `tests/property/test_parse_properties.py` hold us to it. Names and
values are printed bare when the grammar reads them back unchanged, else as `"…"` with
backslash escapes (PostgREST `pQuotedValue`); the printer adds no whitespace. The ASTs
the parser never produces have no text (a relation named `count`, a spread with an
alias, an aggregate cast without an aggregate, an embed path through `not` in a logic
key); printing one raises `ValueError`.
"""

from __future__ import annotations

import re
from typing import assert_never

from dbrest.parse.ast import (
    EmbedPath,
    Field,
    Filter,
    JsonStep,
    LogicExpr,
    LogicTree,
    OpExpr,
    OpFts,
    OpIn,
    OpIs,
    OpIsDistinct,
    OpQuant,
    OpSimple,
    OrderTerm,
    QueryParams,
    Range,
    SelectField,
    SelectItem,
    SelectRelation,
)
from dbrest.parse.lexer import is_ident_char
from dbrest.parse.query_params import EMBEDDABLE, RESERVED

# What `sepByDash pIdentifier` reads back unchanged: ASCII word runs joined by single
# spaces inside a segment and by `-` between segments (a bare name is stripped per segment).
_WORD = r"[A-Za-z0-9_$]+(?: +[A-Za-z0-9_$]+)*"
_BARE = re.compile(rf"{_WORD}(?:-{_WORD})*")
_PG_ARRAY = re.compile(r"\{[^{}]*\}")
# Names that change a key's meaning: `order=…` is not a filter on a column `order`, and
# `not` in a logic key is the negation.
_KEY_WORDS = RESERVED | EMBEDDABLE | {"not"}
_STAR = SelectField(Field("*"))


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def print_name(name: str, reserved: frozenset[str] = frozenset()) -> str:
    """A field, relation, alias or hint name: bare when safe, else quoted."""
    return name if _BARE.fullmatch(name) and name not in reserved else quote(name)


def _json_step(step: JsonStep) -> str:
    if step.is_index:
        if not re.fullmatch(r"-?[0-9]+", step.key):
            raise ValueError(f"not a JSON array index: {step.key!r}")
        return step.arrow + step.key
    # An all-digit key printed bare would read back as an index.
    bare = _BARE.fullmatch(step.key) and not step.key.isdigit()
    return step.arrow + (step.key if bare else quote(step.key))


def print_field(field: Field, reserved: frozenset[str] = frozenset()) -> str:
    return print_name(field.name, reserved) + "".join(_json_step(s) for s in field.json_path)


def _identifier(text: str, what: str) -> str:
    """Casts and FTS languages are `pIdentifier`s: they cannot be quoted.

    The grammar strips an identifier, so `a:: ` is the cast "": print that as a blank.
    """
    if text != text.strip(" ") or not all(is_ident_char(c) for c in text):
        raise ValueError(f"{what} {text!r} is not an identifier")
    return text or " "


# -- select ----------------------------------------------------------------------------------

def print_select(items: tuple[SelectItem, ...]) -> str:
    return ",".join(_select_item(item) for item in items)


def _select_item(item: SelectItem) -> str:
    match item:
        case SelectField():
            return _select_field(item)
        case SelectRelation():
            return _select_relation(item)
        case _:
            assert_never(item)


def _select_field(item: SelectField) -> str:
    if item == _STAR:
        return "*"
    out = "" if item.alias is None else print_name(item.alias) + ":"
    if item.field == Field("*") and item.aggregate == "count" and item.cast is None:
        out += "count()"  # `"*".count()` would do as well; this is what people write
    else:
        # A decorated `*` prints quoted: `"*"` reads back as the same `Field("*")`.
        out += print_field(item.field)
        if item.cast is not None:
            out += "::" + _identifier(item.cast, "cast")
        if item.aggregate is not None:
            out += f".{item.aggregate}()"
    if item.aggregate_cast is not None:
        if item.aggregate is None:
            raise ValueError("an aggregate cast needs an aggregate")
        out += "::" + _identifier(item.aggregate_cast, "cast")
    return out


def _select_relation(rel: SelectRelation) -> str:
    if rel.spread:
        if rel.alias is not None:
            raise ValueError("a spread relation has no alias")
        out = "..."
    else:
        if rel.name == "count":
            raise ValueError("a relation cannot be named count (it is the count() aggregate)")
        out = "" if rel.alias is None else print_name(rel.alias) + ":"
    out += print_name(rel.name)
    if rel.hint is not None:
        out += "!" + print_name(rel.hint, frozenset({"left", "inner"}))
    if rel.join_type is not None:
        out += "!" + rel.join_type.value
    return out + "(" + print_select(rel.children) + ")"


# -- filters and logic trees -----------------------------------------------------------------

def print_filter_value(expr: OpExpr) -> str:
    """The value of a `col=…` filter: everything after the operator is taken verbatim."""
    return _op_expr(expr, in_logic=False)


def _op_expr(expr: OpExpr, in_logic: bool) -> str:
    out = "not." if expr.negated else ""
    op = expr.operation
    match op:
        case OpQuant():
            quantifier = "" if op.quantifier is None else f"({op.quantifier})"
            return f"{out}{op.op}{quantifier}.{_value(op.value, in_logic)}"
        case OpSimple():
            return f"{out}{op.op}.{_value(op.value, in_logic)}"
        case OpIn():
            return f"{out}in.({','.join(_list_item(v) for v in op.values)})"
        case OpIs():
            return f"{out}is.{op.value}"
        case OpIsDistinct():
            return f"{out}isdistinct.{_value(op.value, in_logic)}"
        case OpFts():
            lang = "" if op.language is None else f"({_identifier(op.language, 'language')})"
            return f"{out}{op.op}{lang}.{_value(op.value, in_logic)}"
        case _:
            assert_never(op)


def _value(value: str, in_logic: bool) -> str:
    """Inside `and(…)`/`or(…)` a value ends at `,` or `)`; `"…"` and `{…}` are read whole."""
    if not in_logic or _PG_ARRAY.fullmatch(value):
        return value
    if value.startswith(('"', "{")) or "," in value or ")" in value:
        return quote(value)
    return value


def _list_item(value: str) -> str:
    # `in.()` is the empty list, so a lone "" must be quoted; the grammar skips blanks
    # after `(` (PostgREST `lexeme (char '(')`), so a leading blank must be quoted too.
    if not value or value[0] in ' \t"' or "," in value or ")" in value:
        return quote(value)
    return value


def _logic_tree(tree: LogicTree) -> str:
    match tree:
        case Filter():
            return print_field(tree.field) + "." + _op_expr(tree.expr, in_logic=True)
        case LogicExpr():
            key, value = print_logic(tree)
            return key + value
        case _:
            assert_never(tree)


def print_logic(tree: LogicTree) -> tuple[str, str]:
    """The key (without embed path) and value of an `or=`/`and=` parameter.

    `LogicExpr("or", (a=eq.1, b=gt.2))` → `("or", "(a.eq.1,b.gt.2)")`. The parser reads
    `op + value` as a tree and tries a filter first, so `?or=.eq.1` is a filter on a column
    named `or` and `?or=der.eq.1` one on `order`: a logic key can hold a filter on a field
    whose bare name starts with its operator.
    """
    match tree:
        case LogicExpr():
            key = ("not." if tree.negated else "") + tree.op
            return key, "(" + ",".join(_logic_tree(c) for c in tree.children) + ")"
        case Filter():
            text = _logic_tree(tree)
            for op in ("and", "or"):
                if text.startswith(op):
                    return op, text[len(op):]
            raise ValueError(f"a logic key cannot hold a filter on {tree.field.name!r}")
        case _:
            assert_never(tree)


# -- order -----------------------------------------------------------------------------------

def print_order(terms: tuple[OrderTerm, ...]) -> str:
    return ",".join(_order_term(t) for t in terms)


def _order_term(term: OrderTerm) -> str:
    out = print_field(term.field)
    if term.relation is not None:
        out = f"{print_name(term.relation)}({out})"
    if term.direction is not None:
        out += "." + term.direction
    if term.nulls is not None:
        out += ".nulls" + term.nulls
    return out


# -- the whole query string ------------------------------------------------------------------

def _key(path: EmbedPath, last: str) -> str:
    return ".".join([*(print_name(name, _KEY_WORDS) for name in path), last])


def _range_pairs(ranges: tuple[tuple[EmbedPath, Range], ...]) -> list[tuple[str, str]]:
    """`limit`/`offset` pairs that rebuild `ranges` in order.

    The parser orders paths with a `limit` key first, then those with only `offset`: so
    every range up to the last one with a limit prints a `limit` key, empty (ignored, as
    any non-integer) when it has none.
    """
    last_limited = max((i for i, (_, r) in enumerate(ranges) if r.limit is not None),
                       default=-1)
    pairs = []
    for i, (path, rng) in enumerate(ranges):
        if i <= last_limited:
            pairs.append((_key(path, "limit"), "" if rng.limit is None else str(rng.limit)))
        if rng.offset or i > last_limited:
            pairs.append((_key(path, "offset"), str(rng.offset)))
    return pairs


def print_query(query: QueryParams) -> tuple[tuple[str, str], ...]:
    """Query pairs (decoded, not yet URL-encoded) that parse back to `query`."""
    pairs: list[tuple[str, str]] = []
    if query.select != QueryParams().select:
        pairs.append(("select", print_select(query.select)))
    for path, flt in query.filters:
        pairs.append((_key(path, print_field(flt.field, _KEY_WORDS)),
                      print_filter_value(flt.expr)))
    for path, tree in query.logic:
        if "not" in path:
            raise ValueError("a logic key's embed path cannot go through `not`")
        key, value = print_logic(tree)
        pairs.append((_key(path, key), value))
    for path, terms in query.order:
        pairs.append((_key(path, "order"), print_order(terms)))
    pairs.extend(_range_pairs(query.ranges))
    if query.columns is not None:
        pairs.append(("columns", ",".join(print_name(c) for c in query.columns)))
    if query.on_conflict is not None:
        pairs.append(("on_conflict", ",".join(print_name(c) for c in query.on_conflict)))
    return tuple(pairs)
