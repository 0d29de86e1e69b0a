"""CORS as PostgREST answers it (test/spec/Feature/CorsSpec.hs), on the HTTP layer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.infra.apps import AppOn, InProcessApp


@pytest.fixture(params=[None, "http://good.example"])
def app(request: pytest.FixtureRequest, app_on: AppOn) -> Iterator[InProcessApp]:
    settings = {} if request.param is None else {"server_cors_allowed_origins": request.param}
    with app_on("sqlite", **settings) as client:
        client.allowed = request.param  # type: ignore[attr-defined]
        yield client


def test_preflight(app: InProcessApp) -> None:
    resp = app.request("OPTIONS", "/books", headers={
        "Origin": "http://good.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, Prefer"})
    assert resp.status_code == 200
    expected_origin = "*" if app.allowed is None else "http://good.example"  # type: ignore[attr-defined]
    assert resp.headers["access-control-allow-origin"] == expected_origin
    assert "PATCH" in resp.headers["access-control-allow-methods"]
    assert resp.headers["access-control-allow-headers"].endswith("Content-Type, Prefer")
    assert resp.headers["access-control-max-age"] == "86400"


def test_simple_request_exposes_headers(app: InProcessApp) -> None:
    resp = app.get("/books?id=eq.1", headers={"Origin": "http://good.example"})
    assert resp.status_code == 200
    assert "Content-Range" in resp.headers["access-control-expose-headers"]


def test_no_origin_no_cors(app: InProcessApp) -> None:
    assert "access-control-allow-origin" not in app.get("/books?id=eq.1").headers


def test_unlisted_origin_gets_no_cors_headers(app: InProcessApp) -> None:
    resp = app.get("/books?id=eq.1", headers={"Origin": "http://evil.example"})
    if app.allowed is None:  # type: ignore[attr-defined]
        assert resp.headers["access-control-allow-origin"] == "*"
    else:
        assert "access-control-allow-origin" not in resp.headers
