"""The execution stage's contract: a `Backend` runs compiled SQL in one transaction.

One-way: exec receives compiled SQL, the bind values, the request's transaction
settings and what to enforce on the result (`Tx`, plain data), and returns the row the
statement built. It knows nothing of plans, configuration or responses. What both
backends share lives here: the health
check, reading the standard result row, and the in-transaction checks.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dbrest.context import RequestContext, TxSettings
from dbrest.errors import MaxAffectedViolation, SingularityError
from dbrest.render.compile import CompiledRead, CompiledStream, CompiledWrite
from dbrest.render.dialect import Dialect
from dbrest.render.explain import CompiledExplain
from dbrest.schema import SchemaCache
from dbrest.sqlite_functions import SqlFunction

__all__ = ["Backend", "BackendSettings", "PooledBackend", "ReadResult", "RequestContext",
           "Rollback", "Tx", "TxSettings", "enforce"]



@dataclass(frozen=True, slots=True)
class BackendSettings:
    """What a backend is made from (plain values; the configuration stays upstream)."""

    kind: str  # "postgres" or "sqlite"
    target: str  # the PostgreSQL URI, or the SQLite path / `file:` URI
    pool_size: int = 10
    acquire_timeout: float = 10.0
    pre_request: str | None = None  # PostgreSQL: a function called first in every transaction
    app_settings: tuple[tuple[str, str], ...] = ()  # `app.settings.*`
    seed: str | None = None  # SQLite: a script run once at start (the demo database)
    functions: tuple[SqlFunction, ...] = ()  # SQLite: `sqlite_functions`, parsed (issue 10)
    statement_timeout: float | None = None  # seconds (`db_statement_timeout`)
    replicas: tuple[str, ...] = ()  # PostgreSQL: read replicas' URIs (`db_uri_replicas`)


@dataclass(frozen=True, slots=True)
class ReadResult:
    total: int | None
    page_total: int
    body: str  # the JSON array text the database built
    inserted: int | None = None  # upserts: how many rows were new (201 vs 200)
    response_headers: str | None = None  # `response.headers` as SQL left it
    response_status: str | None = None  # `response.status` as SQL left it

    @classmethod
    def of(cls, row: Sequence[Any], inserted: int | None = None) -> ReadResult:
        """From the standard row every statement returns: (total, page_total, body,
        response_headers, response_status[, inserted]); `inserted` counted apart wins."""
        if inserted is None and len(row) > 5:
            inserted = row[5]
        return cls(row[0], row[1], row[2], inserted, row[3], row[4])


@dataclass(frozen=True, slots=True)
class Tx:
    """How to run one request's statement: read-only or not, whether to end with a
    rollback, and what the result must satisfy (else it rolls back with the error)."""

    readonly: bool = True
    rollback: bool = False
    singular: bool = False  # exactly one row (`vnd.pgrst.object`)
    max_affected: int | None = None  # `Prefer: max-affected=n, handling=strict`
    replica_ok: bool = False  # a read a read replica may answer (dbrest/routing.py)


READ = Tx()


def enforce(tx: Tx, result: ReadResult) -> None:
    """PostgREST's `failNotSingular` and `failExceedsMaxAffectedPreference`: raised
    inside the transaction, so whatever it wrote is undone."""
    if tx.singular and result.page_total != 1:
        raise SingularityError(result.page_total)
    if tx.max_affected is not None and result.page_total > tx.max_affected:
        raise MaxAffectedViolation(result.page_total)


class Rollback(Exception):
    """Raised inside a transaction to discard it while keeping its result."""

    def __init__(self, result: ReadResult) -> None:
        super().__init__("rollback")
        self.result = result


class PooledBackend:
    """What both backends do the same way on top of their own `_probe`."""

    async def _probe(self) -> None:
        raise NotImplementedError

    async def connection_limit(self) -> int | None:
        """How many connections the server accepts from ordinary roles (None: no limit,
        or not known)."""
        return None

    async def ping(self) -> bool:
        try:
            await self._probe()
            return True
        except Exception:  # noqa: BLE001 - a health check answers, it never raises
            return False


@dataclass(frozen=True, slots=True)
class Accessible:
    """What the request's role may use in one schema (the OpenAPI document's
    `follow-privileges`), as PostgREST's `accessibleTables`/`accessibleFuncs` find it."""

    tables: frozenset[str] | None  # None: every table and view
    routines: frozenset[str] | None  # None: every function
    description: str | None = None  # the schema's `COMMENT` (the document's title)


class Backend(Protocol):
    dialect: Dialect
    # whether the database checks the role's privileges itself; if not, the pipeline
    # checks the configured grants before running anything
    enforces_roles: bool

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def introspect(self, schemas: Sequence[str]) -> SchemaCache: ...

    async def run(self, compiled: CompiledRead | CompiledWrite | CompiledExplain,
                  values: Sequence[object], ctx: TxSettings, tx: Tx = READ) -> ReadResult:
        """Run one request's statement(s) in one transaction; `tx` says how (see `Tx`).
        A `CompiledExplain`'s rows are returned as the body text (the plan)."""
        ...

    def stream(self, compiled: CompiledStream, values: Sequence[object],
               ctx: TxSettings) -> AsyncGenerator[object, None]:
        """A large read in one read-only transaction: first (response_headers,
        response_status), then lists of each row's JSON text. The transaction ends with
        the iterator (exhausted or closed)."""
        ...

    async def db_settings(self, keys: Sequence[str]) -> dict[str, str]:
        """The in-database configuration (`db_config`): `{key: value}` for these keys."""
        ...

    async def accessible(self, ctx: RequestContext, schema: str) -> Accessible:
        """The relations and functions of `schema` the request's role may use."""
        ...

    async def ping(self) -> bool: ...

    async def connection_limit(self) -> int | None:
        """Connections the server accepts from ordinary roles; None: no such limit."""
        ...

    async def watch(self, channel: str | None, event: Callable[[str, str], None]) -> None:
        """Until cancelled: report schema-change notifications ("notify", payload) and
        the database's loss ("lost", why) and return ("restored", "")."""
        ...

    def pool_stats(self) -> tuple[int, int, int]:
        """(most connections, idle ones, waiting acquirers)."""
        ...
