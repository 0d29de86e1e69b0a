"""Lowering an RPC call to a configured SQL function (SQLite, issue 10): a `CallPlan` →
a `CompiledWrite` whose steps exec runs as it runs any SQLite write's.

SQLite cannot nest a write in a CTE, and a configured statement may be an INSERT …
RETURNING, so, as SQLite writes do (render/mutate.py `staging`), the statement runs on
its own and its rows are copied into a temp table that the response's read then reads
like a write's returned rows: `select=`, filters, order, range, embedding and counts
come from the ordinary read lowering. A scalar result keeps its first column only.

The declared SQL is the configuration's text, compiled by SQLAlchemy's `text()` (its
`:name` placeholders become `?`); each placeholder is bound from the call's arguments,
converted to the declared type (dbrest/sqlite_functions.py), never spliced.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dbrest.errors import NotImplementedOnBackend
from dbrest.plan.call import CallPlan
from dbrest.render.compile import (
    CompiledQuery,
    CompiledWrite,
    Renderer,
    Slot,
    WriteStep,
    params_of,
)
from dbrest.render.lower import Lowerer, aggregate
from dbrest.render.mutate import staging
from dbrest.sqlite_functions import TYPES, SqlArg, SqlFunction, bind_arg, convert

SCALAR_TABLE = "_dbrest_call_scalar"  # a scalar function's values, one per row


def render_declared_call(renderer: Renderer, plan: CallPlan) -> CompiledWrite:
    """Compiled once per call shape (the plan is the cache key, as for reads)."""
    def build(plan: CallPlan, params: Any) -> CompiledWrite:
        return lower_declared_call(renderer, plan)
    return renderer._cached(plan, build)  # type: ignore[no-any-return]


def lower_declared_call(renderer: Renderer, plan: CallPlan) -> CompiledWrite:
    """Steps exec runs as any SQLite write's: set-up of the temp table (scratch), the
    configured statement with its rows copied there, then `main`, the response row."""
    fn: SqlFunction | None = plan.declared
    if fn is None:  # a routine that is no configured SQL: nothing here can run it
        raise NotImplementedOnBackend(
            f"functions (RPC) are not available on {renderer.dialect.name}")
    statement = _statement(renderer, plan, fn)
    qt = renderer.dialect.sa_dialect.identifier_preparer.quote_identifier
    if fn.returns == "void":
        main = CompiledQuery(f"SELECT NULL, 0, 'null', {_SETTINGS}", ())
        return CompiledWrite(main, (WriteStep(statement),))
    if plan.read is not None:
        setup, copy = staging(renderer.dialect, plan.read.table)
        lowered = aggregate(Lowerer(renderer.dialect, plan), plan.read, plan.strip_nulls,
                            plan.count)
        main = renderer.compile(lowered, params_of(plan))
        return CompiledWrite(main, (*_scratch(setup), WriteStep(statement, copy)))
    table = f"temp.{qt(SCALAR_TABLE)}"
    setup = (f"CREATE TEMP TABLE IF NOT EXISTS {qt(SCALAR_TABLE)}(pgrst_scalar)",
             f"DELETE FROM {table}")
    value = _as_json(fn.returns)
    if fn.returns_set:
        body = f"json_group_array({value})"
    else:  # the first column of the first row
        body = (f"coalesce((SELECT json_quote({value}) FROM {table} ORDER BY rowid LIMIT 1),"
                " 'null')")
    main = CompiledQuery(f"SELECT NULL, count(*), {body}, {_SETTINGS} FROM {table}", ())
    copy = f"INSERT INTO {table} VALUES "
    return CompiledWrite(main, (*_scratch(setup),
                                WriteStep(statement, copy, first_column=True)))


def _scratch(setup: tuple[str, ...]) -> tuple[WriteStep, ...]:
    return tuple(WriteStep(CompiledQuery(sql, ()), scratch=True) for sql in setup)


_SETTINGS = ("current_setting('response.headers', 1), "
             "current_setting('response.status', 1)")


def _as_json(typ: str) -> str:
    """A scalar column as the JSON value PostgreSQL's `to_json` of the type gives."""
    kind = TYPES[typ]
    if kind == "boolean":
        return ("CASE WHEN pgrst_scalar IS NULL THEN NULL WHEN pgrst_scalar "
                "THEN json('true') ELSE json('false') END")
    if kind == "json":
        return "json(pgrst_scalar)"
    if kind == "text":
        return "CAST(pgrst_scalar AS TEXT)"
    return "pgrst_scalar"


def _statement(renderer: Renderer, plan: CallPlan, fn: SqlFunction) -> CompiledQuery:
    compiled = sa.text(fn.sql).compile(dialect=renderer.dialect.sa_dialect)
    renderer.compiles += 1
    by_name = {a.name: a for a in fn.args}
    slots = [_slot(plan, by_name[name]) for name in compiled.positiontup or ()]
    return CompiledQuery(compiled.string, tuple(slots))


def _slot(plan: CallPlan, arg: SqlArg) -> Slot:
    if plan.body is None:  # no arguments given: every one takes its default
        return Slot(-1, const=arg.default)
    if plan.positional is not None:  # the whole body is the one argument
        return Slot(plan.body.index, lambda value, _k: convert(value, arg.type, arg.name))
    return Slot(plan.body.index, lambda value, _k: bind_arg(arg, value))
