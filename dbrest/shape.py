"""The request-shape cache: a repeated read shape skips parse, plan and render.

A shape is what decides the plan: the method, the path, every query parameter with its
structure (select, order, limit, logic trees… whole; a filter by its operator and
modifiers, not its value) and the headers parse reads (Accept, Prefer, the profiles,
Range). Two requests of one shape plan to equal plans (plans hold no values), so the
shape maps to the recorded `Planned` and its compiled SQL; a hit only re-derives the
request's values and binds them.

Each filter value is still parsed on every request, as the grammar parses it (an
`in.(…)` list, a `{pg,array}`; `parse_filter` reads the plain `op.value` forms without
the grammar, to the same result); a value that fails to parse, any request the cache does not
cover (writes, RPC, the root, OPTIONS), and a shape not yet recorded take the full
pipeline, which gives the exact answers and errors. Where a value goes is learned once,
by planning the shape again with a unique sentinel as each filter's value and finding
the sentinels among the plan's values; the recording is kept only if that probe plans
to the same plan and re-deriving the recorded request's values gives exactly the
values the planner produced. Covered: GET and HEAD on tables and views.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from dbrest.http import HttpRequest
from dbrest.parse import ast
from dbrest.parse.body import Payload, parse_payload
from dbrest.parse.grammar import QUANT_OPS, SIMPLE_OPS, p_columns, p_op_expr
from dbrest.parse.printer import print_filter_value
from dbrest.parse.query_params import EMBEDDABLE, RESERVED, run
from dbrest.plan.filters import parse_pg_array
from dbrest.plan.request import Planned
from dbrest.plan.types import BodyRows
from dbrest.render.compile import CompiledRead, CompiledWrite

# the headers `parse_request` reads (but for RPC); they are part of the shape, all of
# them in order (`Prefer` may repeat)
SHAPE_HEADERS = frozenset({"accept", "accept-profile", "content-profile", "range", "prefer",
                           "content-type"})
METHODS = frozenset({"GET", "HEAD", "POST", "PATCH", "DELETE"})
WITH_BODY = frozenset({"POST", "PATCH"})
MARK = "\u2042shape"  # sentinels: printable (repr keeps it), unlike anything typed
BODY = -2  # `Entry.sources`: the value is the request's body rows


@dataclass(frozen=True, slots=True)
class Hit:
    """A cached shape for one request: the plan (its request holds no values: they
    travel beside it, so a hit need not rebuild the plan), the SQL, the values."""

    planned: Planned
    compiled: CompiledRead | CompiledWrite
    values: tuple[object, ...]
    capped: CompiledRead | None  # a read's page capped to tell a streamed one (pipeline)


@dataclass(frozen=True, slots=True)
class Entry:
    planned: Planned  # as recorded, without values (`Hit.values` carries them)
    compiled: CompiledRead | CompiledWrite
    # per value index: the filter (position among the request's filters) it comes
    # from, BODY, or -1 for a value fixed by the shape (then `consts[index]`)
    sources: tuple[int, ...]
    consts: tuple[object, ...]
    capped: CompiledRead | None = None

    def hit(self, mains: tuple[object, ...], payload: Payload | None = None) -> Hit:
        return Hit(self.planned, self.compiled, tuple(
            mains[src] if src >= 0 else self.consts[j] if src != BODY else
            BodyRows(payload.rows, self.consts[j].kinds)  # type: ignore[union-attr,attr-defined]
            for j, src in enumerate(self.sources)), self.capped)


@dataclass(frozen=True, slots=True)
class Match:
    """A request's shape key, its filters as parsed, and the recorded entry, if any."""

    key: Hashable
    exprs: tuple[ast.OpExpr, ...]
    mains: tuple[object, ...]  # each filter's value as the planner binds it
    entry: Entry | None
    payload: Payload | None = None  # a write's body, parsed

    @property
    def hit(self) -> Hit | None:
        return None if self.entry is None else self.entry.hit(self.mains, self.payload)


# `[not.]op.value` for the operators whose value is all the rest, as the grammar reads
# them (it tries `in.`, `is.` and the fts operators first: none of these starts so)
_PLAIN = re.compile(r"(not\.)?(" + "|".join((*QUANT_OPS, *SIMPLE_OPS, "isdistinct")) + r")\.")


def parse_filter(value: str) -> ast.OpExpr:
    """A filter value as `p_op_expr` parses it, the plain operators without the grammar."""
    plain = _PLAIN.match(value)
    if plain is None:
        return run(p_op_expr, value, "filter")
    name, rest = plain.group(2), value[plain.end():]
    op: ast.Operation
    if name == "isdistinct":
        op = ast.OpIsDistinct(rest)
    elif name in SIMPLE_OPS:
        op = ast.OpSimple(name, rest)
    else:
        op = ast.OpQuant(name, rest)  # type: ignore[arg-type]
    return ast.OpExpr(plain.group(1) is not None, op)


def is_filter(key: str) -> bool:
    """The keys `parse_query_params` reads as a filter (`col=op.value`)."""
    return key not in RESERVED and key.rsplit(".", 1)[-1] not in EMBEDDABLE


def signature(expr: ast.OpExpr) -> tuple[object, ...]:
    """What of a filter decides the plan: the operator and its modifiers, not the value."""
    op = expr.operation
    match op:
        case ast.OpQuant():
            return ("q", expr.negated, op.op, op.quantifier)
        case ast.OpSimple():
            return ("s", expr.negated, op.op)
        case ast.OpIn():
            return ("in", expr.negated)
        case ast.OpIs():
            return ("is", expr.negated, op.value)
        case ast.OpIsDistinct():
            return ("isdistinct", expr.negated)
        case ast.OpFts():
            return ("fts", expr.negated, op.op, op.language)
    raise AssertionError(op)


def _like(value: str) -> str:
    return value.replace("*", "%")


def main_value(op: ast.Operation) -> object:
    """The value `plan/filters.plan_operation` binds for the filter's own value (an fts
    language is part of the shape); None for `is`, which binds none."""
    match op:
        case ast.OpQuant(op=name, value=value, quantifier=None):
            return _like(value) if name in ("like", "ilike") else value
        case ast.OpQuant(op=name, value=value):
            items = parse_pg_array(value)
            return [_like(v) for v in items] if name in ("like", "ilike") else items
        case ast.OpIn(values=items):
            return list(items)
        case ast.OpIs():
            return None
        case ast.OpSimple(value=value) | ast.OpIsDistinct(value=value) | ast.OpFts(value=value):
            return value
    raise AssertionError(op)


def _sentinel(i: int) -> str:
    return f"{MARK}{i}{MARK}"


def probe_text(expr: ast.OpExpr, sentinel: str) -> str:
    """The filter with `sentinel` in place of its value (the same signature), printed as
    the parser reads it back."""
    op = expr.operation
    match op:
        case ast.OpQuant(quantifier=None) | ast.OpSimple() | ast.OpIsDistinct() | ast.OpFts():
            op = replace(op, value=sentinel)
        case ast.OpQuant():
            op = replace(op, value="{" + sentinel + "}")
        case ast.OpIn():
            op = ast.OpIn((sentinel,))
    return print_filter_value(replace(expr, operation=op))


class ShapeCache:
    """An LRU of shapes → `Entry`, for one schema cache (a new `Pipeline` starts empty)."""

    def __init__(self, plan: Callable[[HttpRequest], Planned], max_entries: int = 1024) -> None:
        self.plan = plan  # parse + plan, as the pipeline does (for the sentinel probe)
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Entry | None] = OrderedDict()
        self.hits = self.misses = 0

    def match(self, req: HttpRequest) -> Match | None:
        """The request's shape, or None where the cache does not apply (then plan it)."""
        if req.method not in METHODS or (req.body and req.method not in WITH_BODY):
            return None
        name = req.path.strip("/")
        if not name or "/" in name:  # the root, RPC, nested paths (PGRST125)
            return None
        items: list[object] = []
        columns: tuple[str, ...] | None = None
        exprs: list[ast.OpExpr] = []
        mains: list[object] = []
        for key, value in req.query:
            if not is_filter(key):
                items.append((key, value))
                if key == "columns" and columns is None and req.method in WITH_BODY:
                    try:
                        columns = run(p_columns, value, "columns parameter")
                    except Exception:
                        return None
                continue
            try:
                expr = parse_filter(value)
            except Exception:  # the full pipeline answers the exact error
                return None
            items.append((key, signature(expr)))
            exprs.append(expr)
            mains.append(main_value(expr.operation))
        payload = None
        if req.method in WITH_BODY:
            try:
                payload = parse_payload(req.header("content-type"), req.body, columns)
            except Exception:  # the full pipeline answers the exact error
                return None
            items.append((payload.keys, payload.is_array, not payload.rows))
        shape = (req.method, req.path, tuple(items),
                 tuple(h for h in req.headers if h[0] in SHAPE_HEADERS))
        entry = self._entries.get(shape)
        if entry is not None:
            self._entries.move_to_end(shape)
            self.hits += 1
        else:
            self.misses += 1
        return Match(shape, tuple(exprs), tuple(mains), entry, payload)

    def record(self, match: Match, req: HttpRequest, planned: Planned,
               compiled: object, capped: CompiledRead | None = None) -> None:
        """Keep what planning `req` gave under its shape, if the probe confirms it."""
        if match.entry is not None or match.key in self._entries or not self.max_entries \
                or planned.kind not in ("read", "write") \
                or not isinstance(compiled, (CompiledRead, CompiledWrite)):
            return
        entry = self._learn(match, req, planned, compiled, capped)
        self._entries[match.key] = entry  # None: a shape known not to be cacheable
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def _learn(self, match: Match, req: HttpRequest, planned: Planned,
               compiled: CompiledRead | CompiledWrite,
               capped: CompiledRead | None) -> Entry | None:
        request = planned.request
        assert request is not None
        pairs: list[tuple[str, str]] = []
        n = 0
        try:
            for key, value in req.query:
                if is_filter(key):
                    value = probe_text(match.exprs[n], _sentinel(n))
                    n += 1
                pairs.append((key, value))
            probe = self.plan(replace(req, query=tuple(pairs)))
        except Exception:
            return None
        if probe.kind != planned.kind or probe.request is None \
                or replace(probe, request=None) != replace(planned, request=None) \
                or replace(probe.request, values=()) != replace(request, values=()):
            return None
        sentinels = {_sentinel(i): i for i in range(n)}
        sources: list[int] = []
        for bound in probe.request.values:
            if isinstance(bound, BodyRows):
                sources.append(BODY)
                continue
            one = bound[0] if isinstance(bound, list) and len(bound) == 1 else bound
            source = sentinels.get(one, -1) if isinstance(one, str) else -1
            if source < 0 and MARK in repr(bound):
                return None  # a value derived from a filter's in a way not mirrored here
            sources.append(source)
        entry = Entry(replace(planned, request=replace(request, values=())), compiled,
                      tuple(sources), request.values, capped)
        # the mirror of the planner's value derivation must give exactly its values
        if entry.hit(match.mains, match.payload).values != request.values:
            return None
        return entry
