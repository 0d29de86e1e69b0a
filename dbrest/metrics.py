"""Request metrics for the admin server's `/metrics` (Prometheus text format), and the
ASGI wrapper that records them, writes the access log and echoes `server_trace_header`.

Cheap on the hot path: per request, one dict increment, one bisect into the latency
buckets and two additions; asyncio runs one coroutine at a time, so no lock is needed.
Names follow PostgREST's metrics where it has them (`pgrst_schema_cache_*`,
`pgrst_db_pool_*`); requests and latency are dbrest's own (`dbrest_http_*`).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from dbrest.logs import access, access_line, status_level

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# seconds; Prometheus' `le` bounds (the last bucket, +Inf, is implicit)
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True, slots=True)
class PoolStats:
    size: int  # the most connections the pool holds
    available: int  # idle connections
    waiting: int  # requests waiting for a connection


class Metrics:
    __slots__ = ("by_status", "buckets", "seconds", "schema_loads", "schema_seconds")

    def __init__(self) -> None:
        self.by_status: dict[int, int] = {}
        self.buckets = [0] * (len(BUCKETS) + 1)
        self.seconds = 0.0
        self.schema_loads = {"SUCCESS": 0, "FAIL": 0}
        self.schema_seconds = 0.0  # the last successful load

    def observe(self, status: int, seconds: float) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1
        self.buckets[bisect_left(BUCKETS, seconds)] += 1
        self.seconds += seconds

    def schema_loaded(self, ok: bool, seconds: float) -> None:
        self.schema_loads["SUCCESS" if ok else "FAIL"] += 1
        if ok:
            self.schema_seconds = seconds

    def render(self, pool: PoolStats | None) -> str:
        out = ["# HELP dbrest_http_requests_total Requests answered, by status.",
               "# TYPE dbrest_http_requests_total counter"]
        out += [f'dbrest_http_requests_total{{status="{status}"}} {n}'
                for status, n in sorted(self.by_status.items())]
        out += ["# HELP dbrest_http_request_duration_seconds Time to answer a request.",
                "# TYPE dbrest_http_request_duration_seconds histogram"]
        total = 0
        for bound, n in zip((*map(_number, BUCKETS), "+Inf"), self.buckets, strict=True):
            total += n
            out.append(f'dbrest_http_request_duration_seconds_bucket{{le="{bound}"}} {total}')
        out += [f"dbrest_http_request_duration_seconds_sum {self.seconds}",
                f"dbrest_http_request_duration_seconds_count {total}",
                "# HELP pgrst_schema_cache_loads_total Schema cache loads, by outcome.",
                "# TYPE pgrst_schema_cache_loads_total counter"]
        out += [f'pgrst_schema_cache_loads_total{{status="{k}"}} {v}'
                for k, v in self.schema_loads.items()]
        out += ["# HELP pgrst_schema_cache_query_time_seconds The last schema cache load.",
                "# TYPE pgrst_schema_cache_query_time_seconds gauge",
                f"pgrst_schema_cache_query_time_seconds {self.schema_seconds}"]
        if pool is not None:
            for name, value, text in (("max", pool.size, "Connections the pool may hold."),
                                      ("available", pool.available, "Idle connections."),
                                      ("waiting", pool.waiting,
                                       "Requests waiting for a connection.")):
                out += [f"# HELP pgrst_db_pool_{name} {text}",
                        f"# TYPE pgrst_db_pool_{name} gauge", f"pgrst_db_pool_{name} {value}"]
        return "\n".join(out) + "\n"


def _number(bound: float) -> str:
    return str(int(bound)) if bound.is_integer() else str(bound)


def instrumented(app: ASGIApp, metrics: Metrics,
                 trace_header: Callable[[], str | None]) -> ASGIApp:
    """`app` recording each HTTP request's status and latency, logging its access line,
    and copying the request header `trace_header()` names (if set) to the response."""
    async def entry(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        name = trace_header()
        echo: tuple[bytes, bytes] | None = None
        if name:
            key = name.lower().encode("latin-1")
            echo = next(((key, v) for k, v in scope.get("headers", ()) if k.lower() == key),
                        None)
        status, size = 500, 0

        def sending(message: Message) -> Awaitable[None]:
            # not a coroutine itself: it hands back `send`'s awaitable (one frame less)
            nonlocal status, size
            kind = message["type"]
            if kind == "http.response.body":
                size += len(message.get("body", b""))
            elif kind == "http.response.start":
                status = message["status"]
                if echo is not None:
                    message = {**message, "headers": [*message.get("headers", ()), echo]}
            return send(message)

        try:
            await app(scope, receive, sending)
        finally:
            metrics.observe(status, time.perf_counter() - started)
            level = status_level(status)
            if access.isEnabledFor(level):
                access.log(level, "%s", access_line(scope, status, size, time.time()))
    return entry
