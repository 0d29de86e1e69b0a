"""Which requests a read replica may answer (`db_uri_replicas`), and read-your-writes.

A replica may answer GET and HEAD requests that cannot write: reads, and calls of
STABLE or IMMUTABLE functions (a VOLATILE one called by GET stays on the primary, where
it fails with 25006 as in PostgREST). Replication is asynchronous, so a client that has
just written may not see its write on a replica; it gets read-your-writes with
`Prefer: read=primary` (dbrest's own preference, echoed in `Preference-Applied`), or,
with `db_replica_lag_sticky_seconds` > 0, for that many seconds after each of its writes.
A client is its `Authorization` header (the same token); anonymous clients are one client.
"""

from __future__ import annotations

import time

from dbrest.http import HttpRequest
from dbrest.plan.request import Planned

_MAX_CLIENTS = 10_000  # sticky entries kept; beyond it the expired ones are dropped


def prefers_primary(req: HttpRequest) -> bool:
    """`Prefer: read=primary` in any `Prefer` header (a comma list)."""
    return any(item.strip().replace(" ", "") == "read=primary"
               for value in req.header_all("prefer") for item in value.split(","))


class ReplicaRouting:
    def __init__(self, sticky_seconds: float = 0.0) -> None:
        self.sticky_seconds = sticky_seconds
        self._until: dict[str, float] = {}  # client → until when it reads the primary

    def replica_ok(self, req: HttpRequest, planned: Planned) -> bool:
        if req.method not in ("GET", "HEAD") or not planned.readonly:
            return False
        if planned.call is not None and planned.call.volatile:
            return False
        if prefers_primary(req):
            return False
        if self._until:
            until = self._until.get(req.header("authorization") or "")
            if until is not None and time.monotonic() < until:
                return False
        return True

    def wrote(self, req: HttpRequest, planned: Planned) -> None:
        """After a committed write: the client reads the primary for a while."""
        if self.sticky_seconds <= 0 or planned.readonly or planned.rollback:
            return
        now = time.monotonic()
        if len(self._until) >= _MAX_CLIENTS:
            self._until = {k: t for k, t in self._until.items() if t > now}
        self._until[req.header("authorization") or ""] = now + self.sticky_seconds
