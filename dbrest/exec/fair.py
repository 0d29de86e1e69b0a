"""First come, first served pooling: a freed resource goes to the longest waiter.

`asyncio.Queue` (which asyncpg's pool and a plain queue of connections use) lets a newly
arriving `get()` take an item that `put()` meant for a waiter that has been woken but
not yet run; the robbed waiter then goes to the *back* of the line. Under load that
barging is what stretches the tail (p99 many times p50). Here `release` hands the
resource straight to the first waiter, so waiting times are first in, first out.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

from dbrest.errors import PoolTimeout

T = TypeVar("T")

_TIMEOUT = "Timed out acquiring connection from connection pool."


class FairPool(Generic[T]):
    """Items (connections, or permits) handed out in the order they were asked for."""

    def __init__(self, items: list[T] | None = None) -> None:
        self._idle: list[T] = list(items or ())  # LIFO: the warmest connection first
        self._waiters: deque[asyncio.Future[T]] = deque()

    def __len__(self) -> int:
        return len(self._idle)

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def get(self, timeout: float) -> T:
        """An item, or PGRST003 (504) after `timeout` seconds."""
        if self._idle and not self._waiters:
            return self._idle.pop()
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        got = False
        try:
            async with asyncio.timeout(timeout):
                item = await waiter
            got = True
            return item
        except TimeoutError:
            raise PoolTimeout(_TIMEOUT) from None
        finally:
            if not got:
                if waiter.done() and not waiter.cancelled():
                    self.put(waiter.result())  # handed over as we gave up: pass it on
                else:
                    waiter.cancel()
                    try:
                        self._waiters.remove(waiter)
                    except ValueError:
                        pass

    def put(self, item: T) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        self._idle.append(item)

    def clear(self) -> list[T]:
        """Take every idle item out (at shutdown); waiters keep waiting."""
        items, self._idle = self._idle, []
        return items
