"""The OpenAPI document at `/`: negotiation, `openapi_mode`, and which version to build.

The pipeline makes one call, `document(...)`: this package negotiates the format
(`application/openapi+json` or `application/json` → Swagger 2.0 as PostgREST serves it;
`application/vnd.oai.openapi+json;version=3.1` or `?openapi=3.1` → OpenAPI 3.1; anything
else 406 PGRST107), honours `openapi_mode` (`disabled`: 404 PGRST126;
`follow-privileges`: only what the request's role may use, asked of the database as
that role, as PostgREST's `openApiQuery` does; `ignore-privileges`: everything of the
schema) and `openapi_server_proxy_uri`, then builds the document from the schema cache.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import orjson

from dbrest.errors import NotAcceptable, OpenApiDisabled, ParseError
from dbrest.exec.base import Accessible
from dbrest.openapi import openapi31, swagger2
from dbrest.openapi.swagger2 import Content, Server
from dbrest.parse.ast import MediaType
from dbrest.schema import SchemaCache

Version = Literal["2.0", "3.1"]
OPENAPI = "application/openapi+json"
OAI = "application/vnd.oai.openapi+json"
# the query parameter that asks for a version, at `/` only (not a filter there)
VERSION_PARAM = "openapi"


@dataclass(frozen=True, slots=True)
class Options:
    """The configuration this package reads (`Config`'s `openapi_*` and server keys)."""

    mode: str = "follow-privileges"
    server_proxy_uri: str | None = None
    security_active: bool = False
    server_host: str = "0.0.0.0"
    server_port: int = 3000
    version: str = "0.1.0"

    @classmethod
    def of(cls, config: Any) -> Options:
        from importlib.metadata import PackageNotFoundError, version

        try:
            pkg = version("dbrest")
        except PackageNotFoundError:
            pkg = "0.1.0"
        return cls(config.openapi_mode, config.openapi_server_proxy_uri,
                   config.openapi_security_active, config.server_host, config.server_port, pkg)


@dataclass(frozen=True, slots=True)
class Document:
    content_type: str
    body: bytes


def negotiate(accept: tuple[MediaType, ...], query: tuple[tuple[str, str], ...]
              ) -> tuple[Version, str]:
    """(version, Content-Type) for the first acceptable media type; `?openapi=` wins on
    the version."""
    asked = [v for k, v in query if k == VERSION_PARAM]
    if asked and asked[-1] not in ("2.0", "3.1", "3.1.0"):
        raise ParseError(f"Unknown OpenAPI version: {asked[-1]}",
                         hint="Use openapi=2.0 or openapi=3.1")
    for media in accept:
        params = dict(media.params)
        if media.type in (OPENAPI, "*/*", "application/*"):
            version: Version = "2.0"
            content_type = OPENAPI
        elif media.type == "application/json":
            version, content_type = "2.0", "application/json"
        elif media.type == OAI and params.get("version", "3.1") in ("3.1", "3.1.0"):
            version, content_type = "3.1", f"{OAI};version=3.1"
        elif media.type == OAI and params.get("version") == "2.0":
            version, content_type = "2.0", f"{OAI};version=2.0"
        else:
            continue
        if asked:
            version = "2.0" if asked[-1] == "2.0" else "3.1"
            if content_type.startswith((OPENAPI, OAI)):
                content_type = OPENAPI if version == "2.0" else f"{OAI};version=3.1"
        return version, content_type + "; charset=utf-8"
    listed = ", ".join(m.type for m in accept)
    raise NotAcceptable(f"None of these media types are available: {listed}")


def parse_proxy(uri: str) -> Server:
    """`openapi_server_proxy_uri` → scheme, host, port, base path (PostgREST `pickProxy`);
    ValueError when it is not an absolute http(s) URI."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"openapi_server_proxy_uri: malformed proxy uri {uri!r} "
                         "(expected http(s)://host[:port][/path])")
    port = parts.port or (443 if scheme == "https" else 80)
    return Server(scheme, parts.hostname, port, parts.path or "/")


def server_of(options: Options) -> Server:
    if options.server_proxy_uri:
        return parse_proxy(options.server_proxy_uri)
    host = options.server_host
    host = "0.0.0.0" if host in ("*", "*4", "!4", "*6", "!6") else host
    return Server("http", host, options.server_port, "/")


async def document(cache: SchemaCache, options: Options, schema: str,
                   accept: tuple[MediaType, ...], query: tuple[tuple[str, str], ...],
                   accessible: Callable[[], Awaitable[Accessible]]) -> Document:
    """The document for one request at `/`. `accessible` asks the database what the
    request's role may use (and the schema's comment)."""
    version, content_type = negotiate(accept, query)
    if options.mode == "disabled":
        raise OpenApiDisabled("Root endpoint metadata is disabled")
    seen = await accessible()
    follow = options.mode == "follow-privileges"
    tables = tuple(t for (s, name), t in sorted(cache.tables.items()) if s == schema
                   and (not follow or seen.tables is None or name in seen.tables))
    routines = tuple(overloads[0] for (s, name), overloads in sorted(cache.routines.items())
                     if s == schema and overloads
                     and (not follow or seen.routines is None or name in seen.routines))
    content = Content(cache, tables, routines, server_of(options), seen.description,
                      options.security_active, options.version)
    build = openapi31.build if version == "3.1" else swagger2.build
    return Document(content_type, orjson.dumps(build(content)))
