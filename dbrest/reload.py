"""Reloading the schema cache and the configuration while serving.

Triggers: `SIGUSR1` (schema) and `SIGUSR2`/`SIGHUP` (configuration), set up by the
command; `NOTIFY <db_channel>, 'reload schema' | 'reload config'` on PostgreSQL; on
SQLite a change of `PRAGMA schema_version`; and a database connection that returns
after a loss (the schema may have changed meanwhile). The backend's `watch` reports
these as events; `Reloader.event` turns them into reloads, one at a time, a request
arriving while the same reload waits to run being merged into it.

A reload builds a new `Pipeline` and swaps it in with one assignment, so a request runs
on either the old or the new one, never on a mix. A failed reload keeps the old one and
logs one line saying why.

A configuration reload re-reads the file, the environment and the in-database settings
and applies every setting the pipeline uses (schemas, roles, JWT, limits, CORS, OpenAPI,
grants, `server_trace_header`, `log_level`…); those in `RESTART_ONLY` keep their values,
with a warning when they changed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from dbrest.config import IN_DB_KEYS, Config, ConfigError, with_db_settings
from dbrest.errors import DbrestError
from dbrest.logs import LEVELS, set_level
from dbrest.pipeline import Pipeline

if TYPE_CHECKING:
    from dbrest.app import AppState

log = logging.getLogger("dbrest")

# what the backend and the listening sockets are made from: fixed until a restart
RESTART_ONLY = ("db_uri", "db_uri_replicas", "db_pool", "db_pool_acquisition_timeout",
                "db_pre_request", "app_settings", "server_host", "server_port", "admin_server_port",
                "db_channel", "db_channel_enabled")


def describe(err: BaseException) -> str:
    if isinstance(err, DbrestError):
        return err.message + (f": {err.details}" if err.details else "")
    return str(err) or type(err).__name__


class Reloader:
    def __init__(self, state: AppState, load: Callable[[], Config] | None = None) -> None:
        self.state = state
        self.load = load  # re-reads the configuration's sources; None: nothing to re-read
        self.lock = asyncio.Lock()
        self._pending: set[str] = set()
        self._tasks: set[asyncio.Task[bool]] = set()

    # -- triggers ---------------------------------------------------------------------------

    def request(self, kind: str) -> None:
        """Schedule a reload ("schema" or "config"); callable from a signal handler."""
        if kind in self._pending:
            return
        self._pending.add(kind)
        task = asyncio.get_running_loop().create_task(self._run(kind))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def event(self, kind: str, detail: str) -> None:
        """What a backend's `watch` reports: "notify" (a NOTIFY payload, or a schema
        change), "lost" (once per outage) and "restored"."""
        if kind == "notify":
            if detail in ("", "reload schema"):
                self.request("schema")
            elif detail == "reload config":
                self.request("config")
            else:
                log.warning("ignored a notification: %r", detail)
        elif kind == "lost":
            log.error("database connection lost: %s (retrying)", detail)
        elif kind == "restored":
            log.error("database connection restored: reloading the schema cache")
            self.request("schema")

    async def watch(self) -> None:
        """Until cancelled: the backend's notifications and outages → reloads."""
        config = self.state.config
        channel = config.db_channel if config.db_channel_enabled else None
        await self.state.backend.watch(channel, self.event)

    async def wait(self) -> None:
        """Until every scheduled reload has run (tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self, kind: str) -> bool:
        async with self.lock:
            self._pending.discard(kind)
            return await (self._config() if kind == "config" else self._schema())

    # -- reloads --------------------------------------------------------------------------

    async def schema(self) -> bool:
        async with self.lock:
            return await self._schema()

    async def config(self) -> bool:
        async with self.lock:
            return await self._config()

    async def _schema(self) -> bool:
        state = self.state
        if state.pipeline is None:  # not started (or stopped): start() loads it
            return False
        config = state.config
        started = time.perf_counter()
        try:
            cache = await state.backend.introspect(config.db_schemas)
        except Exception as err:  # noqa: BLE001 - any failure keeps the old cache
            state.metrics.schema_loaded(False, 0.0)
            log.error("schema cache reload failed, serving the previous one: %s",
                      describe(err))
            return False
        took = time.perf_counter() - started
        state.metrics.schema_loaded(True, took)
        state.pipeline = Pipeline(config, state.backend, cache)
        log.info("schema cache reloaded in %.0f ms (%d relations, %d functions)",
                 took * 1000, len(cache.tables), len(cache.routines))
        return True

    async def _config(self) -> bool:
        state = self.state
        if state.pipeline is None:
            return False
        if self.load is None:
            log.warning("configuration reload: no configuration source to re-read")
            return False
        old = state.config
        started = time.perf_counter()
        try:
            new = self.load()
            if new.db_config:
                new = with_db_settings(new, await state.backend.db_settings(IN_DB_KEYS))
            cache = await state.backend.introspect(new.db_schemas)
        except (ConfigError, Exception) as err:  # noqa: BLE001 - keep serving as before
            log.error("configuration reload failed, keeping the current one: %s",
                      describe(err))
            return False
        fixed = [k for k in RESTART_ONLY if getattr(new, k) != getattr(old, k)]
        for key in fixed:
            log.warning("configuration reload: %s changed; it takes effect on restart",
                        key.replace("_", "-"))
        new = replace(new, **{k: getattr(old, k) for k in RESTART_ONLY})
        state.metrics.schema_loaded(True, time.perf_counter() - started)
        state.config = new
        state.pipeline = Pipeline(new, state.backend, cache)
        if new.log_level in LEVELS:
            set_level(new.log_level)
        log.info("configuration reloaded")
        return True
