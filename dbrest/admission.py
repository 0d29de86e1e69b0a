"""What is decided from the head of a request, before its body is read.

A body can be large; a request that will be refused anyway must not make the server
read (and hold) it. So the JWT is checked from the headers first, and where the
application holds the grants (SQLite), a write to a table the role may not write is
refused too. Then the body is read with `server_max_body_size` enforced against
`Content-Length` up front and against what actually arrives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dbrest.errors import BodyTooLarge, InvalidBody
from dbrest.grants import check_grants
from dbrest.http import HttpRequest
from dbrest.pipeline import Pipeline

Receive = Callable[[], Awaitable[dict[str, Any]]]

# the action a write to `/table` needs whatever else it does (PUT: both)
_WRITES = {"POST": ("insert",), "PATCH": ("update",), "DELETE": ("delete",),
           "PUT": ("insert", "update")}


def admit(pipeline: Pipeline, req: HttpRequest) -> None:
    """Raise the `DbrestError` the request is bound to get whatever its body: a bad or
    missing JWT, or (grants) a write the role was not granted on an existing table."""
    if req.method not in _WRITES or req.method == "OPTIONS":
        return
    auth = pipeline.authenticator.authenticate(req.header("authorization"))
    if not pipeline.grants or req.header("content-profile") is not None:
        return
    name = req.path.strip("/")
    schema = pipeline.config.db_schemas[0]
    if "/" in name or (schema, name) not in pipeline.cache.tables:
        return  # /rpc/…, or a 404 the pipeline answers in its own words
    check_grants(pipeline.grants, auth.role, auth.authenticated,
                 [(name, action) for action in _WRITES[req.method]])


class ClientGone(Exception):
    """The client disconnected before its request was answered."""


async def read_body(receive: Receive, limit: int, content_length: str | None) -> bytes:
    """The whole body, refused (413) as soon as it is known to exceed `limit`; one
    buffer, sized up front when `Content-Length` says how much is coming."""
    expected: int | None = None
    if content_length is not None:
        try:
            expected = int(content_length)
        except ValueError:
            raise InvalidBody("Invalid Content-Length") from None
        if expected > limit:
            raise BodyTooLarge(limit)
    first = await receive()
    if first["type"] == "http.disconnect":
        raise ClientGone()
    chunk: bytes = first.get("body", b"")
    if not first.get("more_body"):  # the usual case: one message, no copy
        if len(chunk) > limit:
            raise BodyTooLarge(limit)
        return chunk
    buffer = bytearray()
    buffer += chunk
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone()
        buffer += message.get("body", b"")
        if len(buffer) > limit:
            raise BodyTooLarge(limit)
        if not message.get("more_body"):
            return bytes(buffer)
