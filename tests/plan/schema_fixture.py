"""An in-memory `SchemaCache` for the plan and render tests: no database.

Small, but with every relationship shape the planner must tell apart:

- `books` → `authors`, `books` → `publishers`: many-to-one (and the reverse one-to-many);
- `book_details.book_id` is both the primary key and a foreign key: one-to-one;
- `book_tags` is a junction (primary key = two foreign keys): `books` ↔ `tags` many-to-many;
- `employees.manager_id` → `employees`: a self-reference;
- `orders` → `addresses` twice (`billing`, `shipping`): an ambiguous pair;
- `recent_books` is a view over `books` whose `view_sources` expose `id` and `author_id`,
  so it inherits `books`' foreign keys.
"""

from __future__ import annotations

from dbrest.relationships import build_schema_cache
from dbrest.schema import Column, ForeignKey, SchemaCache, Table, kind_of

S = "public"


def col(name: str, native: str, nullable: bool = True) -> Column:
    return Column(name, native, kind_of(native), nullable)


def table(name: str, *columns: Column, pk: tuple[str, ...] = ("id",), view: bool = False,
          unique: tuple[tuple[str, ...], ...] = ()) -> Table:
    return Table(S, name, columns, pk, view, unique)


TABLES = (
    table("authors", col("id", "integer", False), col("name", "text", False),
          col("born", "integer")),
    table("publishers", col("id", "integer", False), col("name", "text"), col("city", "text"),
          unique=(("name",),)),
    table("books", col("id", "integer", False), col("title", "text", False),
          col("author_id", "integer"), col("publisher_id", "integer"), col("year", "integer"),
          col("price", "numeric"), col("available", "boolean"), col("meta", "jsonb"),
          col("published", "date"), col("labels", "text[]"), col("during", "tstzrange"),
          col("search", "tsvector")),
    table("book_details", col("book_id", "integer", False), col("isbn", "character varying"),
          pk=("book_id",)),
    table("tags", col("id", "integer", False), col("name", "text")),
    table("book_tags", col("book_id", "integer", False), col("tag_id", "integer", False),
          pk=("book_id", "tag_id")),
    table("employees", col("id", "integer", False), col("name", "text"),
          col("manager_id", "integer")),
    table("addresses", col("id", "integer", False), col("city", "text")),
    table("orders", col("id", "integer", False), col("billing_address_id", "integer"),
          col("shipping_address_id", "integer"), col("total", "numeric")),
    table("recent_books", col("id", "integer"), col("title", "text"), col("author_id", "integer"),
          col("year", "integer"), pk=(), view=True),
    table("no_pk", col("a", "text"), col("b", "integer"), pk=()),
    # `body` is indexed by a full-text table (SQLite's FTS5 `articles_fts`), `note` is not
    table("articles", col("id", "integer", False),
          Column("body", "text", "text", fts_index=("articles_fts", "id")), col("note", "text")),
)


def fk(name: str, tbl: str, cols: tuple[str, ...], ref: str,
       ref_cols: tuple[str, ...] = ("id",)) -> ForeignKey:
    return ForeignKey(name, S, tbl, cols, S, ref, ref_cols)


FOREIGN_KEYS = (
    fk("books_author_id_fkey", "books", ("author_id",), "authors"),
    fk("books_publisher_id_fkey", "books", ("publisher_id",), "publishers"),
    fk("book_details_book_id_fkey", "book_details", ("book_id",), "books"),
    fk("book_tags_book_id_fkey", "book_tags", ("book_id",), "books"),
    fk("book_tags_tag_id_fkey", "book_tags", ("tag_id",), "tags"),
    fk("employees_manager_id_fkey", "employees", ("manager_id",), "employees"),
    fk("billing", "orders", ("billing_address_id",), "addresses"),
    fk("shipping", "orders", ("shipping_address_id",), "addresses"),
)

VIEW_SOURCES = {
    (S, "recent_books"): {
        "id": (S, "books", "id"),
        "title": (S, "books", "title"),
        "author_id": (S, "books", "author_id"),
        "year": (S, "books", "year"),
    },
}


def make_cache() -> SchemaCache:
    return build_schema_cache({(t.schema, t.name): t for t in TABLES}, FOREIGN_KEYS,
                              {k: dict(v) for k, v in VIEW_SOURCES.items()})


CACHE = make_cache()
