"""`dbrest/exec/postgres/literal.py`: setting values written as literals read back exactly,
whatever the string, in both of PostgreSQL's string modes, and the transaction's opening
they build carries the request's settings as bound values did."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbrest.exec.postgres.literal import literal, opening

HOSTILE = ["", "'", "''", "\\", "\\'", "'; DROP TABLE books; --", "E'x'", "$$", "$q$x$q$",
           "\\x41", "\\000", "é ∑ 🦀", "a\nb\r\tc", "\u2028", "%s", "?", "$1", "\x7f",
           "\\\\'\\''"]


@pytest.fixture(scope="module")
def conn(pg_admin_uri: str) -> Iterator[Any]:
    loop = asyncio.new_event_loop()
    connection = loop.run_until_complete(asyncpg.connect(pg_admin_uri))
    try:
        yield loop, connection
    finally:
        loop.run_until_complete(connection.close())
        loop.close()


def read_back(conn: Any, text: str, conforming: bool) -> Any:
    loop, connection = conn
    sql = literal(text)
    assert sql is not None

    async def go() -> Any:
        await connection.execute(
            f"SET standard_conforming_strings = {'on' if conforming else 'off'}")
        try:
            return await connection.fetchval(f"SELECT {sql}")
        finally:
            await connection.execute("RESET standard_conforming_strings")
    return loop.run_until_complete(go())


@pytest.mark.parametrize("conforming", [True, False])
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_read_back(conn: Any, text: str, conforming: bool) -> None:
    assert read_back(conn, text, conforming) == text


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
       conforming=st.booleans())
def test_any_text_reads_back(conn: Any, text: str, conforming: bool) -> None:
    assert read_back(conn, text, conforming) == text


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "x\udfff"])
def test_what_text_cannot_hold_is_left_to_a_parameter(text: str) -> None:
    assert literal(text) is None
    assert opening("BEGIN", [("request.path", text)], None) is None


def test_opening_sets_everything_in_one_transaction(conn: Any) -> None:
    loop, connection = conn
    values = [("role", "postgres"), ("request.headers", '{"x": "\'; DROP --\\\\"}'),
              ("request.path", "/books")]
    sql = opening("BEGIN READ ONLY", values, None)
    assert sql is not None and sql.startswith("BEGIN READ ONLY; SELECT set_config(")

    async def go() -> Any:
        await connection.execute(sql)
        try:
            return [await connection.fetchval("SELECT current_setting($1)", name)
                    for name, _ in values] + [
                await connection.fetchval("SELECT current_setting('transaction_read_only')")]
        finally:
            await connection.execute("ROLLBACK")
    assert loop.run_until_complete(go()) == [v for _, v in values] + ["on"]
    # transaction-local: gone after the transaction
    assert loop.run_until_complete(
        connection.fetchval("SELECT current_setting('request.path', true)")) in (None, "")


def test_opening_with_pre_request() -> None:
    assert opening("BEGIN", [], 'SELECT "api"."check"()') == 'BEGIN; SELECT "api"."check"()'
    assert opening("BEGIN", [("a.b", "c")], None) == "BEGIN; SELECT set_config(E'a.b', E'c', true)"
