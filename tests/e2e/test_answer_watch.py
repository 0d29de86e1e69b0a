"""`app.answer`: a disconnect cancels the query, and an answer that never waits pays for
no watcher task."""

from __future__ import annotations

import asyncio
from typing import Any

from dbrest.app import answer


class _Pipeline:
    def __init__(self, wait: float) -> None:
        self.wait = wait
        self.cancelled = False

    async def handle(self, request: Any) -> str:
        if self.wait:
            try:
                await asyncio.sleep(self.wait)
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        return "answer"


def test_an_immediate_answer_starts_no_watcher() -> None:
    async def main() -> tuple[str | None, int]:
        loop = asyncio.get_running_loop()
        created = 0
        factory = loop.get_task_factory()

        def counting(loop: asyncio.AbstractEventLoop, coro: Any, **kw: Any) -> Any:
            nonlocal created
            created += 1
            return asyncio.Task(coro, loop=loop, **kw) if factory is None \
                else factory(loop, coro, **kw)

        loop.set_task_factory(counting)

        async def receive() -> dict[str, Any]:
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        got = await answer(_Pipeline(0), None, receive)  # type: ignore[arg-type]
        await asyncio.sleep(0)  # a watcher scheduled to start would start now
        return got, created

    assert asyncio.run(main()) == ("answer", 0)


def test_a_disconnect_while_waiting_cancels_the_answer() -> None:
    pipeline = _Pipeline(10)

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0.05)
        return {"type": "http.disconnect"}

    async def main() -> Any:
        return await asyncio.wait_for(answer(pipeline, None, receive), 5)  # type: ignore[arg-type]

    assert asyncio.run(main()) is None and pipeline.cancelled


def test_an_answer_that_waits_is_answered() -> None:
    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    assert asyncio.run(answer(_Pipeline(0.01), None, receive)) == "answer"  # type: ignore[arg-type]
