"""The request AST: what the user typed, as strings, before any schema lookup.

Mirrors PostgREST's `ApiRequest/Types.hs`: select trees, filters, logic trees, order
terms and ranges, each keyed by the embed path they apply to (`()` is the top level).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal, TypeAlias

from dbrest.parse.body import Payload
from dbrest.parse.rpc import RpcCall

EmbedPath: TypeAlias = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class JsonStep:
    """One `->key`, `->>key` or `->N` step of a JSON path."""

    arrow: Literal["->", "->>"]
    key: str
    is_index: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    json_path: tuple[JsonStep, ...] = ()


# -- select ---------------------------------------------------------------------------------

Aggregate = Literal["sum", "avg", "count", "max", "min"]


@dataclass(frozen=True, slots=True)
class SelectField:
    field: Field
    alias: str | None = None
    cast: str | None = None
    aggregate: Aggregate | None = None
    aggregate_cast: str | None = None


class JoinType(Enum):
    LEFT = "left"
    INNER = "inner"


@dataclass(frozen=True, slots=True)
class SelectRelation:
    name: str
    children: tuple[SelectItem, ...]
    alias: str | None = None
    hint: str | None = None
    join_type: JoinType | None = None
    spread: bool = False


SelectItem: TypeAlias = SelectField | SelectRelation


# -- filters ---------------------------------------------------------------------------------

QuantOp = Literal["eq", "gte", "gt", "lte", "lt", "like", "ilike", "match", "imatch"]
SimpleOp = Literal["neq", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj"]
FtsOp = Literal["fts", "plfts", "phfts", "wfts"]
IsValue = Literal["null", "not_null", "true", "false", "unknown"]


@dataclass(frozen=True, slots=True)
class OpQuant:
    op: QuantOp
    value: str
    quantifier: Literal["any", "all"] | None = None


@dataclass(frozen=True, slots=True)
class OpSimple:
    op: SimpleOp
    value: str


@dataclass(frozen=True, slots=True)
class OpIn:
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpIs:
    value: IsValue


@dataclass(frozen=True, slots=True)
class OpIsDistinct:
    value: str


@dataclass(frozen=True, slots=True)
class OpFts:
    op: FtsOp
    value: str
    language: str | None = None


Operation: TypeAlias = OpQuant | OpSimple | OpIn | OpIs | OpIsDistinct | OpFts


@dataclass(frozen=True, slots=True)
class OpExpr:
    negated: bool
    operation: Operation


@dataclass(frozen=True, slots=True)
class Filter:
    field: Field
    expr: OpExpr


@dataclass(frozen=True, slots=True)
class LogicExpr:
    """`and(…)` / `or(…)`, possibly `not.`-negated; children are filters or trees."""

    op: Literal["and", "or"]
    children: tuple[LogicTree, ...]
    negated: bool = False


LogicTree: TypeAlias = Filter | LogicExpr


# -- order -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OrderTerm:
    field: Field
    direction: Literal["asc", "desc"] | None = None
    nulls: Literal["first", "last"] | None = None
    relation: str | None = None  # `order=rel(col)` — ordering by a to-one embed


# -- preferences and the whole request ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Preferences:
    """The `Prefer` header (PostgREST `ApiRequest/Preferences.hs`)."""

    return_: Literal["minimal", "headers-only", "representation"] | None = None
    count: Literal["exact", "planned", "estimated"] | None = None
    resolution: Literal["merge-duplicates", "ignore-duplicates"] | None = None
    missing: Literal["default", "null"] | None = None
    handling: Literal["strict", "lenient"] | None = None
    tx: Literal["commit", "rollback"] | None = None
    timezone: str | None = None
    max_affected: int | None = None
    params: Literal["single-object"] | None = None  # RPC: the body is one json argument
    read: Literal["primary"] | None = None  # dbrest's: no read replica (dbrest/routing.py)
    invalid: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Range:
    """Rows `offset` … `offset+limit-1`; `limit` None means unbounded."""

    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class MediaType:
    type: str  # e.g. "application/json", lower-cased, no parameters
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class QueryParams:
    select: tuple[SelectItem, ...] = (SelectField(Field("*")),)
    filters: tuple[tuple[EmbedPath, Filter], ...] = ()
    logic: tuple[tuple[EmbedPath, LogicTree], ...] = ()
    order: tuple[tuple[EmbedPath, tuple[OrderTerm, ...]], ...] = ()
    ranges: tuple[tuple[EmbedPath, Range], ...] = ()
    columns: tuple[str, ...] | None = None
    on_conflict: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ApiRequest:
    method: str
    schema: str
    resource: str
    query: QueryParams = field(default_factory=QueryParams)
    top_range: Range = Range()
    preferences: Preferences = Preferences()
    accept: tuple[MediaType, ...] = ()
    # The schema was chosen by a profile header (echoed back as Content-Profile).
    profile_requested: bool = False
    payload: Payload | None = None
    rollback: bool = False  # end the transaction with a rollback (db_tx_end / Prefer: tx)
    tx_allowed: bool = False  # `Prefer: tx=` is honoured (db_tx_end *-allow-override)
    rpc: RpcCall | None = None  # `/rpc/<fn>`: the function's arguments as sent

    @property
    def is_rpc(self) -> bool:
        return self.rpc is not None
