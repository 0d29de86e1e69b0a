"""`Accept: application/vnd.pgrst.plan…`: answering the database's plan of the request.

PostgREST `MediaType.decodeMediaType` / `Plan/Negotiate.hs`: `vnd.pgrst.plan` (text),
`+text` or `+json`, with `for="<media type>"` (default `application/json`) and
`options=analyze|verbose|settings|buffers|wal`. Only with `db_plan_enabled`; otherwise
the type is simply not offered (406 PGRST107 when nothing else is acceptable). The
request is then planned as if it had asked for the `for` type, and render wraps that
statement in EXPLAIN (render/explain.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from dbrest.parse.ast import ApiRequest, MediaType
from dbrest.parse.headers import parse_accept
from dbrest.plan.negotiate import acceptable

PlanFormat = Literal["json", "text"]
_FORMATS: dict[str, PlanFormat] = {
    "application/vnd.pgrst.plan": "text",
    "application/vnd.pgrst.plan+text": "text",
    "application/vnd.pgrst.plan+json": "json",
}
# PostgREST names them back in this order, whatever order they were asked in
OPTIONS = ("analyze", "verbose", "settings", "buffers", "wal")


@dataclass(frozen=True, slots=True)
class Explain:
    format: PlanFormat
    options: tuple[str, ...]  # a subset of OPTIONS, in that order
    target: MediaType  # the `for` type: what the explained statement would answer

    def content_type(self, target_type: str) -> str:
        """PostgREST's `toMime (MTVndPlan …)` + charset; `target_type` is the negotiated
        `Content-Type` of the `for` type."""
        mime = target_type.removesuffix("; charset=utf-8")
        options = "; options=" + "|".join(self.options) if self.options else ""
        return f'application/vnd.pgrst.plan+{self.format}; for="{mime}"{options}; charset=utf-8'


def explain_of(api: ApiRequest, enabled: bool) -> tuple[Explain | None, ApiRequest]:
    """The plan the request asks for (if its first acceptable type is a plan type), and
    the request to plan under it: accepting only the `for` type."""
    if not enabled:
        return None, api
    for media in api.accept:
        fmt = _FORMATS.get(media.type)
        if fmt is None:
            if acceptable(media):
                return None, api
            continue
        params = dict(media.params)
        asked = set(params.get("options", "").split("|"))
        target = parse_accept(params.get("for") or "application/json")[:1] or (
            MediaType("application/json"),)
        explain = Explain(fmt, tuple(o for o in OPTIONS if o in asked), target[0])
        return explain, replace(api, accept=target)
    return None, api
