"""Framework-neutral HTTP request and response values.

Only `app.py` knows about ASGI/Quart; every stage below sees these frozen values: the
query as an ordered tuple of pairs (filters repeat and order matters), header names
lower-cased, the body as bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of header `name` (lower-case), or None."""
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def header_all(self, name: str) -> tuple[str, ...]:
        return tuple(value for key, value in self.headers if key == name)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    # Extra, out-of-band: the chunks of a streamed body (large responses).
    stream: object | None = field(default=None, compare=False)


def parse_query_string(raw: bytes | str) -> tuple[tuple[str, str], ...]:
    """Split a raw query string into decoded pairs, keeping order and repeats.

    `+` means space, as in PostgREST (`parseQueryReplacePlus True`). A key without `=`
    is dropped, as PostgREST drops it.
    """
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not raw:
        return ()
    plain = "%" not in raw and "+" not in raw  # the usual query: nothing to decode
    pairs: list[tuple[str, str]] = []
    for part in raw.split("&"):
        key, sep, value = part.partition("=")
        if not sep:  # PostgREST ignores valueless keys (`nonemptyParams`)
            continue
        pairs.append((key, value) if plain else (_decode(key), _decode(value)))
    return tuple(pairs)


def _decode(text: str) -> str:
    return unquote(text.replace("+", " "), encoding="utf-8", errors="replace")
