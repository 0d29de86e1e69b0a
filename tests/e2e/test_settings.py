"""Settings that shape reads, end to end on both backends: db_max_rows, planned counts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.infra.apps import BACKENDS, AppOn, InProcessApp


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, app_on: AppOn) -> Iterator[InProcessApp]:
    with app_on(request.param, db_max_rows=2) as client:
        yield client


def test_max_rows_caps_every_level(app: InProcessApp) -> None:
    resp = app.get("/authors?select=id,books(id)&order=id&books.order=id")
    body = resp.json()
    assert [a["id"] for a in body] == [1, 2]
    assert all(len(a["books"]) <= 2 for a in body)
    assert resp.headers["content-range"] == "0-1/*"


def test_max_rows_wins_over_a_larger_limit(app: InProcessApp) -> None:
    assert len(app.get("/items?limit=10").json()) == 2


def test_count_with_max_rows_is_the_real_total(app: InProcessApp) -> None:
    resp = app.get("/items?select=id", headers={"Prefer": "count=exact"})
    assert resp.status_code == 206
    assert resp.headers["content-range"] == "0-1/15"


@pytest.mark.parametrize("count", ["planned", "estimated"])
def test_planned_and_estimated_counts_give_a_total(app: InProcessApp, count: str) -> None:
    resp = app.get("/items?select=id&id=gt.5", headers={"Prefer": f"count={count}"})
    assert resp.status_code in (200, 206)
    total = resp.headers["content-range"].split("/")[1]
    assert total.isdigit()
    if app.backend == "sqlite":
        assert total == "10"  # no planner estimate: SQLite counts exactly
    assert resp.headers["preference-applied"] == f"count={count}"


def test_server_timing_names_the_stages(app_on: AppOn) -> None:
    with app_on("sqlite", server_timing_enabled=True) as app:
        timing = app.get("/books?id=eq.1").headers["server-timing"]
    assert [part.split(";")[0] for part in timing.split(", ")] == [
        "jwt", "parse", "plan", "transaction", "response"]
    assert all(part.split(";dur=")[1].replace(".", "").isdigit() for part in timing.split(", "))
