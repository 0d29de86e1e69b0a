"""Throughput and latency of dbrest on PostgreSQL and SQLite, over HTTP.

This script is in charge of one benchmark run: for each backend it builds a benchmark
database (the conformance fixture plus `bench_rows`, 10,000 rows), starts `dbrest` as a
subprocess on a free 127.0.0.1 port with its default server (hypercorn, one worker),
drives the workloads in `WORKLOADS` with a bounded async load generator (httpx, keep-alive,
`--concurrency` workers) and prints one table. It is a measurement, not a test: nothing
is asserted. Every server and PostgreSQL it starts is stopped on the way out, whether the
run ends normally, with an error, or with Ctrl-C / SIGTERM.

    python bench/run.py [--backend postgres|sqlite|both] [--duration 5] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import itertools
import json
import math
import os
import platform
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/run.py` puts bench/, not the repo, on sys.path
    sys.path.insert(0, str(REPO))

from tests.infra.fixtures import load_postgres, load_sqlite  # noqa: E402
from tests.infra.pgserver import create_database, postgres_server  # noqa: E402

ROWS = 10_000
BENCH_DB = "dbrest_bench"
HOST = "127.0.0.1"  # all traffic stays on the loopback interface
# Handed to the server as DBREST_JWT_SECRET: ignored until dbrest knows `jwt-secret`,
# then the `requires: auth` workload starts to mean something (PostgREST wants ≥ 32 chars).
JWT_SECRET = "dbrest-bench-secret-not-for-production-0123456789"


# --- Workloads -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Workload:
    """One request shape, driven for the whole measurement window.

    `path` may hold `{id}` (a random existing id) and `{offset}` (a random offset that
    leaves a full 1,000-row page); they are filled per request. `rows` > 0 makes the
    request a POST of that many new `bench_rows` rows (one object, or an array when > 1).
    `requires` names the feature a workload needs; if the server answers its first request
    with 4xx/5xx, the workload is skipped with a note instead of measured. `auth` sends a
    signed JWT (and is skipped when a tampered token is not refused with 401).
    """

    name: str
    path: str
    rows: int = 0
    requires: str | None = None

    @property
    def method(self) -> str:
        return "POST" if self.rows else "GET"


WORKLOADS: tuple[Workload, ...] = (
    Workload("pk read", "/bench_rows?id=eq.{id}"),
    Workload("filtered page of 20", "/bench_rows?select=id,name,score&category=eq.c3"
             "&score=gt.10&order=score.desc,id&limit=20"),
    Workload("1,000-row page", "/bench_rows?limit=1000&offset={offset}"),
    Workload("embed to-one", "/books?select=id,title,authors(name)&limit=20", requires="embedding"),
    Workload("embed to-many", "/authors?select=name,books(title)&limit=20", requires="embedding"),
    Workload("pk read with JWT", "/bench_rows?id=eq.{id}", requires="auth"),
    Workload("insert 1 row", "/bench_rows", rows=1, requires="writes"),
    Workload("insert 1,000 rows", "/bench_rows", rows=1000, requires="writes"),
)


def fill_path(template: str, rng: random.Random) -> str:
    # Plain replace, not str.format: PostgREST paths may hold braces (`cs.{a,b}`).
    if "{id}" in template:
        template = template.replace("{id}", str(rng.randint(1, ROWS)))
    if "{offset}" in template:
        template = template.replace("{offset}", str(rng.randint(0, ROWS - 1000)))
    return template


def new_rows(count: int, seed: int = 7) -> bytes:
    """A POST body of `count` new rows; ids are left to the database."""
    rows = [{"name": f"new {i}", "category": f"c{i % 10}", "score": i % 100,
             "created": "2024-06-01"} for _, i in zip(range(count), itertools.count(seed))]
    return json.dumps(rows[0] if count == 1 else rows).encode()


def jwt_hs256(claims: dict[str, Any], secret: str) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


# --- Benchmark databases -----------------------------------------------------------------

def bench_rows(n: int = ROWS) -> list[tuple[int, str, str, int, dt.date]]:
    """Deterministic rows: 10 categories, scores 0–99, dates over ~4 years."""
    rng = random.Random(42)
    start = dt.date(2020, 1, 1)
    return [(i, f"row {i:05d}", f"c{rng.randrange(10)}", rng.randrange(100),
             start + dt.timedelta(days=rng.randrange(1500))) for i in range(1, n + 1)]


# PostgreSQL gets an identity column (the fixture's {{serial}}) so POSTs without an id work
# on both backends; on SQLite `integer PRIMARY KEY` is the rowid and numbers itself.
PG_TABLE = """CREATE TABLE bench_rows (
  id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name text NOT NULL, category text NOT NULL, score integer NOT NULL, created date NOT NULL)"""
SQLITE_TABLE = """CREATE TABLE bench_rows (
  id integer PRIMARY KEY,
  name text NOT NULL, category text NOT NULL, score integer NOT NULL, created date NOT NULL)"""


async def build_postgres(uri: str) -> None:
    import asyncpg

    await load_postgres(uri)
    conn = await asyncpg.connect(uri)
    try:
        await conn.execute(PG_TABLE)
        # COPY: one round trip for all rows.
        await conn.copy_records_to_table(
            "bench_rows", records=bench_rows(),
            columns=["id", "name", "category", "score", "created"])
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('bench_rows', 'id'), max(id)) FROM bench_rows")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def build_sqlite(path: Path) -> None:
    load_sqlite(path)
    conn = sqlite3.connect(path)
    try:
        with conn:  # one transaction
            conn.execute(SQLITE_TABLE)
            conn.executemany("INSERT INTO bench_rows VALUES (?, ?, ?, ?, ?)",
                             ((i, n, c, s, d.isoformat()) for i, n, c, s, d in bench_rows()))
        conn.execute("ANALYZE")
    finally:
        conn.close()


async def drop_database(admin_uri: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_uri)
    try:
        force = " WITH (FORCE)" if conn.get_server_version().major >= 13 else ""
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"{force}')
    finally:
        await conn.close()


def drop_quietly(admin_uri: str) -> None:
    try:
        with signals_deferred():
            asyncio.run(drop_database(admin_uri, BENCH_DB))
    except Exception as exc:  # noqa: BLE001 - clean-up must not hide the run's own error
        log(f"[postgres] could not drop {BENCH_DB}: {exc}")


# --- The server under test ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT (dbrest exits cleanly on it), then SIGTERM, then SIGKILL — our child only."""
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)


@dataclass(frozen=True, slots=True)
class Server:
    backend: str
    base_url: str
    pid: int
    role: str  # the anonymous role, also the JWT `role` claim

    def cpu_seconds(self) -> float | None:
        """User + system CPU the server process has used (Linux /proc), or None."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def dbrest_server(backend: str, db_uri: str, role: str, log_path: Path) -> Iterator[Server]:
    """Run `dbrest` on a free port; yield it once it answers HTTP."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBREST_", "PGRST_"))}
    env["DBREST_JWT_SECRET"] = JWT_SECRET
    for attempt in range(3):  # a free port may be taken before the server binds it
        port = free_port()
        cmd = [sys.executable, "-m", "dbrest.cli", "--db-uri", db_uri, "--db-anon-role",
               role, "--server-host", HOST, "--server-port", str(port)]
        with open(log_path, "wb") as out:
            # Own session: a Ctrl-C reaches only this script, which then stops the server.
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                    cwd=REPO, start_new_session=True)
        try:
            base_url = f"http://{HOST}:{port}"
            if wait_until_answers(proc, base_url, timeout=60):
                yield Server(backend, base_url, proc.pid, role)
                return
            text = log_path.read_text(errors="replace")
            if attempt < 2 and ("in use" in text or "Errno 98" in text):
                continue
            raise RuntimeError(f"dbrest did not start (exit {proc.returncode}); log "
                               f"{log_path}:\n{text[-3000:]}")
        finally:
            with signals_deferred():
                stop_process(proc)


def wait_until_answers(proc: subprocess.Popen[bytes], base_url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=2) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                client.get("/")
                return True
            except httpx.TransportError:
                time.sleep(0.05)
    raise RuntimeError(f"dbrest did not answer on {base_url} within {timeout:.0f} s")


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM during clean-up so a second Ctrl-C cannot cut it short."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a held signal is delivered here


@contextlib.contextmanager
def deferring_exit(cm: contextlib.AbstractContextManager[Any]) -> Iterator[Any]:
    """Enter and exit `cm` (starting and stopping PostgreSQL) with SIGINT/SIGTERM held.

    A Ctrl-C while `cm` starts is delivered once it has started, inside the `try`, so
    what was started is always stopped; the children (initdb, pg_ctl) inherit the held
    mask and finish instead of dying half-way. The postmaster sets its own mask.
    """
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        value = cm.__enter__()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a held Ctrl-C is raised here
        yield value
    except BaseException:
        with signals_deferred():
            if not cm.__exit__(*sys.exc_info()):
                raise
    else:
        with signals_deferred():
            cm.__exit__(None, None, None)


# --- Load generator ------------------------------------------------------------------------

@dataclass
class Result:
    backend: str
    workload: Workload
    requests: int = 0
    errors: int = 0
    bytes: int = 0
    seconds: float = 0.0
    client_cpu: float | None = None  # CPU seconds used by this script while measuring
    server_cpu: float | None = None  # ... and by the dbrest process (not PostgreSQL)
    latencies: list[float] = field(default_factory=list)
    first_error: str | None = None
    skipped: str | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile of all request latencies (errors included)."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

    def cpu_percent(self, cpu: float | None) -> str:
        return f"{100 * cpu / self.seconds:.0f}%" if cpu is not None and self.seconds else "-"


def describe(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        detail = f"{body.get('code')}: {body.get('message')}"
    except (ValueError, AttributeError):
        detail = resp.text[:120]
    return f"{resp.status_code} {detail}"


@dataclass
class Driver:
    client: httpx.AsyncClient
    server: Server
    workload: Workload
    headers: dict[str, str]
    body: bytes | None
    rng: random.Random = field(default_factory=lambda: random.Random(1))

    async def send(self) -> httpx.Response:
        return await self.client.request(
            self.workload.method, fill_path(self.workload.path, self.rng),
            content=self.body, headers=self.headers)

    async def run(self, result: Result, concurrency: int, duration: float,
                  count: int | None) -> None:
        """`concurrency` workers, each sending its next request when its last one is
        answered, until `count` requests are sent or `duration` seconds have passed."""
        deadline = time.perf_counter() + duration
        issued = itertools.count()

        def more() -> bool:
            return next(issued) < count if count else time.perf_counter() < deadline

        async def worker() -> None:
            while more():
                t0 = time.perf_counter()
                error = None
                try:
                    resp = await self.send()
                    result.bytes += len(resp.content)
                    if resp.status_code >= 400:
                        error = describe(resp)
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                result.latencies.append(time.perf_counter() - t0)
                result.requests += 1
                if error:
                    result.errors += 1
                    result.first_error = result.first_error or error

        client0, server0 = time.process_time(), self.server.cpu_seconds()
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - start
        result.client_cpu = time.process_time() - client0
        server1 = self.server.cpu_seconds()
        if server0 is not None and server1 is not None:
            result.server_cpu = server1 - server0


async def probe(driver: Driver) -> str | None:
    """Why the workload cannot run on this server, or None if it can."""
    w = driver.workload
    try:
        resp = await driver.send()
    except httpx.HTTPError as exc:
        return f"first request failed: {type(exc).__name__}: {exc}"
    if resp.status_code >= 400:
        return f"first request answered {describe(resp)}"
    if w.requires == "auth":
        bad = jwt_hs256({"role": driver.server.role}, JWT_SECRET + "-wrong")
        resp = await driver.client.request(w.method, fill_path(w.path, driver.rng),
                                           headers={"Authorization": f"Bearer {bad}"})
        if resp.status_code != 401:
            return f"a badly signed JWT was answered {resp.status_code}, not 401 (no JWT checks)"
    return None


async def run_workloads(server: Server, args: argparse.Namespace, workloads: list[Workload],
                        results: list[Result]) -> None:
    backend = server.backend
    limits = httpx.Limits(max_connections=args.concurrency,
                          max_keepalive_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) as client:
        for w in workloads:
            result = Result(backend, w)
            headers = {"Content-Type": "application/json"} if w.rows else {}
            if w.requires == "auth":
                token = jwt_hs256({"role": server.role}, JWT_SECRET)
                headers["Authorization"] = f"Bearer {token}"
            driver = Driver(client, server, w, headers, new_rows(w.rows) if w.rows else None)
            reason = await probe(driver)
            if reason:
                result.skipped = reason
                log(f"[{backend}] {w.name}: skipped (requires: {w.requires}): {reason}")
                results.append(result)
                continue
            log(f"[{backend}] {w.name}: warm-up {args.warmup:g} s, then measuring")
            if args.warmup > 0:
                await driver.run(Result(backend, w), args.concurrency, args.warmup, None)
            await driver.run(result, args.concurrency, args.duration, args.requests)
            log(f"[{backend}] {w.name}: {result.rate:,.0f} req/s, "
                f"p50 {result.percentile_ms(0.5):.2f} ms, errors {result.errors}, "
                f"{result.bytes / max(result.requests, 1) / 1000:.1f} kB per answer")
            results.append(result)


def drive(server: Server, args: argparse.Namespace, workloads: list[Workload],
          results: list[Result]) -> None:
    """Run the load on its own event loop (uvloop when present, as the server uses)."""
    factory: Callable[[], asyncio.AbstractEventLoop] | None
    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(run_workloads(server, args, workloads, results))


# --- Backends ------------------------------------------------------------------------------

def uri_user(uri: str) -> str:
    return unquote(urlsplit(uri).username or "") or os.environ.get("PGUSER", "postgres")


def bench_postgres(args: argparse.Namespace, workdir: Path,
                   workloads: list[Workload], results: list[Result]) -> None:
    with contextlib.ExitStack() as stack:
        if args.pg_uri:
            admin_uri = args.pg_uri
            log(f"[postgres] using {admin_uri.split('@')[-1]}")
        else:
            log("[postgres] starting a throwaway PostgreSQL")
            admin_uri = stack.enter_context(deferring_exit(postgres_server()))
        log(f"[postgres] creating database {BENCH_DB} and loading {ROWS:,} rows")
        uri = create_database(admin_uri, BENCH_DB)
        if args.pg_uri:  # leave the user's server as we found it; a throwaway one just goes
            stack.callback(drop_quietly, admin_uri)
        asyncio.run(build_postgres(uri))
        server = stack.enter_context(
            dbrest_server("postgres", uri, uri_user(uri), workdir / "dbrest-postgres.log"))
        drive(server, args, workloads, results)


def bench_sqlite(args: argparse.Namespace, workdir: Path,
                 workloads: list[Workload], results: list[Result]) -> None:
    path = workdir / "bench.sqlite3"
    log(f"[sqlite] building {path} with {ROWS:,} rows")
    build_sqlite(path)
    with dbrest_server("sqlite", f"sqlite:{path}", "anon", workdir / "dbrest-sqlite.log") as server:
        drive(server, args, workloads, results)


# --- Report and command line -----------------------------------------------------------------

def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def report(results: list[Result], args: argparse.Namespace) -> str:
    window = f"{args.requests:,} requests" if args.requests else f"{args.duration:g} s"
    lines = [
        f"dbrest benchmark: {window} per workload after {args.warmup:g} s warm-up, "
        f"concurrency {args.concurrency}, {ROWS:,} bench_rows",
        f"load generator and server (hypercorn, 1 worker) share this machine: "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}",
        "",
    ]
    header = ("backend", "workload", "req/s", "p50 ms", "p99 ms", "errors", "load gen CPU",
              "dbrest CPU")
    rows = []
    for r in results:
        if r.skipped:
            rows.append((r.backend, r.workload.name, "skipped", *("-",) * 5))
        else:
            rows.append((r.backend, r.workload.name, f"{r.rate:,.0f}",
                         f"{r.percentile_ms(0.5):.2f}", f"{r.percentile_ms(0.99):.2f}",
                         f"{r.errors:,}", r.cpu_percent(r.client_cpu),
                         r.cpu_percent(r.server_cpu)))
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    lines += [fmt(header), fmt(tuple("-" * w for w in widths)), *map(fmt, rows)]
    notes = [f"{r.backend} / {r.workload.name}: skipped (requires: {r.workload.requires}): "
             f"{r.skipped}" for r in results if r.skipped]
    notes += [f"{r.backend} / {r.workload.name}: {r.errors:,} errors, first: {r.first_error}"
              for r in results if r.errors]
    if notes:
        lines += ["", "notes:", *(f"  {n}" for n in notes)]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark dbrest over HTTP on PostgreSQL and SQLite.")
    parser.add_argument("--backend", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--pg-uri", help="an existing PostgreSQL server (a role that may "
                        f"create databases); database {BENCH_DB} is created and dropped "
                        "on it. Default: a throwaway server (tests/infra/pgserver.py)")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds measured per workload (default 5)")
    parser.add_argument("--requests", type=int,
                        help="measure this many requests per workload instead of --duration")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="concurrent workers, each with one request in flight (default 8)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds of unmeasured load before each workload (default 1)")
    parser.add_argument("-k", dest="select", metavar="SUBSTRING",
                        help="only workloads whose name contains SUBSTRING")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.duration <= 0 or (args.requests or 1) < 1:
        parser.error("--concurrency, --duration and --requests must be positive")
    return args


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM unwinds like Ctrl-C, through every clean-up


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    workloads = [w for w in WORKLOADS if not args.select or args.select in w.name]
    backends = ("postgres", "sqlite") if args.backend == "both" else (args.backend,)
    results: list[Result] = []
    try:
        with tempfile.TemporaryDirectory(prefix="dbrest-bench-") as tmp:
            for backend in backends:
                run = bench_postgres if backend == "postgres" else bench_sqlite
                run(args, Path(tmp), workloads, results)
    except KeyboardInterrupt:
        log("interrupted; every server this run started is stopped")
        if results:
            print(report(results, args))
        return 130
    except Exception:
        if results:  # what was measured before the failure, then the traceback
            print(report(results, args), flush=True)
        raise
    print(report(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
