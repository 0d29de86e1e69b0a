"""The compiled-SQL cache: one SQLAlchemy compile per request shape, bounded (LRU)."""

from __future__ import annotations

import pytest

from dbrest.render.compile import Renderer
from dbrest.render.dialect import Dialect
from dbrest.render.postgres import POSTGRES
from dbrest.render.sqlite import SQLITE
from tests.plan.helpers import plan

DIALECTS = pytest.mark.parametrize("dialect", [POSTGRES, SQLITE], ids=lambda d: d.name)

# Each group: requests of one shape (different values only).
SAME_SHAPE = [
    ["/books?id=eq.1", "/books?id=eq.2", "/books?id=eq.300"],
    ["/books?id=in.(1)", "/books?id=in.(1,2,3,4,5)", "/books?id=in.()"],
    ["/books?title=like.*a*&limit=1", "/books?title=like.b*&limit=50"],
    ["/books?select=x:meta->a->>b&order=id", "/books?select=x:meta->c->>d&order=id"],
    ["/books?or=(id.eq.1,year.gt.2)", "/books?or=(id.eq.7,year.gt.1999)"],
    ["/authors?select=*,books(*)&books.year=gt.1&books.limit=1",
     "/authors?select=*,books(*)&books.year=gt.2000&books.limit=9"],
    ["/books?select=id,tags!inner(name)&tags.name=eq.a",
     "/books?select=id,tags!inner(name)&tags.name=eq.zz"],
]


@DIALECTS
@pytest.mark.parametrize("targets", SAME_SHAPE, ids=lambda t: t[0])
def test_same_shape_compiles_once(dialect: Dialect, targets: list[str]) -> None:
    renderer = Renderer(dialect)
    first = renderer.render(plan(targets[0]).plan)
    for target in targets[1:]:
        planned = plan(target)
        compiled = renderer.render(planned.plan)
        assert compiled is first
        compiled.main.bind(planned.values)  # binding needs no compile either
    assert renderer.compiles == 1


@DIALECTS
def test_values_bind_per_request(dialect: Dialect) -> None:
    renderer = Renderer(dialect)
    one, two = plan("/books?select=id&id=eq.1"), plan("/books?select=id&id=eq.2")
    c1, c2 = renderer.render(one.plan), renderer.render(two.plan)
    assert c1.main.sql == c2.main.sql
    assert c1.main.bind(one.values) != c2.main.bind(two.values)


@DIALECTS
def test_different_shapes_compile_separately(dialect: Dialect) -> None:
    renderer = Renderer(dialect)
    targets = ["/books?id=eq.1", "/books?id=gt.1", "/books?year=eq.1", "/books?select=id",
               "/books?order=id", "/books?limit=1", "/books?id=eq.1&year=eq.1",
               "/books", "/books?select=*,authors(*)"]
    sqls = {renderer.render(plan(t).plan).main.sql for t in targets}
    assert renderer.compiles == len(targets) == len(sqls)
    for t in targets:  # all of them cached now
        renderer.render(plan(t).plan)
    assert renderer.compiles == len(targets)


def test_dialects_do_not_share_a_cache() -> None:
    pg, lite = Renderer(POSTGRES), Renderer(SQLITE)
    planned = plan("/books?id=eq.1")
    assert pg.render(planned.plan).main.sql != lite.render(planned.plan).main.sql
    assert (pg.compiles, lite.compiles) == (1, 1)


def test_count_planned_compiles_the_count_query_once() -> None:
    renderer = Renderer(POSTGRES)
    for value in ("1", "2", "3"):
        compiled = renderer.render(plan(f"/books?id=gt.{value}",
                                        {"Prefer": "count=planned"}).plan)
        assert compiled.count is not None
    assert renderer.compiles == 2  # the read and the EXPLAIN'd count, once each


def test_lru_bound() -> None:
    renderer = Renderer(SQLITE, max_entries=2)
    a, b, c = (plan(t).plan for t in ("/books?id=eq.1", "/books?id=gt.1", "/books?id=lt.1"))
    renderer.render(a)
    renderer.render(b)
    assert renderer.compiles == 2
    renderer.render(a)  # a hit: a becomes the most recent, b the least
    assert renderer.compiles == 2
    renderer.render(c)  # evicts b
    assert renderer.compiles == 3
    renderer.render(a)
    assert renderer.compiles == 3  # a was kept
    renderer.render(b)
    assert renderer.compiles == 4  # b was evicted, so it compiles again
    renderer.render(c)
    assert renderer.compiles == 5  # and b's return evicted c (a was used after c)


def test_lru_never_exceeds_its_bound() -> None:
    renderer = Renderer(POSTGRES, max_entries=3)
    for n in range(10):
        renderer.render(plan("/books?" + "&".join(f"id=neq.{i}" for i in range(n + 1))).plan)
    assert renderer.compiles == 10
    assert len(renderer._cache) == 3
