"""What a plan touches: (table, action) pairs, for backends that authorize themselves.

PostgreSQL checks privileges itself; SQLite has no roles, so its backend checks these
pairs against the configured grants before running anything.
"""

from __future__ import annotations

from dbrest.plan.types import JoinTable, MutationPlan, QueryPlan, ReadPlan

Access = frozenset[tuple[str, str]]


def _reads(node: object, found: set[tuple[str, str]]) -> None:
    if isinstance(node, ReadPlan):
        if not node.mutated:
            found.add((node.table, "select"))
    elif isinstance(node, JoinTable):
        found.add((node.table, "select"))
    if isinstance(node, tuple):
        for item in node:
            _reads(item, found)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:  # type: ignore[attr-defined]
            _reads(getattr(node, name), found)


def accessed(plan: QueryPlan | MutationPlan) -> Access:
    found: set[tuple[str, str]] = set()
    _reads(plan, found)
    if isinstance(plan, MutationPlan):
        m = plan.mutation
        action = {"insert": "insert", "update": "update", "delete": "delete"}.get(m.kind)
        if action is not None:
            found.add((m.table, action))
        if plan.mutation.resolution == "merge":
            found.add((m.table, "update"))
        if plan.read.select:  # returning rows needs the right to read them
            found.add((m.table, "select"))
    return frozenset(found)
