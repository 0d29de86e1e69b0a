"""Domain representations render through the domain's cast functions (PostgreSQL): read
through domain → json, filter values through text → domain, body values through
json → domain; the values stay bound."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from dbrest.http import HttpRequest
from dbrest.parse.request import parse_request
from dbrest.plan.mutate import plan_mutation
from dbrest.plan.read import PlanOptions, plan_read
from dbrest.plan.types import MutationPlan, PlannedRequest, QueryPlan
from dbrest.relationships import build_schema_cache
from dbrest.render.compile import Renderer
from dbrest.render.postgres import POSTGRES
from dbrest.schema import Column, DomainCasts, Table

CASTS = DomainCasts(to_json=("public", "color_json"), from_text=("public", "color_from_text"),
                    from_json=("public", "color_from_json"))
SWATCHES = Table("public", "swatches", (
    Column("id", "integer", "integer", False), Column("name", "text", "text"),
    Column("rgb", "color", "other", domain=CASTS),
    Column("plain", "color", "other")), ("id",))
CACHE = build_schema_cache({("public", "swatches"): SWATCHES}, (), {})


def planned(method: str, target: str, body: object = None,
            headers: dict[str, str] | None = None) -> PlannedRequest:
    path, _, query = target.partition("?")
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    if body is not None:
        hdrs["content-type"] = "application/json"
    req = HttpRequest(method, path, tuple(parse_qsl(query, keep_blank_values=True)),
                      tuple(hdrs.items()), b"" if body is None else json.dumps(body).encode())
    api = parse_request(req, ("public",))
    if method == "GET":
        return plan_read(api, CACHE, PlanOptions())
    return plan_mutation(api, CACHE)


def read_sql(target: str) -> str:
    plan = planned("GET", target).plan
    assert isinstance(plan, QueryPlan)
    return Renderer(POSTGRES).render(plan).main.sql


def write_sql(method: str, target: str, body: object, headers: dict[str, str]) -> str:
    plan = planned(method, target, body, headers).plan
    assert isinstance(plan, MutationPlan)
    return Renderer(POSTGRES).render_write(plan).main.sql


def test_a_selected_domain_column_reads_through_its_json_cast() -> None:
    sql = read_sql("/swatches?select=id,rgb,plain")
    assert '"public"."color_json"(t."rgb") AS "rgb"' in sql
    assert 'color_json"(t."plain")' not in sql  # no casts: as it is


def test_star_reads_through_the_json_cast_and_order_uses_the_stored_value() -> None:
    sql = read_sql("/swatches?order=rgb")
    assert '"public"."color_json"(t."rgb") AS "rgb"' in sql
    assert 'ORDER BY t."rgb" ASC' in sql


def test_filter_values_go_through_the_text_cast_bound() -> None:
    sql = read_sql("/swatches?select=id&rgb=eq.ff0000&plain=eq.1")
    assert 't."rgb" = "public"."color_from_text"(CAST($' in sql
    assert "ff0000" not in sql
    assert 't."plain" = CAST(CAST($' in sql


def test_in_lists_go_through_the_text_cast_item_by_item() -> None:
    sql = read_sql("/swatches?select=id&rgb=in.(ff0000,00ff00)")
    assert ('t."rgb" = ANY(ARRAY(SELECT "public"."color_from_text"(_v) '
            'FROM unnest(CAST($') in sql


def test_insert_body_values_go_through_the_json_cast() -> None:
    sql = write_sql("POST", "/swatches", {"id": 1, "rgb": "#ff0000"},
                    {"Prefer": "return=representation"})
    assert '"public"."color_from_json"(CAST(NULLIF(_elem -> CAST($' in sql
    assert "jsonb_array_elements" in sql
    # the domain's key is dropped before the row is read by column type
    assert "_elem - ARRAY[CAST($" in sql
    assert "#ff0000" not in sql


def test_update_sets_the_first_row_through_the_json_cast() -> None:
    sql = write_sql("PATCH", "/swatches?id=eq.1", {"rgb": "#ff0000"}, {})
    assert "-> 0) AS _first(_elem)" in sql
    assert '"public"."color_from_json"(' in sql


def test_writes_without_domain_casts_keep_json_populate_recordset() -> None:
    sql = write_sql("POST", "/swatches", {"id": 1, "plain": 3}, {})
    assert "json_populate_recordset(" in sql
    assert "color_from_json" not in sql
