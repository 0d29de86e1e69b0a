"""What planning one request shares: the options it is planned under and its context.

Read, write and RPC planning all build one `Context`; the node planner (plan/nodes.py)
draws aliases and records request values and embed paths in it as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dbrest.parse import ast
from dbrest.plan.fields import Values
from dbrest.schema import SchemaCache


@dataclass(frozen=True, slots=True)
class PlanOptions:
    max_rows: int | None = None
    aggregates: bool = False  # db_aggregates_enabled
    plan: bool = False  # db_plan_enabled: `Accept: application/vnd.pgrst.plan` (plan/explain.py)


DEFAULT_OPTIONS = PlanOptions()


@dataclass(slots=True)
class Context:
    """What planning one request shares across the tree (mutable: it accumulates)."""

    api: ast.ApiRequest
    cache: SchemaCache
    options: PlanOptions
    values: Values = field(default_factory=Values)
    aliases: int = 0
    paths: set[ast.EmbedPath] = field(default_factory=lambda: {()})

    def next_alias(self) -> str:
        self.aliases += 1
        return f"t{self.aliases}"
