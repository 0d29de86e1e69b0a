"""Content negotiation: the `Accept` list → the output format and `Content-Type`.

The first acceptable type in q-order wins (PostgREST `Plan/Negotiate.hs`); none
acceptable is 406 PGRST107.
"""

from __future__ import annotations

from dbrest.errors import NotAcceptable
from dbrest.parse.ast import MediaType
from dbrest.plan.types import OutputFormat

JSON = "application/json; charset=utf-8"
_OFFERS: dict[str, tuple[OutputFormat, str]] = {
    "application/json": ("json", JSON),
    "*/*": ("json", JSON),
    "application/vnd.pgrst.array+json": ("json", JSON),
    "application/vnd.pgrst.array": ("json", JSON),
    "application/vnd.pgrst.object+json": (
        "object", "application/vnd.pgrst.object+json; charset=utf-8"),
    "application/vnd.pgrst.object": ("object", "application/vnd.pgrst.object+json; charset=utf-8"),
    "text/csv": ("csv", "text/csv; charset=utf-8"),
}
# Written as PostgREST's `MediaType.toMime` does: no space before `nulls=`.
_STRIPPED = {
    "json": "application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8",
    "object": "application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8",
}


def acceptable(media: MediaType) -> bool:
    """Whether `negotiate` offers this type."""
    return media.type in _OFFERS


def negotiate(accept: tuple[MediaType, ...]) -> tuple[OutputFormat, str, bool]:
    """(output format, Content-Type, strip nulls) for the first acceptable type."""
    for media in accept:
        offer = _OFFERS.get(media.type)
        if offer is None:
            continue
        stripped = ("nulls", "stripped") in media.params and media.type.startswith(
            "application/vnd.pgrst.")
        if stripped:
            return offer[0], _STRIPPED[offer[0]], True
        return offer[0], offer[1], False
    listed = ", ".join(m.type for m in accept)
    raise NotAcceptable(f"None of these media types are available: {listed}")
