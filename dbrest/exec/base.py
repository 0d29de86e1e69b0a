"""The execution stage's contract: a `Backend` runs compiled reads in one transaction.

A small protocol that hides `databases`/the drivers from the pipeline: start and stop
the pool, introspect the schema cache, run a compiled read, answer a health check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dbrest.render.compile import CompiledRead, CompiledWrite
from dbrest.render.dialect import Dialect
from dbrest.schema import SchemaCache


@dataclass(frozen=True, slots=True)
class ReadResult:
    total: int | None
    page_total: int
    body: str  # the JSON array text the database built
    inserted: int | None = None  # upserts: how many rows were new (201 vs 200)


class Backend(Protocol):
    dialect: Dialect

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def introspect(self, schemas: Sequence[str]) -> SchemaCache: ...

    async def run_read(self, compiled: CompiledRead, args: list[Any],
                       count_args: list[Any] | None) -> ReadResult: ...

    async def run_write(self, compiled: CompiledWrite, values: Sequence[object],
                        check: Callable[[ReadResult], None], rollback: bool) -> ReadResult:
        """Run a write in one transaction. `check` may raise to refuse the result (the
        transaction rolls back); `rollback` ends a successful one with a rollback too."""
        ...

    async def ping(self) -> bool: ...
