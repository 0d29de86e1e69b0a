"""OpenAPI 3.1, beyond PostgREST: the Swagger 2.0 document restated in 3.1's terms.

Built from the same pieces as `swagger2` so the two never drift: `definitions` become
`components.schemas` (with JSON Schema's `["integer", "null"]` for nullable columns,
which 2.0 cannot say), shared query and header parameters `components.parameters`, body
parameters `components.requestBodies`, the host and base path one `servers` entry. Every
operation also documents PostgREST's error body as its `4XX`/`5XX` responses, so a client
(or schemathesis) can check error answers against the document.
"""

from __future__ import annotations

import re
from typing import Any

from dbrest.openapi.swagger2 import JSON_MIME, Content, Json
from dbrest.openapi.swagger2 import build as build_swagger2

ERROR_SCHEMA: Json = {
    "type": "object", "required": ["code", "message", "details", "hint"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "details": {"type": ["string", "null"]}, "hint": {"type": ["string", "null"]}},
}
_PARAM_SCHEMA_KEYS = ("type", "format", "default", "enum", "items")


def _unescape(pointer: str) -> str:
    return pointer.replace("~1", "/").replace("~0", "~")


def key(name: str) -> str:
    """A component name 3.1 accepts (`^[a-zA-Z0-9._-]+$`) for a 2.0 one: the name, with
    each other character as `_<hex>_` (a column `Column With Space`)."""
    return re.sub(r"[^A-Za-z0-9.\-]|_", lambda m: f"_{ord(m.group()):x}_", name)


def _ref(node: Any) -> Any:
    """`#/definitions/x` → `#/components/schemas/x`, everywhere in a schema."""
    if isinstance(node, dict):
        return {k: ("#/components/schemas/" + key(_unescape(v.removeprefix("#/definitions/")))
                    if k == "$ref" and isinstance(v, str) else _ref(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_ref(v) for v in node]
    return node


def _parameter(param: Json) -> Json:
    schema = {k: param[k] for k in _PARAM_SCHEMA_KEYS if k in param}
    if param.get("collectionFormat") == "multi":  # repeated `?arg=1&arg=2`
        schema["type"] = "array"
    out: Json = {k: param[k] for k in ("name", "in", "description", "required") if k in param}
    if out.get("in") == "query" and param.get("collectionFormat") == "multi":
        out.update({"style": "form", "explode": True})
    return {**out, "schema": schema}


def _body(schema: Json, required: bool) -> Json:
    return {"required": required, "content": {JSON_MIME: {"schema": _ref(schema)}}}


def _operation(op: Json, bodies: set[str]) -> Json:
    out: Json = {k: op[k] for k in ("tags", "summary", "description") if k in op}
    params = []
    for param in op.get("parameters", []):
        target = param.get("$ref", "")
        name = _unescape(target.removeprefix("#/parameters/"))
        if name in bodies:
            out["requestBody"] = {"$ref": f"#/components/requestBodies/{key(name)}"}
        elif target:
            params.append({"$ref": f"#/components/parameters/{key(name)}"})
        elif param.get("in") == "body":
            out["requestBody"] = _body(param["schema"], bool(param.get("required")))
        else:
            params.append(_parameter(param))
    if params:
        out["parameters"] = params
    responses: Json = {}
    for status, response in op["responses"].items():
        responses[status] = {"description": response["description"]}
        if "schema" in response:
            responses[status]["content"] = {JSON_MIME: {"schema": _ref(response["schema"])}}
    responses["4XX"] = responses["5XX"] = {"$ref": "#/components/responses/Error"}
    # SQL may set any status (`response.status`), with the body it returns
    responses["default"] = {"description": "A status set by SQL (response.status)"}
    out["responses"] = responses
    return out


def _nullable(schemas: Json, content: Content) -> Json:
    for table in content.tables:
        props = schemas[table.name]["properties"]
        for col in table.columns:
            prop = props[col.name]
            prop.pop("x-nullable", None)
            if col.nullable and "type" in prop:
                prop["type"] = [prop["type"], "null"]
    return schemas


def build(content: Content) -> Json:
    v2 = build_swagger2(content)
    bodies = {name for name, p in v2["parameters"].items() if p["in"] == "body"}
    server = content.server
    doc: Json = {
        "openapi": "3.1.0",
        "info": v2["info"],
        "externalDocs": v2["externalDocs"],
        "servers": [{"url": f"{server.scheme}://{server.host}:{server.port}"
                            f"{server.base_path.rstrip('/')}/"}],
        "paths": {path: {method: _operation(op, bodies) for method, op in item.items()}
                  for path, item in v2["paths"].items()},
        "components": {
            "schemas": {key(n): s for n, s in
                        _nullable(_ref(v2["definitions"]), content).items()},
            "parameters": {key(n): _parameter(p) for n, p in v2["parameters"].items()
                           if n not in bodies},
            "requestBodies": {key(n): _body(v2["parameters"][n]["schema"], False)
                              for n in sorted(bodies)},
            "responses": {"Error": {"description": "Error", "content": {
                JSON_MIME: {"schema": ERROR_SCHEMA}}}},
        },
    }
    if content.security:
        doc["components"]["securitySchemes"] = {"JWT": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "A JWT in the Authorization header: Bearer <token>"}}
        doc["security"] = [{"JWT": []}]
    return doc
