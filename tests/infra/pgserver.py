"""PostgreSQL servers for the test suite and the benchmarks.

This module is in charge of finding or starting a PostgreSQL server and handing out
connection URIs to it; it knows nothing about dbrest or the fixture. `postgres_server()`
tries, in order: the URI in the environment variable `DBREST_TEST_PG_URI` (used as is),
a throwaway container through testcontainers when a Docker engine answers, and a
throwaway cluster made with the `initdb`/`pg_ctl` binaries found on PATH or under
`/usr/lib/postgresql/*/bin` (run as the `postgres` OS user when we are root, since
PostgreSQL refuses to run as root). `create_database()` makes a fresh, C-collated UTF-8
database on such a server so that test modules need not share one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import glob
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import warnings
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

ENV_URI = "DBREST_TEST_PG_URI"
ENV_IMAGE = "DBREST_TEST_PG_IMAGE"
DEFAULT_IMAGE = "postgres:15-alpine"
TEST_DATABASE = "dbrest_test"
PG_OS_USER = "postgres"
_START_ATTEMPTS = 3

_T = TypeVar("_T")


class PostgresNotFound(RuntimeError):
    """No way to obtain a PostgreSQL server was found."""


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a `postgresql://` URI to a database the caller may fill.

    For the container and the local cluster the database is `dbrest_test`, freshly
    created, and the server is torn down on exit. A URI from `DBREST_TEST_PG_URI` is
    yielded untouched and the server it names is left alone.
    """
    env_uri = os.environ.get(ENV_URI)
    if env_uri:
        yield env_uri
        return
    if _docker_answers():
        with _container_server() as uri:
            yield uri
        return
    with _local_cluster() as uri:
        yield uri


def create_database(admin_uri: str, name: str, template: str = "template0") -> str:
    """Create database `name` (replacing any database of that name) and return its URI.

    `admin_uri` must name a role allowed to create databases. The database is made from
    `template0` with UTF-8 encoding and the `C` collation, so text sorts byte-wise as in
    SQLite whatever the server's default locale. Safe to call from inside a running
    event loop (it then runs on a helper thread).
    """
    _run_sync(lambda: _create_database(admin_uri, name, template))
    return _with_database(admin_uri, name)


async def _create_database(admin_uri: str, name: str, template: str) -> None:
    import asyncpg

    ident = _quote_ident(name)
    conn = await asyncpg.connect(admin_uri)
    try:
        version = conn.get_server_version()
        # FORCE (PostgreSQL 13+) drops a database a crashed earlier run left connected.
        force = " WITH (FORCE)" if version.major >= 13 else ""
        await conn.execute(f"DROP DATABASE IF EXISTS {ident}{force}")
        await conn.execute(
            f"CREATE DATABASE {ident} TEMPLATE {_quote_ident(template)} ENCODING 'UTF8' "
            "LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    finally:
        await conn.close()


def _run_sync(factory: Callable[[], Awaitable[_T]]) -> _T:
    """Run a coroutine to completion from sync code, even inside a running loop."""

    async def main() -> _T:
        return await factory()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    # asyncio.run() refuses to nest, so give the coroutine its own thread and loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _with_database(uri: str, name: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


# --- Docker / testcontainers ---------------------------------------------------------


def _docker_answers() -> bool:
    """Whether a Docker engine answers, cheaply; any failure means no."""
    try:
        import docker

        client = docker.from_env(timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - no engine, no SDK, bad config: all mean "no Docker"
        return False


@contextlib.contextmanager
def _container_server() -> Iterator[str]:
    with warnings.catch_warnings():
        # testcontainers 4 warns that this module moved; the old path still works.
        warnings.simplefilter("ignore", DeprecationWarning)
        from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(
        os.environ.get(ENV_IMAGE, DEFAULT_IMAGE),
        username="postgres",
        password="postgres",
        dbname=TEST_DATABASE,
        driver=None,
    )
    # Same cluster settings as the local one: C collation, UTF-8, no fsync.
    container.with_env("POSTGRES_INITDB_ARGS", "--no-locale --encoding=UTF8")
    container.with_command("-c fsync=off")
    with container:
        host = container.get_container_host_ip()
        port = container.get_exposed_port(5432)
        yield f"postgresql://postgres:postgres@{host}:{port}/{TEST_DATABASE}"


# --- Local throwaway cluster -----------------------------------------------------------


def _find_pg_bin() -> Path:
    """The directory holding `initdb` and `pg_ctl`, newest major version preferred."""
    on_path = shutil.which("initdb")
    if on_path:
        # Resolve symlinks (e.g. /usr/local/bin/initdb) so pg_ctl comes from the same
        # installation; fall back to the PATH directory if it has pg_ctl itself.
        for candidate in (Path(on_path).resolve().parent, Path(on_path).parent):
            if (candidate / "pg_ctl").exists():
                return candidate

    def version(d: str) -> tuple[int, ...]:
        name = Path(d).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit()) or (0,)

    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    raise PostgresNotFound(
        "No PostgreSQL server available: set DBREST_TEST_PG_URI to a server URI, run a "
        "Docker engine (for testcontainers), or install PostgreSQL so that initdb and "
        "pg_ctl are on PATH or under /usr/lib/postgresql/*/bin "
        "(Debian: apt-get install postgresql)."
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg_user(cmd: list[str]) -> list[str]:
    """Wrap `cmd` so it runs as the postgres OS user when we are root."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", PG_OS_USER, "--", *cmd]
    return ["su", PG_OS_USER, "-s", "/bin/sh", "-c", shlex.join(cmd)]


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    proc = subprocess.run(
        _as_pg_user(cmd), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}):\n{proc.stdout}")


def _make_workdir() -> Path:
    if os.geteuid() != 0:
        return Path(tempfile.mkdtemp(prefix="dbrest-pg-"))
    try:
        user = pwd.getpwnam(PG_OS_USER)
    except KeyError:
        raise PostgresNotFound(
            f"Running as root, PostgreSQL must run as another user, but OS user "
            f"{PG_OS_USER!r} does not exist; create it or set {ENV_URI}."
        ) from None
    # Under /tmp rather than $TMPDIR, which may sit below /root where postgres cannot go;
    # mkdtemp makes it 0700, so it must belong to postgres.
    workdir = Path(tempfile.mkdtemp(prefix="dbrest-pg-", dir="/tmp"))
    os.chown(workdir, user.pw_uid, user.pw_gid)
    return workdir


@contextlib.contextmanager
def _local_cluster() -> Iterator[str]:
    bindir = _find_pg_bin()
    initdb, pg_ctl = str(bindir / "initdb"), str(bindir / "pg_ctl")
    workdir = _make_workdir()
    datadir, logfile = workdir / "data", workdir / "server.log"
    started = False
    try:
        _run(
            [initdb, "-D", str(datadir), "--no-locale", "-E", "UTF8", "-A", "trust",
             "-U", "postgres", "--no-sync"],
            workdir, "initdb",
        )
        port = _start(pg_ctl, datadir, workdir, logfile)
        started = True
        admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        yield create_database(admin, TEST_DATABASE)
    finally:
        if started:
            _stop(pg_ctl, datadir, workdir)
        shutil.rmtree(workdir, ignore_errors=True)


def _start(pg_ctl: str, datadir: Path, workdir: Path, logfile: Path) -> int:
    """Start the cluster on a free port; return the port."""
    error: RuntimeError | None = None
    # The port is free when chosen but another process may take it before the server
    # binds it, so retry with a new one.
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        options = " ".join([
            f"-c port={port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={shlex.quote(str(workdir))}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
        ])
        try:
            _run(
                [pg_ctl, "-D", str(datadir), "-l", str(logfile), "-o", options,
                 "-w", "-t", "60", "start"],
                workdir, "pg_ctl start",
            )
            return port
        except RuntimeError as exc:
            log = logfile.read_text(errors="replace")[-4000:] if logfile.exists() else ""
            error = RuntimeError(f"{exc}\nserver log:\n{log}")
            _stop(pg_ctl, datadir, workdir)  # in case it half-started
    assert error is not None
    raise error


def _stop(pg_ctl: str, datadir: Path, workdir: Path) -> None:
    try:
        _run([pg_ctl, "-D", str(datadir), "-m", "immediate", "-w", "stop"],
             workdir, "pg_ctl stop")
    except RuntimeError:
        # pg_ctl could not stop it (or it was not running): kill the postmaster we
        # started, if its pid file is still there.
        pidfile = datadir / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(pidfile.read_text().splitlines()[0])
            os.kill(pid, signal.SIGQUIT)
