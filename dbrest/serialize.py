"""Results and errors → `HttpResponse`: status, Content-Range, media type, body.

The JSON body arrives as text built by the database and is sent as bytes; only CSV and
the single-object form reshape it. Range status logic is PostgREST's
`RangeQuery.rangeStatusHeader`.
"""

from __future__ import annotations

import json
import re
from operator import itemgetter
from urllib.parse import quote

import orjson

from dbrest.errors import (
    DbrestError,
    GucHeadersError,
    GucStatusError,
    InvalidRange,
    error_body,
)
from dbrest.exec.base import ReadResult
from dbrest.http import HttpResponse
from dbrest.openapi import Document
from dbrest.plan.request import Planned
from dbrest.plan.types import PlannedRequest

JSON = "application/json; charset=utf-8"


def serialize(planned: Planned, result: ReadResult | None,
              query: tuple[tuple[str, str], ...] = ()) -> HttpResponse:
    """The response to a planned request, from its result (None: it ran no transaction),
    with what SQL said about the response (`response.headers`, `response.status`)."""
    if planned.kind == "options":
        return HttpResponse(200, (("allow", planned.allow),))
    assert planned.request is not None and result is not None
    if planned.explain is not None:  # the database's plan, for any method (PostgREST: 200)
        content_type = planned.explain.content_type(planned.request.content_type)
        return HttpResponse(200, (("content-type", content_type),), result.body.encode())
    if planned.kind == "call":
        from dbrest.serialize_rpc import serialize_call

        assert planned.call is not None
        response = serialize_call(planned.call, result)
    elif planned.kind == "write":
        response = serialize_write(planned.request, result)
    else:
        response = serialize_read(planned.request, result,
                                  content_location(planned.request.table, query))
    return apply_response_settings(response, result)


def error_response(err: DbrestError) -> HttpResponse:
    headers = [("content-type", JSON), ("proxy-status", f"PostgREST; error={err.error_code()}")]
    headers.extend(err.headers)
    return HttpResponse(err.http_status(), tuple(headers), error_body(err))


def internal_error_response() -> HttpResponse:
    """A bug's answer: a generic body, never a traceback."""
    return HttpResponse(500, (("content-type", JSON),), orjson.dumps(
        {"code": "PGRSTX00", "message": "Internal error", "details": None, "hint": None}))


def root_document(doc: Document) -> HttpResponse:
    """The OpenAPI document at `/` (HEAD: app.send_response drops the body)."""
    return HttpResponse(200, (("content-type", doc.content_type),), doc.body)


def apply_response_settings(response: HttpResponse, result: ReadResult) -> HttpResponse:
    """PostgREST's `response.headers` / `response.status` overrides (`GucHeader.hs`): a
    JSON array of single-key objects adds or replaces headers; an integer replaces the
    status."""
    if not result.response_status and not result.response_headers:
        return response  # the usual case: SQL set neither
    status = response.status
    headers = list(response.headers)
    if result.response_status:
        try:
            status = int(result.response_status)
        except ValueError:
            raise GucStatusError("response.status guc must be a valid status code") from None
        if not 100 <= status <= 599:
            raise GucStatusError("response.status guc must be a valid status code")
    if result.response_headers:
        for name, value in _guc_headers(result.response_headers):
            headers = [(k, v) for k, v in headers if k != name] + [(name, value)]
    if status == response.status and len(headers) == len(response.headers) \
            and not result.response_headers:
        return response
    return HttpResponse(status, tuple(headers), response.body)


def _guc_headers(text: str) -> list[tuple[str, str]]:
    try:
        items = orjson.loads(text)
    except orjson.JSONDecodeError:
        items = None
    pairs = []
    if isinstance(items, list):
        for item in items:
            if not (isinstance(item, dict) and len(item) == 1):
                break
            (name, value), = item.items()
            if not isinstance(value, str):
                break
            pairs.append((name.lower(), value))
        else:
            return pairs
    raise GucHeadersError("response.headers guc must be a JSON array composed of objects "
                          "with a single key and a string value")


def content_range(lower: int, count: int, total: int | None) -> str:
    upper = lower + count - 1
    total_text = "*" if total is None else str(total)
    if total != 0 and lower <= upper:
        return f"{lower}-{upper}/{total_text}"
    return f"*/{total_text}"


def range_status(lower: int, count: int, total: int | None) -> int:
    if total is None:
        return 200
    if lower > total:
        return 416
    if count < total:
        return 206
    return 200


def content_location(table: str, query: tuple[tuple[str, str], ...]) -> str:
    """PostgREST's `Content-Location` of a read: `/table`, then the query parameters
    sorted by name (stably) and written by Haskell's `urlEncodeVars`, which joins a
    repeated name's values with `,` and escapes all but `A-Za-z0-9-_.~` in upper-case hex.
    """
    if not query:
        return _wire(f"/{table}")
    if len(query) == 1:  # the usual read (`?id=eq.1`): nothing to sort or group
        (key, value), = query
        return _wire(f"/{table}?{_url_encode(key)}={_url_encode(value)}")
    groups: dict[str, list[str]] = {}
    for key, value in sorted(query, key=itemgetter(0)):
        if key in groups:
            groups[key].append(value)
        else:
            groups[key] = [value]
    canonical = "&".join(_url_encode(k) + "=" + ",".join([_url_encode(v) for v in values])
                         for k, values in groups.items())
    return _wire(f"/{table}?{canonical}")


_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
_all_unreserved = re.compile(r"[A-Za-z0-9\-_.~]*").fullmatch
# every other Latin-1 character → its UTF-8 bytes in `%XX` form (str.translate, in C)
_ESCAPES = {c: "".join(f"%{b:02X}" for b in chr(c).encode("utf-8"))
            for c in range(256) if c not in _UNRESERVED}


def _url_encode(text: str) -> str:
    # PostgREST hands `urlEncode` the UTF-8 bytes as Latin-1 characters and it encodes
    # each non-ASCII one as UTF-8 again: `é` (C3 A9) is written `%C3%83%C2%A9`.
    if _all_unreserved(text):
        return text
    return text.encode("utf-8").decode("latin-1").translate(_ESCAPES)


def _wire(value: str) -> str:
    """A header value whose UTF-8 bytes go on the wire as they are (headers are sent as
    Latin-1, one byte per character), as PostgREST writes a non-ASCII table name."""
    return value.encode("utf-8").decode("latin-1")


class _Number(str):
    """A JSON number kept as the text the database wrote."""


def to_csv(body: str, keys: tuple[str, ...], arrays: frozenset[str] = frozenset()) -> bytes:
    """Rows as PostgREST writes CSV: a header, then each row as PostgreSQL's record text.

    PostgREST strips the parentheses off `row::text`, so values follow `record_out`:
    NULL is empty, `""` and values with quotes, backslashes, commas, parentheses or
    white space are double-quoted, booleans are `t`/`f`. Columns in `arrays` (array
    types) are first written as `array_out` does (`{a,"b c",NULL}`).
    """
    rows = json.loads(body, parse_int=_Number, parse_float=_Number)
    lines = [",".join(keys)]
    lines.extend(",".join(_record_field(row.get(k), k in arrays) for k in keys) for row in rows)
    return "\n".join(lines).encode()


def _record_field(value: object, array: bool = False) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "t" if value else "f"
    if array and isinstance(value, str) and value.startswith("["):
        # SQLite keeps an array column as JSON text
        try:
            value = json.loads(value, parse_int=_Number, parse_float=_Number)
        except ValueError:
            pass
    if array and isinstance(value, list):
        text = _array_text(value)
    else:
        text = _jsonb_text(value) if isinstance(value, (dict, list)) else str(value)
    if text == "" or any(c in '"\\(),' or c.isspace() for c in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'
    return text


def _array_text(items: list[object]) -> str:
    """PostgreSQL's `array_out`: elements quoted when empty, `NULL`-like or holding
    braces, commas, quotes, backslashes or white space; nested lists are dimensions."""
    out: list[str] = []
    for item in items:
        if item is None:
            out.append("NULL")
            continue
        if isinstance(item, list):
            out.append(_array_text(item))
            continue
        if item is True or item is False:
            text = "t" if item else "f"
        else:
            text = _jsonb_text(item) if isinstance(item, dict) else str(item)
        if text == "" or text.upper() == "NULL" or any(
                c in '{},"\\' or c.isspace() for c in text):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(text)
    return "{" + ",".join(out) + "}"


def _jsonb_text(value: object) -> str:
    """JSON as PostgreSQL's jsonb prints it (`{"a": 1, "b": [1, 2]}`)."""
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_jsonb_text(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_jsonb_text(v)}"
                           for k, v in value.items()) + "}"


def preference_applied(planned: PlannedRequest) -> list[tuple[str, str]]:
    """The one `Preference-Applied` header, as planned (plan/preferences.py)."""
    applied = planned.preference_applied
    return [("preference-applied", ", ".join(applied))] if applied else []


def serialize_read(planned: PlannedRequest, result: ReadResult,
                   location: str | None = None) -> HttpResponse:
    """`location`: the `Content-Location` header (a read of a table has one, last)."""
    lower = planned.offset
    status = range_status(lower, result.page_total, result.total)
    if status == 416:
        raise InvalidRange(f"An offset of {lower} was requested, but there are only "
                           f"{result.total} rows.",
                           (("content-range", f"*/{result.total}"),))
    body = _shape_body(planned, result)  # singularity: exec checked it (`WriteChecks`)
    headers = [("content-type", planned.content_type),
               ("content-range", content_range(lower, result.page_total, result.total))]
    headers.extend(preference_applied(planned))
    if planned.profile_header:
        headers.append(("content-profile", planned.schema))
    if location is not None:
        headers.append(("content-location", location))
    return HttpResponse(status, tuple(headers), body)  # HEAD: app.send_response drops it




def serialize_write(planned: PlannedRequest, result: ReadResult) -> HttpResponse:
    write = planned.write
    assert write is not None
    n = result.page_total
    total = n if planned.plan.count else None
    headers = []
    if planned.method == "PATCH":
        headers.append(("content-range", content_range(0, n, total)))
    elif planned.method != "PUT":
        headers.append(("content-range", f"*/{'*' if total is None else total}"))
    headers.extend(preference_applied(planned))
    if planned.profile_header:
        headers.append(("content-profile", planned.schema))
    body = b""
    if write.return_ == "headers-only" and write.location and n == 1:
        row = orjson.loads(result.body)[0]
        query = "&".join(f"{quote(k, safe='')}=eq.{quote(str(row[k]), safe='')}"
                         for k in write.location)
        headers.append(("location", f"/{quote(planned.table, safe='')}?{query}"))
    # PostgREST `Response.hs`: a merging upsert that inserted nothing is 200; PUT is 201
    # when it created the row; PATCH/DELETE/PUT without a body are 204.
    created = result.inserted is None or result.inserted > 0
    if planned.method == "POST":
        status = 200 if write.merge and not result.inserted else 201
    elif write.return_ != "representation":
        status = 204
    else:
        status = 201 if planned.method == "PUT" and created else 200
    if write.return_ == "representation":
        body = _shape_body(planned, result)
        headers.insert(0, ("content-type", planned.content_type))
    return HttpResponse(status, tuple(headers), body)


def _shape_body(planned: PlannedRequest, result: ReadResult) -> bytes:
    output = planned.plan.output
    if output == "object":
        return result.body.strip()[1:-1].encode()  # the one element of `[…]`
    if output == "csv":
        select = planned.plan.read.select
        return to_csv(result.body, tuple(s.key for s in select),
                      frozenset(s.key for s in select if s.expr.type.native_type.endswith("[]")))
    return result.body.encode()
