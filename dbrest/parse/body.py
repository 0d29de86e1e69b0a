"""Request bodies → rows (PostgREST `ApiRequest/Payload.hs`).

JSON (an object or an array of objects), CSV (a header line, then rows; `NULL` is SQL
null) and `application/x-www-form-urlencoded` (one row of strings). Without `columns=`,
every object of a bulk body must have the same keys; with it, only those keys are read.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from dbrest import jsontext
from dbrest.errors import InvalidBody


@dataclass(frozen=True, slots=True)
class Payload:
    rows: tuple[dict[str, Any], ...]
    keys: tuple[str, ...]  # the columns the body writes, in first-seen order
    is_array: bool = False


def parse_payload(content_type: str | None, body: bytes,
                  columns: tuple[str, ...] | None) -> Payload:
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media == "text/csv":
        rows, is_array = _csv_rows(body), True
    elif media == "application/x-www-form-urlencoded":
        rows, is_array = [dict(parse_qsl(body.decode("utf-8", "replace"),
                                         keep_blank_values=True))], False
    elif media in ("application/json", "*/*", "") or media.endswith("+json"):
        rows, is_array = _json_rows(body)
    else:
        raise InvalidBody(f"Content-Type not acceptable: {media}")
    if columns is not None:
        return Payload(tuple(rows), columns, is_array)
    keys: tuple[str, ...] = tuple(rows[0]) if rows else ()
    key_set = set(keys)
    if any(set(row) != key_set for row in rows[1:]):
        raise InvalidBody("All object keys must match")
    return Payload(tuple(rows), keys, is_array)


def _json_rows(body: bytes) -> tuple[list[dict[str, Any]], bool]:
    try:
        data = jsontext.loads(body) if body.strip() else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        return [data], False
    if isinstance(data, list):
        if not all(isinstance(item, dict) for item in data):
            raise InvalidBody("All object keys must match")
        return data, True
    if data is None and not _is_null(body):
        raise InvalidBody("Empty or invalid json")
    return [], True  # PostgREST reads any other JSON value as an empty array


def _is_null(body: bytes) -> bool:
    return body.strip() == b"null"


def _csv_rows(body: bytes) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(body.decode("utf-8", "replace")))
    lines = [line for line in reader if line]
    if not lines:
        return []
    header, rows = lines[0], lines[1:]
    if any(len(row) != len(header) for row in rows):
        raise InvalidBody("All lines must have same number of fields")
    return [{k: (None if v == "NULL" else v) for k, v in zip(header, row, strict=True)}
            for row in rows]
