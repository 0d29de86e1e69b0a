"""Which reads are streamed: a page that may be large, answered row by row.

A read whose page is unbounded (no limit and no `db_max_rows`) or bounded above
`STREAM_ABOVE` rows may be large. It first runs as usual (one statement, the database
builds the body) with its page capped at `STREAM_ABOVE + 1` rows (`capped`): a page
within `STREAM_ABOVE` rows is then the whole answer, byte for byte what it was without
streaming. Only a larger one is run again as a cursor and sent as a chunked body, so
memory stays bounded whatever the table's size. Not streamed: a count (its total belongs
in `Content-Range`, sent before the body), the single-object form (it must know there
is exactly one row), EXPLAIN, HEAD and writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dbrest.plan.request import Planned
from dbrest.plan.types import Param, QueryPlan

STREAM_ABOVE = 10_000  # rows: a page allowed to be larger than this is streamed


def streamable(planned: Planned, values: Sequence[object], method: str,
               above: int = STREAM_ABOVE) -> bool:
    if planned.kind != "read" or planned.explain is not None or method != "GET":
        return False
    request = planned.request
    if request is None or not isinstance(request.plan, QueryPlan):
        return False
    plan = request.plan
    if plan.count is not None or plan.output not in ("json", "csv"):
        return False
    limit = plan.read.limit
    if limit is None:
        return True
    value = values[limit.index]  # an int (plan/nodes.py `add_range`)
    return isinstance(value, int) and value > above


def capped(plan: QueryPlan, values: tuple[object, ...],
           above: int = STREAM_ABOVE) -> tuple[QueryPlan, tuple[object, ...]]:
    """`plan` and `values` with the page limited to `above + 1` rows: whether it holds
    more than `above` tells a large page from a small one, which this answers whole."""
    return capped_plan(plan, len(values)), capped_values(plan, values, above)


def capped_plan(plan: QueryPlan, n_values: int) -> QueryPlan:
    """The plan of `capped` (one per request shape: render it once). `n_values`: how
    many values the request binds."""
    if plan.read.limit is not None:
        return plan
    # a limit of its own, bound after the request's values
    return replace(plan, read=replace(plan.read, limit=Param(n_values, "int")))


def capped_values(plan: QueryPlan, values: tuple[object, ...],
                  above: int = STREAM_ABOVE) -> tuple[object, ...]:
    """The values of `capped`, per request."""
    limit = plan.read.limit
    if limit is None:
        return (*values, above + 1)
    return (*values[:limit.index], above + 1, *values[limit.index + 1:])
