"""`server_workers`: several processes serving one port, each with its own pool.

The parent checks the database once (unreachable: one line and exit 1, before anything is
bound), binds the sockets, and starts the workers with multiprocessing's `spawn` (a clean
interpreter each: no driver thread or event loop inherited). Each worker runs `cli.serve`
on the parent's sockets (`fd://N`) with its own `AppState`, schema cache and pool of
`db_pool` connections; the kernel spreads the connections among them. SIGINT/SIGTERM to
the parent stops them all; a worker that dies stops the others (exit status 1).

Connections: each process holds `db_pool` connections plus one of its own for the
schema-change watch (`LISTEN`), so on PostgreSQL start-up warns when
`server_workers × (db_pool + 1)` exceeds `max_connections` less the reserved slots
(`connection_warning`): past it, a busy pool's new connections are refused (53300).

Not `hypercorn.run` with `workers`: it loads the application from an import path, so
each worker would build its app without dbrest's start-up checks and admin server.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any

from dbrest.config import Config

if TYPE_CHECKING:
    from dbrest.app import AppState


def serve_workers(config: Config) -> int:
    from hypercorn.config import Config as HyperConfig

    from dbrest.cli import ServeError, banner, new_runner

    with new_runner() as runner:
        checked, tables = runner.run(_check(config))
    sockets: list[socket.socket] = []
    try:
        for port in (config.server_port, config.admin_server_port):
            if port is not None:
                hyper = HyperConfig()
                hyper.bind = [f"{config.server_host}:{port}"]
                sockets.extend(hyper.create_sockets().insecure_sockets)
    except OSError as err:
        raise ServeError(f"cannot serve on {config.server_host}:{config.server_port}: "
                         f"{err.strerror or err}") from None
    api, admin = sockets[0], (sockets[1] if len(sockets) > 1 else None)

    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_worker, args=(config, api, admin),
                               name=f"dbrest-worker-{n}", daemon=True)
               for n in range(config.server_workers)]
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for worker in workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: the worker shuts down cleanly

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for worker in workers:
        worker.start()
    lines = banner(checked, tables)
    lines[0] += f" ({config.server_workers} worker processes)"
    print("\n".join(lines), flush=True)
    wait([worker.sentinel for worker in workers])  # until one exits, or a signal stops all
    if not stopping:
        print("dbrest: a worker process exited: stopping", file=sys.stderr, flush=True)
        stop(signal.SIGTERM, None)
    for worker in workers:
        worker.join()
    for sock in sockets:
        sock.close()
    return 0 if stopping else 1


async def _check(config: Config) -> tuple[Config, list[str]]:
    """Start once as a worker will (database, in-database settings, schema cache): start-up
    errors surface here, in the parent, as one line."""
    from dbrest.app import AppState

    state = AppState(config)
    await state.start()
    try:
        await warn_connections(state, config.server_workers)
        assert state.pipeline is not None
        schema = state.config.db_schemas[0]
        return state.config, [name for s, name in state.pipeline.cache.tables if s == schema]
    finally:
        await state.stop()


def connection_warning(workers: int, pool: int, limit: int | None) -> str | None:
    """The start-up warning when the processes' connections may exceed what the database
    accepts from ordinary roles (`limit`; None: no such limit), else None."""
    need = workers * (pool + 1)  # + 1: each process's watch connection
    if limit is None or need <= limit:
        return None
    return (f"server_workers * (db_pool + 1) = {workers} * ({pool} + 1) = {need} connections "
            f"exceeds the database's limit of {limit} (max_connections less the reserved "
            f"ones): lower db_pool or server_workers, or raise max_connections")


async def warn_connections(state: AppState, workers: int) -> None:
    """Print `connection_warning` for the started `state`'s database, if any."""
    line = connection_warning(workers, state.config.db_pool,
                              await state.backend.connection_limit())
    if line is not None:
        print(f"dbrest: warning: {line}", file=sys.stderr, flush=True)


def _worker(config: Config, api: socket.socket, admin: socket.socket | None) -> None:
    from dbrest.cli import new_runner, serve
    from dbrest.logs import set_level, setup_logging

    setup_logging("warn")
    set_level(config.log_level)
    binds = (f"fd://{api.fileno()}", None if admin is None else f"fd://{admin.fileno()}")
    try:
        with new_runner() as runner:
            runner.run(serve(config, None, binds, announce=False))
    except KeyboardInterrupt:
        pass
    except Exception as err:  # noqa: BLE001 - one line, as the parent's start-up errors
        print(f"dbrest: worker: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
