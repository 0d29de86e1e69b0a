"""The OpenAPI documents built from an in-memory schema cache: PostgREST's Swagger 2.0
shapes, OpenAPI 3.1, negotiation and modes; both validated against the official schemas
(openapi-spec-validator ships them)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import orjson
import pytest
from openapi_spec_validator import OpenAPIV2SpecValidator, OpenAPIV31SpecValidator

from dbrest.errors import NotAcceptable, OpenApiDisabled, ParseError
from dbrest.exec.base import Accessible
from dbrest.openapi import Options, document, negotiate, parse_proxy, server_of
from dbrest.openapi.swagger2 import base_type, parse_default, split_comment
from dbrest.parse.headers import parse_accept
from dbrest.relationships import build_schema_cache
from dbrest.schema import Column, Routine, RoutineParam, SchemaCache, Table, kind_of
from tests.plan.schema_fixture import CACHE

ALL = Accessible(None, None)


def commented_cache() -> SchemaCache:
    authors = CACHE.tables[("public", "authors")]
    cols = tuple(replace(c, description="The author's name") if c.name == "name" else c
                 for c in authors.columns)
    tables = {**CACHE.tables, ("public", "authors"): Table(
        "public", "authors", cols, authors.primary_key, description="Writers\n\nPeople.")}
    routines = {
        ("public", "add"): (Routine("public", "add", (RoutineParam("a", "integer"),
                                                      RoutineParam("b", "integer", False)),
                                    "scalar", False, "integer", "i", description="Adds"),),
        ("public", "touch"): (Routine("public", "touch", (), "void", False, "void", "v"),),
        ("public", "total"): (Routine("public", "total", (
            RoutineParam("v", "integer[]", True, True, True),), "scalar", False, "integer",
            "s"),),
    }
    return build_schema_cache(tables, CACHE.foreign_keys, CACHE.view_sources, routines=routines)


def build(cache: SchemaCache = CACHE, accept: str | None = None,
          query: tuple[tuple[str, str], ...] = (), seen: Accessible = ALL,
          **options: object) -> tuple[str, dict]:
    async def accessible() -> Accessible:
        return seen

    doc = asyncio.run(document(cache, Options(**options), "public",  # type: ignore[arg-type]
                               parse_accept(accept), query, accessible))
    return doc.content_type, orjson.loads(doc.body)


def test_swagger2_is_valid_and_complete() -> None:
    content_type, doc = build(commented_cache())
    OpenAPIV2SpecValidator(doc).validate()
    assert content_type == "application/openapi+json; charset=utf-8"
    assert set(doc["paths"]) == {"/", "/rpc/add", "/rpc/touch", "/rpc/total"} | {
        f"/{name}" for (_, name) in CACHE.tables}
    assert doc["host"] == "0.0.0.0:3000" and doc["schemes"] == ["http"]
    assert "securityDefinitions" not in doc


def test_keys_comments_and_required() -> None:
    _, doc = build(commented_cache())
    authors = doc["definitions"]["authors"]
    assert authors["description"] == "Writers\n\nPeople."
    assert authors["properties"]["id"]["description"] == "Note:\nThis is a Primary Key.<pk/>"
    assert authors["properties"]["name"]["description"] == "The author's name"
    fk = doc["definitions"]["books"]["properties"]["author_id"]["description"]
    assert fk == "Note:\nThis is a Foreign Key to `authors.id`.<fk table='authors' column='id'/>"
    get = doc["paths"]["/authors"]["get"]
    assert (get["summary"], get["description"]) == ("Writers", "People.")
    assert doc["parameters"]["rowFilter.authors.name"]["description"] == "The author's name"
    assert {"$ref": "#/parameters/rowFilter.authors.name"} in get["parameters"]


def test_views_are_read_only_and_tables_writable() -> None:
    _, doc = build()
    assert set(doc["paths"]["/recent_books"]) == {"get"}
    assert set(doc["paths"]["/books"]) == {"get", "post", "patch", "delete"}


def test_rpc_paths_follow_volatility_and_arguments() -> None:
    _, doc = build(commented_cache())
    assert set(doc["paths"]["/rpc/touch"]) == {"post"}  # volatile: POST only
    add = doc["paths"]["/rpc/add"]
    assert add["get"]["parameters"] == [
        {"name": "a", "required": True, "in": "query", "format": "integer", "type": "integer"},
        {"name": "b", "required": False, "in": "query", "format": "integer", "type": "integer"}]
    body = add["post"]["parameters"][0]
    assert body["schema"]["required"] == ["a"] and body["schema"]["description"] == "Adds"
    assert add["post"]["tags"] == ["(rpc) add"]
    variadic = doc["paths"]["/rpc/total"]["get"]["parameters"][0]
    assert variadic["collectionFormat"] == "multi" and variadic["type"] == "array"


@pytest.mark.parametrize(("col_type", "kind", "default", "expected"), [
    ("text", "text", "'hello'::text", (True, "hello")),
    ("character varying", "text", "'x'::character varying", (True, "x")),
    ("integer", "integer", "42", (True, 42)),
    ("integer", "integer", "nextval('s'::regclass)", (False, None)),
    ("boolean", "boolean", "true", (True, True)),
    ("TEXT", "text", "'abc'", (True, "'abc'")),  # SQLite's literal keeps its quotes
    ("jsonb", "json", "'{}'::jsonb", (False, None)),
])
def test_defaults_as_postgrest_parses_them(col_type: str, kind: str, default: str,
                                           expected: tuple[bool, object]) -> None:
    assert parse_default(col_type, kind, default) == expected


def test_type_modifiers_become_max_length() -> None:
    cache = build_schema_cache({("public", "t"): Table("public", "t", (
        Column("code", "character varying(8)", kind_of("character varying"), False),
        Column("tags", "text[]", kind_of("text[]")),
        Column("doc", "jsonb", "json", False)), ("code",))})
    _, doc = build(cache)
    props = doc["definitions"]["t"]["properties"]
    assert props["code"] == {"description": "Note:\nThis is a Primary Key.<pk/>",
                             "format": "character varying", "maxLength": 8, "type": "string"}
    assert props["tags"] == {"format": "text[]", "type": "array", "items": {"type": "string"},
                             "x-nullable": True}
    assert props["doc"] == {"format": "jsonb"}
    assert doc["definitions"]["t"]["required"] == ["code", "doc"]
    assert base_type("numeric(10,2)") == "numeric"


def test_openapi31_is_valid_with_nullable_columns() -> None:
    content_type, doc = build(commented_cache(), query=(("openapi", "3.1"),),
                              security_active=True)
    OpenAPIV31SpecValidator(doc).validate()
    assert content_type == "application/vnd.oai.openapi+json;version=3.1; charset=utf-8"
    props = doc["components"]["schemas"]["authors"]["properties"]
    assert props["id"]["type"] == "integer" and props["name"]["type"] == "string"
    books = doc["components"]["schemas"]["books"]["properties"]
    assert books["year"]["type"] == ["integer", "null"]
    assert books["published"]["type"] == ["string", "null"]
    post = doc["paths"]["/authors"]["post"]
    assert post["requestBody"] == {"$ref": "#/components/requestBodies/body.authors"}
    assert doc["security"] == [{"JWT": []}]


def test_accept_header_asks_for_31() -> None:
    _, doc = build(accept="application/vnd.oai.openapi+json;version=3.1")
    assert doc["openapi"] == "3.1.0"
    content_type, doc = build(accept="application/json", query=(("openapi", "2.0"),))
    assert doc["swagger"] == "2.0" and content_type == "application/json; charset=utf-8"


def test_negotiation_errors() -> None:
    with pytest.raises(NotAcceptable, match="text/csv"):
        negotiate(parse_accept("text/csv"), ())
    with pytest.raises(ParseError):
        negotiate(parse_accept(None), (("openapi", "4"),))


def test_security_definitions() -> None:
    _, doc = build(security_active=True)
    OpenAPIV2SpecValidator(doc).validate()
    assert doc["securityDefinitions"]["JWT"]["in"] == "header"
    assert doc["security"] == [{"JWT": []}]


def test_disabled_mode() -> None:
    with pytest.raises(OpenApiDisabled):
        build(mode="disabled")


def test_follow_privileges_filters_what_the_role_may_use() -> None:
    seen = Accessible(frozenset({"authors"}), frozenset({"add"}), "My API\n\nAbout it.")
    _, doc = build(commented_cache(), seen=seen)
    assert set(doc["paths"]) == {"/", "/authors", "/rpc/add"}
    assert set(doc["definitions"]) == {"authors"}
    assert doc["info"]["title"] == "My API" and doc["info"]["description"] == "About it."
    _, doc = build(commented_cache(), seen=seen, mode="ignore-privileges")
    assert "/books" in doc["paths"] and "/rpc/touch" in doc["paths"]


def test_proxy_uri() -> None:
    _, doc = build(server_proxy_uri="https://api.example.com/v1")
    assert (doc["host"], doc["basePath"], doc["schemes"]) == (
        "api.example.com:443", "/v1", ["https"])
    assert server_of(Options(server_host="*", server_port=8080)).host == "0.0.0.0"
    with pytest.raises(ValueError, match="malformed"):
        parse_proxy("ftp://x")


def test_split_comment() -> None:
    assert split_comment("Title\n\n\nBody") == ("Title", "Body")
    assert split_comment("Only") == ("Only", None)
