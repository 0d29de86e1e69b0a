"""Value converters: a request value → what each database's driver is handed.

A plan's `Param` carries a `ParamConv` tag; each dialect profile maps the tags to the
converters here. PostgreSQL gets text and casts it in SQL, so the database judges the
value. SQLite has no such casts, so its converters read the value as PostgreSQL would
for the column's kind and answer PostgreSQL's errors (22P02, 22003) for what it would
refuse; list values travel as one JSON text read with `json_each`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import orjson

from dbrest import jsontext
from dbrest.errors import DatabaseError, NotImplementedOnBackend
from dbrest.plan.filters import parse_pg_array
from dbrest.render.fts_query import phrase_query, plain_query, tsquery_query, websearch_query

# -- PostgreSQL ---------------------------------------------------------------------------------


def _text(value: Any, kind: str) -> Any:
    return None if value is None else str(value)


def _text_list(value: Any, kind: str) -> Any:
    return [str(v) for v in value]


def _pg_json_rows(value: Any, kind: str) -> str:
    """Rows for `json_populate_recordset`: the database reads each value by column type."""
    return jsontext.dumps(value.rows)


POSTGRES_CONVERTERS = {
    "text": _text, "like": _text, "json_key": _text, "json_value": _text,
    "text_list": _text_list, "like_list": _text_list,
    "int": lambda v, k: int(v), "json_index": lambda v, k: int(v),
    "json_rows": _pg_json_rows,
    "fts": _text, "plfts": _text, "phfts": _text, "wfts": _text, "array": _text,
}

# -- SQLite: request text → what SQLite compares correctly --------------------------------------

_TRUE = frozenset({"true", "t", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "off", "0"})
_INT64 = (-2**63, 2**63 - 1)


def _limit(value: Any, kind: str) -> int:
    """LIMIT/OFFSET: SQLite integers are 64-bit; anything larger means "all"."""
    return min(int(value), _INT64[1])


def _invalid(type_name: str, value: Any) -> DatabaseError:
    return DatabaseError("22P02", 400, f'invalid input syntax for type {type_name}: "{value}"')


def _scalar(value: Any, kind: str) -> Any:
    """Read request text as PostgreSQL would for a column of `kind` (22P02 if it can't)."""
    if value is None:
        return None
    text = str(value).strip()
    if kind == "boolean":
        if text.lower() in _TRUE:
            return 1
        if text.lower() in _FALSE:
            return 0
        raise _invalid("boolean", value)
    if kind == "integer":
        try:
            number = int(text)
        except ValueError:
            raise _invalid("integer", value) from None
        if not _INT64[0] <= number <= _INT64[1]:
            raise DatabaseError("22003", 400, f'value "{value}" is out of range for type bigint')
        return number
    if kind == "number":
        try:
            real = float(text)
        except ValueError:
            raise _invalid("numeric", value) from None
        return int(real) if real.is_integer() and "." not in text and "e" not in text.lower() \
            else real
    if kind in ("date", "timestamp"):
        return _temporal_value(text, kind)
    return value


def _temporal_value(text: str, kind: str) -> str:
    """A filter value on a date/timestamp column, checked as PostgreSQL would (22007) and
    spelled the way SQLite's date functions read it (an offset such as `+02` included)."""
    if text.lower() == "now":
        return "now"
    iso = text.replace("z", "Z")
    if len(iso) > 3 and iso[-3] in "+-" and iso[-2:].isdigit() and ":" in iso:
        iso += ":00"  # PostgreSQL's `+02`: SQLite wants `+02:00`
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        raise DatabaseError("22007", 400, f'invalid input syntax for type '
                            f'{"date" if kind == "date" else "timestamp"}: "{text}"') from None
    if kind == "date":
        return value.date().isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat(sep=" ")


def like_to_glob(pattern: str) -> str:
    """A LIKE pattern (`%`, `_`, `\\` escapes) as the equivalent case-sensitive GLOB."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            i += 1
            c = pattern[i]
            out.append(f"[{c}]" if c in "*?[" else c)
        elif c == "%":
            out.append("*")
        elif c == "_":
            out.append("?")
        elif c in "*?[":
            out.append(f"[{c}]")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _json_key(value: Any, kind: str) -> str:
    return '$."' + str(value).replace('"', '\\"') + '"'


def _json_index(value: Any, kind: str) -> str:
    n = int(value)
    return f"$[{n}]" if n >= 0 else f"$[#{n}]"


def _json_rows(value: Any, kind: str) -> str:
    """Body rows with each value read as PostgreSQL would read it for its column."""
    kinds = dict(value.kinds)
    rows = [{k: _body_value(v, kinds.get(k, "text")) for k, v in row.items()}
            for row in value.rows]
    return jsontext.dumps(rows)


def _body_value(value: Any, kind: str) -> Any:
    if value is None or kind in ("json", "other"):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind in ("integer", "number", "boolean") and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        if kind == "integer" and isinstance(value, float) and not value.is_integer():
            raise _invalid("integer", value)
        return value
    if isinstance(value, (dict, list)):
        if kind == "text":
            return jsontext.dumps(value)
        raise _invalid(kind, jsontext.dumps(value))
    if isinstance(value, bool):
        if kind == "text":
            return "true" if value else "false"
        raise _invalid(kind, value)
    return _scalar(value, kind) if kind in ("integer", "number", "boolean") else str(value)


def json_array(value: Any, kind: str) -> str:
    """A `cs`/`cd`/`ov` value on a JSON array column: a JSON array (a scalar is the array
    of it, as jsonb's `@>` reads one), or PostgreSQL's `{a,b}` array literal, whose items
    that read as JSON numbers are numbers and the rest strings."""
    text = str(value)
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        parsed = None
        if not text.strip().startswith("{"):
            raise _invalid("json", value) from None
    if parsed == {}:  # PostgreSQL's empty array literal
        parsed = []
    if isinstance(parsed, dict):
        raise NotImplementedOnBackend("containment of JSON objects is not available on sqlite")
    if parsed is None:
        items: list[Any] = []
        for item in parse_pg_array(text) if text.strip() != "{}" else []:
            try:
                number = orjson.loads(item)
                items.append(number if isinstance(number, (int, float))
                             and not isinstance(number, bool) else item)
            except orjson.JSONDecodeError:
                items.append(item)
        parsed = items
    return orjson.dumps(parsed if isinstance(parsed, list) else [parsed]).decode()


SQLITE_CONVERTERS = {
    "text": _scalar,
    "json_value": _scalar,
    "like": lambda v, k: like_to_glob(str(v)),
    "text_list": lambda v, k: orjson.dumps([_scalar(x, k) for x in v]).decode(),
    "like_list": lambda v, k: orjson.dumps([like_to_glob(str(x)) for x in v]).decode(),
    "json_key": _json_key,
    "json_index": _json_index,
    "int": _limit,
    "json_rows": _json_rows,
    "fts": tsquery_query, "plfts": plain_query, "phfts": phrase_query, "wfts": websearch_query,
    "array": json_array,
}
