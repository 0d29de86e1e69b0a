"""SQLite's functions for RPC: named, parameterized SQL declared in the configuration.

SQLite has no stored functions, so `sqlite_functions` declares them (issue 10):

    [sqlite_functions.top_rated]
    sql = "select * from books where rating >= :min_rating"
    args = { min_rating = "real", n = { type = "integer", default = 10 } }
    returns = "setof books"   # a table (one row), "setof <table>", a scalar type,
                              # "setof <scalar type>" or "void"
    volatile = false          # true: it may write; GET and HEAD then answer 405 (25006)

This module parses and validates the declarations (config load: one `ConfigError` line
naming the function), turns them into the `Routine`s the RPC planner resolves against
(once the schema cache knows the tables), and converts request arguments to the declared
types. The SQL text is fixed by configuration; arguments are always bound (`:name`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from dbrest.errors import DatabaseError
from dbrest.schema import Column, Routine, RoutineParam, SchemaCache, kind_of

# declared type → its kind (how an argument is converted and a scalar result rendered)
TYPES: dict[str, str] = {
    **dict.fromkeys(("integer", "int", "bigint", "smallint"), "integer"),
    **dict.fromkeys(("real", "double precision", "float", "numeric"), "number"),
    **dict.fromkeys(("text", "varchar"), "text"),
    "boolean": "boolean",
    **dict.fromkeys(("json", "jsonb"), "json"),
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# SQLAlchemy `text()`'s own placeholder syntax (`TextClause._bind_params_regex`)
PLACEHOLDER = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)")
_READ_ONLY_START = ("select", "with", "values")
_KEYS = frozenset({"sql", "args", "returns", "volatile"})


class DeclarationError(ValueError):
    """A declaration that cannot be served; its text names the function."""


@dataclass(frozen=True, slots=True)
class SqlArg:
    name: str
    type: str
    has_default: bool = False
    default: Any = None  # already converted to the declared type


@dataclass(frozen=True, slots=True)
class SqlFunction:
    name: str
    sql: str
    args: tuple[SqlArg, ...]
    returns: str  # "void", a type or a table name (without "setof")
    returns_set: bool
    volatile: bool

    @property
    def returns_scalar(self) -> bool:
        return self.returns in TYPES

    @property
    def verb(self) -> str:
        """The statement's first keyword, as PostgreSQL names it in 25006's message."""
        return (self.sql.split(None, 1) or ["statement"])[0].upper()

    def placeholders(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(PLACEHOLDER.findall(self.sql)))


def parse_functions(value: Any) -> dict[str, SqlFunction]:
    """`{name: {sql, args, returns, volatile}}` from TOML, or a JSON string (environment)."""
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, Mapping):
        raise DeclarationError("expected a table of functions")
    return {str(name): parse_function(str(name), decl) for name, decl in data.items()}


def parse_function(name: str, decl: Any) -> SqlFunction:
    def fail(why: str) -> DeclarationError:
        return DeclarationError(f"function {name}: {why}")

    if not _NAME.fullmatch(name):
        raise fail("the name must be a letter or _ then letters, digits or _")
    if not isinstance(decl, Mapping):
        raise fail("expected a table with sql, args, returns, volatile")
    unknown = sorted(set(decl) - _KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: args, returns, sql, volatile)")
    sql = decl.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise fail("sql must be a non-empty string")
    volatile = decl.get("volatile", False)
    if not isinstance(volatile, bool):
        raise fail("volatile must be true or false")
    args = _parse_args(decl.get("args", {}), fail)
    returns, returns_set = _parse_returns(decl.get("returns"), fail)
    fn = SqlFunction(name, sql.strip().rstrip(";").strip(), args, returns, returns_set,
                     volatile)
    declared = {a.name for a in args}
    undeclared = [p for p in fn.placeholders() if p not in declared]
    if undeclared:
        raise fail(f"the sql uses :{undeclared[0]}, which is not among its args")
    if not volatile and fn.sql.split(None, 1)[0].lower() not in _READ_ONLY_START:
        raise fail("only SELECT, WITH or VALUES statements unless volatile = true")
    return fn


def _parse_args(raw: Any, fail: Any) -> tuple[SqlArg, ...]:
    if not isinstance(raw, Mapping):
        raise fail("args must be a table of name = type")
    args = []
    for arg, spec in raw.items():
        if not _NAME.fullmatch(str(arg)):
            raise fail(f"bad argument name {arg!r}")
        if isinstance(spec, str):
            spec = {"type": spec}
        if not isinstance(spec, Mapping) or set(spec) - {"type", "default"}:
            raise fail(f"argument {arg}: expected a type or {{ type = ..., default = ... }}")
        typ = str(spec.get("type", "")).strip().lower()
        if typ not in TYPES:
            raise fail(f"argument {arg}: unknown type {spec.get('type')!r} "
                       f"(known: {', '.join(sorted(TYPES))})")
        default = None
        if "default" in spec:
            try:
                default = convert(spec["default"], typ, str(arg))
            except DatabaseError as err:
                raise fail(f"argument {arg}: default: {err.message}") from None
        args.append(SqlArg(str(arg), typ, "default" in spec, default))
    return tuple(args)


def _parse_returns(raw: Any, fail: Any) -> tuple[str, bool]:
    if not isinstance(raw, str) or not raw.strip():
        raise fail('returns must be "void", a type, a table, or "setof" a type or table')
    words = raw.strip().split(None, 1)
    returns_set = words[0].lower() == "setof" and len(words) == 2
    target = (words[1] if returns_set else raw).strip()
    lowered = target.lower()
    if lowered in TYPES or lowered == "void":
        if lowered == "void" and returns_set:
            raise fail("returns: setof void is not a type")
        return lowered, returns_set
    if not _NAME.fullmatch(target):
        raise fail(f"returns: unknown type {raw!r}")
    return target, returns_set  # a table: checked against the schema cache at start-up


def to_routine(fn: SqlFunction, schema: str, cache: SchemaCache) -> Routine:
    """The `Routine` the RPC planner resolves, as PostgreSQL's catalog would describe it."""
    params = tuple(RoutineParam(a.name, a.type, not a.has_default) for a in fn.args)
    if fn.returns == "void":
        return Routine(schema, fn.name, params, "void", False, "void",
                       "v" if fn.volatile else "s", declared=fn)
    if fn.returns_scalar:
        return Routine(schema, fn.name, params, "scalar", fn.returns_set, fn.returns,
                       "v" if fn.volatile else "s", declared=fn)
    table = cache.table(schema, fn.returns)
    if table is None:
        raise DeclarationError(f"function {fn.name}: returns: no table or view "
                               f"{fn.returns!r}")
    return Routine(schema, fn.name, params, "composite", fn.returns_set, fn.returns,
                   "v" if fn.volatile else "s", (schema, fn.returns), declared=fn)


def result_columns(fn: SqlFunction, cache: SchemaCache, schema: str) -> tuple[Column, ...]:
    table = cache.table(schema, fn.returns)
    return table.columns if table is not None else (Column("pgrst_scalar", fn.returns,
                                                           kind_of(fn.returns)),)


# -- arguments ----------------------------------------------------------------------------------

_TRUE = frozenset({"t", "true", "y", "yes", "on", "1"})
_FALSE = frozenset({"f", "false", "n", "no", "off", "0"})


def convert(value: Any, typ: str, name: str = "") -> Any:
    """An argument (JSON value, or text from a query string or form) as the declared type
    binds it; ill-typed → 22P02, worded as PostgreSQL's input functions word it."""
    if value is None:
        return None
    kind = TYPES[typ]

    def bad() -> DatabaseError:
        shown = value if isinstance(value, str) else json.dumps(value)
        pg = {"integer": "integer", "number": "numeric", "boolean": "boolean",
              "json": "json", "text": "text"}[kind]
        return DatabaseError("22P02", 400, f'invalid input syntax for type {pg}: "{shown}"')

    if kind == "text":
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    if kind == "json":
        if isinstance(value, str):
            try:
                orjson.loads(value)
            except orjson.JSONDecodeError:
                return orjson.dumps(value).decode()  # a plain string is a JSON string
            return value
        return orjson.dumps(value).decode()
    if kind == "boolean":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return int(value.strip().lower() in _TRUE)
        raise bad()
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise bad()
    try:
        if kind == "integer":
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError(value)
                return int(value)
            number = int(value.strip()) if isinstance(value, str) else value
            if not -2**63 <= number < 2**63:
                raise ValueError(value)
            return number
        return float(value) if isinstance(value, str) else value
    except ValueError:
        raise bad() from None


def bind_arg(arg: SqlArg, body: str | None) -> Any:
    """One argument's bound value from the call's arguments (one JSON object)."""
    given = orjson.loads(body) if body else {}
    if not isinstance(given, dict) or arg.name not in given:
        return arg.default
    return convert(given[arg.name], arg.type, arg.name)


def declaration(fn: SqlFunction) -> dict[str, Any]:
    """The declaration back as configuration (`--dump-config`)."""
    args = {a.name: ({"type": a.type, "default": a.default} if a.has_default else a.type)
            for a in fn.args}
    returns = f"setof {fn.returns}" if fn.returns_set else fn.returns
    return {"sql": fn.sql, "args": args, "returns": returns, "volatile": fn.volatile}
