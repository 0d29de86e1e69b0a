"""Lowering writes: a `MutationPlan` → the statements that run it in one transaction.

Where the database takes data-modifying CTEs (PostgreSQL) a write is one statement:
`WITH pgrst_source AS (INSERT … RETURNING …) SELECT <the read of pgrst_source>`. Where it
does not (SQLite), the write runs with `RETURNING *`, its rows are copied into a temp
table named for the written table, and the same read renderer aggregates from that;
`CompiledWrite.stage`/`copy` carry those steps.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dbrest.plan.types import MutationPlan
from dbrest.render.dialect import Dialect
from dbrest.render.elements import ExistingCount, InsertedCount, MutationSql, WithMutation
from dbrest.render.lower import Lowerer, aggregate


def mutation_element(lowerer: Lowerer, plan: MutationPlan) -> MutationSql:
    m = plan.mutation
    where = None
    if m.where:
        lowerer.tables.add(m.schema, m.table, m.alias)
        where = sa.and_(*(lowerer.cond(c) for c in m.where))
    body: Any = sa.bindparam(f"p{m.body.index}") if m.body is not None else None
    return MutationSql(m, body, where)


def lower_write(plan: MutationPlan, dialect: Dialect) -> tuple[Any, Any | None]:
    """(main statement, separate mutation statement or None when it is inside main)."""
    lowerer = Lowerer(dialect, plan)
    mutation = mutation_element(lowerer, plan)
    read = aggregate(lowerer, plan.read, plan.strip_nulls)
    if plan.mutation.counts_inserted:
        read = read.add_columns(InsertedCount().label("inserted"))
    if dialect.caps.dml_in_cte:
        return WithMutation(mutation, read), None
    return read, mutation


def lower_existing(plan: MutationPlan) -> ExistingCount:
    """For dialects without DML in CTEs: count the upsert's rows that exist already."""
    m = plan.mutation
    assert m.body is not None
    return ExistingCount(m, sa.bindparam(f"p{m.body.index}"))
