"""A streamed read's SQL (dbrest/render/lower.py `lower_stream`): one JSON text per row,
no aggregate, same page (filters, order, limit) as the one-piece statement; cached."""

from __future__ import annotations

import pytest

from dbrest.render.compile import Renderer
from dbrest.render.dialect import Dialect
from dbrest.render.postgres import POSTGRES
from dbrest.render.sqlite import SQLITE
from tests.plan.helpers import plan

DIALECTS = pytest.mark.parametrize("dialect", [POSTGRES, SQLITE], ids=lambda d: d.name)
PER_ROW = {"postgresql": "row_to_json(", "sqlite": "json_object("}


@DIALECTS
def test_one_json_text_per_row(dialect: Dialect) -> None:
    planned = plan("/books?select=id,title,authors(name)&id=gt.3&order=id.desc&offset=2")
    renderer = Renderer(dialect)
    compiled = renderer.render_stream(planned.plan)  # type: ignore[arg-type]
    sql = compiled.rows.sql
    assert PER_ROW[dialect.sa_dialect.name] in sql
    assert "count(" not in sql.lower()  # no page_total: not the aggregate
    assert "ORDER BY" in sql and ("OFFSET" in sql or "offset" in sql.lower())
    assert "3" in [str(v) for v in compiled.rows.bind(planned.values)]
    assert "response.headers" in [str(v) for v in compiled.settings.bind(planned.values)]
    assert renderer.render_stream(planned.plan) is compiled  # type: ignore[arg-type]
    assert renderer.compiles == 2
