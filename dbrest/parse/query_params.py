"""Query string → `QueryParams` (PostgREST `ApiRequest/QueryParams.parse`).

Sorts each parameter into select / filter / logic / order / limit / offset by its key,
as PostgREST does: keys ending in `.order`, `.limit`, `.offset`, `.and`, `.or` apply to
an embedded resource; any other key with a value is a filter. `select`, `columns` and
`on_conflict` are read from their first occurrence (PostgREST's `lookupParam` is a
`lookup`); a repeated `limit`/`offset` key keeps its last value (a `HashMap.fromList`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from dbrest.errors import ParseError
from dbrest.parse.ast import EmbedPath, Filter, LogicTree, OrderTerm, QueryParams, Range
from dbrest.parse.grammar import (
    p_columns,
    p_logic_tree,
    p_op_expr,
    p_order,
    p_select_forest,
    p_tree_path,
)
from dbrest.parse.lexer import Cursor, GrammarError, p_field_name

T = TypeVar("T")

RESERVED = frozenset({"select", "columns", "on_conflict"})
EMBEDDABLE = frozenset({"order", "limit", "offset", "and", "or"})


def run(parser: Callable[[Cursor], T], text: str, what: str, shown: str | None = None) -> T:
    """Parse all of `text`; a failure is PGRST100 naming `what`, the text as the user gave
    it (`shown`; `or=()` parses `or()` but PostgREST names `()`) and the position."""
    cur = Cursor(text)
    try:
        result = parser(cur)
        if not cur.at_end():
            cur.fail("expecting end of input")
        return result
    except GrammarError as failure:
        err = cur.reported_error(failure)
        raise ParseError(f'"failed to parse {what} ({text if shown is None else shown})" '
                         f'(line 1, column {err.pos + 1})',
                         err.details) from None


def parse_query_params(pairs: tuple[tuple[str, str], ...]) -> QueryParams:
    select = None
    columns = on_conflict = None
    filters: list[tuple[EmbedPath, Filter]] = []
    logic: list[tuple[EmbedPath, LogicTree]] = []
    order: list[tuple[EmbedPath, tuple[OrderTerm, ...]]] = []
    limits: dict[EmbedPath, int | None] = {}
    offsets: dict[EmbedPath, int] = {}
    for key, value in pairs:
        if key == "select":
            if select is None:
                select = run(p_select_forest, value, "select parameter")
            continue
        if key == "columns":
            if columns is None:
                columns = run(p_columns, value, "columns parameter")
            continue
        if key == "on_conflict":
            if on_conflict is None:
                on_conflict = run(p_columns, value, "on_conflict parameter")
            continue
        last = key.rsplit(".", 1)[-1]
        if last in EMBEDDABLE:
            if last in ("and", "or"):
                path, op = _logic_path(key)
                logic.append((path, run(p_logic_tree, op + value, "logic tree", value)))
            elif last == "order":
                order.append((_embed_path(key), run(p_order, value, "order")))
            elif last == "limit":
                limits[_embed_path(key)] = _range_int(value, "limit")
            else:
                offsets[_embed_path(key)] = _range_int(value, "offset") or 0
            continue
        path, fld = run(p_tree_path, key, "tree path")
        expr = run(lambda c: p_op_expr(c), value, "filter")
        filters.append((path, Filter(fld, expr)))
    ranges = tuple(
        (path, Range(max(offsets.get(path, 0), 0), limits.get(path)))
        for path in dict.fromkeys([*limits, *offsets])
    )
    return QueryParams(
        select=select if select is not None else QueryParams().select,
        filters=tuple(filters), logic=tuple(logic), order=tuple(order), ranges=ranges,
        columns=columns, on_conflict=on_conflict,
    )


_INTEGER = re.compile(r"\s*-?[0-9]+\s*")
_INTEGER_PREFIX = re.compile(r"\s*-?[0-9]*")


def _range_int(text: str, what: str) -> int | None:
    """A `limit`/`offset` value: an integer, or empty (ignored, as PostgREST ignores it).

    PostgREST reads these with Haskell's `readMaybe` and silently drops anything else, so
    `offset=abc` returns every row; a client that typed it expects an error, so this is
    PGRST100 (400) in PostgREST's parse-error wording. Haskell's `read` takes ASCII
    digits with an optional minus; Python's `int()` would also take "+5", "1_000" and
    non-ASCII digits, so those fail too.
    """
    if _INTEGER.fullmatch(text):
        return int(text)
    if not text.strip():
        return None
    column = _INTEGER_PREFIX.match(text).end()  # type: ignore[union-attr]
    found = f'"{text[column]}"' if column < len(text) else "end of input"
    raise ParseError(f'"failed to parse {what} parameter ({text})" (line 1, column {column + 1})',
                     f"unexpected {found} expecting digit")


def _embed_path(key: str) -> EmbedPath:
    return tuple(_split_names(key)[:-1])


def _logic_path(key: str) -> tuple[EmbedPath, str]:
    names = _split_names(key)
    op = names[-1]
    negated = "not" in names[:-1]
    return tuple(n for n in names[:-1] if n != "not"), ("not." + op if negated else op)


def _split_names(key: str) -> list[str]:
    def names(cur: Cursor) -> list[str]:
        out = [p_field_name(cur)]
        while cur.accept("."):
            out.append(p_field_name(cur))
        return out
    return run(names, key, "tree path")
