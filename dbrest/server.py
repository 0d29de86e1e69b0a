"""Hypercorn as dbrest serves with it: HTTP/1.1 status lines carry their reason phrase.

Hypercorn builds each `h11.Response` from the status code alone, so the status line
reads `HTTP/1.1 200 ` and fetch-based clients (postgrest-js) report `statusText == ""`;
PostgREST (Warp) writes `HTTP/1.1 200 OK`. The one place every HTTP/1.1 response head
leaves hypercorn is `H11Protocol._send_h11_event`; `install_reason_phrases` wraps it once,
filling in the standard phrase (`http.HTTPStatus`) where none was given. HTTP/2 has no
reason phrase, so nothing else changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import h11

_PHRASES = {status.value: status.phrase.encode("ascii") for status in HTTPStatus}
_MARK = "_dbrest_reason_phrases"


def with_reason(event: Any) -> Any:
    """`event` with its standard reason phrase, if it is a response head without one.

    Set on the event itself: hypercorn builds it for this one send, and a new event
    would validate every header again (a regular expression each, on every response)."""
    if isinstance(event, (h11.Response, h11.InformationalResponse)) and not event.reason:
        phrase = _PHRASES.get(event.status_code)
        if phrase:
            object.__setattr__(event, "reason", phrase)  # h11's events are frozen
    return event


def install_reason_phrases() -> None:
    """Make hypercorn's HTTP/1.1 protocol send reason phrases (idempotent)."""
    from hypercorn.protocol.h11 import H11Protocol

    original: Callable[[Any, Any], Awaitable[None]] = H11Protocol._send_h11_event
    if getattr(original, _MARK, False):
        return

    async def send_h11_event(self: Any, event: Any) -> None:
        await original(self, with_reason(event))

    setattr(send_h11_event, _MARK, True)
    H11Protocol._send_h11_event = send_h11_event  # type: ignore[method-assign]
