"""Logging as PostgREST's `log-level` sets it, and the access log.

`crit`, `error`, `warn`, `info`, `debug` map onto Python's levels for the `dbrest`
logger. Each request is one access-log line on `dbrest.access` (Apache's combined
format, as PostgREST's), logged at a level that follows its status: 5xx at `error`,
4xx at `warn`, the rest at `info` — so `log-level = "error"` (the default) shows only
server errors, `warn` client errors too, `info` every request. An event (an error, an
outage) is one line, never a traceback; only a bug (an unexpected exception) logs one.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from typing import Any

LEVELS = {"crit": logging.CRITICAL, "error": logging.ERROR, "warn": logging.WARNING,
          "info": logging.INFO, "debug": logging.DEBUG}

log = logging.getLogger("dbrest")
access = logging.getLogger("dbrest.access")
access.addHandler(logging.NullHandler())  # no "last resort" stderr lines when unconfigured

_MARK = "_dbrest_handler"


def setup_logging(level: str) -> None:
    """One stderr handler on the `dbrest` logger (idempotent); `level` may change later
    (a configuration reload)."""
    if not any(getattr(h, _MARK, False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_Formatter())
        setattr(handler, _MARK, True)
        log.addHandler(handler)
        log.propagate = False
    set_level(level)


def set_level(level: str) -> None:
    log.setLevel(LEVELS[level])


class _Formatter(logging.Formatter):
    """Access lines as they are; everything else with a timestamp and its level."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == access.name:
            return record.getMessage()
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(record.created))
        line = f"{stamp}: {record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info:  # only for bugs: see the module's docstring
            line += "\n" + self.formatException(record.exc_info)
        return line


def status_level(status: int) -> int:
    return logging.ERROR if status >= 500 else logging.WARNING if status >= 400 \
        else logging.INFO


def access_line(scope: dict[str, Any], status: int, size: int, now: float) -> str:
    """Apache's combined log format: host - - [time] "request" status size "referer" "agent"."""
    client = scope.get("client")
    host = client[0] if isinstance(client, Sequence) and client else "-"
    headers = dict(scope.get("headers", ()))
    query = bytes(scope.get("query_string") or b"")
    target = str(scope.get("path", "")) + ("?" + query.decode("latin-1") if query else "")
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(now))
    referer = headers.get(b"referer", b"").decode("latin-1")
    agent = headers.get(b"user-agent", b"").decode("latin-1")
    return (f'{host} - - [{stamp}] "{scope.get("method")} {target} '
            f'HTTP/{scope.get("http_version", "1.1")}" {status} {size or "-"} '
            f'"{referer}" "{agent}"')
