"""User casts (`select=col::type`): the type names accepted and their canonical form.

A cast's type is user text, so it never reaches SQL as typed: it must be one of these
names, and the canonical name (a fixed string from this table) is what gets rendered.
"""

from __future__ import annotations

from dbrest.errors import UndefinedObject
from dbrest.plan.types import TypeRef

_CASTS: dict[str, TypeRef] = {}


def _add(names: tuple[str, ...], kind: str, canonical: str) -> None:
    for name in names:
        _CASTS[name] = TypeRef(kind, canonical)  # type: ignore[arg-type]


_add(("text",), "text", "text")
_add(("varchar", "character varying"), "text", "varchar")
_add(("char", "character", "bpchar"), "text", "bpchar")
_add(("uuid",), "text", "uuid")
_add(("int", "integer", "int4"), "integer", "int4")
_add(("bigint", "int8"), "integer", "int8")
_add(("smallint", "int2"), "integer", "int2")
_add(("numeric", "decimal"), "number", "numeric")
_add(("real", "float4"), "number", "float4")
_add(("float8", "double precision", "float"), "number", "float8")
_add(("boolean", "bool"), "boolean", "bool")
_add(("json",), "json", "json")
_add(("jsonb",), "json", "jsonb")
_add(("date",), "date", "date")
_add(("timestamp",), "timestamp", "timestamp")
_add(("timestamptz",), "timestamp", "timestamptz")


def resolve_cast(name: str) -> TypeRef:
    ref = _CASTS.get(name.strip().lower())
    if ref is None:
        raise UndefinedObject(f'type "{name}" does not exist')
    return ref
