"""Results and errors → `HttpResponse`: status, Content-Range, media type, body.

The JSON body arrives as text built by the database and is sent as bytes; only CSV and
the single-object form reshape it. Range status logic is PostgREST's
`RangeQuery.rangeStatusHeader`.
"""

from __future__ import annotations

import csv
import io

import orjson

from dbrest.errors import DbrestError, InvalidRange, SingularityError, error_body
from dbrest.exec.base import ReadResult
from dbrest.http import HttpResponse
from dbrest.plan.types import PlannedRequest

JSON = "application/json; charset=utf-8"


def error_response(err: DbrestError) -> HttpResponse:
    headers = [("content-type", JSON), ("proxy-status", f"PostgREST; error={err.error_code()}")]
    headers.extend(err.headers)
    return HttpResponse(err.http_status(), tuple(headers), error_body(err))


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


def to_csv(body: str, keys: tuple[str, ...]) -> bytes:
    rows = orjson.loads(body)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([_csv_value(row.get(k)) for k in keys])
    return out.getvalue().rstrip("\n").encode()


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


def serialize_read(planned: PlannedRequest, result: ReadResult) -> HttpResponse:
    lower = planned.offset
    status = range_status(lower, result.page_total, result.total)
    if status == 416:
        raise InvalidRange(f"An offset of {lower} was requested, but there are only "
                           f"{result.total} rows.")
    output = planned.plan.output
    if output == "object":
        if result.page_total != 1:
            raise SingularityError(result.page_total)
        body = result.body.strip()[1:-1].encode()  # the one element of `[…]`
    elif output == "csv":
        body = to_csv(result.body, tuple(s.key for s in planned.plan.read.select))
    else:
        body = result.body.encode()
    headers = [("content-type", planned.content_type),
               ("content-range", content_range(lower, result.page_total, result.total))]
    if planned.profile_header:
        headers.append(("content-profile", planned.schema))
    if planned.method == "HEAD":
        body = b""
    return HttpResponse(status, tuple(headers), body)

