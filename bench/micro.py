"""In-process micro-benchmark of dbrest's pipeline (no HTTP, no server).

Times workload a of bench/run.py (`GET /books?id=eq.<id>`, the same shape with a different
id each time) on each backend:

  handle   `Pipeline.handle` end to end: parse, plan, render, exec, serialize
  cached   what happens before exec on a request-shape cache hit (dbrest/shape.py), as
           `Pipeline._handle` does it: JWT check, shape match (each filter value still
           parsed), values bound, authorize (target: ≤ 30 µs)
  cpu      `handle`, as CPU time of this process (time.process_time): the figure to
           compare on a busy machine (PostgreSQL's own processes are not counted)
  tail     p50/p99 latency of 32 concurrent clients on the pool (10 connections)
  prepare  what happens before exec without the shape cache: JWT check, parse, plan,
           authorize, render
  parse / plan / render   the parts of `prepare`, each timed alone

The pipeline is built as the server builds it (`dbrest.app.AppState`); `cached()` and
`prepare()` below mirror the read branch of `Pipeline._handle` and are the place to adapt
when the pipeline is refactored.

    python bench/micro.py [--backend sqlite|postgres|both] [--seconds 2] [--quick]

Each figure is the median over batches of the mean time per request, in microseconds
(batches make it robust to the odd pause on a shared machine; min is also printed).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/micro.py` puts bench/, not the repo, on sys.path
    sys.path.insert(0, str(REPO))

from bench.data import build_sqlite, counts, generate, load_postgres  # noqa: E402
from dbrest.app import AppState  # noqa: E402
from dbrest.config import load_config  # noqa: E402
from dbrest.context import request_context  # noqa: E402
from dbrest.grants import check_grants  # noqa: E402
from dbrest.http import HttpRequest, parse_query_string  # noqa: E402
from dbrest.parse.request import parse_request  # noqa: E402
from dbrest.pipeline import Pipeline  # noqa: E402
from dbrest.plan.access import accessed  # noqa: E402
from dbrest.plan.read import plan_read  # noqa: E402
from dbrest.plan.types import QueryPlan  # noqa: E402

BATCH = 100


def requests(n_books: int, count: int = 1000) -> list[HttpRequest]:
    """Workload a with `count` different ids (same stride as bench/wrk.lua)."""
    return [HttpRequest("GET", "/books",
                        parse_query_string(f"id=eq.{(i * 7919) % n_books + 1}"),
                        (("accept", "application/json"),))
            for i in range(1, count + 1)]


def prepare(p: Pipeline, req: HttpRequest) -> Any:
    """Everything `Pipeline._handle` does for a read before `backend.run`."""
    auth = p.authenticator.authenticate(req.header("authorization"))
    api = parse_request(req, p.config.db_schemas, p.config.db_tx_end)
    plan = plan_read(api, p.cache, p.options).plan
    assert isinstance(plan, QueryPlan)  # a read
    ctx = request_context(req, auth)
    if p.grants:
        check_grants(p.grants, ctx.role, ctx.authenticated, accessed(plan))
    return p.renderer.render(plan)


def cached(p: Pipeline, req: HttpRequest) -> Any:
    """What `Pipeline._handle` does before `backend.run` on a shape-cache hit."""
    auth = p.authenticator.authenticate(req.header("authorization"))
    shape = p.shapes.match(req)
    hit = shape.hit if shape is not None else None
    if hit is None:
        raise RuntimeError(f"no shape-cache hit for {req}")
    assert hit.planned.request is not None
    plan = hit.planned.request.plan
    ctx = request_context(req, auth)
    if p.grants:
        check_grants(p.grants, ctx.role, ctx.authenticated, accessed(plan))
    return hit.compiled, hit.values


def timed(step: Callable[[int], object], seconds: float) -> tuple[float, float, int]:
    """(median, min) µs per call over batches of BATCH calls, and the batch count."""
    means: list[float] = []
    i = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(means) < 3:
        t0 = time.perf_counter()
        for _ in range(BATCH):
            step(i)
            i += 1
        means.append((time.perf_counter() - t0) / BATCH * 1e6)
    return statistics.median(means), min(means), len(means)


async def timed_async(step: Callable[[int], Awaitable[object]], seconds: float,
                      clock: Callable[[], float] = time.perf_counter,
                      ) -> tuple[float, float, int]:
    """As `timed`; with `clock=time.process_time`, the CPU this process spent per request
    (the event loop and, on SQLite, the driver's threads; not PostgreSQL's processes),
    which other processes on a busy machine hardly disturb."""
    means: list[float] = []
    i = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(means) < 3:
        t0 = clock()
        for _ in range(BATCH):
            await step(i)
            i += 1
        means.append((clock() - t0) / BATCH * 1e6)
    return statistics.median(means), min(means), len(means)


async def tail(p: Pipeline, reqs: list[HttpRequest], clients: int = 32,
               each: int = 50) -> str:
    """p50 and p99 latency of `clients` concurrent clients (as wrk's 32 connections) on
    the pool: with first come, first served waiting, p99 stays within a few p50."""
    latencies: list[float] = []

    async def client(c: int) -> None:
        for i in range(each):
            t0 = time.perf_counter()
            await p.handle(reqs[(c * each + i) % len(reqs)])
            latencies.append(time.perf_counter() - t0)

    await asyncio.gather(*(client(c) for c in range(clients)))
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
    return (f"{clients} clients: p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms "
            f"({p99 / p50:.1f}× p50)")


def line(backend: str, what: str, result: tuple[float, float, int]) -> str:
    median, low, batches = result
    return (f"{backend:<8} {what:<8} {median:9.1f} µs/request  "
            f"(min {low:.1f}, {batches} batches of {BATCH})")


async def bench_backend(backend: str, uri: str, role: str, n_books: int,
                        seconds: float) -> list[str]:
    state = AppState(load_config({"db_uri": uri, "db_anon_role": role}, environ={}))
    await state.start()
    try:
        p = state.pipeline
        assert p is not None
        reqs = requests(n_books)
        first = await p.handle(reqs[0])
        if first.status != 200 or b'"id"' not in first.body:
            raise RuntimeError(f"workload a answered {first.status}: {first.body[:200]!r}")
        api = parse_request(reqs[0], p.config.db_schemas, p.config.db_tx_end)
        plan = plan_read(api, p.cache, p.options).plan
        assert isinstance(plan, QueryPlan)
        n = len(reqs)
        return [
            f"{backend:<8} tail     " + await tail(p, reqs),
            line(backend, "handle", await timed_async(lambda i: p.handle(reqs[i % n]), seconds)),
            line(backend, "cached", timed(lambda i: cached(p, reqs[i % n]), seconds)),
            line(backend, "cpu", await timed_async(lambda i: p.handle(reqs[i % n]), seconds,
                                                   time.process_time)),
            line(backend, "prepare", timed(lambda i: prepare(p, reqs[i % n]), seconds)),
            line(backend, "parse", timed(lambda i: parse_request(
                reqs[i % n], p.config.db_schemas, p.config.db_tx_end), seconds / 2)),
            line(backend, "plan", timed(lambda i: plan_read(api, p.cache, p.options),
                                        seconds / 2)),
            line(backend, "render", timed(lambda i: p.renderer.render(plan), seconds / 2)),
        ]
    finally:
        await state.stop()


def run_sqlite(args: argparse.Namespace, tmp: Path) -> list[str]:
    path = tmp / "micro.sqlite3"
    build_sqlite(path, generate(args.scale))
    return run_loop(bench_backend("sqlite", f"sqlite:{path}", "anon", counts(args.scale)[1],
                                  args.seconds))


def run_postgres(args: argparse.Namespace) -> list[str]:
    from tests.infra.pgserver import create_database, postgres_server

    with postgres_server() as admin:
        uri = create_database(admin, "dbrest_micro")
        asyncio.run(load_postgres(uri, generate(args.scale)))
        role = unquote(urlsplit(uri).username or "") or "postgres"
        return run_loop(bench_backend("postgres", uri, role, counts(args.scale)[1],
                                      args.seconds))


def run_loop(main: Awaitable[list[str]]) -> list[str]:
    """On uvloop when installed, as `dbrest` serves."""
    factory: Callable[[], asyncio.AbstractEventLoop]
    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        factory = asyncio.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time dbrest's pipeline in-process.")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="time per measurement (default 2; the parts get half)")
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size (1.0)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: --seconds 0.2 --scale 0.01")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.scale = 0.2, 0.01
    print(f"# workload a: GET /books?id=eq.<id>, {counts(args.scale)[1]:,} books")
    with tempfile.TemporaryDirectory(prefix="dbrest-micro-") as tmp:
        if args.backend in ("sqlite", "both"):
            print("\n".join(run_sqlite(args, Path(tmp))), flush=True)
        if args.backend in ("postgres", "both"):
            print("\n".join(run_postgres(args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
