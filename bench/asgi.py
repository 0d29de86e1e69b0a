"""CPU per request of dbrest's whole ASGI app, in process (no sockets, no HTTP server).

Drives `create_app(config).asgi_app` with ASGI scopes as hypercorn builds them, one
request at a time, and prints the CPU time of this process per request (the loop, and
SQLite's driver threads; not PostgreSQL's processes) next to bench/floor_app.py's bare
ASGI app driven the same way. What dbrest adds to the HTTP server's own cost is this
figure; wrk's req/s (bench/run.py) is the server's cost plus this plus the database's.

    python bench/asgi.py --backend sqlite --workload a      # or f (insert), c, d, e
    python bench/asgi.py --backend postgres --pg-uri postgresql://…/dbrest_bench
    python bench/asgi.py --profile                          # + cProfile, top functions

SQLite: a fresh copy of the bench data in a temporary directory (default journal mode, as
users have it). PostgreSQL: `--pg-uri` names a database loaded with bench/data.py's rows
(bench/run.py leaves none behind; `python -c "…load_postgres…"` or the kit's cluster).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/asgi.py` puts bench/, not the repo, on sys.path
    sys.path.insert(0, str(REPO))

from bench.data import build_sqlite, counts, generate  # noqa: E402
from bench.floor_app import app as floor_app  # noqa: E402
from bench.run import WORKLOADS  # noqa: E402
from dbrest.app import create_app  # noqa: E402
from dbrest.config import load_config  # noqa: E402

ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def scope_of(method: str, target: str, body: bytes) -> dict[str, Any]:
    path, _, query = target.partition("?")
    headers = [(b"host", b"127.0.0.1:3000"), (b"accept", b"application/json")]
    if body:
        headers += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": query.encode(), "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 3000), "extensions": {}}


async def call(app: ASGI, method: str, target: str, body: bytes) -> int:
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client stays: no disconnect
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope_of(method, target, body), receive, send)
    return int(sent[0]["status"])


def request_maker(key: str, n_ids: int) -> Callable[[int], tuple[str, str, bytes]]:
    w = next(w for w in WORKLOADS if w.key == key)

    def make(i: int) -> tuple[str, str, bytes]:
        ident = (i * 7919) % n_ids + 1  # bench/wrk.lua's stride
        if w.body:
            return "POST", w.path, (f'{{"book_id":{ident},"stars":{i % 5 + 1},'
                                    f'"body":"bench insert {i}"}}').encode()
        return "GET", w.path.replace("{id}", str(ident)), b""
    return make


async def measure(app: ASGI, make: Callable[[int], tuple[str, str, bytes]],
                  batches: int, batch: int) -> list[float]:
    per_request = []
    i = 0
    for _ in range(batches):
        start = time.process_time()
        for _ in range(batch):
            status = await call(app, *make(i))
            assert status < 300, status
            i += 1
        per_request.append((time.process_time() - start) / batch * 1e6)
    return per_request


async def main(args: argparse.Namespace, uri: str, role: str, n_ids: int) -> None:
    config = load_config({"db_uri": uri, "db_anon_role": role}, environ={})
    app = create_app(config)
    state = app.config["DBREST_STATE"]
    await state.start()
    try:
        make = request_maker(args.workload, n_ids)
        await measure(app.asgi_app, make, 3, 100)  # warm: shapes, pools, caches
        for name, target in (("floor", floor_app), ("dbrest", app.asgi_app)) * 2:
            us = await measure(target, make if target is not floor_app else
                               (lambda i: ("GET", "/", b"")), args.batches, 100)
            print(f"{args.backend:8s} {args.workload} {name:6s} {statistics.median(us):8.1f} "
                  f"µs CPU/request (min {min(us):.1f}, {args.batches} batches of 100)")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            await measure(app.asgi_app, make, 10, 100)
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    finally:
        await state.stop()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="dbrest's ASGI app: CPU per request in process.")
    p.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--workload", default="a", help="a key of bench/run.py's WORKLOADS (a)")
    p.add_argument("--pg-uri", help="PostgreSQL database loaded with bench/data.py's rows")
    p.add_argument("--scale", type=float, default=1.0, help="SQLite dataset multiplier (1.0)")
    p.add_argument("--batches", type=int, default=20, help="batches of 100 requests (20)")
    p.add_argument("--profile", action="store_true", help="cProfile 1,000 more requests")
    return p.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import uvloop
        runner: Callable[[Awaitable[None]], None] = uvloop.run  # as `dbrest` serves
    except ImportError:
        runner = asyncio.run
    if args.backend == "postgres":
        if not args.pg_uri:
            raise SystemExit("--pg-uri is required for --backend postgres")
        role = unquote(urlsplit(args.pg_uri).username or "") or "postgres"
        runner(main(args, args.pg_uri, role, counts(1.0)[1]))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "asgi.sqlite3"
        build_sqlite(path, generate(args.scale))
        runner(main(args, f"sqlite:{path}", "anon", counts(args.scale)[1]))
    return 0


if __name__ == "__main__":
    os.environ.pop("DBREST_CONFIG", None)
    raise SystemExit(run())
