"""Loading the conformance fixture into a database, as a server description says.

This module is in charge of connecting to PostgreSQL or opening a SQLite file and running
the SQL files that `conformance/servers/<server>.yaml` lists (rendered by
`conformance.servers.render_fixture`). The loaders do not drop anything first: callers
load into a fresh database (see `tests.infra.pgserver.create_database`) or a new file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conformance.servers import Server, load_server, render_fixture


def _server(server: str | Server) -> Server:
    return server if isinstance(server, Server) else load_server(server)


async def load_postgres(uri: str, server: str | Server = "dbrest-pg") -> None:
    """Load `server`'s fixture into the (fresh) PostgreSQL database at `uri`."""
    import asyncpg

    described = _server(server)
    if described.fixture.dialect != "postgres":
        raise ValueError(f"{described.name}: not a PostgreSQL fixture")
    conn = await asyncpg.connect(uri)
    try:
        for _name, sql in render_fixture(described):
            # Without arguments asyncpg uses the simple query protocol, which runs a
            # whole multi-statement script.
            await conn.execute(sql)
    finally:
        await conn.close()


def load_sqlite(db_path: str | Path, server: str | Server = "dbrest-sqlite") -> None:
    """Load `server`'s fixture into the (new) SQLite database file `db_path`."""
    described = _server(server)
    if described.fixture.dialect != "sqlite":
        raise ValueError(f"{described.name}: not a SQLite fixture")
    conn = sqlite3.connect(db_path)
    try:
        # The file keeps SQLite's default (rollback-journal) mode, as users' files have it:
        # dbrest must open it as it is. foreign_keys is per connection, on here so a
        # broken fixture fails to load.
        conn.execute("PRAGMA foreign_keys=ON")
        for _name, sql in render_fixture(described):
            conn.executescript(sql)
        conn.commit()
    finally:
        conn.close()
