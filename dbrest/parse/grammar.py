"""Hand-written recursive-descent parsers for PostgREST's query-string grammar.

One `Cursor` per parameter value; each `p_*` function consumes a production of
PostgREST's `ApiRequest/QueryParams.hs` (select forest, filter operations, logic trees,
order terms, field names with JSON paths) and raises `GrammarError` with the position
and what was expected, which `query_params` wraps into PGRST100.
"""

from __future__ import annotations

from dataclasses import replace
from typing import get_args

from dbrest.parse.ast import (
    Field,
    Filter,
    FtsOp,
    JoinType,
    LogicExpr,
    LogicTree,
    Operation,
    OpExpr,
    OpFts,
    OpIn,
    OpIs,
    OpIsDistinct,
    OpQuant,
    OpSimple,
    OrderTerm,
    QuantOp,
    SelectField,
    SelectItem,
    SelectRelation,
    SimpleOp,
)
from dbrest.parse.lexer import (  # noqa: F401 - re-exported: the grammar's surface
    MAX_DEPTH,
    Cursor,
    GrammarError,
    NestingError,
    attempt,
    identifier,
    p_field,
    p_field_name,
    p_json_path,
    p_quoted,
)

# Longest first where one operator is a prefix of another (gte before gt).
QUANT_OPS: tuple[QuantOp, ...] = ("eq", "gte", "gt", "lte", "lt", "like", "ilike", "match",
                                  "imatch")
SIMPLE_OPS: tuple[SimpleOp, ...] = get_args(SimpleOp)
FTS_OPS: tuple[FtsOp, ...] = ("fts", "plfts", "phfts", "wfts")
IS_VALUES = ("null", "not_null", "true", "false", "unknown")
AGGREGATES = ("sum", "avg", "count", "max", "min")


# -- select ----------------------------------------------------------------------------------

def p_select_forest(cur: Cursor) -> tuple[SelectItem, ...]:
    items: list[SelectItem] = []
    cur.skip_ws()
    if cur.at_end() or cur.startswith(")"):
        return ()
    while True:
        items.append(_select_item(cur))
        cur.skip_ws()
        if not cur.accept(","):
            return tuple(items)
        cur.skip_ws()


def _alias(cur: Cursor) -> str | None:
    def alias(c: Cursor) -> str:
        name = p_field_name(c)
        if not c.accept(":") or c.startswith(":"):
            c.fail("expecting alias separator")
        return name
    return attempt(cur, alias)


def _embed_params(cur: Cursor) -> tuple[str | None, JoinType | None]:
    hint: str | None = None
    join: JoinType | None = None
    for _ in range(2):
        if not cur.accept("!"):
            break
        if cur.startswith("left") and _ends_embed_param(cur, 4):
            cur.pos += 4
            join = join or JoinType.LEFT
        elif cur.startswith("inner") and _ends_embed_param(cur, 5):
            cur.pos += 5
            join = join or JoinType.INNER
        else:
            name = p_field_name(cur)
            hint = hint or name  # `!a!b`: the first hint wins, as PostgREST's `<|>`
    return hint, join


def _ends_embed_param(cur: Cursor, n: int) -> bool:
    return cur.text[cur.pos + n:cur.pos + n + 1] in ("(", "!", "")


def _relation_head(cur: Cursor, spread: bool) -> SelectRelation:
    """`alias:name!hint!inner` up to the `(`, which it does not consume.

    Only the head is backtracked over (PostgREST's `try pRelationSelect`): once `(` is
    seen the item is a relation, and an error among its children is reported there.
    """
    cur.skip_ws()
    alias = None
    if spread:
        cur.expect("...")
    else:
        alias = _alias(cur)
    name = p_field_name(cur)
    if name == "count" and not spread:
        cur.fail("expecting relation")
    hint, join = _embed_params(cur)
    if not cur.startswith("("):
        cur.fail('expecting "("')
    return SelectRelation(name, (), alias, hint, join, spread)


def _select_item(cur: Cursor) -> SelectItem:
    cur.skip_ws()
    head: SelectRelation | None
    if cur.startswith("..."):
        head = _relation_head(cur, spread=True)
    else:
        head = attempt(cur, lambda c: _relation_head(c, spread=False))
    if head is None:
        return _select_field(cur)
    cur.expect("(")
    cur.nest()
    children = p_select_forest(cur)
    cur.depth -= 1
    cur.skip_ws()
    cur.expect(")", '")" or ","')
    cur.skip_ws()
    return replace(head, children=children)


def _end_of_item(cur: Cursor) -> None:
    cur.skip_ws()
    if not (cur.at_end() or cur.startswith((",", ")"))):
        cur.fail('expecting "->>", "->", "::", ".", ")", "," or end of input')


def _cast_name(cur: Cursor) -> str:
    return identifier(cur)


def _select_field(cur: Cursor) -> SelectField:
    if cur.accept("*"):
        _end_of_item(cur)
        return SelectField(Field("*"))
    alias = _alias(cur)
    if cur.startswith("count()"):
        cur.pos += len("count()")
        agg_cast = _cast_name(cur) if cur.accept("::") else None
        _end_of_item(cur)
        return SelectField(Field("*"), alias, None, "count", agg_cast)
    fld = p_field(cur)
    cast = _cast_name(cur) if cur.accept("::") else None
    aggregate = None
    for agg in AGGREGATES:
        if cur.startswith(f".{agg}()"):
            cur.pos += len(agg) + 3
            aggregate = agg
            break
    agg_cast = _cast_name(cur) if aggregate and cur.accept("::") else None
    _end_of_item(cur)
    return SelectField(fld, alias, cast, aggregate, agg_cast)  # type: ignore[arg-type]


# -- filters ---------------------------------------------------------------------------------

def p_tree_path(cur: Cursor) -> tuple[tuple[str, ...], Field]:
    """`a.b.col->x`: the embed path and the field."""
    names = [p_field_name(cur)]
    while cur.accept("."):
        names.append(p_field_name(cur))
    path = p_json_path(cur)
    if not cur.at_end():
        cur.fail('expecting ".", "->" or end of input')
    return tuple(names[:-1]), Field(names[-1], path)


def p_op_expr(cur: Cursor, in_logic: bool = False) -> OpExpr:
    negated = False
    if cur.startswith("not."):
        cur.pos += 4
        negated = True
    return OpExpr(negated, _operation(cur, in_logic))


def _value(cur: Cursor, in_logic: bool) -> str:
    if not in_logic:
        value = cur.text[cur.pos:]
        cur.pos = len(cur.text)
        return value
    # Inside and()/or(): a quoted value, a {pg,array}, or up to the next , or ).
    if cur.startswith('"'):
        start = cur.pos
        value = p_quoted(cur)
        if cur.at_end() or cur.peek() in ",)":
            return value
        cur.pos = start
    if cur.startswith("{"):
        end = cur.text.find("}", cur.pos)
        inner = cur.text[cur.pos + 1:end] if end >= 0 else ""
        if end >= 0 and "{" not in inner:
            value = cur.text[cur.pos:end + 1]
            cur.pos = end + 1
            return value
    start = cur.pos
    while not cur.at_end() and cur.text[cur.pos] not in ",)":
        cur.pos += 1
    return cur.text[start:cur.pos]


def _list_value(cur: Cursor) -> tuple[str, ...]:
    cur.skip_ws()
    cur.expect("(", '"("')
    cur.skip_ws()
    values: list[tuple[str, bool]] = []
    while True:
        values.append(_list_element(cur))
        if not cur.accept(","):
            break
    cur.skip_ws()
    cur.expect(")", '")" or ","')
    cur.skip_ws()
    if values == [("", False)]:
        return ()  # `in.()` is the empty list, as PostgREST's `= ANY('{}')`
    return tuple(value for value, _ in values)


def _list_element(cur: Cursor) -> tuple[str, bool]:
    """One list item and whether it was quoted."""
    if cur.startswith('"'):
        start = cur.pos
        value = p_quoted(cur)
        if cur.at_end() or cur.peek() in ",)":
            return value, True
        cur.pos = start
    start = cur.pos
    while not cur.at_end() and cur.text[cur.pos] not in ",)":
        cur.pos += 1
    return cur.text[start:cur.pos], False


def _operation(cur: Cursor, in_logic: bool) -> Operation:
    if cur.startswith("in."):
        cur.pos += 3
        return OpIn(_list_value(cur))
    if cur.startswith("is."):
        cur.pos += 3
        for value in IS_VALUES:
            if cur.text[cur.pos:cur.pos + len(value)].lower() == value:
                cur.pos += len(value)
                if not in_logic and not cur.at_end():
                    cur.fail("expecting end of input")
                return OpIs(value)  # type: ignore[arg-type]
        cur.fail("expecting isVal: (null, not_null, true, false, unknown)")
    if cur.startswith("isdistinct."):
        cur.pos += len("isdistinct.")
        return OpIsDistinct(_value(cur, in_logic))
    for fts in FTS_OPS:
        if cur.startswith(fts) and cur.text[cur.pos + len(fts):cur.pos + len(fts) + 1] in ".(":
            cur.pos += len(fts)
            language = None
            if cur.accept("("):
                language = identifier(cur)
                cur.expect(")")
            cur.expect(".", "delimiter (.)")
            return OpFts(fts, _value(cur, in_logic), language)
    for simple in SIMPLE_OPS:
        if cur.startswith(simple + "."):
            cur.pos += len(simple) + 1
            return OpSimple(simple, _value(cur, in_logic))
    for quant in QUANT_OPS:
        if cur.startswith(quant) and cur.text[cur.pos + len(quant):][:1] in (".", "("):
            cur.pos += len(quant)
            quantifier = None
            if cur.accept("(any)"):
                quantifier = "any"
            elif cur.accept("(all)"):
                quantifier = "all"
            cur.expect(".", "delimiter (.)")
            return OpQuant(quant, _value(cur, in_logic), quantifier)  # type: ignore[arg-type]
    cur.fail('expecting "not" or operator (eq, gt, ...)')
    raise AssertionError  # unreachable: fail() raises


# -- logic trees -----------------------------------------------------------------------------

def p_logic_tree(cur: Cursor) -> LogicTree:
    start = cur.pos

    def logic_filter(c: Cursor) -> Filter:
        fld = p_field(c)
        c.expect(".", "delimiter (.)")
        return Filter(fld, p_op_expr(c, in_logic=True))

    flt = attempt(cur, logic_filter)
    if flt is not None:
        return flt
    cur.pos = start
    negated = cur.accept("not.")
    if cur.accept("and"):
        op = "and"
    elif cur.accept("or"):
        op = "or"
    elif negated:
        cur.fail("expecting logic operator (and, or)")
    else:  # Parsec merges the failed filter (no field name), `not` and the operator
        cur.fail("expecting field name (* or [a..z0..9_$]), negation operator (not) or "
                 "logic operator (and, or)")
    cur.skip_ws()
    cur.expect("(", '"("')
    cur.skip_ws()
    cur.nest()
    children = [p_logic_tree(cur)]
    cur.skip_ws()
    while cur.accept(","):
        cur.skip_ws()
        children.append(p_logic_tree(cur))
        cur.skip_ws()
    cur.depth -= 1
    cur.expect(")", '")" or ","')
    cur.skip_ws()
    return LogicExpr(op, tuple(children), negated)  # type: ignore[arg-type]


# -- order -----------------------------------------------------------------------------------

def p_order(cur: Cursor) -> tuple[OrderTerm, ...]:
    terms = [_order_term(cur)]
    while cur.accept(","):
        terms.append(_order_term(cur))
    if not cur.at_end():
        cur.fail('expecting "," or end of input')
    return tuple(terms)


def _order_term(cur: Cursor) -> OrderTerm:
    cur.skip_ws()
    relation = None

    def rel_term(c: Cursor) -> tuple[str, Field]:
        name = p_field_name(c)
        c.expect("(")
        fld = p_field(c)
        c.expect(")")
        return name, fld

    rel = attempt(cur, rel_term)
    if rel is not None:
        relation, fld = rel
    else:
        fld = p_field(cur)
    direction = _order_word(cur, ("asc", "desc"), '"asc", "desc", "nullsfirst" or "nullslast"')
    nulls = _order_word(cur, ("nullsfirst", "nullslast"), '"nullsfirst" or "nullslast"'
                        if direction else '"asc", "desc", "nullsfirst" or "nullslast"',
                        "nullsfirst" if direction else "asc")
    cur.skip_ws()
    if not (cur.at_end() or cur.startswith(",")):
        cur.fail('expecting "," or end of input' if nulls
                 else 'expecting delimiter (.), "," or end of input')
    return OrderTerm(fld, direction, nulls and nulls[5:], relation)  # type: ignore[arg-type]


def _order_word(cur: Cursor, words: tuple[str, str], expecting: str,
                first: str | None = None) -> str | None:
    """`.word` for one of `words`; a `.` followed by anything else is an error.

    The error names the first character that differs from the first alternative
    (`first`, else `words[0]`), at the word's start: Parsec's `string` fails so, and
    the first alternative's message is the one shown (`id.asc.nlsfst`: unexpected "l").
    """
    if not cur.startswith("."):
        return None
    for word in words:
        if cur.startswith("." + word):
            cur.pos += 1 + len(word)
            return word
    if words[0] == "asc" and cur.startswith(".nulls"):
        return None  # `col.nullsfirst`: no direction, the nulls option follows
    cur.pos += 1
    target = first or words[0]
    rest = cur.text[cur.pos:cur.pos + len(target)]
    differ = next((i for i, (a, b) in enumerate(zip(rest, target, strict=False)) if a != b),
                  len(rest))
    cur.fail(f"expecting {expecting}", rest[differ] if differ < len(rest) else "")
    raise AssertionError  # unreachable: fail() raises


def p_columns(cur: Cursor) -> tuple[str, ...]:
    names = []
    while True:
        cur.skip_ws()
        names.append(p_field_name(cur))
        cur.skip_ws()
        if not cur.accept(","):
            break
    if not cur.at_end():
        cur.fail('expecting "," or end of input')
    return tuple(names)
