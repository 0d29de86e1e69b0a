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
    "application/*": ("json", JSON),
    "application/vnd.pgrst.array+json": ("json", "application/vnd.pgrst.array+json; charset=utf-8"),
    "application/vnd.pgrst.object+json": (
        "object", "application/vnd.pgrst.object+json; charset=utf-8"),
    "application/vnd.pgrst.object": ("object", "application/vnd.pgrst.object+json; charset=utf-8"),
    "text/csv": ("csv", "text/csv; charset=utf-8"),
    "text/*": ("csv", "text/csv; charset=utf-8"),
}


def negotiate(accept: tuple[MediaType, ...]) -> tuple[OutputFormat, str]:
    for media in accept:
        offer = _OFFERS.get(media.type)
        if offer is not None:
            return offer
    listed = ", ".join(m.type for m in accept)
    raise NotAcceptable(f"None of these media types are available: {listed}")
