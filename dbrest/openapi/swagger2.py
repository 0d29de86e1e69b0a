"""The Swagger 2.0 document PostgREST serves at `/`, built from the schema cache.

Mirrors PostgREST's `Response/OpenAPI.hs` (`postgrestSpec`): one definition and one path
per table or view, shared `parameters` (`select`, `order`, `Range`, `rowFilter.<t>.<c>`,
the `Prefer` variants, …) referenced by the operations, `/rpc/<fn>` paths for functions,
column notes for primary and foreign keys, and `COMMENT`s as summaries and descriptions.
Pure: the caller picks the tables and routines the request's role may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from dbrest.relationships import Relationship
from dbrest.schema import Column, Routine, RoutineParam, SchemaCache, Table, kind_of

Json = dict[str, Any]

# PostgREST's MediaType.toMime spellings (`MTVndSingularJSON True` strips nulls)
JSON_MIME = "application/json"
OBJECT_STRIPPED = "application/vnd.pgrst.object+json;nulls=stripped"
OBJECT = "application/vnd.pgrst.object+json"
MIMES = [JSON_MIME, OBJECT_STRIPPED, OBJECT, "text/csv"]
RPC_MIMES = [JSON_MIME, OBJECT_STRIPPED, OBJECT]
ROOT_MIMES = ["application/openapi+json", JSON_MIME]
DOCS_URL = "https://postgrest.org/en/v12/references/api.html"


@dataclass(frozen=True, slots=True)
class Server:
    """Where the API is reached: PostgREST's `(scheme, host, port, basePath)`."""

    scheme: str
    host: str
    port: int
    base_path: str


@dataclass(frozen=True, slots=True)
class Content:
    """What one document describes: the visible relations and functions of one schema."""

    cache: SchemaCache
    tables: tuple[Table, ...]
    routines: tuple[Routine, ...]
    server: Server
    schema_description: str | None = None
    security: bool = False
    version: str = "0.1.0"


# -- types ---------------------------------------------------------------------------------

def base_type(native: str) -> str:
    """`character varying(20)` → `character varying` (PostgREST's `colType` has no typmod)."""
    head, paren, rest = native.partition("(")
    if not paren:
        return native
    return (head.rstrip() + rest.partition(")")[2]).strip()


def swagger_type(col_type: str, kind: str) -> str | None:
    """PostgREST's `toSwaggerType`, by the logical kind so SQLite's declared types map too:
    JSON has no type, arrays are `array`, anything unknown is a string. An undeclared
    type (a SQLite view's expression column) holds any value: no type either."""
    if not col_type.strip():
        return None
    if col_type.endswith("[]"):
        return "array"
    return {"integer": "integer", "number": "number", "boolean": "boolean",
            "json": None}.get(kind, "string")


def _items(col_type: str) -> Json | None:
    if not col_type.endswith("[]"):
        return None
    element = col_type[:-2]
    kind = swagger_type(element, kind_of(element))
    return {} if kind is None else {"type": kind}


def _max_length(native: str) -> int | None:
    head, paren, rest = native.partition("(")
    if paren and head.strip().lower() in ("character varying", "character", "varchar", "char"):
        digits = rest.partition(")")[0]
        return int(digits) if digits.isdigit() else None
    return None


def parse_default(col_type: str, kind: str, default: str | None) -> tuple[bool, Any]:
    """PostgREST's `parseDefault`: strings lose their `::type` cast and quotes; the text
    must then be JSON (`nextval(…)`, `now()` on numbers, … give no default)."""
    if default is None:
        return False, None
    text = default
    if swagger_type(col_type, kind) == "string":
        if text.endswith("::" + col_type):
            text = text[: -len("::" + col_type)].strip("'")
        text = f'"{text}"'
    try:
        return True, orjson.loads(text)
    except orjson.JSONDecodeError:
        return False, None


def ref(section: str, name: str) -> Json:
    return {"$ref": f"#/{section}/" + name.replace("~", "~0").replace("/", "~1")}


def split_comment(comment: str | None) -> tuple[str | None, str | None]:
    """First line the summary, the rest (leading newlines dropped) the description."""
    if comment is None:
        return None, None
    summary, _, rest = comment.partition("\n")
    return summary, rest.lstrip("\n") or None


# -- definitions -------------------------------------------------------------------------

def _fk_note(cache: SchemaCache, table: Table, column: str) -> str | None:
    rels: Sequence[Relationship] = cache.relationships.get((table.schema, table.name), ())
    found = [r for r in rels if r.cardinality in ("m2o", "o2o")
             and tuple(c for c, _ in r.columns) == (column,)]
    found.sort(key=lambda r: r.foreign_is_view)  # tables first, as PostgREST
    if not found:
        return None
    fk_table, fk_col = found[0].foreign_table, found[0].columns[0][1]
    return (f"This is a Foreign Key to `{fk_table}.{fk_col}`."
            f"<fk table='{fk_table}' column='{fk_col}'/>")


def column_schema(cache: SchemaCache, table: Table, col: Column) -> Json:
    col_type = base_type(col.native_type)
    notes = ["Note:"]
    if col.name in table.primary_key:
        notes.append("This is a Primary Key.<pk/>")
    fk = _fk_note(cache, table, col.name)
    if fk is not None:
        notes.append(fk)
    description = col.description
    if len(notes) > 1:
        description = (f"{col.description}\n\n" if col.description else "") + "\n".join(notes)
    out: Json = {}
    has_default, default = parse_default(col_type, col.kind, col.default_sql)
    if has_default:
        out["default"] = default
    if description is not None:
        out["description"] = description
    if col_type:
        out["format"] = col_type
    length = _max_length(col.native_type)
    if length is not None:
        out["maxLength"] = length
    kind = swagger_type(col_type, col.kind)
    if kind is not None:
        out["type"] = kind
    items = _items(col_type)
    if items is not None:
        out["items"] = items
    if col.nullable and kind is not None:
        # 2.0 cannot say "or null"; the common vendor extension can (PostgREST omits it,
        # so its documents contradict every NULL a client reads)
        out["x-nullable"] = True
    return out


def table_definition(cache: SchemaCache, table: Table) -> Json:
    out: Json = {}
    if table.description is not None:
        out["description"] = table.description
    out["type"] = "object"
    out["properties"] = {c.name: column_schema(cache, table, c) for c in table.columns}
    required = [c.name for c in table.columns if not c.nullable]
    if required:
        out["required"] = required
    return out


# -- parameters ----------------------------------------------------------------------------

_PREFER = {"params": ["params=single-object"], "return": [
    "return=representation", "return=minimal", "return=none"], "count": ["count=none"],
    "resolution": ["resolution=ignore-duplicates", "resolution=merge-duplicates"]}


def _prefer(*which: str) -> Json:
    return {"name": "Prefer", "description": "Preference", "required": False, "in": "header",
            "type": "string", "enum": [v for w in which for v in _PREFER[w]]}


def _plain(name: str, description: str, where: str = "query") -> Json:
    return {"name": name, "description": description, "required": False, "in": where,
            "type": "string"}


def parameter_definitions(tables: Sequence[Table]) -> Json:
    params: Json = {
        "preferParams": _prefer("params"), "preferReturn": _prefer("return"),
        "preferCount": _prefer("count"), "preferPost": _prefer("return", "resolution"),
        "select": _plain("select", "Filtering Columns"),
        "on_conflict": _plain("on_conflict", "On Conflict"),
        "order": _plain("order", "Ordering"),
        "range": _plain("Range", "Limiting and Pagination", "header"),
        "rangeUnit": {**_plain("Range-Unit", "Limiting and Pagination", "header"),
                      "default": "items"},
        "offset": _plain("offset", "Limiting and Pagination"),
        "limit": _plain("limit", "Limiting and Pagination"),
    }
    for t in tables:
        params[f"body.{t.name}"] = {"name": t.name, "description": t.name, "required": False,
                                    "in": "body", "schema": ref("definitions", t.name)}
        for c in t.columns:
            row_filter: Json = {"name": c.name, "required": False, "in": "query",
                                "type": "string"}
            if c.description is not None:
                row_filter["description"] = c.description
            params[f"rowFilter.{t.name}.{c.name}"] = row_filter
    return params


# -- paths ---------------------------------------------------------------------------------

def _operation(tag: str, comment: str | None) -> Json:
    summary, description = split_comment(comment)
    op: Json = {"tags": [tag]}
    if summary is not None:
        op["summary"] = summary
    if description is not None:
        op["description"] = description
    return op


def table_path(table: Table) -> Json:
    rows = [ref("parameters", f"rowFilter.{table.name}.{c.name}") for c in table.columns]
    body = ref("parameters", f"body.{table.name}")
    names = ("select", "order", "range", "rangeUnit", "offset", "limit", "preferCount")
    item: Json = {"get": {
        **_operation(table.name, table.description),
        "parameters": rows + [ref("parameters", n) for n in names],
        "responses": {"200": {"description": "OK", "schema": {
            "type": "array", "items": ref("definitions", table.name)}},
            "206": {"description": "Partial Content"}}}}
    if table.is_view:  # read-only, as OPTIONS answers for views
        return item
    item["post"] = {**_operation(table.name, table.description),
                    "parameters": [body, ref("parameters", "select"),
                                   ref("parameters", "preferPost")],
                    "responses": {"201": {"description": "Created"}}}
    item["patch"] = {**_operation(table.name, table.description),
                     "parameters": rows + [body, ref("parameters", "preferReturn")],
                     "responses": {"204": {"description": "No Content"}}}
    item["delete"] = {**_operation(table.name, table.description),
                      "parameters": rows + [ref("parameters", "preferReturn")],
                      "responses": {"204": {"description": "No Content"}}}
    return item


def named(routine: Routine) -> tuple[RoutineParam, ...]:
    """Unnamed arguments cannot be passed by name; they are left out of the document."""
    return tuple(p for p in routine.params if p.name)


def _get_param(p: RoutineParam) -> Json:
    out: Json = {"name": p.name, "required": p.required, "in": "query"}
    kind = swagger_type(p.type, kind_of(p.type))
    if p.variadic:  # repeated `?arg=1&arg=2`
        element = p.type[:-2] if p.type.endswith("[]") else p.type
        item_kind = swagger_type(element, kind_of(element))
        out.update({"type": kind or "string", "collectionFormat": "multi", "items": {
            **({"type": item_kind} if item_kind else {"type": "string"}), "format": element}})
        return out
    out["format"] = p.type
    out["type"] = "string" if kind in (None, "array") else kind
    return out


def routine_schema(routine: Routine) -> Json:
    props: Json = {}
    for p in named(routine):
        prop: Json = {"format": p.type}
        kind = swagger_type(p.type, kind_of(p.type))
        if kind is not None:
            prop["type"] = kind
        items = _items(p.type)
        if items is not None:
            prop["items"] = items
        props[p.name] = prop
    out: Json = {}
    if routine.description is not None:
        out["description"] = routine.description
    out.update({"type": "object", "properties": props})
    required = [p.name for p in named(routine) if p.required]
    if required:
        out["required"] = required
    return out


def routine_path(routine: Routine) -> Json:
    base = {**_operation(f"(rpc) {routine.name}", routine.description),
            "produces": RPC_MIMES, "responses": {"200": {"description": "OK"}}}
    post = {**base, "parameters": [
        {"name": "args", "required": True, "in": "body", "schema": routine_schema(routine)},
        ref("parameters", "preferParams")]}
    if routine.volatility == "v":
        return {"post": post}
    return {"get": {**base, "parameters": [_get_param(p) for p in named(routine)]},
            "post": post}


ROOT_PATH: Json = {"get": {"tags": ["Introspection"],
                           "summary": "OpenAPI description (this document)",
                           "produces": ROOT_MIMES, "responses": {"200": {"description": "OK"}}}}


def build(content: Content) -> Json:
    title, description = split_comment(content.schema_description)
    paths: Json = {"/": ROOT_PATH}
    paths.update((f"/{t.name}", table_path(t)) for t in content.tables)
    paths.update((f"/rpc/{r.name}", routine_path(r)) for r in content.routines)
    server = content.server
    doc: Json = {
        "swagger": "2.0",
        "info": {"description": description or "This is a dynamic API generated by PostgREST",
                 "title": title or "PostgREST API", "version": content.version},
        "externalDocs": {"description": "PostgREST Documentation", "url": DOCS_URL},
        "host": f"{server.host}:{server.port}",
        "basePath": server.base_path,
        "schemes": [server.scheme],
        "consumes": MIMES,
        "produces": MIMES,
        "paths": paths,
        "definitions": {t.name: table_definition(content.cache, t) for t in content.tables},
        "parameters": parameter_definitions(content.tables),
    }
    if content.security:
        doc["securityDefinitions"] = {"JWT": {
            "type": "apiKey", "name": "Authorization", "in": "header",
            "description": 'Add the token prepending "Bearer " (without quotes) to it'}}
        doc["security"] = [{"JWT": []}]
    return doc
