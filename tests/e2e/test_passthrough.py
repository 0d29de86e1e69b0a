"""Bodies pass through the ASGI entry: in one message, the request body reaches the
pipeline as the very bytes object the server gave; the response's Content-Length is the
length of the body the database built, sent in one message."""

from __future__ import annotations

import asyncio
from typing import Any

from dbrest.app import read_body, send_response
from dbrest.http import HttpResponse


def _receiver(messages: list[dict[str, Any]]) -> Any:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)
    return receive


def test_a_body_in_one_message_is_not_copied() -> None:
    body = b'{"id": 1}' * 1000
    got = asyncio.run(read_body(_receiver([{"type": "http.request", "body": body}])))
    assert got is body


def test_a_body_in_several_messages_is_joined() -> None:
    got = asyncio.run(read_body(_receiver([
        {"type": "http.request", "body": b"[1,", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b"2]"}])))
    assert got == b"[1,2]"


def test_the_response_body_is_sent_as_built_with_its_length() -> None:
    body = b'[{"id":7,"title":"Dune"}]'
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(send_response(send, HttpResponse(200, (("content-type", "application/json"),),
                                                 body)))
    assert (b"content-length", str(len(body)).encode()) in sent[0]["headers"]
    assert sent[1]["body"] is body
