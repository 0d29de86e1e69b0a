"""/live: the process serves (no database); /ready: database and schema cache usable,
answered within a bounded time even when the database is frozen."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

import dbrest.admin
from tests.infra.apps import build


def test_live_and_ready_with_a_frozen_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbrest.admin, "PING_TIMEOUT", 0.2)
    pings = 0

    async def frozen() -> bool:
        nonlocal pings
        pings += 1
        await asyncio.sleep(3600)
        return True

    async def run() -> tuple[int, int, int, float]:
        state, _ = build("sqlite::memory:")
        await state.start()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(
                app=dbrest.admin.admin_app(state)), base_url="http://admin") as client:
            assert (await client.get("/ready")).status_code == 200  # a healthy database
            monkeypatch.setattr(state.backend, "ping", frozen)
            live = (await client.get("/live")).status_code
            live_pings = pings
            start = time.monotonic()
            ready = (await client.get("/ready")).status_code
            took = time.monotonic() - start
        await state.stop()
        return live, live_pings, ready, took

    live, live_pings, ready, took = asyncio.run(run())
    assert (live, live_pings) == (200, 0)
    assert ready == 503 and took < 2
