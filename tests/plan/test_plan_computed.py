"""Computed fields (a function of the row as a column), computed relationships (a
function of the row as the embedded rows), and the transaction settings of `Prefer`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dbrest.context import TxSettings, search_path, with_settings
from dbrest.errors import UndefinedColumn
from dbrest.parse import ast
from dbrest.plan.preferences import preference_applied, tx_settings
from dbrest.plan.types import ComputedExpr, IsCheck, OrderOut, SelectOut
from dbrest.relationships import Relationship, build_schema_cache
from dbrest.schema import ComputedField, SchemaCache
from tests.plan.helpers import plan, walk
from tests.plan.schema_fixture import make_cache


def computed_cache() -> SchemaCache:
    base = make_cache()
    tables = {k: replace(t, computed={}) for k, t in base.tables.items()}
    tables[("public", "books")].computed["loud"] = ComputedField(
        "loud", "public", "text", "text")
    writer = Relationship("public", "books", "public", "authors", "m2o", "writer", (),
                          function=("public", "writer"))
    return build_schema_cache(tables, base.foreign_keys, base.view_sources,
                              computed=(writer,))


def test_computed_field_in_select_filter_and_order() -> None:
    planned = plan("/books?select=id,loud&loud=is.null&order=loud.desc",
                   cache=computed_cache())
    read = planned.plan.read  # type: ignore[union-attr]
    expr = ComputedExpr("t", "public", "loud", read.select[1].expr.type)
    assert read.select[1] == SelectOut(expr, "loud")
    assert read.where == (IsCheck(expr, "null"),)
    assert read.order == (OrderOut(expr, True),)


def test_star_leaves_computed_fields_out() -> None:
    read = plan("/books?select=*", cache=computed_cache()).plan.read  # type: ignore[union-attr]
    assert not any(isinstance(n, ComputedExpr) for n in walk(read))


def test_unknown_without_the_function() -> None:
    with pytest.raises(UndefinedColumn):
        plan("/books?select=loud")


def test_computed_relationship_reads_from_the_function() -> None:
    read = plan("/books?select=id,writer(name)",
                cache=computed_cache()).plan.read  # type: ignore[union-attr]
    embed = read.select[1].expr
    assert embed.mode == "object"  # type: ignore[union-attr]
    assert embed.read.function_source == ("public", "writer", "t")  # type: ignore[union-attr]
    assert embed.read.where == ()  # type: ignore[union-attr]


@pytest.mark.parametrize(("zone", "applied"), [("UTC", True), ("Jupiter/Red_Spot", False)])
def test_timezone_only_when_known(zone: str, applied: bool) -> None:
    api = ast.ApiRequest("GET", "public", "books",
                         preferences=ast.Preferences(timezone=zone, handling="lenient"))
    zones = frozenset({"UTC"})
    expected = ("handling=lenient", f"timezone={zone}") if applied else ("handling=lenient",)
    assert preference_applied(api, timezones=zones) == expected
    assert tx_settings(api, zones) == ((("timezone", zone),) if applied else ())


def test_search_path_quotes_and_dedups() -> None:
    assert search_path("api", ("public", "ext\"x", "api")) == (
        ("search_path", '"api", "public", "ext""x"'),)
    ctx = with_settings(TxSettings("r"), (("timezone", "UTC"),))
    assert ctx.settings == (("timezone", "UTC"),) and ctx.role == "r"
