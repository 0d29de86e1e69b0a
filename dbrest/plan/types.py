"""The typed plan: names resolved against the schema cache, values replaced by `Param`s.

A plan holds no request values, only `Param(index)` references into the request's
value tuple, so two requests of the same shape produce equal (hashable) plans: the plan
is the key of the compiled-SQL cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from dbrest.schema import DomainCasts, Kind, RoutineParam


@dataclass(frozen=True, slots=True)
class BodyRows:
    """The value of a `json_rows` parameter: the rows and the kinds of their columns."""

    rows: tuple[dict[str, object], ...]
    kinds: tuple[tuple[str, str], ...]

    def __hash__(self) -> int:  # values are never cache keys; identity is enough
        return id(self)

# How a value is handed to the database; each dialect maps the tag to a converter.
ParamConv = Literal["text", "int", "text_list", "like", "like_list", "json_key", "json_index",
                    "json_value", "json_rows",
                    # a full-text query in the syntax of the operator that took it
                    "fts", "plfts", "phfts", "wfts",
                    # an array value of cs/cd/ov: `{a,b}` (or, where arrays are JSON, `["a"]`)
                    "array"]


@dataclass(frozen=True, slots=True)
class Param:
    index: int
    conv: ParamConv = "text"
    kind: Kind = "text"  # kind of what the value is compared with (SQLite converts on it)


@dataclass(frozen=True, slots=True)
class TypeRef:
    """The type of an expression: its kind, and the native type to cast values to."""

    kind: Kind
    native_type: str


@dataclass(frozen=True, slots=True)
class ColumnExpr:
    table_alias: str
    column: str
    type: TypeRef
    domain: DomainCasts | None = None  # its domain's representations (schema.DomainCasts)


@dataclass(frozen=True, slots=True)
class ComputedExpr:
    """A computed field: `schema.function(table_alias)`, the function applied to the row."""

    table_alias: str
    schema: str
    function: str
    type: TypeRef


@dataclass(frozen=True, slots=True)
class JsonPathExpr:
    base: Expr
    steps: tuple[tuple[Literal["->", "->>"], Param], ...]
    type: TypeRef  # json for a final `->`, text for a final `->>`
    to_json: bool = False  # the base is a composite, read as JSON first (`to_jsonb(col)`)


@dataclass(frozen=True, slots=True)
class CastExpr:
    expr: Expr
    type_name: str  # canonical, validated type name (see plan/casts.py)
    type: TypeRef


@dataclass(frozen=True, slots=True)
class Embed:
    """An embedded resource as JSON: an object (to-one), an array (to-many), or an array
    of one column's values (a to-many spread)."""

    read: ReadPlan
    mode: Literal["object", "array", "values"]
    type: TypeRef = TypeRef("json", "json")


@dataclass(frozen=True, slots=True)
class Scalar:
    """The single selected value of a to-one related row (spreads, related order)."""

    read: ReadPlan
    type: TypeRef


@dataclass(frozen=True, slots=True)
class AggExpr:
    """`avg|count|max|min|sum(expr)`; `count()` has no expr (`count(*)`)."""

    func: Literal["avg", "count", "max", "min", "sum"]
    expr: Expr | None
    type: TypeRef


Expr: TypeAlias = (ColumnExpr | ComputedExpr | JsonPathExpr | CastExpr | Embed | Scalar
                   | AggExpr)


CompareOp = Literal["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch",
                    "isdistinct"]


@dataclass(frozen=True, slots=True)
class Compare:
    lhs: Expr
    op: CompareOp
    rhs: Param
    quantifier: Literal["any", "all"] | None = None  # rhs is then a list


@dataclass(frozen=True, slots=True)
class InList:
    lhs: Expr
    rhs: Param  # a list


@dataclass(frozen=True, slots=True)
class IsCheck:
    lhs: Expr
    value: Literal["null", "not_null", "true", "false", "unknown"]


@dataclass(frozen=True, slots=True)
class RangeOp:
    """PostgreSQL's array/range/json operators: cs cd ov sl sr nxr nxl adj."""

    lhs: Expr
    op: Literal["cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj"]
    rhs: Param


@dataclass(frozen=True, slots=True)
class FullText:
    lhs: Expr
    op: Literal["fts", "plfts", "phfts", "wfts"]
    rhs: Param  # conv: the operator's name (the query's syntax)
    language: Param | None = None
    # the full-text index table over the column where one backs it: (index table, the
    # column of the searched table that is the index's rowid); schema.Column.fts_index
    index: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ColumnEq:
    """A join condition: a column of one table alias equals a column of another."""

    left: ColumnExpr
    right: ColumnExpr


@dataclass(frozen=True, slots=True)
class Exists:
    """Some related row matches (`!inner`, `rel=not.is.null`)."""

    read: ReadPlan


@dataclass(frozen=True, slots=True)
class Not:
    cond: Cond


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: Literal["and", "or"]
    conds: tuple[Cond, ...]


Cond: TypeAlias = Compare | InList | IsCheck | RangeOp | FullText | ColumnEq | Exists | Not | BoolOp


@dataclass(frozen=True, slots=True)
class SelectOut:
    expr: Expr
    key: str  # the JSON key in the output object


@dataclass(frozen=True, slots=True)
class OrderOut:
    expr: Expr
    desc: bool = False
    nulls: Literal["first", "last"] | None = None


@dataclass(frozen=True, slots=True)
class JoinTable:
    """An inner-joined table (the junction of a many-to-many embed)."""

    schema: str
    table: str
    alias: str
    on: tuple[ColumnEq, ...]


@dataclass(frozen=True, slots=True)
class ReadPlan:
    schema: str
    table: str
    alias: str
    select: tuple[SelectOut, ...]
    where: tuple[Cond, ...] = ()
    joins: tuple[JoinTable, ...] = ()
    order: tuple[OrderOut, ...] = ()
    limit: Param | None = None
    offset: Param | None = None
    mutated: bool = False  # reads the rows a mutation returned, not the table
    # with aggregates in the select: the other selected expressions (automatic GROUP BY)
    group_by: tuple[Expr, ...] = ()
    # a computed relationship: the rows come from `schema.function(parent_alias)`
    function_source: tuple[str, str, str] | None = None


@dataclass(frozen=True, slots=True)
class WriteColumn:
    name: str
    type: TypeRef
    # `Prefer: missing=default`: a row without this key takes this expression (the
    # column default, as the catalog prints it); None: it takes NULL
    default_sql: str | None = None
    # a domain's json → domain cast function (schema, name): the body's JSON value goes
    # through it (PostgREST domain representations)
    from_json: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Mutation:
    kind: Literal["insert", "update", "delete", "noop"]
    schema: str
    table: str
    alias: str
    columns: tuple[WriteColumn, ...] = ()
    body: Param | None = None  # the rows, one JSON parameter
    where: tuple[Cond, ...] = ()
    on_conflict: tuple[str, ...] = ()  # upsert target (a primary or unique key)
    resolution: Literal["merge", "ignore"] | None = None

    @property
    def counts_inserted(self) -> bool:
        """Upserts answer 201 or 200 by whether they created a row."""
        return self.kind == "insert" and self.resolution == "merge"


@dataclass(frozen=True, slots=True)
class MutationPlan:
    """A write, then the read of what it wrote (`return=representation`, embeds too)."""

    mutation: Mutation
    read: ReadPlan
    output: OutputFormat = "json"
    strip_nulls: bool = False
    count: Literal["exact", "planned", "estimated"] | None = None


OutputFormat = Literal["json", "object", "csv"]


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A whole read: the tree, the count wanted and how the body is shaped."""

    read: ReadPlan
    count: Literal["exact", "planned", "estimated"] | None = None
    output: OutputFormat = "json"
    strip_nulls: bool = False
    # count=estimated: exact up to this many rows (db_max_rows), the planner's guess above
    estimate_above: int | None = None


@dataclass(frozen=True, slots=True)
class WriteResponse:
    """How a write answers: PostgREST's `return=`, Location, max-affected, PUT checks."""

    return_: Literal["minimal", "headers-only", "representation"] = "minimal"
    location: tuple[str, ...] = ()  # primary-key columns, for `Location` (headers-only)
    max_affected: int | None = None
    rollback: bool = False  # `Prefer: tx=rollback` (where allowed) or `db_tx_end`
    merge: bool = False  # a merging upsert: 200 instead of 201 when it created nothing


@dataclass(frozen=True, slots=True)
class CallPlan:
    """A function call and the read of its result (plan/call.py); hashable, values are
    `Param`s."""

    schema: str
    function: str
    args: tuple[RoutineParam, ...]  # the named parameters passed, in declared order
    positional: str | None  # a single positional argument of this type (the whole body)
    body: Param | None  # the arguments (one JSON object) or the positional value
    returns: Literal["scalar", "composite", "void"]
    returns_set: bool
    read: ReadPlan | None  # composite results: the read over the rows returned
    output: OutputFormat = "json"
    strip_nulls: bool = False
    count: bool = False
    declared: Any = None  # SQLite (issue 10): the configured SQL it runs (`SqlFunction`)


@dataclass(frozen=True, slots=True)
class WriteChecks:
    """What the result must satisfy, enforced by exec inside the transaction (a failure
    rolls it back): exactly one row (`vnd.pgrst.object`), at most `max_affected` rows."""

    singular: bool = False
    max_affected: int | None = None


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    plan: QueryPlan | MutationPlan
    values: tuple[object, ...]
    offset: int  # the top-level offset, for Content-Range
    content_type: str
    method: str
    schema: str
    profile_header: bool = False
    table: str = ""
    write: WriteResponse | None = None
    preference_applied: tuple[str, ...] = ()  # `Preference-Applied` (plan/preferences.py)
    checks: WriteChecks = WriteChecks()  # enforced in the transaction (plan/request.py)
    # settings of the transaction the request's preferences ask for (`timezone`)
    settings: tuple[tuple[str, str], ...] = ()


def walk(node: object) -> Iterator[object]:
    """Every node of a plan, depth first in field order (plans are trees of dataclasses
    and tuples), so passes over the whole tree need no traversal of their own."""
    yield node
    if isinstance(node, tuple):
        for item in node:
            yield from walk(item)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            yield from walk(getattr(node, name))
