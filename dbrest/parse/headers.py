"""Request headers → preferences, media types and ranges.

`Prefer` follows PostgREST `ApiRequest/Preferences.hs` (several headers and comma lists
merge; the first value of each kind wins; unknown ones are kept for `handling=strict`),
`Accept` is ordered by q-value (`parseHttpAccept`), `Range` is `^([0-9]+)-([0-9]*)$`
(`RangeQuery.rangeParse`).
"""

from __future__ import annotations

import re
from typing import Any

from dbrest.parse.ast import MediaType, Preferences, Range

_PREF_VALUES: dict[str, tuple[str, ...]] = {
    "return": ("minimal", "headers-only", "representation"),
    "count": ("exact", "planned", "estimated"),
    "resolution": ("merge-duplicates", "ignore-duplicates"),
    "missing": ("default", "null"),
    "handling": ("strict", "lenient"),
    "tx": ("commit", "rollback"),
    "params": ("single-object",),
    "read": ("primary",),  # dbrest's: read-your-writes with read replicas (routing.py)
}
_FIELD = {"return": "return_", "max-affected": "max_affected"}


def parse_prefer(values: tuple[str, ...]) -> Preferences:
    found: dict[str, Any] = {}
    invalid: list[str] = []
    for header in values:
        for item in header.split(","):
            item = item.strip()
            if not item:
                continue
            key, _, value = item.partition("=")
            key, value = key.strip(), value.strip()
            if key in _PREF_VALUES and value in _PREF_VALUES[key]:
                found.setdefault(_FIELD.get(key, key), value)
            elif key == "timezone" and value:
                found.setdefault("timezone", value)
            elif key == "max-affected" and value.isdigit():
                found.setdefault("max_affected", int(value))
            else:
                invalid.append(item)
    return Preferences(**found, invalid=tuple(invalid))


def parse_accept(header: str | None) -> tuple[MediaType, ...]:
    """Media types in preference order; none → `*/*`.

    As wai's `parseHttpAccept`, which PostgREST uses: a stable sort by q-value, then by
    specificity (parameters count for, `*` against), so `*/*, text/csv` prefers CSV; a
    q-value that is not a number counts as 1. Unlike wai, `q=0` ("not acceptable", RFC 9110
    §12.4.2) drops the type.
    """
    if header is None or not header.strip():
        return (MediaType("*/*"),)
    ranked: list[tuple[float, int, int, MediaType]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                q = _quality(value)
            elif name:
                params.append((name, value))
        if q > 0:
            media = MediaType(pieces[0].lower(), tuple(params))
            specificity = len(params) - media.type.count("*")
            ranked.append((-q, -specificity, index, media))
    ranked.sort(key=lambda r: r[:3])
    return tuple(r[3] for r in ranked)


_QUALITY = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _quality(text: str) -> float:
    """The leading number of a q-value, as Haskell's `reads`; none → 1."""
    m = _QUALITY.match(text)
    return float(m.group()) if m else 1.0


_RANGE = re.compile(r"^([0-9]+)-([0-9]*)$")


def parse_range(header: str | None) -> tuple[int, int | None] | None:
    """`Range: 0-9` → (0, 9); `10-` → (10, None); absent or malformed → None (ignored)."""
    if header is None:
        return None
    m = _RANGE.match(header.strip())
    if not m:
        return None
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else None)


def intersect(query: Range, header: tuple[int, int | None] | None) -> Range:
    """The top-level range: the limit/offset range intersected with the Range header.

    Disjoint ranges (`Range: 10-20` with `limit=5`) intersect to no rows: limit 0. PostgREST
    would send `LIMIT -5` to the database, which PostgreSQL rejects and SQLite reads as
    "no limit".
    """
    if header is None:
        return query
    lower, upper = header
    q_upper = None if query.limit is None else query.offset + query.limit - 1
    new_lower = max(lower, query.offset)
    if upper is None:
        new_upper = q_upper
    elif q_upper is None:
        new_upper = upper
    else:
        new_upper = min(upper, q_upper)
    return Range(new_lower, None if new_upper is None else max(new_upper - new_lower + 1, 0))
