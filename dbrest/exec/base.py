"""The execution stage's contract: a `Backend` runs compiled reads in one transaction.

A small protocol that hides `databases`/the drivers from the pipeline: start and stop
the pool, introspect the schema cache, run a compiled read, answer a health check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dbrest.plan.types import MutationPlan, QueryPlan
from dbrest.render.compile import CompiledRead, CompiledWrite
from dbrest.render.dialect import Dialect
from dbrest.schema import SchemaCache


@dataclass(frozen=True, slots=True)
class ReadResult:
    total: int | None
    page_total: int
    body: str  # the JSON array text the database built
    inserted: int | None = None  # upserts: how many rows were new (201 vs 200)
    response_headers: str | None = None  # `response.headers` as SQL left it
    response_status: str | None = None  # `response.status` as SQL left it


class Rollback(Exception):
    """Raised inside a transaction to discard it while keeping its result."""

    def __init__(self, result: ReadResult) -> None:
        super().__init__("rollback")
        self.result = result


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who asks and the request as SQL sees it: the settings PostgREST makes available
    (`request.jwt.claims`, `request.headers`, … read with `current_setting`)."""

    role: str | None = None
    authenticated: bool = False
    settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Accessible:
    """What the request's role may use in one schema (the OpenAPI document's
    `follow-privileges`), as PostgREST's `accessibleTables`/`accessibleFuncs` find it."""

    tables: frozenset[str] | None  # None: every table and view
    routines: frozenset[str] | None  # None: every function
    description: str | None = None  # the schema's `COMMENT` (the document's title)


class Backend(Protocol):
    dialect: Dialect

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def introspect(self, schemas: Sequence[str]) -> SchemaCache: ...

    def authorize(self, ctx: RequestContext, plan: QueryPlan | MutationPlan) -> None:
        """Refuse (42501) what the role may not do, where the database cannot tell."""
        ...

    async def run_read(self, compiled: CompiledRead, values: Sequence[object],
                       ctx: RequestContext) -> ReadResult: ...

    async def run_write(self, compiled: CompiledWrite, values: Sequence[object],
                        ctx: RequestContext, check: Callable[[ReadResult], None],
                        rollback: bool) -> ReadResult:
        """Run a write in one transaction. `check` may raise to refuse the result (the
        transaction rolls back); `rollback` ends a successful one with a rollback too."""
        ...

    async def db_settings(self, keys: Sequence[str]) -> dict[str, str]:
        """The in-database configuration (`db_config`): `{key: value}` for these keys."""
        ...

    async def run_call(self, compiled: CompiledRead, values: Sequence[object],
                       ctx: RequestContext, check: Callable[[ReadResult], None],
                       rollback: bool, readonly: bool) -> ReadResult:
        """Run an RPC call (`readonly`: in a READ ONLY transaction); see `run_write`."""
        ...

    async def accessible(self, ctx: RequestContext, schema: str) -> Accessible:
        """The relations and functions of `schema` the request's role may use."""
        ...

    async def ping(self) -> bool: ...
