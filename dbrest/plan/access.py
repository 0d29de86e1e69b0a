"""What a plan touches: (table, action) pairs, for backends that authorize themselves.

A call touches (function, "execute"); the rows it returns are its own (as a SECURITY
DEFINER function's), but the tables `select=` embeds need `select` as in any read.

PostgreSQL checks privileges itself; SQLite has no roles, so its backend checks these
pairs against the configured grants before running anything.
"""

from __future__ import annotations

from functools import lru_cache

from dbrest.plan.types import CallPlan, JoinTable, MutationPlan, QueryPlan, ReadPlan, walk

Access = frozenset[tuple[str, str]]


@lru_cache(maxsize=1024)
def accessed(plan: QueryPlan | MutationPlan | CallPlan) -> Access:
    """Cached by plan: plans are values, and the same shape touches the same tables."""
    if isinstance(plan, CallPlan):  # issue 10
        reads = accessed(QueryPlan(plan.read)) if plan.read is not None else frozenset()
        return reads | {(plan.function, "execute")}
    found = {(node.table, "select") for node in walk(plan)
             if isinstance(node, JoinTable) or (isinstance(node, ReadPlan) and not node.mutated)}
    if isinstance(plan, MutationPlan):
        m = plan.mutation
        action = {"insert": "insert", "update": "update", "delete": "delete"}.get(m.kind)
        if action is not None:
            found.add((m.table, action))
        if plan.mutation.resolution == "merge":
            found.add((m.table, "update"))
        # As PostgreSQL refuses an UPDATE/DELETE whose WHERE reads what the role cannot
        # select: filtering, counting or returning rows reads them (else a role with
        # only `update` could probe the table with filters and `count=exact`)
        if plan.read.select or m.where or plan.count is not None:
            found.add((m.table, "select"))
    return frozenset(found)
