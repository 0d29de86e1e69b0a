"""Lowering: a `QueryPlan` → a SQLAlchemy Core statement (the dialect IR).

Shared by both dialects; what differs is left to the custom elements of elements.py
and to capability checks. Every identifier goes through SQLAlchemy's quoting (forced
with `quoted_name(..., True)`), every request value is a `bindparam` named `p<index>`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import quoted_name
from sqlalchemy.sql.elements import ColumnElement

from dbrest.errors import NotImplementedOnBackend
from dbrest.plan.types import (
    AggExpr,
    BoolOp,
    CastExpr,
    ColumnEq,
    ColumnExpr,
    Compare,
    ComputedExpr,
    Cond,
    Embed,
    Exists,
    Expr,
    FullText,
    InList,
    IsCheck,
    JsonPathExpr,
    Not,
    OrderOut,
    Param,
    QueryPlan,
    RangeOp,
    ReadPlan,
    Scalar,
    walk,
)
from dbrest.render.computed import function_source, row_call
from dbrest.render.dialect import Dialect
from dbrest.render.domains import DomainCall, DomainQuantified
from dbrest.render.elements import (
    COMPARISONS,
    Coerce,
    FullTextMatch,
    IsTest,
    JsonBody,
    JsonScalar,
    JsonStep,
    Like,
    PgOperator,
    Quantified,
    RegexMatch,
    Temporal,
    TypeCast,
)
from dbrest.render.search import IndexedMatch, JsonArrayOp

SOURCE = "_dbrest_t"


def q(name: str) -> quoted_name:
    return quoted_name(name, True)


def bind(param: Param) -> ColumnElement[Any]:
    return sa.bindparam(f"p{param.index}")


def referenced_columns(plan: object) -> dict[str, dict[str, None]]:
    """Per table alias, every column the plan refers to (in first-use order)."""
    found: dict[str, dict[str, None]] = {}
    for node in walk(plan):
        if isinstance(node, ColumnExpr):
            found.setdefault(node.table_alias, {})[node.column] = None
    return found


class Tables:
    """The aliased table clauses of one statement, declared with the columns it uses."""

    def __init__(self, columns: dict[str, dict[str, None]], qualify: bool) -> None:
        self._columns = columns
        self.qualify = qualify
        self._by_alias: dict[str, Any] = {}

    def add(self, schema: str | None, table: str, alias: str,
            extra: list[str] | None = None) -> Any:
        """Declare a table; `extra` columns are used outside the plan's expressions
        (the columns a write sets)."""
        names = {**self._columns.get(alias, {}), **dict.fromkeys(extra or ())}
        clause = sa.table(q(table), *(sa.column(q(n)) for n in names),
                          schema=q(schema) if self.qualify and schema else None)
        self._by_alias[alias] = clause.alias(alias)
        return self._by_alias[alias]

    def add_function(self, source: tuple[str, str, str], alias: str) -> Any:
        """A computed relationship's rows, declared with the columns the plan uses."""
        schema, function, row_alias = source
        self._by_alias[alias] = function_source(schema, function, row_alias,
                                                list(self._columns.get(alias, {})), alias)
        return self._by_alias[alias]

    def column(self, alias: str, name: str) -> ColumnElement[Any]:
        return self._by_alias[alias].c[name]  # type: ignore[no-any-return]

    def get(self, alias: str) -> Any:
        return self._by_alias[alias]


class Lowerer:
    def __init__(self, dialect: Dialect, plan: object) -> None:
        self.dialect = dialect
        self.tables = Tables(referenced_columns(plan), dialect.caps.schemas)

    # -- expressions --------------------------------------------------------------------------
    def expr(self, e: Expr) -> ColumnElement[Any]:
        match e:
            case ColumnExpr(table_alias=alias, column=column):
                return self.tables.column(alias, column)
            case ComputedExpr(table_alias=alias, schema=schema, function=function):
                return row_call(schema, function, alias)
            case JsonPathExpr(base=base, steps=steps, to_json=to_json):
                out = self.expr(base)
                if to_json:  # only PostgreSQL has composite columns
                    out = sa.func.to_jsonb(out)
                for arrow, param in steps:
                    out = JsonStep(out, arrow, bind(param), param.conv == "json_index")
                return out
            case CastExpr(expr=inner, type_name=type_name, type=ref):
                return TypeCast(self.expr(inner), type_name, ref.kind, inner.type.kind)
            case Embed(read=read, mode=mode):
                source = self.read(read, nested=True).subquery(f"{SOURCE}_{read.alias}")
                keys = tuple((s.key, s.expr.type.kind) for s in read.select)
                return sa.select(JsonBody(source, keys, False, mode)).select_from(
                    source).scalar_subquery()
            case Scalar(read=read):
                return self.read(read, nested=True).scalar_subquery()
            case AggExpr(func=func, expr=None):
                return sa.func.count()  # count(*)
            case AggExpr(func=func, expr=inner) if inner is not None:
                call: ColumnElement[Any] = getattr(sa.func, func)(self.expr(inner))
                return call  # func: a fixed name (avg, max, min, sum)
        raise AssertionError(e)

    def output(self, e: Expr) -> ColumnElement[Any]:
        """A selected expression: a domain column through its domain → json function."""
        if isinstance(e, ColumnExpr) and e.domain is not None and e.domain.to_json:
            return DomainCall(e.domain.to_json, self.expr(e), None)
        return self.expr(e)

    def value(self, param: Param, lhs: Expr) -> ColumnElement[Any]:
        if isinstance(lhs, ColumnExpr) and lhs.domain is not None and lhs.domain.from_text:
            return DomainCall(lhs.domain.from_text, bind(param), "TEXT")
        return Coerce(bind(param), lhs.type.native_type, lhs.type.kind)

    def quantified(self, lhs: Expr, op: str, rhs: Param, quant: str) -> ColumnElement[Any]:
        if (isinstance(lhs, ColumnExpr) and lhs.domain is not None and lhs.domain.from_text
                and op in COMPARISONS):
            return DomainQuantified(self.expr(lhs), op,
                                    DomainCall(lhs.domain.from_text, bind(rhs), None, True),
                                    quant)
        return Quantified(self.expr(lhs), op, bind(rhs), quant, lhs.type.native_type,
                          lhs.type.kind)

    # -- conditions ---------------------------------------------------------------------------
    def cond(self, c: Cond) -> ColumnElement[Any]:
        match c:
            case Compare(lhs=lhs, op=op, rhs=rhs, quantifier=None):
                return self.compare(lhs, op, rhs)
            case Compare(lhs=lhs, op=op, rhs=rhs, quantifier=str() as quant):
                return self.quantified(lhs, op, rhs, quant)
            case InList(lhs=lhs, rhs=rhs):
                return self.quantified(lhs, "eq", rhs, "any")
            case IsCheck(lhs=lhs, value=value):
                return IsTest(self.expr(lhs), value)
            case RangeOp(lhs=lhs, op=op, rhs=rhs):
                if self.dialect.caps.range_operators:
                    return PgOperator(self.expr(lhs), op, self.value(rhs, lhs))
                return self.json_array_op(lhs, op, rhs)
            case FullText(lhs=lhs, op=op, rhs=rhs, language=language, index=index):
                if self.dialect.caps.full_text_search:
                    return FullTextMatch(self.expr(lhs), op, bind(rhs),
                                         bind(language) if language else None,
                                         lhs.type.native_type == "tsvector")
                return self.indexed_match(lhs, op, rhs, index)
            case ColumnEq(left=left, right=right):
                return self.expr(left) == self.expr(right)
            case Exists(read=read):
                return self.read(read, nested=True).exists()
            case Not(cond=inner):
                return sa.not_(self.cond(inner))
            case BoolOp(op="and", conds=conds):
                return sa.and_(*(self.cond(x) for x in conds))
            case BoolOp(op="or", conds=conds):
                return sa.or_(*(self.cond(x) for x in conds))
        raise AssertionError(c)

    def json_array_op(self, lhs: Expr, op: str, rhs: Param) -> ColumnElement[Any]:
        """cs/cd/ov where arrays are JSON: on a column declared JSON or as an array."""
        arrayish = lhs.type.kind == "json" or lhs.type.native_type.endswith("[]")
        if op in ("cs", "cd", "ov") and self.dialect.caps.json_array_operators and arrayish:
            return JsonArrayOp(self.expr(lhs), op, bind(rhs))
        raise NotImplementedOnBackend(
            f"the '{op}' operator is not available on {self.dialect.name}"
            + (f" for column '{lhs.column}'" if isinstance(lhs, ColumnExpr)
               and op in ("cs", "cd", "ov") else ""))

    def indexed_match(self, lhs: Expr, op: str, rhs: Param,
                      index: tuple[str, str] | None) -> ColumnElement[Any]:
        """fts where only indexed columns are searchable (SQLite's FTS5 tables)."""
        if not self.dialect.caps.indexed_full_text:
            raise NotImplementedOnBackend(
                f"full-text search ('{op}') is not available on {self.dialect.name}")
        if index is None or not isinstance(lhs, ColumnExpr):
            name = lhs.column if isinstance(lhs, ColumnExpr) else "this expression"
            raise NotImplementedOnBackend(
                f"full-text search ('{op}') on {self.dialect.name} needs an FTS5 table "
                f"indexing column '{name}'")
        table, rowid = index
        # the rowid column may be one the plan names nowhere: bound to the alias here
        rowid_col: ColumnElement[Any] = sa.column(q(rowid),
                                                  _selectable=self.tables.get(lhs.table_alias))
        return IndexedMatch(rowid_col, table, lhs.column, bind(rhs))

    def compare(self, lhs: Expr, op: str, rhs: Param) -> ColumnElement[Any]:
        left = self.expr(lhs)
        if op in ("like", "ilike"):
            return Like(left, bind(rhs), op == "ilike")
        if op in ("match", "imatch"):
            return RegexMatch(left, bind(rhs), op == "imatch")
        right = self.value(rhs, lhs)
        if isinstance(lhs, JsonPathExpr) and lhs.type.kind == "json":
            left, right = JsonScalar(left), JsonScalar(right)
        elif lhs.type.kind in ("date", "timestamp"):
            left, right = Temporal(left, lhs.type.kind), Temporal(right, lhs.type.kind)
        if op == "isdistinct":
            return left.is_distinct_from(right)
        return {
            "eq": left.__eq__, "neq": left.__ne__, "gt": left.__gt__, "gte": left.__ge__,
            "lt": left.__lt__, "lte": left.__le__,
        }[op](right)

    def order(self, o: OrderOut) -> Any:
        expr = self.expr(o.expr)
        term = expr.desc() if o.desc else expr.asc()
        # PostgreSQL's defaults (NULLs last ascending, first descending), spelled out so
        # that SQLite, whose defaults are the opposite, sorts the same.
        nulls = o.nulls or ("first" if o.desc else "last")
        return sa.nulls_first(term) if nulls == "first" else sa.nulls_last(term)

    # -- statements ---------------------------------------------------------------------------
    def read(self, read: ReadPlan, nested: bool = False) -> sa.Select[Any]:
        """A read as a SELECT; `nested` ones (embeds, EXISTS) correlate to their parents."""
        if read.mutated:  # the rows a write returned, under the dialect's name for them
            table = self.tables.add(None, self.dialect.mutated_source(read.table), read.alias)
        elif read.function_source is not None:
            table = self.tables.add_function(read.function_source, read.alias)
        else:
            table = self.tables.add(read.schema, read.table, read.alias)
        own = [table]
        source = table
        for join in read.joins:
            joined = self.tables.add(join.schema, join.table, join.alias)
            own.append(joined)
            source = source.join(joined, sa.and_(*(self.cond(c) for c in join.on)))
        columns: list[Any] = [self.output(s.expr).label(q(s.key)) for s in read.select]
        stmt = sa.select(*(columns or [sa.literal_column("1")])).select_from(source)
        if nested:
            stmt = stmt.correlate_except(*own)
        if read.where:
            stmt = stmt.where(*(self.cond(c) for c in read.where))
        if read.group_by:
            stmt = stmt.group_by(*(self.expr(e) for e in read.group_by))
        if read.order:
            stmt = stmt.order_by(*(self.order(o) for o in read.order))
        if read.limit is not None:
            stmt = stmt.limit(bind(read.limit))
        if read.offset is not None:
            stmt = stmt.offset(bind(read.offset))
        return stmt

    def count(self, read: ReadPlan) -> sa.Select[Any]:
        if read.group_by:  # the groups are the rows
            rows = self.read(replace(read, order=(), limit=None, offset=None))
            return sa.select(sa.func.count()).select_from(rows.subquery("_dbrest_groups"))
        stmt = sa.select(sa.func.count()).select_from(self.tables.get(read.alias))
        if read.where:
            stmt = stmt.where(*(self.cond(c) for c in read.where))
        return stmt


def lower_query(plan: QueryPlan, dialect: Dialect) -> sa.Select[Any]:
    """`SELECT total, page_total, body FROM (<read>) AS _dbrest_t`: one round trip."""
    # count=planned takes the planner's estimate instead, where there is a planner;
    # count=estimated counts exactly first and takes the estimate above db_max_rows
    exact = plan.count in ("exact", "estimated") or (
        plan.count is not None and not dialect.caps.planned_count)
    return aggregate(Lowerer(dialect, plan), plan.read, plan.strip_nulls, exact)


def aggregate(lowerer: Lowerer, read: ReadPlan, strip_nulls: bool,
              count: bool = False) -> sa.Select[Any]:
    """The response row: the total (count=exact; else NULL), the page's row count and
    its JSON body."""
    inner = lowerer.read(read).subquery(SOURCE)
    total = lowerer.count(read).correlate(None).scalar_subquery() if count else None
    keys = tuple((s.key, s.expr.type.kind) for s in read.select)
    return sa.select(
        (sa.null() if total is None else total).label("total"),
        sa.func.count().label("page_total"),
        JsonBody(inner, keys, strip_nulls, "array", as_text=True).label("body"),
        # read last, after the rows: what SQL run by the request set for the response
        _setting("response.headers").label("response_headers"),
        _setting("response.status").label("response_status"),
    ).select_from(inner)


def lower_stream(plan: QueryPlan, dialect: Dialect) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """A streamed read (dbrest/plan/stream.py): each row as the JSON text the aggregate
    would put in the array, in the page's order; and the `response.headers` and
    `response.status` SQL set before the rows (read first: headers precede the body)."""
    inner = Lowerer(dialect, plan).read(plan.read).subquery(SOURCE)
    keys = tuple((s.key, s.expr.type.kind) for s in plan.read.select)
    rows = sa.select(JsonBody(inner, keys, plan.strip_nulls, "object", as_text=True)
                     ).select_from(inner)
    settings = sa.select(_setting("response.headers").label("response_headers"),
                         _setting("response.status").label("response_status"))
    return rows, settings


def _setting(name: str) -> Any:
    return sa.func.current_setting(sa.literal(name), sa.true())


def lower_count(plan: QueryPlan, dialect: Dialect) -> sa.Select[Any]:
    """`SELECT 1 FROM t WHERE …`: the planner's row estimate answers count=planned."""
    lowerer = Lowerer(dialect, plan)
    table = lowerer.tables.add(plan.read.schema, plan.read.table, plan.read.alias)
    stmt: sa.Select[Any] = sa.select(sa.literal_column("1")).select_from(table)
    if plan.read.where:
        stmt = stmt.where(*(lowerer.cond(c) for c in plan.read.where))
    return stmt
