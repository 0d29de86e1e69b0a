"""The schema cache: tables, views, columns, keys and foreign keys of the exposed schemas.

Loaded once at start-up by `exec/introspect` (which builds it with its relationships
through `relationships.build_schema_cache`) and held in memory; the planner resolves
every name against this snapshot, so no request introspects. Values are frozen: a reload
builds a new cache and swaps it in whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# The logical kind of a column, shared by both backends: it decides how values are bound
# and how the column is turned into JSON.
Kind = Literal["integer", "number", "boolean", "text", "json", "date", "timestamp", "other"]


@dataclass(frozen=True, slots=True)
class DomainCasts:
    """A domain's representations (PostgREST references/api/domain_representations.rst):
    the functions of its casts, each (schema, function name). PostgreSQL ignores casts
    on domains, so dbrest calls them itself: `to_json` where the column is read,
    `from_text` on filter values, `from_json` on the values of a write's body."""

    to_json: tuple[str, str] | None = None  # domain → json
    from_text: tuple[str, str] | None = None  # text → domain
    from_json: tuple[str, str] | None = None  # json → domain


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    native_type: str  # as the database spells it (PostgreSQL `format_type`)
    kind: Kind
    nullable: bool = True
    has_default: bool = False
    default_sql: str | None = None  # the default expression, as the database prints it
    composite: bool = False  # a composite type: `->` paths read it as JSON (`to_jsonb`)
    description: str | None = None  # its `COMMENT` (the OpenAPI description)
    # a full-text index table over this column (SQLite: an FTS5 table with
    # `content='<table>'`): (index table, this table's column its rowid is)
    fts_index: tuple[str, str] | None = None
    # a domain with casts from/to json or text (PostgreSQL): how it is read and written
    domain: DomainCasts | None = None


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str
    schema: str
    table: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ComputedField:
    """A function of the table's row type returning a scalar: a virtual column that
    `select=`, filters and `order=` may name (PostgREST's computed fields), not in `*`."""

    name: str
    schema: str  # the function's schema
    native_type: str  # its return type
    kind: Kind


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    is_view: bool = False
    unique_keys: tuple[tuple[str, ...], ...] = ()
    description: str | None = None  # its `COMMENT` (the OpenAPI summary and description)
    # not an __init__ argument: `dataclasses.replace` would hand the copy this same dict,
    # and its __post_init__ would overwrite the original's columns with its own
    by_name: dict[str, Column] = field(default_factory=dict, init=False, compare=False,
                                       hash=False, repr=False)
    # computed fields by name, filled by introspection once the functions are read
    computed: dict[str, ComputedField] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.by_name.update((c.name, c) for c in self.columns)

    def column(self, name: str) -> Column | None:
        return self.by_name.get(name)


@dataclass(frozen=True, slots=True)
class SchemaCache:
    tables: dict[tuple[str, str], Table]
    foreign_keys: tuple[ForeignKey, ...] = ()
    # view → {view column: (schema, base table, base column)} for plainly selected columns
    view_sources: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = field(
        default_factory=dict)
    # (schema, table) → its relationships, derived from the keys above when the cache is
    # built (`relationships.build_schema_cache`); `Relationship`s, typed loosely here so
    # this module does not import the one that derives them
    relationships: dict[tuple[str, str], tuple[Any, ...]] = field(
        default_factory=dict, compare=False)
    # RPC: (schema, function name) → its overloads (`Routine`, below)
    routines: dict[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    # the time zones `Prefer: timezone=` may name (PostgreSQL's `pg_timezone_names`);
    # none where the database has no time zones
    timezones: frozenset[str] = frozenset()

    def table(self, schema: str, name: str) -> Table | None:
        return self.tables.get((schema, name))


_PG_KINDS: dict[str, Kind] = {
    **dict.fromkeys(("boolean", "bool"), "boolean"),
    **dict.fromkeys(("json", "jsonb"), "json"),
    "date": "date",
    **dict.fromkeys(("timestamp", "timestamp without time zone", "timestamptz",
                     "timestamp with time zone", "datetime"), "timestamp"),
    **dict.fromkeys(("smallint", "integer", "bigint", "int2", "int4", "int8", "int"),
                    "integer"),
    **dict.fromkeys(("real", "double precision", "float4", "float8", "numeric", "decimal",
                     "float", "double"), "number"),
    **dict.fromkeys(("text", "character varying", "varchar", "character", "char", "name",
                     "citext", "uuid", "bpchar"), "text"),
}


def kind_of(native_type: str) -> Kind:
    """Map a PostgreSQL type name or a SQLite declared type to a `Kind`.

    Known PostgreSQL names first; otherwise SQLite's affinity rules
    (sqlite.org/datatype3.html §3.1), so that any declared type serves sensibly.
    """
    t = native_type.lower().split("(")[0].strip()
    if t in _PG_KINDS:
        return _PG_KINDS[t]
    if t.endswith("[]") or "range" in t or t.startswith(("interval", "point", "time")):
        return "other"
    if "int" in t:
        return "integer"
    if any(s in t for s in ("char", "clob", "text")) or t == "":
        return "text"
    if any(s in t for s in ("real", "floa", "doub", "numeric", "decimal")):
        return "number"
    return "other"


# -- functions (RPC) ---------------------------------------------------------------------------

ReturnShape = Literal["scalar", "composite", "void"]


@dataclass(frozen=True, slots=True)
class RoutineParam:
    name: str  # "" for an unnamed parameter
    type: str  # `format_type` of the parameter (the array type for a variadic one)
    required: bool = True  # no default
    variadic: bool = False
    is_array: bool = False


@dataclass(frozen=True, slots=True)
class Routine:
    """A function of an exposed schema, as PostgREST's `Routine` describes it."""

    schema: str
    name: str
    params: tuple[RoutineParam, ...]
    returns: ReturnShape
    returns_set: bool
    return_type: str  # `format_type` of the return type
    volatility: Literal["v", "s", "i"] = "v"
    # composite results: the table or view returned (embeddable) or None (a bare type,
    # a `TABLE(...)`/OUT-parameter record)
    return_table: tuple[str, str] | None = None
    # composite results that are not a table or view: their columns
    return_columns: tuple[Column, ...] = ()
    description: str | None = None  # its `COMMENT` (the OpenAPI summary and description)
    # SQLite (issue 10): the configured `SqlFunction` (dbrest/sqlite_functions.py) it runs
    declared: Any = None

    def signature(self) -> str:
        return ", ".join(f"{p.name} => {p.type}" for p in self.params)
