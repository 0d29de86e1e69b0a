"""The `dbrest` command: read the configuration, connect, serve with hypercorn.

Start-up problems (bad configuration, unreachable database) are one line on stderr and
exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version

from dbrest.config import Config, ConfigError, dump_config, load_config, warnings
from dbrest.errors import DbrestError
from dbrest.logs import LEVELS, set_level, setup_logging
from dbrest.settings import SETTINGS, example, help_epilog


def version() -> str:
    try:
        return dist_version("dbrest")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout, not installed
        return "unknown"


def parse_args(argv: Sequence[str] | None) -> dict[str, object]:
    parser = argparse.ArgumentParser(
        prog="dbrest", description="A PostgREST-compatible REST API for PostgreSQL and SQLite.",
        epilog=help_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="configuration file, PostgREST's syntax (as `postgrest FILE`)")
    parser.add_argument("--config", metavar="FILE", help="the same, as an option "
                        "(env: DBREST_CONFIG or PGRST_CONFIG)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--dump-config", action="store_true",
                        help="print every setting's effective value (config-file format), exit")
    parser.add_argument("--example", action="store_true",
                        help="print an annotated example configuration file and exit")
    for setting in SETTINGS:
        if setting.key != "app_settings":
            parser.add_argument(f"--{setting.hyphenated}", dest=setting.key, metavar="VALUE",
                                help=argparse.SUPPRESS)
    args = vars(parser.parse_args(argv))
    if args["file"] and args["config"]:
        parser.error("give the configuration file once: FILE or --config FILE")
    args["config"] = args.pop("file") or args["config"]
    return args


def banner(config: Config, tables: Sequence[str]) -> list[str]:
    """What start-up prints: where it serves, a URL that exists, and what anonymous
    requests will get."""
    host = "localhost" if config.server_host in ("0.0.0.0", "::") else config.server_host
    base = f"http://{host}:{config.server_port}/"
    where = "the bundled demo database" if config.is_demo else config.backend
    if config.is_demo:
        hint = f" (try: curl '{base}books?select=title,year')"
    elif tables:
        hint = f" (try: curl '{base}{sorted(tables)[0]}?limit=5')"
    else:
        hint = f" (no tables or views in schema {config.db_schemas[0]!r})"
    lines = [f"dbrest serving {where} on {base}{hint}"]
    if config.db_anon_role is None:
        lines.append("dbrest: no db_anon_role: requests without a JWT will get 401 (PGRST302)")
    return lines


async def serve(config: Config, load: Callable[[], Config] | None = None,
                binds: tuple[str, str | None] | None = None, announce: bool = True) -> None:
    """Serve until SIGINT/SIGTERM. `load` re-reads the configuration (reloads); `binds`:
    (API, admin) sockets already bound by the parent of `server_workers` processes
    (`fd://N`), else `server_host:server_port`."""
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config as HyperConfig

    from dbrest.admin import admin_app
    from dbrest.app import AppState, create_app
    from dbrest.server import install_reason_phrases

    install_reason_phrases()  # `HTTP/1.1 200 OK`, as PostgREST writes it

    state = AppState(config, load)
    await state.start()  # fail here, before binding, if the database is unreachable
    config = state.config  # with the in-database settings
    if binds is None:  # one process (the parent of several checks for them all)
        from dbrest.workers import warn_connections

        await warn_connections(state, 1)
    set_level(config.log_level)  # serving: the configured level (in-database included)
    # One shutdown signal for both servers (each would otherwise install its own handlers
    # and the last one would win).
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # reloads (dbrest/reload.py): SIGUSR1 the schema cache, SIGUSR2 (and SIGHUP) the
    # configuration, as PostgREST; the backend's watch: NOTIFY, schema changes, outages
    reloader = state.reloader
    loop.add_signal_handler(signal.SIGUSR1, reloader.request, "schema")
    for sig in (signal.SIGUSR2, signal.SIGHUP):
        loop.add_signal_handler(sig, reloader.request, "config")
    watcher = asyncio.create_task(reloader.watch())
    app = create_app(config, state)
    hyper = HyperConfig()
    hyper.bind = [binds[0] if binds else f"{config.server_host}:{config.server_port}"]
    hyper.accesslog = None
    # SIGTERM: stop accepting, let in-flight requests finish (bounded), then the pool closes
    hyper.graceful_timeout = config.server_drain_timeout
    servers = [hypercorn_serve(app, hyper, shutdown_trigger=stop.wait)]
    if config.admin_server_port is not None:
        admin = HyperConfig()
        admin.bind = [binds[1] if binds and binds[1] else
                      f"{config.server_host}:{config.admin_server_port}"]
        servers.append(hypercorn_serve(admin_app(state), admin,  # type: ignore[arg-type]
                                       shutdown_trigger=stop.wait))
    assert state.pipeline is not None
    schema = config.db_schemas[0]
    tables = [name for s, name in state.pipeline.cache.tables if s == schema]
    if announce:
        print("\n".join(banner(config, tables)), flush=True)
    try:
        await asyncio.gather(*servers)
    except OSError as err:  # e.g. the port is taken
        raise ServeError(f"cannot serve on {config.server_host}:{config.server_port}: "
                         f"{err.strerror or err}") from None
    finally:
        stop.set()
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
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


def new_runner() -> asyncio.Runner:
    try:
        import uvloop

        return asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:  # pragma: no cover - uvloop is not available on Windows
        return asyncio.Runner()


def main(argv: Sequence[str] | None = None) -> int:
    setup_logging("warn")  # until the configuration says
    args = parse_args(argv)
    if args.pop("version"):
        print(f"dbrest {version()}")
        return 0
    if args.pop("example"):
        print(example())
        return 0
    dump = args.pop("dump_config")
    try:
        config = load_config(args)
    except ConfigError as err:
        print(f"dbrest: {err}", file=sys.stderr)
        return 1
    if dump:
        if config.db_config and config.backend == "postgres":
            from dbrest.app import with_in_db_settings

            try:  # as PostgREST: the in-database settings are part of what is in effect
                config = asyncio.run(with_in_db_settings(config))
            except DbrestError as err:  # still dump what the file and environment say
                detail = f": {err.details}" if err.details else ""
                print(f"dbrest: warning: in-database settings not read ({err.message}{detail})",
                      file=sys.stderr, flush=True)
        print(dump_config(config), end="")
        return 0
    for line in warnings(config):
        print(f"dbrest: warning: {line}", file=sys.stderr, flush=True)
    if LEVELS[config.log_level] < LEVELS["warn"]:  # start-up warnings show at any level
        set_level(config.log_level)
    try:
        if config.server_workers > 1:
            from dbrest.workers import serve_workers

            return serve_workers(config)
        with new_runner() as runner:
            runner.run(serve(config, lambda: load_config(args)))
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
