"""Throughput and latency of dbrest over HTTP, driven by wrk, against a hypercorn floor.

For each round, this script starts each target in turn (the constant-JSON floor app, then
dbrest on PostgreSQL, then dbrest on SQLite) pinned with taskset to `--server-cpus`
(PostgreSQL's processes too), drives every workload with wrk pinned to `--wrk-cpus`
(warm-up, then a measured window with a Lua `done()` that prints percentiles), stops the
target, and finally prints one table: req/s, p50, p99, errors and req/s as a fraction of
the floor measured in the same round. It is a measurement, not a test: nothing is asserted,
and tests must not import it. Everything it starts is stopped on the way out (error,
Ctrl-C or SIGTERM included).

    python bench/run.py [--backend postgres|sqlite|both] [--duration 10] [--warmup 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/run.py` puts bench/, not the repo, on sys.path
    sys.path.insert(0, str(REPO))

from bench.data import build_sqlite, counts, generate, load_postgres  # noqa: E402
from bench.procs import deferring_exit, free_port, pin_postgres, stop_group  # noqa: E402
from tests.infra.pgserver import create_database, postgres_server  # noqa: E402

HOST = "127.0.0.1"
BENCH_DB = "dbrest_bench"
LUA = Path(__file__).resolve().parent / "wrk.lua"


@dataclass(frozen=True, slots=True)
class Workload:
    """One request shape. `{id}` in `path` is a different id per request (wrk.lua)."""

    key: str
    path: str
    note: str
    id_table: str = "books"  # which table's size bounds `{id}` (and a POST's book_id)
    body: str = ""  # "review": POST a new review per request


# The PostgREST-comparison kit's workloads (/work/shared/bench/run.sh, flavor postgrest).
WORKLOADS: tuple[Workload, ...] = (
    Workload("a", "/books?id=eq.{id}", "pk read"),
    Workload("b", "/books?year=gte.2000&order=price.desc&limit=20", "filter + order + limit 20"),
    Workload("c", "/books?select=id,title,authors(name)&limit=20", "many-to-one embed, 20 rows"),
    Workload("d", "/authors?select=id,name,books(id,title)&id=eq.7", "one-to-many embed"),
    Workload("e", "/books?limit=1000", "1,000-row page"),
    Workload("f", "/reviews", "insert one row (return=minimal)", body="review"),
)
FLOOR = Workload("floor", "/", "constant 20-row JSON (bench/floor_app.py)")


@dataclass(frozen=True, slots=True)
class Measure:
    round: int
    target: str
    workload: Workload
    rps: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    non2xx: int = 0
    sockerr: int = 0
    failed: str = ""  # why it was not measured


# --- wrk ----------------------------------------------------------------------------------

def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("wrk not found: install it (Debian/Ubuntu: apt-get install -y wrk)")
    log("installing wrk (apt-get)")
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"],
                      stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk still not found after apt-get")


def first_answer(base: str, w: Workload) -> str:
    """'' if one request of `w` is answered 2xx, else why not."""
    path = w.path.replace("{id}", "1")
    data = b'{"book_id":1,"stars":5,"body":"bench check"}' if w.body else None
    req = urllib.request.Request(base + path, data=data, headers={
        "Accept": "application/json", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30):
            return ""
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}: {exc.read()[:200].decode(errors='replace')}"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def run_wrk(wrk: str, args: argparse.Namespace, base: str, w: Workload, seconds: int,
            id_max: int) -> dict[str, int]:
    env = {**os.environ, "BENCH_PATH": w.path, "BENCH_BODY": w.body, "BENCH_ID_MAX": str(id_max)}
    cmd = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s",
           "--timeout", "10s", "-s", str(LUA), base + "/"]
    if args.wrk_cpus:
        cmd = ["taskset", "-c", args.wrk_cpus, *cmd]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    return {k: int(v) for k, v in (f.split("=") for f in line.split()[1:])}


def measure(wrk: str, args: argparse.Namespace, rnd: int, target: str, base: str,
            w: Workload, id_max: int) -> Measure:
    why = first_answer(base, w)
    if why:
        log(f"[{target}#{rnd}] {w.key}: not measured: {why}")
        return Measure(rnd, target, w, failed=why)
    if args.warmup > 0:
        run_wrk(wrk, args, base, w, args.warmup, id_max)
    s = run_wrk(wrk, args, base, w, args.duration, id_max)
    m = Measure(rnd, target, w, rps=s["requests"] / (s["duration_us"] / 1e6),
                p50_ms=s["p50_us"] / 1000, p99_ms=s["p99_us"] / 1000,
                non2xx=s["non2xx"], sockerr=s["sockerr"])
    log(f"[{target}#{rnd}] {w.key}: {m.rps:,.0f} req/s, p50 {m.p50_ms:.2f} ms, "
        f"p99 {m.p99_ms:.2f} ms")
    return m


# --- Targets ------------------------------------------------------------------------------

@contextlib.contextmanager
def serving(cmd: list[str], check_path: str, log_path: Path,
            args: argparse.Namespace) -> Iterator[str]:
    """Start `cmd` (with `{port}` filled) pinned to the server CPUs; yield its base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBREST_", "PGRST_"))}
    for attempt in range(3):  # a free port may be taken before the server binds it
        port = free_port(HOST)
        full = [c.replace("{port}", str(port)) for c in cmd]
        if args.server_cpus:
            full = ["taskset", "-c", args.server_cpus, *full]
        with open(log_path, "wb") as out:
            # Own session and process group: Ctrl-C reaches only us; we stop the group.
            proc = subprocess.Popen(full, stdout=out, stderr=subprocess.STDOUT, env=env,
                                    cwd=REPO, start_new_session=True)
        try:
            base = f"http://{HOST}:{port}"
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(base + check_path, timeout=5).close()
                    break
                time.sleep(0.1)
            if proc.poll() is None and time.monotonic() < deadline:
                yield base
                return
            text = log_path.read_text(errors="replace")
            if attempt < 2 and ("in use" in text or "Errno 98" in text):
                continue
            raise RuntimeError(f"{full} did not answer; its output:\n{text[-2000:]}")
        finally:
            stop_group(proc)


def dbrest_cmd(uri: str, role: str, workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "dbrest.cli", "--db-uri", uri, "--db-anon-role", role,
            "--server-host", HOST, "--server-port", "{port}", "--server-workers", str(workers)]


FLOOR_CMD = [sys.executable, "-m", "hypercorn", "bench.floor_app:app", "-b", f"{HOST}:{{port}}",
             "-w", "1", "-k", "uvloop"]


def run_target(wrk: str, args: argparse.Namespace, rnd: int, target: str, cmd: list[str],
               workloads: tuple[Workload, ...], tmp: Path) -> list[Measure]:
    check = "/" if target == "floor" else "/authors?limit=1"
    sizes = dict(zip(("authors", "books", "reviews"), counts(args.scale), strict=True))
    with serving(cmd, check, tmp / f"{target}.log", args) as base:
        return [measure(wrk, args, rnd, target, base, w, sizes[w.id_table]) for w in workloads]


# --- Report -------------------------------------------------------------------------------

def report(results: list[Measure], args: argparse.Namespace) -> str:
    floors = {m.round: m.rps for m in results if m.target == "floor" and m.rps}
    lines = [f"# dbrest bench {dt.datetime.now():%Y-%m-%d %H:%M}: wrk {args.connections} "
             f"connections, {args.threads} thread(s), {args.warmup:g} s warm-up + "
             f"{args.duration:g} s; server+db on CPU {args.server_cpus or 'any'}, wrk on CPU "
             f"{args.wrk_cpus or 'any'}; scale {args.scale:g}; {os.cpu_count()} CPUs, "
             f"Python {platform.python_version()}, load average "
             f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}",
             "| round | target | workload | req/s | p50 ms | p99 ms | non-2xx | sock err "
             "| × floor |", "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for m in results:
        name = f"{m.workload.key} {m.workload.note}"
        if m.failed:
            lines.append(f"| {m.round} | {m.target} | {name} | not measured: "
                         f"{m.failed[:80]} | | | | | |")
            continue
        ratio = f"{m.rps / floors[m.round]:.2f}" if floors.get(m.round) else "-"
        lines.append(f"| {m.round} | {m.target} | {name} | {m.rps:,.0f} | {m.p50_ms:.2f} | "
                     f"{m.p99_ms:.2f} | {m.non2xx} | {m.sockerr} | {ratio} |")
    return "\n".join(lines)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Benchmark dbrest over HTTP with wrk.")
    p.add_argument("--backend", choices=("postgres", "sqlite", "both"), default="both")
    # wrk takes whole seconds
    p.add_argument("--duration", type=int, default=10, help="measured s per workload (10)")
    p.add_argument("--warmup", type=int, default=3, help="unmeasured s before each; 0: none (3)")
    p.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    p.add_argument("--rounds", type=int, default=2, help="rounds over every target (2)")
    p.add_argument("--workloads", default="abcdef", help="keys to run, e.g. 'ae' (abcdef)")
    p.add_argument("--scale", type=float, default=1.0, help="dataset size multiplier (1.0)")
    p.add_argument("--server-cpus", default="1", help="taskset list for servers+PostgreSQL "
                   "(1); '' = no pinning")
    p.add_argument("--wrk-cpus", default="0", help="taskset list for wrk (0); '' = none")
    p.add_argument("--server-workers", type=int, default=1,
                   help="dbrest's server_workers: processes serving the port (1)")
    p.add_argument("--no-floor", action="store_true", help="skip the hypercorn floor")
    p.add_argument("--pg-uri", help="an existing PostgreSQL (a role that may create "
                   f"databases; {BENCH_DB} is replaced there). Default: a throwaway cluster")
    args = p.parse_args(argv)
    if min(args.duration, args.connections, args.threads, args.rounds, args.scale) <= 0:
        p.error("--duration, --connections, --threads, --rounds and --scale must be positive")
    return args


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM unwinds like Ctrl-C, through every clean-up


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    wrk = ensure_wrk()
    workloads = tuple(w for w in WORKLOADS if w.key in args.workloads)
    results: list[Measure] = []
    try:
        with tempfile.TemporaryDirectory(prefix="dbrest-bench-") as tmp_name, \
                contextlib.ExitStack() as stack:
            tmp = Path(tmp_name)
            log(f"generating the dataset (scale {args.scale:g})")
            data = generate(args.scale)
            targets: list[tuple[str, list[str], tuple[Workload, ...]]] = []
            if not args.no_floor:
                targets.append(("floor", FLOOR_CMD, (FLOOR,)))
            if args.backend in ("postgres", "both"):
                admin = args.pg_uri or stack.enter_context(deferring_exit(postgres_server()))
                uri = create_database(admin, BENCH_DB)
                log(f"loading PostgreSQL database {BENCH_DB}")
                asyncio.run(load_postgres(uri, data))
                if args.server_cpus:
                    log(asyncio.run(pin_postgres(uri, args.server_cpus)))
                role = unquote(urlsplit(uri).username or "") or "postgres"
                targets.append(("postgres", dbrest_cmd(uri, role, args.server_workers), workloads))
            if args.backend in ("sqlite", "both"):
                path = tmp / "bench.sqlite3"
                log(f"building {path}")
                build_sqlite(path, data)
                targets.append(("sqlite", dbrest_cmd(f"sqlite:{path}", "anon", args.server_workers),
                                workloads))
            del data
            for rnd in range(1, args.rounds + 1):
                for target, cmd, wls in targets:
                    results += run_target(wrk, args, rnd, target, cmd, wls, tmp)
    except KeyboardInterrupt:
        log("interrupted; every process this run started is stopped")
        print(report(results, args))
        return 130
    print(report(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
