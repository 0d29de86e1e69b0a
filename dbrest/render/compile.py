"""Compiling lowered statements to SQL text once per request shape.

`Renderer.render(plan)` returns a `CompiledQuery` (SQL text plus the recipe that turns
the request's values into positional driver parameters). Plans carry no values, so the
plan is the cache key: a repeated shape costs a dict lookup, not a SQLAlchemy compile.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dbrest.plan.types import MutationPlan, Param, QueryPlan, walk
from dbrest.render.dialect import Dialect
from dbrest.render.lower import lower_count, lower_query, lower_stream
from dbrest.render.mutate import lower_existing, lower_write, staging


@dataclass(frozen=True, slots=True)
class Slot:
    """One positional parameter: a request value (index ≥ 0, converted) or a constant."""

    index: int
    convert: Callable[[Any, str], Any] | None = None
    kind: str = "text"
    const: Any = None


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    sql: str
    slots: tuple[Slot, ...]

    def bind(self, values: Sequence[object]) -> list[Any]:
        return [s.const if s.convert is None else s.convert(values[s.index], s.kind)
                for s in self.slots]


@dataclass(frozen=True, slots=True)
class CompiledRead:
    main: CompiledQuery
    count: CompiledQuery | None  # for count=planned/estimated (EXPLAIN of the count)
    # count=estimated: the exact total is kept up to this (db_max_rows); None: unbounded
    estimate_above: int | None = None


@dataclass(frozen=True, slots=True)
class CompiledStream:
    """A streamed read: `rows` gives one row's JSON text per row; `settings` the
    (response.headers, response.status) SQL set first."""

    rows: CompiledQuery
    settings: CompiledQuery


@dataclass(frozen=True, slots=True)
class WriteStep:
    """A statement a write runs before `main`, with what exec does with its rows."""

    query: CompiledQuery
    # an INSERT prefix: copy the rows this statement returns with it (`(?, …)` per row);
    # how many rows it returned is then the write's row count
    copy: str | None = None
    counts_existing: bool = False  # its one value: the upsert's rows already there
    first_column: bool = False  # copy only each row's first column (a scalar's values)
    # touches only the connection's temp tables: runs as is in a read-only transaction
    # (every other step of a read-only one runs where the database refuses writes)
    scratch: bool = False


@dataclass(frozen=True, slots=True)
class CompiledWrite:
    """A write: `steps` run in order, then `main` returns (total, page_total, body,
    response headers, response status[, inserted]). Where the dialect nests the write in
    `main`, there are no steps; else they stage the write's rows for `main` to read."""

    main: CompiledQuery
    steps: tuple[WriteStep, ...] = ()


def params_of(plan: object) -> dict[int, Param]:
    return {node.index: node for node in walk(plan) if isinstance(node, Param)}


class Renderer:
    def __init__(self, dialect: Dialect, max_entries: int = 1024) -> None:
        self.dialect = dialect
        self.max_entries = max_entries
        self._cache: OrderedDict[QueryPlan | MutationPlan, Any] = OrderedDict()
        self.compiles = 0  # how many times SQLAlchemy compiled (tests assert caching)

    def render(self, plan: QueryPlan) -> CompiledRead:
        return self._cached(plan, self._render_read)  # type: ignore[no-any-return]

    def render_write(self, plan: MutationPlan) -> CompiledWrite:
        return self._cached(plan, self._render_write)  # type: ignore[no-any-return]

    def render_stream(self, plan: QueryPlan) -> CompiledStream:
        return self._cached(("stream", plan), self._render_stream)  # type: ignore[no-any-return]

    def _render_stream(self, key: tuple[str, QueryPlan],
                       params: dict[int, Param]) -> CompiledStream:
        rows, settings = lower_stream(key[1], self.dialect)
        return CompiledStream(self.compile(rows, params), self.compile(settings, params))

    def _render_read(self, plan: QueryPlan, params: dict[int, Param]) -> CompiledRead:
        count = None
        if plan.count in ("planned", "estimated") and self.dialect.caps.planned_count:
            count = self.compile(lower_count(plan, self.dialect), params)
        main = self.compile(lower_query(plan, self.dialect), params)
        return CompiledRead(main, count, plan.estimate_above)

    def _render_write(self, plan: MutationPlan, params: dict[int, Param]) -> CompiledWrite:
        main, mutation = lower_write(plan, self.dialect)
        if mutation is None:
            return CompiledWrite(self.compile(main, params))
        setup, copy = staging(self.dialect, plan.mutation.table)
        steps = [WriteStep(CompiledQuery(sql, ()), scratch=True) for sql in setup]
        if plan.mutation.counts_inserted:
            existing = self.compile(lower_existing(plan, self.dialect), params)
            steps.insert(0, WriteStep(existing, counts_existing=True))
        steps.append(WriteStep(self.compile(mutation, params), copy=copy))
        return CompiledWrite(self.compile(main, params), tuple(steps))

    def _cached(self, plan: Any, build: Callable[[Any, dict[int, Param]], Any]) -> Any:
        hit = self._cache.get(plan)
        if hit is not None:
            self._cache.move_to_end(plan)
            return hit
        compiled = build(plan, params_of(plan))
        self._cache[plan] = compiled
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return compiled

    def compile(self, stmt: Any, params: dict[int, Param]) -> CompiledQuery:
        self.compiles += 1
        compiled = stmt.compile(dialect=self.dialect.sa_dialect)
        slots = []
        for name in compiled.positiontup or ():
            if name.startswith("p") and name[1:].isdigit() and int(name[1:]) in params:
                param = params[int(name[1:])]
                slots.append(Slot(param.index, self.dialect.converters[param.conv], param.kind))
            else:
                slots.append(Slot(-1, const=compiled.binds[name].effective_value))
        return CompiledQuery(compiled.string, tuple(slots))
