"""SQLite errors → the same `DatabaseError`s PostgreSQL's SQLSTATEs give.

SQLite reports result codes and English messages; the message decides which
PostgreSQL condition it is, so clients see one error vocabulary on both backends.
"""

from __future__ import annotations

import sqlite3

from dbrest.errors import DatabaseError, DbrestError, NotImplementedOnBackend

# (message fragment, SQLSTATE, HTTP status), first match wins.
_BY_MESSAGE = (
    ("UNIQUE constraint failed", "23505", 409),
    ("FOREIGN KEY constraint failed", "23503", 409),
    ("NOT NULL constraint failed", "23502", 400),
    ("CHECK constraint failed", "23514", 400),
    ("no such column", "42703", 400),
    ("ON CONFLICT clause does not match", "42P10", 400),
    ("no such table", "42P01", 404),
    ("no such function", "42883", 404),
    ("malformed JSON", "22P02", 400),
    ("database is locked", "55P03", 503),
    # SQLITE_FULL: the server's disk, not the request (PostgreSQL's disk_full, 53100)
    ("database or disk is full", "53100", 503),
)
RETRY_AFTER = (("retry-after", "1"),)


def map_sqlite_error(err: sqlite3.Error | OverflowError) -> DbrestError:
    message = str(err)
    if "parser stack overflow" in message:  # SQLite's own nesting limit, not bad input
        return NotImplementedOnBackend(f"SQLite cannot nest this request so deep ({message})")
    if isinstance(err, OverflowError):  # a value beyond SQLite's 64-bit integers
        return DatabaseError("22003", 400, message)
    if "readonly database" in message:  # PostgreSQL's read-only transaction (25006, 405)
        return DatabaseError("25006", 405, "cannot execute a write: the SQLite database is "
                             "open read-only", message,
                             "make the file and its directory writable by dbrest")
    for fragment, sqlstate, status in _BY_MESSAGE:
        if fragment in message:
            return DatabaseError(sqlstate, status, message,
                                 headers=RETRY_AFTER if status == 503 else ())
    if isinstance(err, sqlite3.IntegrityError):
        return DatabaseError("23000", 409, message)
    if isinstance(err, sqlite3.OperationalError):
        return DatabaseError("42000", 400, message)
    return DatabaseError("XX000", 500, message)
