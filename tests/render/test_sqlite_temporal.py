"""SQLite converter for filter values on date/timestamp columns: checked as PostgreSQL
checks them (22007), spelled so SQLite's date functions read them as the same instant."""

from __future__ import annotations

import sqlite3

import pytest

from dbrest.errors import DatabaseError
from dbrest.render.sqlite import SQLITE, normalised

convert = SQLITE.converters["text"]


@pytest.mark.parametrize(("value", "kind", "expected"), [
    ("2024-04-10T09:00:00", "timestamp", "2024-04-10 09:00:00"),
    ("2024-04-10 09:00:00.250", "timestamp", "2024-04-10 09:00:00.250000"),
    ("2024-04-10T09:00:00Z", "timestamp", "2024-04-10 09:00:00"),
    ("2024-04-10T11:00:00+02", "timestamp", "2024-04-10 09:00:00"),
    ("2024-04-10T11:00:00+02:00", "timestamp", "2024-04-10 09:00:00"),
    ("2024-04-10", "timestamp", "2024-04-10 00:00:00"),
    ("2024-04-10T09:00:00", "date", "2024-04-10"),
    ("now", "timestamp", "now"),
])
def test_temporal_values(value: str, kind: str, expected: str) -> None:
    assert convert(value, kind) == expected


@pytest.mark.parametrize(("value", "kind"), [("notadate", "timestamp"), ("2024-13-01", "date")])
def test_bad_temporal_value_is_22007(value: str, kind: str) -> None:
    with pytest.raises(DatabaseError) as info:
        convert(value, kind)
    assert info.value.error_code() == "22007" and info.value.http_status() == 400
    assert info.value.message == f'invalid input syntax for type {kind}: "{value}"'


@pytest.mark.parametrize("stored", ["2024-04-10 09:00:00", "2024-04-10T09:00:00",
                                    "2024-04-10T09:00:00.000", "2024-04-10T11:00:00+02:00",
                                    "2024-04-10T09:00:00Z"])
def test_stored_spellings_equal_the_converted_value(stored: str) -> None:
    conn = sqlite3.connect(":memory:")
    sql = f"SELECT {normalised('?', 'timestamp')} = {normalised('?', 'timestamp')}"
    assert conn.execute(sql, (stored, convert("2024-04-10T09:00:00", "timestamp"))).fetchone() \
        == (1,)
