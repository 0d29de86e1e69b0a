"""`FairPool`: a freed item goes to the longest waiter, never to a newcomer."""

from __future__ import annotations

import asyncio

import pytest

from dbrest.errors import PoolTimeout
from dbrest.exec.fair import FairPool


def test_waiters_are_served_in_arrival_order_and_newcomers_do_not_barge() -> None:
    async def run() -> list[str]:
        pool: FairPool[str] = FairPool(["c"])
        held = await pool.get(1)
        order: list[str] = []

        async def waiter(name: str) -> None:
            item = await pool.get(1)
            order.append(name)
            pool.put(item)

        tasks = [asyncio.create_task(waiter(f"w{i}")) for i in range(3)]
        await asyncio.sleep(0)  # all three wait
        pool.put(held)
        # a newcomer asks right after the release, before w0 has run: with
        # asyncio.Queue it would take the item and w0 would go to the back of the line
        tasks.append(asyncio.create_task(waiter("new")))
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(run()) == ["w0", "w1", "w2", "new"]


def test_32_clients_on_4_items_wait_at_most_one_round() -> None:
    """The tail: with FIFO hand-off no client waits for more than the others' turns."""
    async def run() -> int:
        pool: FairPool[int] = FairPool(list(range(4)))
        grants = 0
        worst = 0

        async def client() -> None:
            nonlocal grants, worst
            for _ in range(20):
                before = grants
                item = await pool.get(5)
                grants += 1
                worst = max(worst, grants - before - 1)
                await asyncio.sleep(0)
                pool.put(item)
                await asyncio.sleep(0)

        await asyncio.gather(*(client() for _ in range(32)))
        return worst

    assert asyncio.run(run()) <= 31  # everyone else once, at most


def test_timeout_is_pgrst003_and_leaves_no_waiter_behind() -> None:
    async def run() -> None:
        pool: FairPool[int] = FairPool([1])
        item = await pool.get(1)
        with pytest.raises(PoolTimeout) as err:
            await pool.get(0.01)
        assert err.value.http_status() == 504
        assert pool.waiting == 0
        pool.put(item)
        assert await pool.get(0.01) == 1

    asyncio.run(run())


def test_an_item_handed_to_a_cancelled_waiter_is_passed_on() -> None:
    async def run() -> None:
        pool: FairPool[int] = FairPool([1])
        item = await pool.get(1)
        first = asyncio.create_task(pool.get(5))
        second = asyncio.create_task(pool.get(5))
        await asyncio.sleep(0)
        pool.put(item)  # handed to `first`…
        first.cancel()  # …which is cancelled before it runs
        assert await asyncio.wait_for(second, 1) == 1
        assert first.cancelled()

    asyncio.run(run())
