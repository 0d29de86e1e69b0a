"""Driver errors → `DatabaseError`: PostgreSQL SQLSTATEs and SQLite messages.

The PostgreSQL table follows PostgREST's `Error.hs` (`pgErrorStatus`); SQLite's result
messages map onto the same SQLSTATEs so clients see one vocabulary. No database.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import pytest

from dbrest.errors import DatabaseError
from dbrest.exec.postgres.errors import map_pg_error, status_for
from dbrest.exec.sqlite.errors import map_sqlite_error


@pytest.mark.parametrize(("sqlstate", "message", "authenticated", "status"), [
    # exact codes
    ("23503", "insert or update violates foreign key constraint", False, 409),
    ("23505", "duplicate key value violates unique constraint", False, 409),
    ("25006", "cannot execute UPDATE in a read-only transaction", False, 405),
    ("42P01", 'relation "x" does not exist', False, 404),
    ("42883", "function f() does not exist", False, 404),
    ("42P17", "infinite recursion detected", False, 500),
    ("53400", "configuration limit exceeded", False, 500),
    ("57P01", "terminating connection due to administrator command", False, 503),
    ("57P02", "terminating connection because of crash of another server process", False, 503),
    ("57P03", "the database system is starting up", False, 503),
    ("P0001", "raised by the function", False, 400),
    # permission denied: 401 for the anonymous role, 403 once authenticated
    ("42501", "permission denied for table books", False, 401),
    ("42501", "permission denied for table books", True, 403),
    # a JWT naming a role that does not exist
    ("22023", 'role "ghost" does not exist', False, 401),
    ("22023", "invalid parameter value", False, 400),
    # cardinality: only the pg-safeupdate message is a client error
    ("21000", "DELETE requires a WHERE clause", False, 400),
    ("21000", "more than one row returned by a subquery", False, 500),
    # PTxxx: the status is in the code
    ("PT402", "payment required", False, 402),
    ("PT418", "teapot", False, 418),
    ("PT404", "nothing here", True, 404),
    # a PT code whose rest is not a number is 500 in PostgREST
    # (`'P':'T':n -> fromMaybe HTTP.status500 (… readMaybe n …)`)
    ("PTABC", "custom", False, 500),
    # classes
    ("08006", "connection failure", False, 503),
    ("08000", "connection exception", False, 503),
    ("09000", "triggered action exception", False, 500),
    ("0L000", "invalid grantor", False, 403),
    ("0P000", "invalid role specification", False, 403),
    ("25001", "active sql transaction", False, 500),
    ("28000", "invalid authorization", False, 403),
    ("28P01", "password authentication failed", False, 403),
    ("2D000", "invalid transaction termination", False, 500),
    ("38000", "external routine exception", False, 500),
    ("39000", "external routine invocation", False, 500),
    ("3B000", "savepoint exception", False, 500),
    ("40001", "could not serialize access", False, 500),
    ("40P01", "deadlock detected", False, 500),
    ("53100", "disk full", False, 503),
    ("53300", "too many connections", False, 503),
    ("54000", "program limit exceeded", False, 500),
    ("55P03", "lock not available", False, 500),
    ("57014", "canceling statement due to statement timeout", False, 500),
    ("58030", "io error", False, 500),
    ("F0000", "config file error", False, 500),
    ("HV000", "fdw error", False, 500),
    ("XX000", "internal error", False, 500),
    ("P0002", "no data found", False, 500),
    # everything else is the client's: 400
    ("22P02", 'invalid input syntax for type integer: "abc"', False, 400),
    ("22001", "value too long", False, 400),
    ("23502", "null value in column violates not-null constraint", False, 400),
    ("23514", "new row violates check constraint", False, 400),
    ("42703", "column does not exist", False, 400),
    ("42601", "syntax error", False, 400),
    ("42804", "datatype mismatch", False, 400),
])
def test_status_for(sqlstate: str, message: str, authenticated: bool, status: int) -> None:
    assert status_for(sqlstate, message, authenticated) == status


@dataclass
class FakePgError:
    """The attributes dbrest reads from an asyncpg `PostgresError`."""

    sqlstate: str | None
    message: str | None
    detail: str | None = None
    hint: str | None = None


@pytest.mark.parametrize(("err", "authenticated", "expected"), [
    (FakePgError("23505", "duplicate key", "Key (id)=(1) already exists.", None), False,
     ("23505", 409, "duplicate key", "Key (id)=(1) already exists.", None, ())),
    (FakePgError("P0001", "custom", None, "try again"), False,
     ("P0001", 400, "custom", None, "try again", ())),
    (FakePgError("42501", "permission denied for table books"), False,
     ("42501", 401, "permission denied for table books", None, None,
      (("www-authenticate", "Bearer"),))),
    (FakePgError("42501", "permission denied for table books"), True,
     ("42501", 403, "permission denied for table books", None, None, ())),
    (FakePgError(None, None), False, ("XX000", 500, "FakePgError(sqlstate=None, message=None, "
                                      "detail=None, hint=None)", None, None, ())),
])
def test_map_pg_error(err: FakePgError, authenticated: bool,
                      expected: tuple[object, ...]) -> None:
    mapped = map_pg_error(err, authenticated)
    assert isinstance(mapped, DatabaseError)
    assert (mapped.error_code(), mapped.http_status(), mapped.message, mapped.details,
            mapped.hint, mapped.headers) == expected
    assert mapped.payload() == {"code": expected[0], "message": expected[2],
                                "details": expected[3], "hint": expected[4]}


@pytest.mark.parametrize(("err", "sqlstate", "status"), [
    (sqlite3.IntegrityError("UNIQUE constraint failed: books.id"), "23505", 409),
    (sqlite3.IntegrityError("FOREIGN KEY constraint failed"), "23503", 409),
    (sqlite3.IntegrityError("NOT NULL constraint failed: books.title"), "23502", 400),
    (sqlite3.IntegrityError("CHECK constraint failed: rating BETWEEN 1 AND 5"), "23514", 400),
    (sqlite3.IntegrityError("something else entirely"), "23000", 409),
    (sqlite3.OperationalError("no such column: nope"), "42703", 400),
    (sqlite3.OperationalError("no such table: main.nope"), "42P01", 404),
    (sqlite3.OperationalError("no such function: nope"), "42883", 404),
    (sqlite3.OperationalError("malformed JSON"), "22P02", 400),
    (sqlite3.OperationalError("database is locked"), "55P03", 503),
    (sqlite3.OperationalError("database or disk is full"), "53100", 503),
    (sqlite3.OperationalError("near \"x\": syntax error"), "42000", 400),
    (sqlite3.DatabaseError("file is not a database"), "XX000", 500),
    (sqlite3.InterfaceError("bad parameter or other API misuse"), "XX000", 500),
])
def test_map_sqlite_error(err: sqlite3.Error, sqlstate: str, status: int) -> None:
    mapped = map_sqlite_error(err)
    assert (mapped.error_code(), mapped.http_status(), mapped.message) == (
        sqlstate, status, str(err))


def test_read_only_sqlite_write_is_25006_with_a_clear_message() -> None:
    err = sqlite3.OperationalError("attempt to write a readonly database")
    mapped = map_sqlite_error(err)
    assert (mapped.error_code(), mapped.http_status()) == ("25006", 405)
    assert mapped.message == "cannot execute a write: the SQLite database is open read-only"
    assert mapped.details == str(err)


def test_sqlite_errors_from_a_real_connection() -> None:
    """The messages the table matches are the ones SQLite actually writes."""
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, n TEXT NOT NULL CHECK (n <> ''))")
    conn.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id))")
    conn.execute("INSERT INTO a VALUES (1, 'x')")
    statements = [
        ("INSERT INTO a VALUES (1, 'y')", "23505"),
        ("INSERT INTO a VALUES (2, NULL)", "23502"),
        ("INSERT INTO a VALUES (3, '')", "23514"),
        ("INSERT INTO b VALUES (1, 99)", "23503"),
        ("SELECT nope FROM a", "42703"),
        ("SELECT * FROM nope", "42P01"),
        ("SELECT nope(1)", "42883"),
        ("SELECT json('{')", "22P02"),
    ]
    try:
        for sql, sqlstate in statements:
            with pytest.raises(sqlite3.Error) as info:
                conn.execute(sql)
            assert map_sqlite_error(info.value).error_code() == sqlstate, sql
    finally:
        conn.close()


@pytest.mark.parametrize("sqlstate", ["57P01", "57P03", "08006", "53300"])
def test_transient_postgres_failures_say_when_to_retry(sqlstate: str) -> None:
    mapped = map_pg_error(FakePgError(sqlstate, "unavailable"))
    assert mapped.http_status() == 503
    assert ("retry-after", "1") in mapped.headers


def test_sqlite_full_is_the_servers_failure_with_retry_after() -> None:
    mapped = map_sqlite_error(sqlite3.OperationalError("database or disk is full"))
    assert (mapped.http_status(), mapped.headers) == (503, (("retry-after", "1"),))


def test_a_full_sqlite_database_from_a_real_connection() -> None:
    """SQLite's own SQLITE_FULL message, from a file capped by `max_page_count`."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.execute("PRAGMA max_page_count = 3")
    try:
        with pytest.raises(sqlite3.Error) as info:
            conn.execute("INSERT INTO t SELECT hex(randomblob(4000)) FROM "
                         "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                         "WHERE i < 50) SELECT i FROM n)")
        mapped = map_sqlite_error(info.value)
        assert (mapped.error_code(), mapped.http_status()) == ("53100", 503)
    finally:
        conn.close()


def test_connection_errors_carry_retry_after() -> None:
    from dbrest.errors import ConnectionError_
    err = ConnectionError_("Database connection error.", "refused")
    assert (err.http_status(), err.headers) == (503, (("retry-after", "1"),))
