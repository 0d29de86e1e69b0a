"""The `dbrest` command: read the configuration, connect, serve with hypercorn.

Start-up problems (bad configuration, unreachable database) are one line on stderr and
exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

from dbrest.config import Config, ConfigError, load_config
from dbrest.errors import DbrestError

OPTIONS = ("db-uri", "db-schemas", "db-anon-role", "db-pool", "db-max-rows", "server-host",
           "server-port", "admin-server-port")


def parse_args(argv: Sequence[str] | None) -> dict[str, object]:
    parser = argparse.ArgumentParser(
        prog="dbrest", description="A PostgREST-compatible REST API for PostgreSQL and SQLite.")
    parser.add_argument("--config", help="TOML configuration file (env: DBREST_CONFIG)")
    for name in OPTIONS:
        parser.add_argument(f"--{name}", dest=name.replace("-", "_"))
    args = parser.parse_args(argv)
    return vars(args)


async def serve(config: Config) -> None:
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config as HyperConfig

    from dbrest.app import AppState, admin_app, create_app

    state = AppState(config)
    await state.start()  # fail here, before binding, if the database is unreachable
    # One shutdown signal for both servers (each would otherwise install its own handlers
    # and the last one would win).
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app = create_app(config, state)
    hyper = HyperConfig()
    hyper.bind = [f"{config.server_host}:{config.server_port}"]
    hyper.accesslog = None
    servers = [hypercorn_serve(app, hyper, shutdown_trigger=stop.wait)]
    if config.admin_server_port is not None:
        admin = HyperConfig()
        admin.bind = [f"{config.server_host}:{config.admin_server_port}"]
        servers.append(hypercorn_serve(admin_app(state), admin,  # type: ignore[arg-type]
                                       shutdown_trigger=stop.wait))
    host = "localhost" if config.server_host in ("0.0.0.0", "::") else config.server_host
    where = "the bundled demo database" if config.is_demo else config.backend
    print(f"dbrest serving {where} on http://{host}:{config.server_port}/ "
          f"(try: curl 'http://{host}:{config.server_port}/books?select=title,year')",
          flush=True)
    try:
        await asyncio.gather(*servers)
    except OSError as err:  # e.g. the port is taken
        raise ServeError(f"cannot serve on {config.server_host}:{config.server_port}: "
                         f"{err.strerror or err}") from None
    finally:
        stop.set()
        await state.stop()


class ServeError(Exception):
    pass


def fail(line: str) -> int:
    """Print the one-line start-up error and exit 1 now: a driver's non-daemon thread
    left behind (e.g. by a connection that failed half-way) would keep the process
    alive forever after `main` returns."""
    print(line, file=sys.stderr, flush=True)
    if any(t.is_alive() and not t.daemon for t in threading.enumerate()
           if t is not threading.main_thread()):
        sys.stdout.flush()
        os._exit(1)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(parse_args(argv))
    except ConfigError as err:
        print(f"dbrest: {err}", file=sys.stderr)
        return 1
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:  # pragma: no cover - uvloop is not available on Windows
        runner = asyncio.Runner()
    try:
        with runner:
            runner.run(serve(config))
    except DbrestError as err:
        detail = f": {err.details}" if err.details else ""
        return fail(f"dbrest: {err.message}{detail}")
    except (ServeError, ConfigError) as err:
        return fail(f"dbrest: {err}")
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
