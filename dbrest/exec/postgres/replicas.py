"""PostgreSQL read replicas (`db_uri_replicas`): round-robin, each with its own pool.

Only what may run on a replica comes here (`Tx.replica_ok`: GET/HEAD reads and
non-volatile GET calls); everything else, and the schema cache, reloads and LISTEN,
stays on the primary. A replica that cannot be reached is skipped — its reads go to
the primary — with one warning when it goes down and one when it comes back; it is
tried again every `RETRY` seconds, in the background (no request waits for it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from dbrest.exec.fair import FairPool

log = logging.getLogger("dbrest")

RETRY = 5.0  # seconds between attempts to reopen a replica that is down

# connection failures (as opposed to errors of the statement): the read moves on
LOST = (OSError, TimeoutError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
        asyncpg.AdminShutdownError, asyncpg.PostgresConnectionError)


class Replica:
    """One replica: its pool, its permits (first come, first served) and its state."""

    def __init__(self, uri: str, size: int) -> None:
        self.uri = uri
        parts = urlsplit(uri)
        self.name = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"  # no password
        self.pool: asyncpg.Pool | None = None
        self.permits: FairPool[int] = FairPool(list(range(size)))
        self.size = size
        self.down = False
        self.retry_at = 0.0
        self.opening = False


class Replicas:
    def __init__(self, uris: Sequence[str], size: int, timeout: float, reset: Any) -> None:
        self.all = [Replica(u.replace("postgres://", "postgresql://", 1), size) for u in uris]
        self.timeout = timeout
        self.reset = reset
        self._next = 0
        self._reopening: set[asyncio.Task[None]] = set()  # referenced until done

    def __bool__(self) -> bool:
        return bool(self.all)

    async def start(self) -> None:
        for replica in self.all:
            await self._open(replica)

    async def stop(self) -> None:
        tasks = list(self._reopening)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for replica in self.all:
            pool, replica.pool = replica.pool, None
            if pool is not None:
                pool.terminate()

    def pick(self) -> Replica | None:
        """The next replica that is up (round-robin), or None: read the primary."""
        for _ in range(len(self.all)):
            replica = self.all[self._next % len(self.all)]
            self._next += 1
            if not replica.down and replica.pool is not None:
                return replica
            if replica.down and not replica.opening and time.monotonic() >= replica.retry_at:
                replica.opening = True
                task = asyncio.get_running_loop().create_task(self._open(replica))
                self._reopening.add(task)
                task.add_done_callback(self._reopening.discard)
        return None

    def lost(self, replica: Replica, err: BaseException) -> None:
        """A connection to `replica` failed: skip it until it answers again."""
        pool, replica.pool = replica.pool, None
        if pool is not None:
            pool.terminate()
        self._down(replica, err)

    async def _open(self, replica: Replica) -> None:
        replica.opening = True
        try:
            replica.pool = await asyncpg.create_pool(
                replica.uri, min_size=1, max_size=replica.size, reset=self.reset,
                timeout=self.timeout)
        except (*LOST, ValueError, asyncpg.PostgresError) as err:
            self._down(replica, err)
            return
        finally:
            replica.opening = False
        if replica.down:
            log.warning("read replica %s is back: reads go to it again", replica.name)
        replica.down = False

    def _down(self, replica: Replica, err: BaseException) -> None:
        replica.retry_at = time.monotonic() + RETRY
        if not replica.down:  # logged once, until it comes back
            log.warning("read replica %s is unreachable (%s): its reads go to the primary",
                        replica.name, str(err) or type(err).__name__)
        replica.down = True
