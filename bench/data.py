"""The benchmark dataset, for PostgreSQL and SQLite alike.

Copied from the PostgREST-comparison kit (/work/shared/bench/gen_data.py, which may be
absent on CI): the same seed and generators give the same rows, so numbers compare with
the kit's peers. authors 1,000, books 100,000 (→ authors), reviews 200,000 (→ books),
indexes on both foreign keys; `scale` shrinks every table (for quick runs).
Tables live in PostgreSQL's `public` schema and SQLite's `main`; SQLite keeps its default
(rollback) journal mode, as a user's file has it.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

SEED = 20240611
N_AUTHORS, N_BOOKS, N_REVIEWS = 1_000, 100_000, 200_000

COUNTRIES = ["AR", "AU", "BR", "CA", "CN", "DE", "ES", "FR", "GB", "IN",
             "IT", "JP", "KR", "MX", "NG", "NL", "PL", "SE", "US", "ZA"]
FIRST = ["Ada", "Alan", "Barbara", "Brian", "Claude", "Donald", "Edsger", "Frances",
         "Grace", "Guido", "Hedy", "Ivan", "John", "Ken", "Leslie", "Margaret",
         "Niklaus", "Ole", "Radia", "Robin", "Shafi", "Tim", "Vint", "Yukihiro"]
LAST = ["Lovelace", "Turing", "Liskov", "Kernighan", "Shannon", "Knuth", "Dijkstra",
        "Allen", "Hopper", "Rossum", "Lamarr", "Sutherland", "McCarthy", "Thompson",
        "Lamport", "Hamilton", "Wirth", "Dahl", "Perlman", "Milner", "Goldwasser",
        "Berners-Lee", "Cerf", "Matsumoto"]
WORDS = ("alpha beta gamma delta query index table row column join select where order "
         "limit offset page cache latency throughput server client socket stream "
         "buffer parser planner vacuum tuple heap btree hash lock commit rollback "
         "schema view function trigger policy role grant json array range enum "
         "river mountain ocean forest desert island city garden winter summer "
         "night morning silver golden quiet restless ancient modern hidden open").split()
TAGS = ["fiction", "nonfiction", "sci-fi", "fantasy", "history", "science", "poetry",
        "mystery", "romance", "biography", "tech", "art", "travel", "cooking", "kids"]
EPOCH = dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)

Row = tuple[object, ...]


def counts(scale: float = 1.0) -> tuple[int, int, int]:
    return (max(1, int(N_AUTHORS * scale)), max(1, int(N_BOOKS * scale)),
            max(1, int(N_REVIEWS * scale)))


def generate(scale: float = 1.0, seed: int = SEED) -> dict[str, list[Row]]:
    """Rows per table, in native types (datetime, Decimal); one RNG in the kit's order."""
    na, nb, nr = counts(scale)
    rng = random.Random(seed)

    def authors() -> Iterator[Row]:
        for i in range(1, na + 1):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
            country = rng.choice(COUNTRIES)
            ts = EPOCH + dt.timedelta(seconds=rng.randrange(0, 10 * 365 * 86400))
            yield (i, name, country, ts)

    def books() -> Iterator[Row]:
        for i in range(1, nb + 1):
            author_id = rng.randrange(1, na + 1)
            title = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randrange(2, 6)))
            year = rng.randrange(1950, 2025)
            price = Decimal(f"{rng.randrange(100, 20000) / 100:.2f}")
            tags = ",".join(sorted(rng.sample(TAGS, rng.randrange(1, 4))))
            yield (i, author_id, f"{title} #{i}", year, price, tags)

    def reviews() -> Iterator[Row]:
        for i in range(1, nr + 1):
            book_id = rng.randrange(1, nb + 1)
            stars = rng.randrange(1, 6)
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 30)))
            yield (i, book_id, stars, body)

    # Order matters: the kit draws authors, then books, then reviews from one RNG.
    return {"authors": list(authors()), "books": list(books()), "reviews": list(reviews())}


COLUMNS = {"authors": ["id", "name", "country", "created_at"],
           "books": ["id", "author_id", "title", "year", "price", "tags"],
           "reviews": ["id", "book_id", "stars", "body"]}

PG_DDL = """
CREATE TABLE authors (
  id serial PRIMARY KEY, name text NOT NULL, country text,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE books (
  id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES authors(id),
  title text NOT NULL, year integer, price numeric(10,2), tags text);
CREATE TABLE reviews (
  id serial PRIMARY KEY, book_id integer NOT NULL REFERENCES books(id),
  stars integer, body text);
"""
PG_POST = """
CREATE INDEX books_author_id_idx ON books(author_id);
CREATE INDEX reviews_book_id_idx ON reviews(book_id);
SELECT setval('authors_id_seq', (SELECT max(id) FROM authors));
SELECT setval('books_id_seq', (SELECT max(id) FROM books));
SELECT setval('reviews_id_seq', (SELECT max(id) FROM reviews));
"""
SQLITE_DDL = """
PRAGMA foreign_keys = ON;
CREATE TABLE authors (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00','now')));
CREATE TABLE books (
  id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id),
  title TEXT NOT NULL, year INTEGER, price NUMERIC, tags TEXT);
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL REFERENCES books(id),
  stars INTEGER, body TEXT);
"""
SQLITE_POST = """
CREATE INDEX books_author_id_idx ON books(author_id);
CREATE INDEX reviews_book_id_idx ON reviews(book_id);
ANALYZE;
"""


async def load_postgres(uri: str, data: dict[str, list[Row]]) -> None:
    """Tables, COPY of every row (one round trip per table), indexes, VACUUM ANALYZE."""
    import asyncpg

    conn = await asyncpg.connect(uri)
    try:
        await conn.execute(PG_DDL)
        for table, rows in data.items():
            await conn.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
        await conn.execute(PG_POST)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def _sqlite_value(v: object) -> object:
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    return v


def build_sqlite(path: Path, data: dict[str, list[Row]]) -> None:
    """A fresh SQLite file in the default journal mode (no WAL)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.executescript(SQLITE_DDL)
        with conn:  # one transaction for all rows
            for table, rows in data.items():
                marks = ", ".join("?" * len(COLUMNS[table]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})",
                                 (tuple(map(_sqlite_value, r)) for r in rows))
        conn.executescript(SQLITE_POST)
    finally:
        conn.close()
