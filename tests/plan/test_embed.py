"""`find_relationship`: which relationship an embed follows, or PGRST200 / PGRST201.

Table-driven over the in-memory fixture (tests/plan/schema_fixture.py); messages, details
and hints as PostgREST words them (`Error.hs`, `NoRelBetween`, `AmbiguousRelBetween`).
"""

from __future__ import annotations

import pytest

from dbrest.errors import AmbiguousRelationship, NoRelationship
from dbrest.plan.embed import find_relationship
from tests.plan.schema_fixture import CACHE


@pytest.mark.parametrize(("origin", "target", "hint", "found"), [
    # (cardinality, constraint, foreign table, junction)
    ("books", "authors", None, ("m2o", "books_author_id_fkey", "authors", None)),
    ("authors", "books", None, ("o2m", "books_author_id_fkey", "books", None)),
    ("books", "book_details", None, ("o2o", "book_details_book_id_fkey", "book_details", None)),
    ("book_details", "books", None, ("o2o", "book_details_book_id_fkey", "books", None)),
    ("books", "tags", None, ("m2m", "book_tags_book_id_fkey", "tags", "book_tags")),
    ("tags", "books", None, ("m2m", "book_tags_tag_id_fkey", "books", "book_tags")),
    ("books", "book_tags", None, ("o2m", "book_tags_book_id_fkey", "book_tags", None)),
    # hints: the constraint, a column of either side, or the junction
    ("books", "authors", "books_author_id_fkey", ("m2o", "books_author_id_fkey", "authors", None)),
    ("books", "authors", "author_id", ("m2o", "books_author_id_fkey", "authors", None)),
    ("books", "authors", "id", ("m2o", "books_author_id_fkey", "authors", None)),
    ("books", "tags", "book_tags", ("m2m", "book_tags_book_id_fkey", "tags", "book_tags")),
    ("orders", "addresses", "billing", ("m2o", "billing", "addresses", None)),
    ("orders", "addresses", "shipping", ("m2o", "shipping", "addresses", None)),
    ("orders", "addresses", "billing_address_id", ("m2o", "billing", "addresses", None)),
    ("orders", "addresses", "shipping_address_id", ("m2o", "shipping", "addresses", None)),
    ("addresses", "orders", "billing", ("o2m", "billing", "orders", None)),
    ("addresses", "orders", "shipping_address_id", ("o2m", "shipping", "orders", None)),
    # the target may be the constraint or the foreign-key column (deprecated spellings)
    ("orders", "billing", None, ("m2o", "billing", "addresses", None)),
    ("orders", "shipping_address_id", None, ("m2o", "shipping", "addresses", None)),
    ("books", "author_id", None, ("m2o", "books_author_id_fkey", "authors", None)),
    # a constraint name reaches the table, never the views that restate the key (which
    # would make it ambiguous)
    ("authors", "books_author_id_fkey", None, ("o2m", "books_author_id_fkey", "books", None)),
    # self-reference: the table name is the one-to-many, the column the many-to-one
    ("employees", "employees", None, ("o2m", "employees_manager_id_fkey", "employees", None)),
    ("employees", "manager_id", None, ("m2o", "employees_manager_id_fkey", "employees", None)),
    ("employees", "employees", "manager_id",
     ("o2m", "employees_manager_id_fkey", "employees", None)),
    # views inherit the foreign keys of the columns they expose
    ("recent_books", "authors", None, ("m2o", "books_author_id_fkey", "authors", None)),
    ("authors", "recent_books", None, ("o2m", "books_author_id_fkey", "recent_books", None)),
    ("recent_books", "tags", None, ("m2m", "book_tags_book_id_fkey", "tags", "book_tags")),
    ("recent_books", "book_details", None,
     ("o2o", "book_details_book_id_fkey", "book_details", None)),
])
def test_found(origin: str, target: str, hint: str | None,
               found: tuple[str, str, str, str | None]) -> None:
    rel = find_relationship(CACHE, "public", origin, target, hint)
    junction = rel.junction.table if rel.junction else None
    assert (rel.cardinality, rel.constraint, rel.foreign_table, junction) == found
    assert (rel.schema, rel.table) == ("public", origin)


@pytest.mark.parametrize(("origin", "target", "hint", "details"), [
    ("books", "nope", None,
     "Searched for a foreign key relationship between 'books' and 'nope' in the schema "
     "'public', but no matches were found."),
    ("books", "tags", "nope",
     "Searched for a foreign key relationship between 'books' and 'tags' using the hint "
     "'nope' in the schema 'public', but no matches were found."),
    ("authors", "publishers", None,
     "Searched for a foreign key relationship between 'authors' and 'publishers' in the "
     "schema 'public', but no matches were found."),
    ("nope", "books", None,
     "Searched for a foreign key relationship between 'nope' and 'books' in the schema "
     "'public', but no matches were found."),
    ("books", "authors", "publisher_id",
     "Searched for a foreign key relationship between 'books' and 'authors' using the hint "
     "'publisher_id' in the schema 'public', but no matches were found."),
])
def test_no_relationship(origin: str, target: str, hint: str | None, details: str) -> None:
    with pytest.raises(NoRelationship) as info:
        find_relationship(CACHE, "public", origin, target, hint)
    err = info.value
    assert (err.error_code(), err.http_status()) == ("PGRST200", 400)
    assert err.message == (f"Could not find a relationship between '{origin}' and '{target}' "
                           "in the schema cache")
    assert err.details == details


@pytest.mark.parametrize(("origin", "target", "details", "hint"), [
    ("orders", "addresses",
     [{"cardinality": "many-to-one", "embedding": "orders with addresses",
       "relationship": "billing using orders(billing_address_id) and addresses(id)"},
      {"cardinality": "many-to-one", "embedding": "orders with addresses",
       "relationship": "shipping using orders(shipping_address_id) and addresses(id)"}],
     "Try changing 'addresses' to one of the following: 'addresses!billing', "
     "'addresses!shipping'. Find the desired relationship in the 'details' key."),
    ("addresses", "orders",
     [{"cardinality": "one-to-many", "embedding": "addresses with orders",
       "relationship": "billing using addresses(id) and orders(billing_address_id)"},
      {"cardinality": "one-to-many", "embedding": "addresses with orders",
       "relationship": "shipping using addresses(id) and orders(shipping_address_id)"}],
     "Try changing 'orders' to one of the following: 'orders!billing', 'orders!shipping'. "
     "Find the desired relationship in the 'details' key."),
])
def test_ambiguous(origin: str, target: str, details: list[dict[str, str]], hint: str) -> None:
    with pytest.raises(AmbiguousRelationship) as info:
        find_relationship(CACHE, "public", origin, target, None)
    err = info.value
    assert (err.error_code(), err.http_status()) == ("PGRST201", 300)
    assert err.message == ("Could not embed because more than one relationship was found "
                           f"for '{origin}' and '{target}'")
    assert err.details == details
    assert err.hint == hint


def test_ambiguous_many_to_many_names_the_junction() -> None:
    """Two junctions between the same tables: the hint offers the junction names."""
    from dbrest.relationships import build_schema_cache
    from tests.plan.schema_fixture import FOREIGN_KEYS, TABLES, VIEW_SOURCES, col, fk, table

    extra = table("book_tags2", col("book_id", "integer"), col("tag_id", "integer"),
                  pk=("book_id", "tag_id"))
    cache = build_schema_cache(
        {(t.schema, t.name): t for t in (*TABLES, extra)},
        (*FOREIGN_KEYS, fk("bt2_book", "book_tags2", ("book_id",), "books"),
         fk("bt2_tag", "book_tags2", ("tag_id",), "tags")),
        {k: dict(v) for k, v in VIEW_SOURCES.items()})
    with pytest.raises(AmbiguousRelationship) as info:
        find_relationship(cache, "public", "books", "tags", None)
    assert info.value.details == [
        {"cardinality": "many-to-many", "embedding": "books with tags",
         "relationship": "book_tags using book_tags_book_id_fkey(book_id) and "
                         "book_tags_tag_id_fkey(tag_id)"},
        {"cardinality": "many-to-many", "embedding": "books with tags",
         "relationship": "book_tags2 using bt2_book(book_id) and bt2_tag(tag_id)"},
    ]
    assert info.value.hint == (
        "Try changing 'tags' to one of the following: 'tags!book_tags', 'tags!book_tags2'. "
        "Find the desired relationship in the 'details' key.")
    rel = find_relationship(cache, "public", "books", "tags", "book_tags2")
    assert rel.junction is not None and rel.junction.table == "book_tags2"
