"""Lowering writes: a `MutationPlan` → the statements that run it in one transaction.

The write is SQLAlchemy Core (`insert().from_select`, `update`, `delete`, the dialect's
`on_conflict_do_update`/`_do_nothing`, `returning`) over one element for the body's
rows (`BodyRows`). Where the database takes data-modifying CTEs (PostgreSQL) it is one
statement: `WITH pgrst_source AS (INSERT … RETURNING …) SELECT <the read of
pgrst_source>`. Where it does not (SQLite), the write runs on its own with RETURNING,
its rows are copied into a temp table named for the written table, and the same read
renderer aggregates from that: `staging` gives those statements.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dbrest.plan.types import Mutation, MutationPlan, TypeRef, WriteColumn
from dbrest.render.dialect import Dialect
from dbrest.render.elements import (
    BodyRows,
    DefaultRows,
    InsertedFlag,
    ReturnedRow,
    WithMutation,
)
from dbrest.render.lower import Lowerer, aggregate, q

INSERTED = "_dbrest_inserted"  # the RETURNING column flagging an upsert's new rows
_TEXT = TypeRef("text", "text")


def lower_write(plan: MutationPlan, dialect: Dialect) -> tuple[Any, Any | None]:
    """(main statement, separate mutation statement or None when it is inside main)."""
    lowerer = Lowerer(dialect, plan)
    mutation = _dml(lowerer, plan.mutation)
    read = aggregate(lowerer, plan.read, plan.strip_nulls)
    source = dialect.mutated_source(plan.mutation.table)
    if plan.mutation.counts_inserted:
        inserted: Any = sa.null()  # the staged form counts before the write (lower_existing)
        if dialect.caps.dml_in_cte:
            inserted = sa.select(sa.func.count()).select_from(sa.table(q(source))).where(
                sa.column(INSERTED)).scalar_subquery()
        read = read.add_columns(inserted.label("inserted"))
    if dialect.caps.dml_in_cte:
        return WithMutation(source, mutation, read), None
    return read, mutation


def _dml(lowerer: Lowerer, m: Mutation) -> Any:
    dialect = lowerer.dialect
    if m.kind == "insert":
        return _insert(dialect, m)
    written = [c.name for c in m.columns]
    target = lowerer.tables.add(m.schema, m.table, m.alias, written)
    returned = ReturnedRow(m.alias)
    if m.kind == "noop":
        return sa.select(returned).select_from(target).where(sa.false())
    stmt: Any = sa.delete(target) if m.kind == "delete" else sa.update(target).values(
        {target.c[name]: col for name, col in _body(dialect, m, first=True).c.items()})
    if m.where:
        stmt = stmt.where(*(lowerer.cond(c) for c in m.where))
    return stmt.returning(returned)


def _table(dialect: Dialect, m: Mutation, columns: list[str]) -> Any:
    schema = q(m.schema) if dialect.caps.schemas else None
    return sa.table(q(m.table), *(sa.column(q(c)) for c in columns), schema=schema)


def _body(dialect: Dialect, m: Mutation, first: bool = False,
          columns: tuple[WriteColumn, ...] | None = None) -> BodyRows:
    assert m.body is not None
    return BodyRows(sa.bindparam(f"p{m.body.index}"), m.columns if columns is None else columns,
                    _table(dialect, m, []), first)


def _insert(dialect: Dialect, m: Mutation) -> Any:
    names = [c.name for c in m.columns]
    table = _table(dialect, m, names)
    stmt = dialect.insert(table)
    if names:
        body = _body(dialect, m)
        rows = sa.select(*body.c).select_from(body)
        if m.resolution:  # SQLite would read ON CONFLICT as the SELECT's join constraint
            rows = rows.where(sa.true())  # (sqlite.org/lang_upsert.html, parsing ambiguity)
        stmt = stmt.from_select([table.c[n] for n in names], rows)
    returning: list[Any] = [ReturnedRow(m.table)]
    if m.counts_inserted and dialect.caps.dml_in_cte:
        returning.append(InsertedFlag(m.table).label(INSERTED))
    plain = stmt
    if m.resolution:
        target: list[Any] = [sa.column(q(c)) for c in m.on_conflict]
        if m.resolution == "ignore" or not names:
            stmt = stmt.on_conflict_do_nothing(index_elements=target)
        else:
            stmt = stmt.on_conflict_do_update(
                index_elements=target, set_={table.c[n]: stmt.excluded[n] for n in names})
    if not names:  # `{}` rows: every column takes its default
        assert m.body is not None
        return DefaultRows(stmt.returning(*returning), plain.returning(*returning),
                           sa.bindparam(f"p{m.body.index}"))
    return stmt.returning(*returning)


def lower_existing(plan: MutationPlan, dialect: Dialect) -> Any:
    """For dialects without DML in CTEs: count the upsert's rows that exist already
    (on its conflict target), before the write; the rows it returns minus these were
    inserted."""
    m = plan.mutation
    kinds = {c.name: c.type for c in m.columns}
    keys = tuple(WriteColumn(c, kinds[c]) if c in kinds else WriteColumn(c, _TEXT)
                 for c in m.on_conflict)
    table = _table(dialect, m, list(m.on_conflict))
    body = _body(dialect, m, columns=keys)
    return sa.select(sa.func.count()).select_from(table).where(
        sa.tuple_(*(table.c[c] for c in m.on_conflict)).in_(
            sa.select(*body.c).select_from(body)))


def staging(dialect: Dialect, table: str) -> tuple[tuple[str, ...], str]:
    """(set-up statements, INSERT prefix) that stage a write's returned rows in its temp
    table (SQLite: `main` is the database's own schema, `temp` the connection's)."""
    qt = dialect.sa_dialect.identifier_preparer.quote_identifier
    temp, source = qt(dialect.mutated_source(table)), qt(table)
    return ((f"CREATE TEMP TABLE IF NOT EXISTS {temp} AS SELECT * FROM main.{source} WHERE 0",
             f"DELETE FROM temp.{temp}"), f"INSERT INTO temp.{temp} VALUES ")
