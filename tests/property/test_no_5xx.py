"""No generated read makes dbrest answer 5xx, on PostgreSQL or on SQLite.

Requests are built from the fixture's own tables, columns and relationships (as ASTs,
printed by `dbrest.parse.printer`, so that most of them get past the parser and reach
the planner and the database) mixed with junk paths, junk query pairs and random
`Accept`/`Prefer`/`Range`/`Accept-Profile` headers. Each one goes through the in-process
app of both backends; the answer must be below 500, and an error must be PostgREST's
JSON `{"code","message","details","hint"}`. Only reads: the fixture databases are
shared by the whole session.

One app per backend (`tests.infra.apps.InProcessApp`, with its own event loop) serves the
whole module; the Hypothesis test is synchronous and runs each request to completion.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbrest.parse.ast import (
    Field,
    Filter,
    JoinType,
    JsonStep,
    LogicExpr,
    OpExpr,
    OrderTerm,
    QueryParams,
    Range,
    SelectField,
    SelectItem,
    SelectRelation,
)
from dbrest.parse.grammar import MAX_DEPTH
from dbrest.parse.printer import print_query
from tests.infra.apps import InProcessApp
from tests.property.strategies import AGGREGATES, operations

# Hypothesis's failure report touches `mypy_extensions.TypedDict`, deprecated; with
# `filterwarnings = error` that turns a failing example into a pytest INTERNALERROR.
pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


@dataclass(frozen=True)
class Schema:
    """The fixture as the generator sees it: columns, and tables related by a foreign key."""

    columns: dict[str, tuple[str, ...]]
    related: dict[str, tuple[str, ...]]

    @property
    def tables(self) -> list[str]:
        return sorted(self.columns)


class _Recorder(logging.Handler):
    """Keeps the tracebacks the pipeline logs for unexpected errors."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(logging.Formatter().format(record))


@dataclass
class Apps:
    schema: Schema
    backends: dict[str, InProcessApp] = field(default_factory=dict)
    log: _Recorder = field(default_factory=_Recorder)


def _fixture_schema(path: Path) -> Schema:
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        columns: dict[str, tuple[str, ...]] = {}
        for name in names:
            try:
                columns[name] = tuple(r[1] for r in db.execute(f'PRAGMA table_info("{name}")'))
            except sqlite3.OperationalError:  # a view calling a function dbrest registers
                pass
        names = sorted(columns)
        related: dict[str, set[str]] = {n: set() for n in names}
        for name in names:
            for fk in db.execute(f'PRAGMA foreign_key_list("{name}")'):
                if fk[2] in related:
                    related[name].add(fk[2])
                    related[fk[2]].add(name)
    related["books"].add("tags")  # many-to-many through book_tags
    related["tags"].add("books")
    return Schema(columns, {n: tuple(sorted(r)) for n, r in related.items()})


@pytest.fixture(scope="module")
def apps(backend_uris: dict[str, str], sqlite_fixture_path: Path) -> Iterator[Apps]:
    apps = Apps(_fixture_schema(sqlite_fixture_path))
    logger = logging.getLogger("dbrest")
    logger.addHandler(apps.log)
    try:
        for backend, uri in backend_uris.items():
            apps.backends[backend] = InProcessApp(uri)
        yield apps
    finally:
        logger.removeHandler(apps.log)
        for app in apps.backends.values():
            app.close()


# -- what a request is made of ------------------------------------------------------------------

VALUES = ["1", "0", "-1", "2.5", "abc", "", " ", "null", "true", "FALSE", "1968-11-01",
          "2024-01-01T10:07:00", "10:00", "99999999999999999999", "1e400", "NaN", "Infinity",
          "-infinity", "{1,2}", "{}", "{a,NULL}", "[1,5)", "(,)", '["classic"]', '{"lang":"en"}',
          "%", "_", "*a*", "\x00", "'", "\\", '"', "é", "a,b", "(", ")", "x y", "Dune",
          "fantasy", "US", "2147483648", "-9223372036854775809", "0x10", "1.5e3", "--"]
CASTS = ["text", "int", "integer", "bigint", "numeric", "float8", "double precision", "date",
         "timestamp", "json", "jsonb", "bool", "boolean", "varchar", "nope", "", "int4"]
HINTS = ["books_author_id_fkey", "books_publisher_id_fkey", "billing", "shipping",
         "employees_manager_id_fkey", "author_id", "manager_id", "nope"]
JSON_COLUMNS = ("tags", "metadata")
JSON_KEYS = ["rating", "lang", "series", "name", "order", "awards", "0", "x", ""]
JUNK_PATHS = ["/", "/nope", "/books/1", "/rpc/f", "/Books", "/%20", "/odd table", "//",
              "/books%2Fx", "/a/b/c", "/sqlite_master", "/pg_class", "/information_schema"]
JUNK_PAIRS = ["select=((", "order=", "limit=1e3", "offset=-5", "=x", "&&", "a", "%zz=1",
              "or=(", "and=()", "id=", "id=eq", "not.or=(a.eq.1)", "x.y.z=eq.1",
              "select=*,*", "columns=a", "on_conflict=id", "limit=99999999999999999999",
              "offset=99999999999999999999", "order=id.desc.nullsfirst,id", "id=in.()",
              "select=id,id", "select=count(),count()", "select=a:id,a:id"]
ACCEPTS = ["application/json", "*/*", "text/csv", "application/vnd.pgrst.object+json",
           "application/vnd.pgrst.object", "application/vnd.pgrst.array+json;nulls=stripped",
           "application/vnd.pgrst.object+json;nulls=stripped", "application/geo+json",
           "text/plain", "application/*", "", "junk", "text/csv;q=0", "*/*;q=abc",
           "application/openapi+json", "application/vnd.pgrst.plan+json",
           "text/csv;q=0.5, application/json;q=0.9", ";;", ",", "a/b/c"]
PREFERS = ["count=exact", "count=planned", "count=estimated", "return=representation",
           "handling=strict", "handling=lenient", "tx=rollback", "timezone=UTC",
           "timezone=Nope/Zone", "max-affected=1", "missing=default", "junk", "count=nope",
           "resolution=merge-duplicates", "count=exact, handling=strict, junk"]
RANGES = ["0-0", "0-9", "5-", "1-2", "10-5", "junk", "0-", "99999999999999999999-",
          "0-99999999999999999999", "items=0-9", "-5", "3-3"]
METHODS = ["GET", "GET", "GET", "HEAD"]
RARE_METHODS = ["OPTIONS", "TRACE", "PROPFIND"]


def percent(p: int) -> st.SearchStrategy[bool]:
    """True about `p`% of the time; away from 0 and 99, which Hypothesis draws more often."""
    return st.integers(0, 99).map(lambda i: 20 <= i < 20 + p)


@st.composite
def fields(draw: st.DrawFn, columns: tuple[str, ...]) -> Field:
    """A column of `columns`; now and then a JSON path, mostly on a JSON column."""
    steps: list[JsonStep] = []
    if draw(percent(20)):
        for _ in range(draw(st.integers(1, 2))):
            index = draw(st.booleans())
            key = draw(st.sampled_from(["0", "-1", "2", "99999999999999999999"] if index
                                       else JSON_KEYS))
            steps.append(JsonStep(draw(st.sampled_from(["->", "->>"])), key, index))
        json_columns = [c for c in columns if c in JSON_COLUMNS]
        if json_columns and not draw(percent(20)):
            columns = tuple(json_columns)
    name = draw(st.sampled_from(["*", "nope", "Id"] if draw(percent(3)) else columns))
    return Field(name, tuple(steps))


def fixture_operations() -> st.SearchStrategy[OpExpr]:
    return operations(st.sampled_from(VALUES), st.sampled_from(["english", "simple", "nope"]))


Embeds = dict[tuple[str, ...], str]  # embed path → the table it reads


@st.composite
def select_items(draw: st.DrawFn, schema: Schema, table: str, embeds: Embeds,
                 path: tuple[str, ...] = ()) -> SelectItem:
    """One select item of `table`; the embeds it makes are recorded in `embeds`."""
    related = schema.related.get(table, ())
    if len(path) < 2 and draw(percent(25)):
        pool = schema.tables if not related or draw(percent(15)) else related
        target = draw(st.sampled_from(pool))
        spread = draw(percent(25))
        alias = None if spread else draw(st.none() | st.none() | st.sampled_from(["x", "y"]))
        inner = path + (alias or target,)
        embeds.setdefault(inner, target)
        children = draw(st.lists(select_items(schema, target, embeds, inner), max_size=3))
        return SelectRelation(
            target, tuple(children), alias=alias,
            hint=draw(st.none() | st.none() | st.sampled_from(HINTS)),
            join_type=draw(st.none() | st.sampled_from(JoinType)), spread=spread)
    if draw(percent(15)):
        return SelectField(Field("*"))
    aggregate = draw(st.sampled_from(AGGREGATES)) \
        if draw(percent(3)) else None
    return SelectField(
        draw(fields(schema.columns[table])),
        alias=draw(st.none() | st.none() | st.sampled_from(["a", "b", "id"])),
        cast=draw(st.sampled_from(CASTS)) if draw(percent(20)) else None,
        aggregate=aggregate,  # type: ignore[arg-type]
        aggregate_cast=draw(st.none() | st.sampled_from(CASTS)) if aggregate else None)


@st.composite
def queries(draw: st.DrawFn, schema: Schema, table: str) -> QueryParams:
    embeds: Embeds = {(): table}
    select: tuple[SelectItem, ...] = QueryParams().select
    if draw(st.booleans()):
        select = tuple(draw(st.lists(select_items(schema, table, embeds), max_size=4)))
    # Mostly paths the select embeds, now and then one it does not (PGRST108).
    embedded = st.sampled_from(sorted(embeds))
    others = st.sampled_from(schema.tables).map(lambda t: (t,))
    paths = percent(3).flatmap(lambda junk: others if junk else embedded)

    @st.composite
    def on_path(draw: st.DrawFn, make: Any) -> tuple[tuple[str, ...], Any]:
        path = draw(paths)
        return path, draw(make(schema.columns[embeds.get(path, table)]))

    def filters(columns: tuple[str, ...]) -> st.SearchStrategy[Filter]:
        return st.builds(Filter, fields(columns), fixture_operations())

    def trees(columns: tuple[str, ...]) -> st.SearchStrategy[LogicExpr]:
        return st.recursive(
            st.builds(LogicExpr, st.sampled_from(["and", "or"]),
                      st.lists(filters(columns), min_size=1, max_size=3).map(tuple),
                      st.booleans()),
            lambda kids: st.builds(
                LogicExpr, st.sampled_from(["and", "or"]),
                st.lists(kids | filters(columns), min_size=1, max_size=3).map(tuple),
                st.booleans()),
            max_leaves=5)

    def orders(columns: tuple[str, ...]) -> st.SearchStrategy[tuple[OrderTerm, ...]]:
        related = st.sampled_from(sorted(p[-1] for p in embeds if p))
        term = st.builds(OrderTerm, fields(columns),
                         st.none() | st.sampled_from(["asc", "desc"]),
                         st.none() | st.sampled_from(["first", "last"]),
                         st.none() | st.none() | (related if len(embeds) > 1 else st.none()))
        return st.lists(term, min_size=1, max_size=3).map(tuple)

    limits = st.none() | st.integers(-2, 30) | st.just(10**20)
    range_paths = dict.fromkeys(draw(st.lists(paths, max_size=2)))
    return QueryParams(
        select=select,
        filters=tuple(draw(st.lists(on_path(filters), max_size=3))),
        logic=tuple(draw(st.lists(on_path(trees), max_size=2))),
        order=tuple(draw(st.lists(on_path(orders), max_size=2))),
        ranges=tuple((p, Range(draw(st.integers(0, 40) | st.just(10**20)), draw(limits)))
                     for p in range_paths),
    )


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return f"{self.method} {self.url} {dict(self.headers)}"


@st.composite
def requests(draw: st.DrawFn, schema: Schema) -> Request:
    table = draw(st.sampled_from(schema.tables))
    path = draw(st.sampled_from(JUNK_PATHS)) if draw(percent(8)) else f"/{table}"
    pairs = [f"{quote(k, safe='')}={quote(v, safe='')}"
             for k, v in print_query(draw(queries(schema, table)))]
    for _ in range(draw(st.sampled_from([1, 2])) if draw(percent(25)) else 0):
        junk = draw(st.sampled_from(JUNK_PAIRS) | st.text(
            st.characters(min_codepoint=33, max_codepoint=126), max_size=12))
        pairs.insert(draw(st.integers(0, len(pairs))), junk)
    headers = []
    for name, pool in (("Accept", ACCEPTS), ("Prefer", PREFERS), ("Range", RANGES),
                       ("Accept-Profile", ["public"] * 4 + ["nope"])):
        if draw(percent(25)):
            headers.append((name, draw(st.sampled_from(pool))))
    query = "&".join(pairs)
    method = draw(st.sampled_from(RARE_METHODS if draw(percent(8)) else METHODS))
    return Request(method, path + ("?" + query if query else ""),
                   tuple(headers))


# -- the property ----------------------------------------------------------------------------------

def check(apps: Apps, backend: str, req: Request, body: bytes = b"") -> None:
    del apps.log.records[:]
    response = apps.backends[backend].request(req.method, req.url, headers=req.headers,
                                              content=body)
    logged = "\n".join(apps.log.records)
    assert response.status_code < 500, \
        f"{backend}: {req} → {response.status_code} {response.text[:300]}\n{logged}"
    if response.status_code >= 300 and req.method != "HEAD":
        assert response.headers["content-type"].startswith("application/json"), (backend, req)
        body = orjson.loads(response.content)
        assert set(body) == {"code", "message", "details", "hint"}, (backend, req, body)


def test_setup_answers(apps: Apps) -> None:
    """Guards the property below against a setup where every request fails alike."""
    for backend, app in apps.backends.items():
        response = app.get("/books?select=id&id=eq.1")
        assert (response.status_code, response.json()) == (200, [{"id": 1}]), backend


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_5xx(apps: Apps, data: st.DataObject) -> None:
    req = data.draw(requests(apps.schema), label="request")
    for backend in apps.backends:
        check(apps, backend, req)


@pytest.mark.parametrize("req", [
    # As deep as the parser lets embeds and logic trees nest, and one level deeper (PGRST100)
    *(Request("GET", "/employees?select=" + "employees!manager_id(" * n + "id" + ")" * n, ())
      for n in (MAX_DEPTH, MAX_DEPTH + 1, 64)),
    *(Request("GET", "/books?or=(" + "not.and(" * (n - 1) + "id.eq.1" + ")" * n, ())
      for n in (MAX_DEPTH, MAX_DEPTH + 1)),
    Request("GET", "/books?select=" + "a(" * 300 + ")" * 300, ()),
    Request("GET", "/books?limit=5", (("Range", "10-20"),)),
    Request("GET", "/books?select=tags->99999999999999999999", ()),
    Request("GET", "/books?id=eq.99999999999999999999", ()),
    Request("GET", "/books?limit=99999999999999999999", ()),
    Request("GET", "/books?offset=99999999999999999999", ()),
    Request("GET", "/books?title=eq.%00", ()),
], ids=lambda r: str(r)[:70])
def test_edge_requests(apps: Apps, req: Request) -> None:
    for backend in apps.backends:
        check(apps, backend, req)
