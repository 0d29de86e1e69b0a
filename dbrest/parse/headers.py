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
    """Media types in preference order (highest q first, stable); none → `*/*`."""
    if header is None or not header.strip():
        return (MediaType("*/*"),)
    ranked: list[tuple[float, int, MediaType]] = []
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
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
            elif name:
                params.append((name, value))
        if q > 0:
            ranked.append((-q, index, MediaType(pieces[0].lower(), tuple(params))))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return tuple(m for _, _, m in ranked)


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
    """The top-level range: the limit/offset range intersected with the Range header."""
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
    return Range(new_lower, None if new_upper is None else new_upper - new_lower + 1)
