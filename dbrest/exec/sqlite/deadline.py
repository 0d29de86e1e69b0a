"""`db_statement_timeout` and cancellation on SQLite: a progress handler per connection.

SQLite has no statement timeout; its progress handler, called every few thousand
virtual-machine steps, stops the statement when it returns non-zero. The deadline also
stops a statement whose request was cancelled (the client disconnected): the driver's
thread would otherwise run it to the end for nobody.
"""

from __future__ import annotations

import math
import time

from dbrest.errors import DatabaseError

STEPS = 10_000  # VM instructions between checks: a primary-key read never reaches one


class Deadline:
    __slots__ = ("at", "hit")

    def __init__(self) -> None:
        self.at = math.inf
        self.hit = False

    def start(self, seconds: float | None) -> None:
        self.at = math.inf if seconds is None else time.monotonic() + seconds
        self.hit = False

    def cancel(self) -> None:
        self.at = -math.inf

    def __call__(self) -> int:
        if time.monotonic() > self.at:
            self.hit = True
            return 1
        return 0


def timeout_error() -> DatabaseError:
    """PostgreSQL's words and SQLSTATE for a statement that ran out of time."""
    return DatabaseError("57014", 500, "canceling statement due to statement timeout")
