"""`kind_of`: a PostgreSQL type name or a SQLite declared type → the logical `Kind`."""

from __future__ import annotations

import pytest

from dbrest.relationships import build_schema_cache
from dbrest.schema import Column, ForeignKey, SchemaCache, Table, kind_of


@pytest.mark.parametrize(("native", "kind"), [
    # PostgreSQL, as format_type() spells them
    ("integer", "integer"), ("bigint", "integer"), ("smallint", "integer"),
    ("numeric", "number"), ("numeric(10,2)", "number"), ("double precision", "number"),
    ("real", "number"), ("boolean", "boolean"), ("json", "json"), ("jsonb", "json"),
    ("text", "text"), ("character varying(2)", "text"), ("character(3)", "text"),
    ("uuid", "text"), ("citext", "text"), ("date", "date"),
    ("timestamp without time zone", "timestamp"), ("timestamp with time zone", "timestamp"),
    ("timestamp(3) without time zone", "timestamp"),
    ("time without time zone", "other"), ("time with time zone", "other"),
    ("interval", "other"), ("point", "other"), ("integer[]", "other"), ("text[]", "other"),
    ("tsvector", "other"), ("bytea", "other"), ("inet", "other"), ("tstzrange", "other"),
    ("numrange", "other"), ("daterange", "other"),
    # SQLite declared types, by affinity (sqlite.org/datatype3.html §3.1)
    ("INTEGER", "integer"), ("INT", "integer"), ("TINYINT", "integer"),
    ("BIGINT", "integer"), ("VARCHAR(255)", "text"), ("CLOB", "text"), ("", "text"),
    ("REAL", "number"), ("DOUBLE", "number"), ("FLOAT", "number"), ("DECIMAL(10,5)", "number"),
    ("BOOLEAN", "boolean"), ("JSON", "json"), ("DATETIME", "timestamp"), ("DATE", "date"),
    ("TIMESTAMP", "timestamp"), ("BLOB", "other"),
    ("FLOATING POINT", "integer"),  # "INT" wins, as SQLite's rule 1 has it
])
def test_kind_of(native: str, kind: str) -> None:
    assert kind_of(native) == kind


# PostgreSQL range types must not fall through to SQLite's affinity rules, where "int" in
# the name means integer.
@pytest.mark.parametrize("native", ["int4range", "int8range", "int4multirange"])
def test_range_types_are_other(native: str) -> None:
    assert kind_of(native) == "other"


def test_table_lookup() -> None:
    table = Table("public", "t", (Column("a", "integer", "integer"), Column("b", "text", "text")),
                  ("a",))
    cache = SchemaCache({("public", "t"): table})
    assert cache.table("public", "t") is table
    assert cache.table("public", "nope") is None and cache.table("other", "t") is None
    assert table.column("b") == Column("b", "text", "text")
    assert table.column("nope") is None
    assert cache.relationships == {}


def test_the_cache_derives_nothing_itself() -> None:
    """Relationships are built with the cache (`build_schema_cache`), not by the dataclass."""
    books = Table("public", "books", (Column("id", "integer", "integer"),
                                      Column("author_id", "integer", "integer")), ("id",))
    authors = Table("public", "authors", (Column("id", "integer", "integer"),), ("id",))
    tables = {("public", "books"): books, ("public", "authors"): authors}
    fks = (ForeignKey("books_author_id_fkey", "public", "books", ("author_id",),
                      "public", "authors", ("id",)),)
    assert SchemaCache(tables, fks).relationships == {}
    built = build_schema_cache(tables, fks)
    assert (built.tables, built.foreign_keys) == (tables, fks)
    assert [(r.foreign_table, r.cardinality) for r in built.relationships[("public", "books")]
            ] == [("authors", "m2o")]
    assert [(r.foreign_table, r.cardinality) for r in built.relationships[("public", "authors")]
            ] == [("books", "o2m")]


def test_a_replaced_table_keeps_its_own_columns() -> None:
    from dataclasses import replace

    from dbrest.schema import Column, Table

    original = Table("public", "t", (Column("a", "integer", "integer"),))
    copy = replace(original, columns=(Column("a", "text", "text"),))
    assert original.column("a") == Column("a", "integer", "integer")
    assert copy.column("a") == Column("a", "text", "text")
