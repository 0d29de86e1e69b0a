"""`build_relationships`: cardinalities, junctions and view-inherited foreign keys."""

from __future__ import annotations

import pytest

from dbrest.relationships import (
    Relationship,
    build_relationships,
    build_schema_cache,
    view_foreign_keys,
)
from dbrest.schema import ForeignKey, SchemaCache, Table
from tests.plan.schema_fixture import (
    CACHE,
    FOREIGN_KEYS,
    TABLES,
    VIEW_SOURCES,
    col,
    fk,
    table,
)

Row = tuple[str, str, str, str, tuple[tuple[str, str], ...]]


def rows(cache: SchemaCache, origin: str) -> set[Row]:
    """(origin, foreign table, cardinality, constraint, columns) of each relationship."""
    return {(r.table, r.foreign_table, r.cardinality, r.constraint, r.columns)
            for r in cache.relationships.get(("public", origin), ())}


def cache_with(*extra_tables: object, extra_fks: tuple[object, ...] = (),
               views: dict[tuple[str, str], dict[str, tuple[str, str, str]]] | None = None
               ) -> SchemaCache:
    tables = (*TABLES, *extra_tables)
    sources = {k: dict(v) for k, v in VIEW_SOURCES.items()}
    sources.update(views or {})
    return build_schema_cache({(t.schema, t.name): t for t in tables},  # type: ignore[attr-defined]
                              (*FOREIGN_KEYS, *extra_fks), sources)  # type: ignore[arg-type]


@pytest.mark.parametrize(("origin", "expected"), [
    ("books", {
        ("books", "authors", "m2o", "books_author_id_fkey", (("author_id", "id"),)),
        ("books", "publishers", "m2o", "books_publisher_id_fkey", (("publisher_id", "id"),)),
        ("books", "book_details", "o2o", "book_details_book_id_fkey", (("id", "book_id"),)),
        ("books", "book_tags", "o2m", "book_tags_book_id_fkey", (("id", "book_id"),)),
        ("books", "tags", "m2m", "book_tags_book_id_fkey", ()),
    }),
    ("authors", {
        ("authors", "books", "o2m", "books_author_id_fkey", (("id", "author_id"),)),
        ("authors", "recent_books", "o2m", "books_author_id_fkey", (("id", "author_id"),)),
    }),
    ("book_details", {
        ("book_details", "books", "o2o", "book_details_book_id_fkey", (("book_id", "id"),)),
        ("book_details", "recent_books", "o2o", "book_details_book_id_fkey",
         (("book_id", "id"),)),
    }),
    ("book_tags", {
        ("book_tags", "books", "m2o", "book_tags_book_id_fkey", (("book_id", "id"),)),
        ("book_tags", "recent_books", "m2o", "book_tags_book_id_fkey", (("book_id", "id"),)),
        ("book_tags", "tags", "m2o", "book_tags_tag_id_fkey", (("tag_id", "id"),)),
    }),
    ("tags", {
        ("tags", "book_tags", "o2m", "book_tags_tag_id_fkey", (("id", "tag_id"),)),
        ("tags", "books", "m2m", "book_tags_tag_id_fkey", ()),
        ("tags", "recent_books", "m2m", "book_tags_tag_id_fkey", ()),
    }),
    ("employees", {
        ("employees", "employees", "m2o", "employees_manager_id_fkey", (("manager_id", "id"),)),
        ("employees", "employees", "o2m", "employees_manager_id_fkey", (("id", "manager_id"),)),
    }),
    ("orders", {
        ("orders", "addresses", "m2o", "billing", (("billing_address_id", "id"),)),
        ("orders", "addresses", "m2o", "shipping", (("shipping_address_id", "id"),)),
    }),
    ("addresses", {
        ("addresses", "orders", "o2m", "billing", (("id", "billing_address_id"),)),
        ("addresses", "orders", "o2m", "shipping", (("id", "shipping_address_id"),)),
    }),
    ("recent_books", {
        ("recent_books", "authors", "m2o", "books_author_id_fkey", (("author_id", "id"),)),
        ("recent_books", "book_details", "o2o", "book_details_book_id_fkey",
         (("id", "book_id"),)),
        ("recent_books", "book_tags", "o2m", "book_tags_book_id_fkey", (("id", "book_id"),)),
        ("recent_books", "tags", "m2m", "book_tags_book_id_fkey", ()),
    }),
    ("publishers", {
        ("publishers", "books", "o2m", "books_publisher_id_fkey", (("id", "publisher_id"),)),
    }),
    ("no_pk", set()),
])
def test_relationships_of(origin: str, expected: set[Row]) -> None:
    assert rows(CACHE, origin) == expected


def test_flags() -> None:
    by_key = {(r.table, r.foreign_table, r.cardinality): r
              for rels in CACHE.relationships.values() for r in rels}
    assert by_key[("employees", "employees", "m2o")].is_self
    assert not by_key[("books", "authors", "m2o")].is_self
    assert by_key[("authors", "recent_books", "o2m")].foreign_is_view
    assert not by_key[("recent_books", "authors", "m2o")].foreign_is_view
    assert by_key[("books", "authors", "m2o")].to_one
    assert by_key[("books", "book_details", "o2o")].to_one
    assert not by_key[("authors", "books", "o2m")].to_one
    assert not by_key[("books", "tags", "m2m")].to_one


def test_junction() -> None:
    (m2m,) = [r for r in CACHE.relationships[("public", "books")] if r.cardinality == "m2m"]
    assert m2m.junction is not None
    j = m2m.junction
    assert (j.schema, j.table, j.constraint1, j.constraint2) == (
        "public", "book_tags", "book_tags_book_id_fkey", "book_tags_tag_id_fkey")
    assert j.source_columns == (("book_id", "id"),)
    assert j.target_columns == (("tag_id", "id"),)


def test_no_bogus_many_to_many_from_one_key_restated_on_a_view() -> None:
    """book_details.book_id (its primary key) references books, and, restated, the
    recent_books view: one key, not two, so book_details is no junction."""
    m2m = [(r.table, r.foreign_table, r.junction.table)
           for rels in CACHE.relationships.values() for r in rels
           if r.cardinality == "m2m" and r.junction is not None]
    assert sorted(m2m) == [
        ("books", "tags", "book_tags"),
        ("recent_books", "tags", "book_tags"),
        ("tags", "books", "book_tags"),
        ("tags", "recent_books", "book_tags"),
    ]
    assert not any(j == "book_details" for _, _, j in m2m)
    assert ("books", "recent_books") not in {(a, b) for a, b, _ in m2m}


def test_view_foreign_keys_restate_only_exposed_columns() -> None:
    derived = {(f.name, f.table, f.columns, f.ref_table, f.ref_columns)
               for f in view_foreign_keys(CACHE)}
    assert ("books_author_id_fkey", "recent_books", ("author_id",), "authors", ("id",)) in derived
    assert ("book_tags_book_id_fkey", "book_tags", ("book_id",), "recent_books", ("id",)) \
        in derived
    # books.publisher_id is not exposed by the view: nothing restated for it
    assert not any(name == "books_publisher_id_fkey" for name, *_ in derived)


def test_view_with_renamed_columns() -> None:
    view = table("book_authors", col("book", "integer"), col("writer", "integer"), pk=(),
                 view=True)
    cache = cache_with(view, views={("public", "book_authors"): {
        "book": ("public", "books", "id"), "writer": ("public", "books", "author_id")}})
    assert ("book_authors", "authors", "m2o", "books_author_id_fkey",
            (("writer", "id"),)) in rows(cache, "book_authors")
    assert ("authors", "book_authors", "o2m", "books_author_id_fkey",
            (("id", "writer"),)) in rows(cache, "authors")


def test_view_without_key_columns_has_no_relationships() -> None:
    view = table("titles", col("title", "text"), pk=(), view=True)
    cache = cache_with(view, views={("public", "titles"): {"title": ("public", "books",
                                                                      "title")}})
    assert rows(cache, "titles") == set()


def test_unique_foreign_key_is_one_to_one() -> None:
    passport = table("passports", col("id", "integer"), col("person_id", "integer"),
                     unique=(("person_id",),))
    people = table("people", col("id", "integer"))
    cache = cache_with(passport, people,
                       extra_fks=(fk("passports_person_fkey", "passports", ("person_id",),
                                     "people"),))
    assert rows(cache, "passports") == {
        ("passports", "people", "o2o", "passports_person_fkey", (("person_id", "id"),))}
    assert rows(cache, "people") == {
        ("people", "passports", "o2o", "passports_person_fkey", (("id", "person_id"),))}


def test_junction_needs_both_keys_in_its_primary_key() -> None:
    """A table with two foreign keys outside its primary key is no junction."""
    loans = table("loans", col("id", "integer"), col("book_id", "integer"),
                  col("tag_id", "integer"))
    cache = cache_with(loans, extra_fks=(fk("loans_book", "loans", ("book_id",), "books"),
                                         fk("loans_tag", "loans", ("tag_id",), "tags")))
    assert not any(r.junction is not None and r.junction.table == "loans"
                   for rels in cache.relationships.values() for r in rels)


def test_self_junction() -> None:
    """A junction whose two keys reference the same table: m2m to itself, both ways."""
    friends = table("friends", col("a", "integer"), col("b", "integer"), pk=("a", "b"))
    cache = cache_with(friends, extra_fks=(fk("friends_a", "friends", ("a",), "authors"),
                                           fk("friends_b", "friends", ("b",), "authors")))
    m2m = [r for r in cache.relationships[("public", "authors")] if r.cardinality == "m2m"]
    assert sorted((r.constraint, r.junction.constraint2) for r in m2m  # type: ignore[union-attr]
                  ) == [("friends_a", "friends_b"), ("friends_b", "friends_a")]
    assert all(r.is_self for r in m2m)


def test_build_relationships_is_what_the_cache_holds() -> None:
    rels = build_relationships(CACHE)
    assert rels == CACHE.relationships
    assert all(isinstance(r, Relationship) for group in rels.values() for r in group)


def test_view_over_hidden_schema_relates_only_to_exposed_views() -> None:
    """Views `api.clients`/`api.projects` over `private` tables (not in the cache):
    the view-to-view relationship only, never one to `private.clients`."""
    c = Table("api", "clients", (col("id", "integer"), col("name", "text")), (), True)
    p = Table("api", "projects", (col("id", "integer"), col("client_id", "integer")), (), True)
    cache = build_schema_cache(
        {("api", "clients"): c, ("api", "projects"): p},
        (ForeignKey("projects_client_id_fkey", "private", "projects", ("client_id",),
                    "private", "clients", ("id",)),),
        {("api", "clients"): {"id": ("private", "clients", "id")},
         ("api", "projects"): {"id": ("private", "projects", "id"),
                               "client_id": ("private", "projects", "client_id")}})
    rels = cache.relationships[("api", "projects")]
    assert [(r.foreign_schema, r.foreign_table, r.cardinality) for r in rels] == [
        ("api", "clients", "m2o")]


def test_view_exposing_a_junction_key_is_a_junction() -> None:
    enrol = table("enrol", col("book_id", "integer"), col("tag_id", "integer"),
                  pk=("book_id", "tag_id"))
    enrol_v = table("enrol_v", col("book_id", "integer"), col("tag_id", "integer"), pk=(),
                    view=True)
    cache = cache_with(enrol, enrol_v, extra_fks=(
        fk("enrol_book_id_fkey", "enrol", ("book_id",), "books", ("id",)),
        fk("enrol_tag_id_fkey", "enrol", ("tag_id",), "tags", ("id",))),
        views={("public", "enrol_v"): {"book_id": ("public", "enrol", "book_id"),
                                       "tag_id": ("public", "enrol", "tag_id")}})
    to_tags = [(r.cardinality, r.junction.table if r.junction else r.constraint)
               for r in cache.relationships[("public", "books")] if r.foreign_table == "tags"]
    assert to_tags == [("m2m", "book_tags"), ("m2m", "enrol"), ("m2m", "enrol_v")]
