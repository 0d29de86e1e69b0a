"""The arguments of an RPC request (`/rpc/<fn>`), before the function is known.

PostgREST `ApiRequest/QueryParams.parse`: on GET/HEAD a query parameter is an argument
when its key is not reserved (`select`, `order`, …), has no `.` and its value does not
start with an operator (`eq.`, `in.`, `not.`, …); the others are filters on the result.
On POST the body carries the arguments: a JSON object (its keys are the argument names),
a form (`a=1&v=1&v=2`), CSV (a header and one row), or — for a function with a single
unnamed parameter — the raw body (`text/plain`, `text/xml`, `application/octet-stream`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl

from dbrest import jsontext
from dbrest.errors import InvalidBody

RESERVED = frozenset({"select", "columns", "on_conflict"})
EMBEDDABLE = frozenset({"order", "limit", "offset", "and", "or"})
_OPERATORS = frozenset({
    "eq", "gte", "gt", "lte", "lt", "neq", "like", "ilike", "cs", "cd", "ov", "sl", "sr",
    "nxr", "nxl", "adj", "match", "imatch", "fts", "plfts", "phfts", "wfts", "isdistinct"})
_FTS = frozenset({"fts", "plfts", "phfts", "wfts"})

ArgsKind = Literal["pairs", "json", "raw"]


@dataclass(frozen=True, slots=True)
class RpcCall:
    """The arguments as sent: `pairs` (query string, form, CSV: each name with its values,
    repeated keys kept), `json` (the body's JSON, passed on as sent) or `raw` bytes."""

    kind: ArgsKind
    media: str = "application/json"  # the body's media type (POST)
    pairs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    json: Any = None
    raw: bytes = b""

    @property
    def keys(self) -> frozenset[str]:
        if self.kind == "json":
            return frozenset(self.json) if isinstance(self.json, dict) else frozenset()
        return frozenset(k for k, _ in self.pairs)


def has_operator(value: str) -> bool:
    """PostgREST's `hasOperator`/`hasFtsOperator`: the value reads as a filter."""
    parts = value.split(".")
    if parts[0] == "not" and len(parts) > 1:
        return True
    if parts[0] in ("is", "in") or parts[0] in _OPERATORS:
        return True
    if parts[0].split("(")[0] in _FTS and "(" in parts[0]:
        return True
    return False


def split_rpc_query(pairs: tuple[tuple[str, str], ...]
                    ) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(arguments, everything else) of a GET/HEAD RPC query string."""
    args: list[tuple[str, str]] = []
    rest: list[tuple[str, str]] = []
    for key, value in pairs:
        last = key.rsplit(".", 1)[-1]
        is_arg = (key not in RESERVED and last not in EMBEDDABLE and "." not in key
                  and value != "" and not has_operator(value))
        (args if is_arg else rest).append((key, value))
    return tuple(args), tuple(rest)


def group_pairs(pairs: list[tuple[str, str]] | tuple[tuple[str, str], ...]
                ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return tuple((k, tuple(v)) for k, v in grouped.items())


def media_of(content_type: str | None) -> str:
    return (content_type or "application/json").split(";")[0].strip().lower()


def parse_rpc_body(content_type: str | None, body: bytes, single_object: bool,
                   columns: tuple[str, ...] | None = None) -> RpcCall:
    media = media_of(content_type)
    if media in ("text/plain", "text/xml", "application/octet-stream"):
        return RpcCall("raw", media, raw=body)
    if media == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", "replace")
        return RpcCall("pairs", media, group_pairs(parse_qsl(text, keep_blank_values=True)),
                       raw=body)
    if media == "text/csv":
        lines = [line for line in csv.reader(io.StringIO(body.decode("utf-8", "replace")))
                 if line]
        row = dict(zip(lines[0], lines[1], strict=False)) if len(lines) > 1 else {}
        return RpcCall("pairs", media, tuple((k, (v,)) for k, v in row.items()), raw=body)
    if media in ("application/json", "*/*", "") or media.endswith("+json"):
        try:
            data = jsontext.loads(body) if body.strip() else {}
        except ValueError:
            raise InvalidBody("Empty or invalid json") from None
        if columns is not None and isinstance(data, dict) and not single_object:
            data = {k: data.get(k) for k in columns}  # `columns=`: only these keys
        return RpcCall("json", "application/json", json=data, raw=body)
    raise InvalidBody(f"Content-Type not acceptable: {media}")
