"""SQLite's configured SQL functions at start-up (issue 10): routines for the schema cache.

After introspection, each declaration (dbrest/sqlite_functions.py, parsed upstream and
handed over in `BackendSettings`) becomes a `Routine` once its returned table is known,
and its statement is checked by `EXPLAIN`: an unknown table or bad SQL stops start-up
with a `DeclarationError`, one line naming the function. Calls themselves need nothing
here: render gives them as steps that `SqliteBackend.run` runs like any write's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from dbrest.schema import Routine, SchemaCache
from dbrest.sqlite_functions import DeclarationError, SqlFunction, to_routine


def declared_routines(conn: sqlite3.Connection, cache: SchemaCache, schema: str,
                      functions: Sequence[SqlFunction]
                      ) -> dict[tuple[str, str], tuple[Routine, ...]]:
    """The declared functions as the schema cache's routines; `DeclarationError` on the
    first (by name) that cannot be served."""
    routines: dict[tuple[str, str], tuple[Routine, ...]] = {}
    for fn in sorted(functions, key=lambda f: f.name):
        routine = to_routine(fn, schema, cache)
        check_statement(conn, fn, cache, schema)
        routines[(schema, fn.name)] = (routine,)
    return routines


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
        raise DeclarationError(f"function {fn.name}: {err}") from None
    table = cache.table(schema, fn.returns)
    if table is not None and width != len(table.columns):
        raise DeclarationError(f"function {fn.name}: the sql returns {width} columns, "
                               f"{fn.returns} has {len(table.columns)}")
