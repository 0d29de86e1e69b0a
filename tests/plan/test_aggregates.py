"""Aggregates in select: PGRST123 when disabled, AggExpr + automatic GROUP BY when enabled."""

from __future__ import annotations

import pytest

from dbrest.errors import DbrestError
from dbrest.parse.request import parse_request
from dbrest.plan.context import PlanOptions
from dbrest.plan.read import plan_read
from dbrest.plan.types import AggExpr, CastExpr, ColumnExpr, Embed, ReadPlan
from tests.plan.helpers import request
from tests.plan.schema_fixture import CACHE


def read_of(target: str, aggregates: bool = True) -> ReadPlan:
    api = parse_request(request(target), ("public",))
    planned = plan_read(api, CACHE, PlanOptions(aggregates=aggregates))
    return planned.plan.read  # type: ignore[union-attr]


def test_disabled_aggregates_answer_pgrst123() -> None:
    with pytest.raises(DbrestError) as info:
        read_of("/books?select=id.sum()", aggregates=False)
    assert (info.value.code, info.value.status) == ("PGRST123", 400)
    assert info.value.message == "Use of aggregate functions is not allowed"


def test_aggregate_keys_casts_and_group_by() -> None:
    read = read_of("/books?select=title,total:id.sum()::int,count()")
    assert [s.key for s in read.select] == ["title", "total", "count"]
    total = read.select[1].expr
    assert isinstance(total, CastExpr) and isinstance(total.expr, AggExpr)
    assert total.expr.func == "sum"
    count = read.select[2].expr
    assert isinstance(count, AggExpr) and count.expr is None
    assert [e.column for e in read.group_by if isinstance(e, ColumnExpr)] == ["title"]


def test_no_aggregate_no_group_by() -> None:
    assert read_of("/books?select=id,title").group_by == ()


def test_aggregates_in_an_embed_group_only_the_embed() -> None:
    read = read_of("/authors?select=name,books(count())")
    embed = read.select[1].expr
    assert isinstance(embed, Embed) and read.group_by == ()
    assert isinstance(embed.read.select[0].expr, AggExpr)
