"""PostgreSQL's checked casts on SQLite (`select=col::int`).

SQLite's CAST never fails (`CAST('abc' AS INTEGER)` is 0): a wrong answer where
PostgreSQL answers 400 22P02. Render calls `dbrest_cast(value, type)` instead, which
converts as PostgreSQL would or fails; since SQLite reports any exception of a Python
function as "user-defined function raised exception", the function leaves its message
in the connection's variables and exec raises it from there.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from dbrest.errors import DatabaseError

ERROR_KEY = "\x00dbrest.cast_error"  # never a real setting name
_INT = re.compile(r"\s*[+-]?\d+\s*")
_RANGES = {"int2": ("smallint", 1 << 15), "int4": ("integer", 1 << 31),
           "int8": ("bigint", 1 << 63)}
_NUMBER_NAMES = {"numeric": "numeric", "float4": "real", "float8": "double precision"}
_TRUE = ("t", "true", "y", "yes", "on", "1")
_FALSE = ("f", "false", "n", "no", "off", "0")


def make_cast(variables: dict[str, str]) -> Any:
    def fail(sqlstate: str, message: str) -> None:
        variables[ERROR_KEY] = f"{sqlstate}:{message}"
        raise ValueError(message)

    def cast(value: Any, type_name: str) -> Any:
        if value is None:
            return None
        if type_name in _RANGES:
            name, bound = _RANGES[type_name]
            if isinstance(value, float):
                value = round(value)
            elif isinstance(value, (str, bytes)):
                text = value.decode() if isinstance(value, bytes) else value
                if not _INT.fullmatch(text):
                    fail("22P02", f'invalid input syntax for type {name}: "{text}"')
                value = int(text)
            if not -bound <= value < bound:
                fail("22003", f"{name} out of range")
            return value
        if type_name in _NUMBER_NAMES:
            if isinstance(value, (str, bytes)):
                text = value.decode() if isinstance(value, bytes) else value
                try:
                    return float(text)
                except ValueError:
                    fail("22P02", f"invalid input syntax for type "
                                  f'{_NUMBER_NAMES[type_name]}: "{text}"')
            return value
        if type_name == "bool":
            if isinstance(value, (int, float)):
                return 1 if value else 0
            text = (value.decode() if isinstance(value, bytes) else value).strip().lower()
            if text and any(word.startswith(text) for word in _TRUE) and text not in _FALSE:
                return 1
            if text and any(word.startswith(text) for word in _FALSE):
                return 0
            fail("22P02", f'invalid input syntax for type boolean: "{value}"')
        return value
    return cast


def cast_error(err: Exception, variables: dict[str, str] | None) -> DatabaseError | None:
    """The cast failure `err` stands for, if a `dbrest_cast` raised it."""
    if variables is None or not isinstance(err, sqlite3.Error):
        return None
    pending = variables.pop(ERROR_KEY, None)
    if pending is None or "user-defined function raised exception" not in str(err):
        return None
    sqlstate, message = pending.split(":", 1)
    return DatabaseError(sqlstate, 400, message)
