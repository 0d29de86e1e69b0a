"""Running SQLite's configured SQL functions (issue 10): start-up checks, grants, calls.

`attach_functions` runs at start-up, after introspection: each declaration becomes a
`Routine` of the schema cache once its returned table is known, and its statement is
checked by `EXPLAIN` (an unknown table or bad SQL stops start-up, one line naming the
function). `call_access` is what a call needs granted (`execute` on the function, and
`select` on what `select=` embeds). `run_declared_call` runs a `CompiledDeclaredCall`
in one transaction: the statement (under `PRAGMA query_only` for GET/HEAD and
non-volatile functions, so a write there answers 25006 as PostgreSQL's READ ONLY
transaction does), its rows copied to a temp table, then the response's read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from dbrest.config import ConfigError
from dbrest.errors import DatabaseError
from dbrest.exec.base import ReadResult
from dbrest.plan.access import accessed
from dbrest.plan.call import CallPlan
from dbrest.plan.types import QueryPlan
from dbrest.render.sqlite_call import CompiledDeclaredCall
from dbrest.schema import SchemaCache
from dbrest.sqlite_functions import DeclarationError, SqlFunction, to_routine


def attach_functions(conn: sqlite3.Connection, cache: SchemaCache, schema: str,
                     functions: Mapping[str, SqlFunction]) -> SchemaCache:
    """The cache with the declared functions as routines; `ConfigError` (one line) on the
    first that cannot be served."""
    if not functions:
        return cache
    routines = dict(cache.routines)
    for name, fn in sorted(functions.items()):
        try:
            routine = to_routine(fn, schema, cache)
        except DeclarationError as err:
            raise ConfigError(f"sqlite_functions: {err}") from None
        check_statement(conn, fn, cache, schema)
        routines[(schema, name)] = (routine,)
    return replace(cache, routines=routines, relationships={})


def check_statement(conn: sqlite3.Connection, fn: SqlFunction, cache: SchemaCache,
                    schema: str) -> None:
    nulls = {arg.name: None for arg in fn.args}
    try:
        conn.execute("EXPLAIN " + fn.sql, nulls).fetchall()
        if fn.volatile or fn.returns == "void":
            return
        # a read-only statement: its columns, without running it
        cursor = conn.execute(f"SELECT * FROM ({fn.sql}) WHERE 0", nulls)
        width = len(cursor.description or ())
        cursor.fetchall()
    except (sqlite3.Error, sqlite3.Warning) as err:
        raise ConfigError(f"sqlite_functions: function {fn.name}: {err}") from None
    table = cache.table(schema, fn.returns)
    if table is not None and width != len(table.columns):
        raise ConfigError(f"sqlite_functions: function {fn.name}: the sql returns {width} "
                          f"columns, {fn.returns} has {len(table.columns)}")


def call_access(plan: CallPlan) -> frozenset[tuple[str, str]]:
    """`execute` on the function; the rows it returns are its own (as a SECURITY DEFINER
    function's), but embedded tables need `select` as in any read."""
    found = {(plan.function, "execute")}
    if plan.read is not None:
        found |= accessed(QueryPlan(plan.read))
    return frozenset(found)


def denied(role: str | None, plan: CallPlan,
           grants: Mapping[str, Mapping[str, frozenset[str]]]) -> str | None:
    """The first (name, action) the role may not do, as PostgreSQL words it, or None."""
    allowed = grants.get(role or "", {})
    for name, action in sorted(call_access(plan)):
        names = allowed.get(action, frozenset())
        if name not in names and "*" not in names:
            kind = "function" if action == "execute" else "table"
            return f"permission denied for {kind} {name}"
    return None


async def run_declared_call(conn: Any, compiled: CompiledDeclaredCall,
                            values: Sequence[object], check: Callable[[ReadResult], None],
                            rollback: bool, readonly: bool) -> ReadResult:
    """One transaction on a session connection; sqlite3 errors propagate to the caller."""
    await conn.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")
    try:
        rows = await _statement(conn, compiled, values, readonly)
        for sql in compiled.setup:
            await conn.execute(sql)
        if compiled.copy is not None and rows:
            data = [row[:1] for row in rows] if compiled.first_column else rows
            marks = ", ".join("?" * len(data[0]))
            await conn.executemany(f"{compiled.copy}({marks})", data)
        row = next(iter(await conn.execute_fetchall(compiled.main.sql,
                                                    compiled.main.bind(values))))
        result = ReadResult(row[0], row[1], row[2], None, row[3], row[4])
        check(result)
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    await conn.execute("ROLLBACK" if rollback else "COMMIT")
    return result


async def _statement(conn: Any, compiled: CompiledDeclaredCall, values: Sequence[object],
                     readonly: bool) -> list[Any]:
    params = compiled.statement.bind(values)  # ill-typed arguments: 22P02 here
    if not readonly:
        return list(await conn.execute_fetchall(compiled.statement.sql, params))
    await conn.execute("PRAGMA query_only = ON")
    try:
        return list(await conn.execute_fetchall(compiled.statement.sql, params))
    except sqlite3.OperationalError as err:
        if "readonly" in str(err) or "read-only" in str(err):
            raise DatabaseError("25006", 405, f"cannot execute {compiled.verb} in a "
                                "read-only transaction") from None
        raise
    finally:
        await conn.execute("PRAGMA query_only = OFF")
