"""The two backends against the conformance fixture: introspection, health, start-up.

Uses the session fixtures of tests/conftest.py (a PostgreSQL database and a SQLite file
loaded from conformance/fixtures/schema.sql): both must describe the same schema, so
that plans — and URLs — mean the same thing on either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from dbrest.errors import ConnectionError_
from dbrest.exec.base import Backend, RequestContext
from dbrest.exec.postgres import PostgresBackend
from dbrest.exec.sqlite import SqliteBackend
from dbrest.render.compile import Renderer
from dbrest.schema import DomainCasts, SchemaCache
from tests.plan.helpers import plan

T = TypeVar("T")

TABLES = {"addresses", "authors", "book_details", "book_tags", "books", "empty_table",
          "employees", "event_log", "items", "odd_columns", "orders", "publishers",
          "recent_books", "regions", "reviews", "stores", "tags"}


def with_backend(backend: Backend, use: Callable[[Backend], Awaitable[T]]) -> T:
    async def run() -> T:
        await backend.start()
        try:
            return await use(backend)
        finally:
            await backend.stop()
    return asyncio.run(run())


def introspect(backend: Backend) -> SchemaCache:
    return with_backend(backend, lambda b: b.introspect(("public",)))


@pytest.fixture(scope="module")
def caches(pg_fixture_uri: str, sqlite_fixture_path: Path) -> dict[str, SchemaCache]:
    return {"postgres": introspect(PostgresBackend(pg_fixture_uri, 2)),
            "sqlite": introspect(SqliteBackend(str(sqlite_fixture_path), 2))}


BACKENDS = pytest.mark.parametrize("backend", ["postgres", "sqlite"])


@BACKENDS
def test_tables(caches: dict[str, SchemaCache], backend: str) -> None:
    """The tables of conformance/fixtures/schema.sql (each backend's extras add views)."""
    cache = caches[backend]
    assert TABLES <= {name for schema, name in cache.tables if schema == "public"}
    assert "recent_books" in {name for (_, name), t in cache.tables.items() if t.is_view}
    assert not any(t.is_view for (_, name), t in cache.tables.items()
                   if name in TABLES - {"recent_books"})


# SQLite's stand-ins for PostgreSQL's hidden `private` schema (fixtures/sqlite.sql), and
# its FTS5 index table (a table there; its shadow tables are not served).
SQLITE_ONLY = frozenset({"private_clients", "private_projects", "articles_fts"})


# PostgreSQL's domain representations (fixtures/postgres.sql): SQLite has no domains.
POSTGRES_ONLY = frozenset({"swatches"})


def test_same_tables_on_both(caches: dict[str, SchemaCache]) -> None:
    assert {key for key in caches["postgres"].tables if key[1] not in POSTGRES_ONLY} == {
        key for key in caches["sqlite"].tables if key[1] not in SQLITE_ONLY}


def test_domain_representations_are_introspected(caches: dict[str, SchemaCache]) -> None:
    """The functions of a domain's casts to json and from json and text (pg_cast)."""
    table = caches["postgres"].table("public", "swatches")
    assert table is not None
    rgb, name = table.column("rgb"), table.column("name")
    assert rgb is not None and name is not None
    assert rgb.domain == DomainCasts(to_json=("public", "color_json"),
                                     from_text=("public", "color_from_text"),
                                     from_json=("public", "color_from_json"))
    assert name.domain is None


def test_same_columns_and_kinds(caches: dict[str, SchemaCache]) -> None:
    def columns(cache: SchemaCache) -> dict[str, list[tuple[str, str]]]:
        return {name: [(c.name, c.kind) for c in t.columns]
                for (_, name), t in cache.tables.items() if name in TABLES}
    assert columns(caches["postgres"]) == columns(caches["sqlite"])


@BACKENDS
@pytest.mark.parametrize(("table", "expected"), [
    ("books", [("id", "integer"), ("title", "text"), ("author_id", "integer"),
               ("publisher_id", "integer"), ("year", "integer"), ("pages", "integer"),
               ("price", "number"), ("genre", "text"), ("tags", "json"), ("metadata", "json"),
               ("published_on", "date"), ("created_at", "timestamp")]),
    ("authors", [("id", "integer"), ("name", "text"), ("birth_year", "integer"),
                 ("country", "text"), ("active", "boolean")]),
    ("orders", [("id", "integer"), ("customer", "text"), ("billing_address_id", "integer"),
                ("shipping_address_id", "integer"), ("total", "number"), ("status", "text"),
                ("ordered_at", "timestamp")]),
    ("odd_columns", [("id", "integer"), ("Column With Space", "text"),
                     ("field-with-dash", "text"), ("UpperCase", "integer"), ("label", "text")]),
    ("recent_books", [("id", "integer"), ("title", "text"), ("author_id", "integer"),
                      ("year", "integer"), ("genre", "text")]),
])
def test_column_kinds(caches: dict[str, SchemaCache], backend: str, table: str,
                      expected: list[tuple[str, str]]) -> None:
    t = caches[backend].table("public", table)
    assert t is not None
    assert [(c.name, c.kind) for c in t.columns] == expected


@BACKENDS
@pytest.mark.parametrize(("table", "pk"), [
    ("books", ("id",)),
    ("book_details", ("book_id",)),
    ("book_tags", ("book_id", "tag_id")),
    ("regions", ("country_code", "region_code")),
    ("event_log", ()),
    ("recent_books", ()),
])
def test_primary_keys(caches: dict[str, SchemaCache], backend: str, table: str,
                      pk: tuple[str, ...]) -> None:
    t = caches[backend].table("public", table)
    assert t is not None and t.primary_key == pk


@BACKENDS
@pytest.mark.parametrize(("table", "uniques"), [
    ("publishers", (("name",),)),
    ("tags", (("name",),)),
    ("books", ()),
])
def test_unique_keys(caches: dict[str, SchemaCache], backend: str, table: str,
                     uniques: tuple[tuple[str, ...], ...]) -> None:
    t = caches[backend].table("public", table)
    assert t is not None and t.unique_keys == uniques


FOREIGN_KEYS = {
    ("billing", "orders", ("billing_address_id",), "addresses", ("id",)),
    ("shipping", "orders", ("shipping_address_id",), "addresses", ("id",)),
    ("book_details_book_id_fkey", "book_details", ("book_id",), "books", ("id",)),
    ("book_tags_book_id_fkey", "book_tags", ("book_id",), "books", ("id",)),
    ("book_tags_tag_id_fkey", "book_tags", ("tag_id",), "tags", ("id",)),
    ("books_author_id_fkey", "books", ("author_id",), "authors", ("id",)),
    ("books_publisher_id_fkey", "books", ("publisher_id",), "publishers", ("id",)),
    ("employees_manager_id_fkey", "employees", ("manager_id",), "employees", ("id",)),
    ("reviews_book_id_fkey", "reviews", ("book_id",), "books", ("id",)),
    ("stores_region_fkey", "stores", ("country_code", "region_code"), "regions",
     ("country_code", "region_code")),
    ("students_favorite_course_id_fkey", "students", ("favorite_course_id",), "courses",
     ("id",)),
    ("enrollments_student_id_fkey", "enrollments", ("student_id",), "students", ("id",)),
    ("enrollments_course_id_fkey", "enrollments", ("course_id",), "courses", ("id",)),
}
# The views' base tables: PostgreSQL's in the hidden `private` schema, SQLite's renamed.
PRIVATE_FK = {"postgres": ("projects_client_id_fkey", "projects", ("client_id",), "clients",
                           ("id",)),
              "sqlite": ("projects_client_id_fkey", "private_projects", ("client_id",),
                         "private_clients", ("id",))}


@BACKENDS
def test_foreign_keys(caches: dict[str, SchemaCache], backend: str) -> None:
    fks = {(f.name, f.table, f.columns, f.ref_table, f.ref_columns)
           for f in caches[backend].foreign_keys}
    assert fks == FOREIGN_KEYS | {PRIVATE_FK[backend]}
    assert {(f.schema, f.ref_schema) for f in caches[backend].foreign_keys
            if f.name != "projects_client_id_fkey"} == {("public", "public")}


@BACKENDS
def test_view_sources(caches: dict[str, SchemaCache], backend: str) -> None:
    assert caches[backend].view_sources[("public", "recent_books")] == {
        c: ("public", "books", c) for c in ("id", "title", "author_id", "year", "genre")}


@BACKENDS
def test_relationships_agree(caches: dict[str, SchemaCache], backend: str) -> None:
    def rels(cache: SchemaCache) -> set[tuple[Any, ...]]:
        return {(r.table, r.foreign_table, r.cardinality, r.constraint, r.columns)
                for group in cache.relationships.values() for r in group
                # computed relationships are functions, which only PostgreSQL has
                if not {r.table, r.foreign_table} & SQLITE_ONLY and r.function is None}
    assert rels(caches[backend]) == rels(caches["postgres"])
    assert ("recent_books", "authors", "m2o", "books_author_id_fkey",
            (("author_id", "id"),)) in rels(caches[backend])


# Fixed: SQLite's introspection marks every integer primary-key column as having a default,
# but only a single-column `INTEGER PRIMARY KEY` is a rowid alias (sqlite.org/lang_createtable
# .html#rowid); book_tags(book_id, tag_id) is a composite key with no default at all.
def test_sqlite_composite_key_columns_have_no_default(caches: dict[str, SchemaCache]) -> None:
    t = caches["sqlite"].table("public", "book_tags")
    assert t is not None
    assert [c.has_default for c in t.columns] == [False, False]


# Fixed: an `INTEGER PRIMARY KEY` column is the rowid and can never be NULL, yet SQLite's
# introspection reports it nullable (PRAGMA table_info's notnull is 0), where PostgreSQL's
# says NOT NULL.
def test_sqlite_rowid_primary_key_is_not_nullable(caches: dict[str, SchemaCache]) -> None:
    for name in ("books", "authors", "items"):
        t = caches["sqlite"].table("public", name)
        assert t is not None and t.column("id") is not None
        assert t.column("id").nullable is False  # type: ignore[union-attr]


# -- health and running a read ----------------------------------------------------------------

def make(backend: str, pg_uri: str, sqlite_path: Path) -> Backend:
    if backend == "postgres":
        return PostgresBackend(pg_uri, 2)
    return SqliteBackend(str(sqlite_path), 2, acquire_timeout=1.0)


@BACKENDS
def test_ping(backend: str, pg_fixture_uri: str, sqlite_fixture_path: Path) -> None:
    assert with_backend(make(backend, pg_fixture_uri, sqlite_fixture_path), lambda b: b.ping())


@BACKENDS
def test_ping_after_stop_is_false_not_an_exception(backend: str, pg_fixture_uri: str,
                                                   sqlite_fixture_path: Path) -> None:
    async def run() -> bool:
        b = make(backend, pg_fixture_uri, sqlite_fixture_path)
        await b.start()
        await b.stop()
        return await asyncio.wait_for(b.ping(), 5)

    assert asyncio.run(run()) is False




# Fixed: `SqliteBackend.stop()` closes its connections and clears `_all` but not `_idle`, so
# after stop() + start() the queue holds the closed connections first: the next requests
# get a closed aiosqlite connection (ping False; a read fails with a non-sqlite3 error, a 500).
@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_restart(backend: str, pg_fixture_uri: str, sqlite_fixture_path: Path) -> None:
    async def run() -> list[bool]:
        b = make(backend, pg_fixture_uri, sqlite_fixture_path)
        await b.start()
        await b.stop()
        await b.start()
        try:
            return [await b.ping() for _ in range(4)]
        finally:
            await b.stop()

    assert asyncio.run(run()) == [True] * 4


@BACKENDS
@pytest.mark.parametrize(("target", "body", "total"), [
    ("/books?select=id,title&id=eq.7", '[{"id": 7, "title": "Dune"}]', None),
    ("/items?select=id&id=lte.3&order=id.desc", '[{"id": 3}, {"id": 2}, {"id": 1}]', None),
    ("/items?select=id&id=gt.13&order=id", '[{"id": 14}, {"id": 15}]', None),
    ("/empty_table", "[]", None),
])
def test_run_read(backend: str, pg_fixture_uri: str, sqlite_fixture_path: Path, target: str,
                  body: str, total: int | None) -> None:
    import json

    b = make(backend, pg_fixture_uri, sqlite_fixture_path)
    planned = plan(target, cache=introspect(make(backend, pg_fixture_uri, sqlite_fixture_path)))
    compiled = Renderer(b.dialect).render(planned.plan)

    async def use(backend_: Backend) -> Any:
        return await backend_.run(compiled, planned.values, RequestContext())

    result = with_backend(b, use)
    assert json.loads(result.body) == json.loads(body)
    assert result.page_total == len(json.loads(body))
    assert result.total == total


@BACKENDS
def test_run_read_count_exact(backend: str, pg_fixture_uri: str,
                              sqlite_fixture_path: Path) -> None:
    b = make(backend, pg_fixture_uri, sqlite_fixture_path)
    planned = plan("/items?select=id&limit=2", {"Prefer": "count=exact"},
                   cache=introspect(make(backend, pg_fixture_uri, sqlite_fixture_path)))
    compiled = Renderer(b.dialect).render(planned.plan)
    result = with_backend(b, lambda x: x.run(compiled, planned.values, RequestContext()))
    assert (result.total, result.page_total) == (15, 2)


# -- start-up failures ----------------------------------------------------------------------

@pytest.mark.parametrize("uri", [
    "postgres://nobody@127.0.0.1:1/x",
    "postgresql://nobody@127.0.0.1:1/x",
])
def test_unreachable_postgres_is_pgrst000_on_start(uri: str) -> None:
    backend = PostgresBackend(uri, 1)
    with pytest.raises(ConnectionError_) as info:
        asyncio.run(asyncio.wait_for(backend.start(), 15))
    err = info.value
    assert (err.error_code(), err.http_status(), err.message) == (
        "PGRST000", 503, "Database connection error.")
    assert err.details


def test_unopenable_sqlite_file_is_pgrst000_on_start(tmp_path: Path) -> None:
    backend = SqliteBackend(str(tmp_path / "no" / "such" / "dir" / "x.db"), 1)

    async def run() -> None:
        try:
            await backend.start()
        finally:
            # aiosqlite stops the worker thread of a failed connect without awaiting it;
            # let it finish while the loop is open (else: "Event loop is closed" in a thread).
            await asyncio.sleep(0.2)

    with pytest.raises(ConnectionError_) as info:
        asyncio.run(run())
    assert info.value.error_code() == "PGRST000"


# Fixed: when `aiosqlite.connect` fails, aiosqlite queues the stop of its worker thread
# without awaiting it, and `SqliteBackend.start` raises at once; if the event loop is closed
# before the thread runs that stop (as `asyncio.run`, and the CLI, do right away), the thread
# dies with "RuntimeError: Event loop is closed" and Python prints its traceback — the CLI's
# one-line start-up error then comes with a traceback about a third of the time.
def test_failed_sqlite_start_leaves_no_thread_behind(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    for _ in range(30):
        backend = SqliteBackend(str(tmp_path / "no" / "dir" / "x.db"), 1)
        with pytest.raises(ConnectionError_):
            asyncio.run(backend.start())
        for thread in threading.enumerate():
            if "_connection_worker_thread" in thread.name:
                thread.join(timeout=2)
    assert errors == []



def test_pool_exhaustion_is_pgrst003(pg_fixture_uri: str) -> None:
    """Every connection held: the next request waits db_pool_acquisition_timeout, then 504."""
    from dbrest.errors import PoolTimeout
    from dbrest.exec.base import RequestContext
    from dbrest.exec.postgres import PostgresBackend

    async def run() -> None:
        backend = PostgresBackend(pg_fixture_uri, pool_size=1, acquire_timeout=0.2)
        await backend.start()
        held, release = asyncio.Event(), asyncio.Event()

        async def hold() -> None:  # another request (task) keeps the only connection
            async with backend._transaction(RequestContext(), readonly=True):  # noqa: SLF001
                held.set()
                await release.wait()

        holder = asyncio.create_task(hold())
        try:
            await held.wait()
            with pytest.raises(PoolTimeout) as err:
                async with backend._transaction(RequestContext(), readonly=True):  # noqa: SLF001
                    pass
            assert err.value.http_status() == 504
        finally:
            release.set()
            await holder
            await backend.stop()

    asyncio.run(run())
