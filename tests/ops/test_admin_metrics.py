"""The admin server's /metrics, /config and /schema_cache, the access log, the trace
header and a failed reload, in-process (issue 13)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from dbrest.admin import admin_app
from dbrest.logs import access_line, status_level
from dbrest.metrics import BUCKETS, Metrics, PoolStats
from tests.infra.apps import serving

SECRET = "a-secret-of-at-least-thirty-two-characters"


def synchronous(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """An async test run to completion on its own event loop."""
    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))
    return run


def sqlite_uri(tmp_path: Path) -> str:
    import sqlite3

    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO t VALUES (1, 'a')")
    return f"sqlite:{path}"


def test_metrics_render_counts_and_a_cumulative_histogram() -> None:
    metrics = Metrics()
    for status, seconds in ((200, 0.0005), (200, 0.02), (404, 0.3), (500, 20.0)):
        metrics.observe(status, seconds)
    metrics.schema_loaded(True, 0.01)
    metrics.schema_loaded(False, 0.0)
    text = metrics.render(PoolStats(10, 7, 2))
    lines = text.splitlines()
    assert 'dbrest_http_requests_total{status="200"} 2' in lines
    assert 'dbrest_http_requests_total{status="404"} 1' in lines
    assert 'dbrest_http_request_duration_seconds_bucket{le="0.001"} 1' in lines
    assert 'dbrest_http_request_duration_seconds_bucket{le="0.025"} 2' in lines
    assert 'dbrest_http_request_duration_seconds_bucket{le="0.5"} 3' in lines
    assert 'dbrest_http_request_duration_seconds_bucket{le="10"} 3' in lines
    assert 'dbrest_http_request_duration_seconds_bucket{le="+Inf"} 4' in lines
    assert "dbrest_http_request_duration_seconds_count 4" in lines
    assert sum(line.startswith("dbrest_http_request_duration_seconds_bucket")
               for line in lines) == len(BUCKETS) + 1
    assert 'pgrst_schema_cache_loads_total{status="SUCCESS"} 1' in lines
    assert 'pgrst_schema_cache_loads_total{status="FAIL"} 1' in lines
    assert "pgrst_db_pool_max 10" in lines and "pgrst_db_pool_available 7" in lines
    assert "pgrst_db_pool_waiting 2" in lines


@synchronous
async def test_admin_endpoints(tmp_path: Path) -> None:
    uri = sqlite_uri(tmp_path)
    async with serving(uri, jwt_secret=SECRET) as served:
        assert (await served.client.get("/t")).status_code == 200
        assert (await served.client.get("/nope")).status_code == 404
        transport = httpx.ASGITransport(app=admin_app(served.state))
        async with httpx.AsyncClient(transport=transport, base_url="http://admin") as admin:
            metrics = await admin.get("/metrics")
            config = await admin.get("/config")
            cache = await admin.get("/schema_cache")
            live = await admin.get("/live")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = metrics.text.splitlines()
    assert 'dbrest_http_requests_total{status="200"} 1' in lines
    assert 'dbrest_http_requests_total{status="404"} 1' in lines
    assert 'pgrst_schema_cache_loads_total{status="SUCCESS"} 1' in lines
    assert "pgrst_db_pool_max 10" in lines and "pgrst_db_pool_available 10" in lines
    assert config.status_code == 200
    assert f'db-uri = "{uri}"' in config.text.splitlines()
    assert SECRET not in config.text and 'jwt-secret = "********"' in config.text
    assert cache.status_code == 200
    table = cache.json()["tables"]["public.t"]
    assert [c["name"] for c in table["columns"]] == ["id", "name"]
    assert table["primary_key"] == ["id"]
    assert live.status_code == 200


def test_config_masks_the_database_password() -> None:
    from dbrest.admin import config_text
    from dbrest.config import load_config

    config = load_config({"db_uri": "postgres://app:s3cret@db:5432/app"}, environ={})
    assert 'db-uri = "postgres://app:********@db:5432/app"' in config_text(config)


@synchronous
async def test_trace_header_is_echoed(tmp_path: Path) -> None:
    async with serving(sqlite_uri(tmp_path), server_trace_header="X-Request-Id") as served:
        ok = await served.client.get("/t", headers={"x-request-id": "abc-1"})
        error = await served.client.get("/nope", headers={"X-Request-Id": "abc-2"})
        without = await served.client.get("/t")
    assert ok.headers["x-request-id"] == "abc-1"
    assert error.headers["x-request-id"] == "abc-2"
    assert "x-request-id" not in without.headers


@synchronous
async def test_no_trace_header_unless_configured(tmp_path: Path) -> None:
    async with serving(sqlite_uri(tmp_path)) as served:
        response = await served.client.get("/t", headers={"x-request-id": "abc"})
    assert "x-request-id" not in response.headers


@synchronous
async def test_access_log_line_per_request(tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    async with serving(sqlite_uri(tmp_path)) as served:
        with caplog.at_level(logging.INFO, logger="dbrest.access"):
            await served.client.get("/t?select=id", headers={"user-agent": "tester/1"})
            await served.client.get("/nope")
    records = [r for r in caplog.records if r.name == "dbrest.access"]
    assert [r.levelno for r in records] == [logging.INFO, logging.WARNING]
    line = records[0].getMessage()
    assert '"GET /t?select=id HTTP/1.1" 200 ' in line and line.endswith('"" "tester/1"')
    assert '"GET /nope HTTP/1.1" 404 ' in records[1].getMessage()


def test_access_line_format_and_levels() -> None:
    scope = {"client": ("10.0.0.1", 5000), "method": "POST", "path": "/t",
             "query_string": b"", "http_version": "1.1",
             "headers": [(b"referer", b"http://x/"), (b"user-agent", b"ua")]}
    line = access_line(scope, 201, 0, 0.0)
    assert line.startswith("10.0.0.1 - - [")
    assert line.endswith('] "POST /t HTTP/1.1" 201 - "http://x/" "ua"')
    assert [status_level(s) for s in (200, 302, 404, 503)] == [
        logging.INFO, logging.INFO, logging.WARNING, logging.ERROR]


@synchronous
async def test_a_failed_reload_keeps_the_old_cache(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with serving(sqlite_uri(tmp_path)) as served:
        state = served.state
        before = state.pipeline

        async def broken(schemas: object) -> None:
            raise OSError("disk on fire")

        monkeypatch.setattr(state.backend, "introspect", broken)
        with caplog.at_level(logging.ERROR, logger="dbrest"):
            assert await state.reloader.schema() is False
        assert state.pipeline is before
        assert (await served.client.get("/t")).status_code == 200
        assert state.metrics.schema_loads == {"SUCCESS": 1, "FAIL": 1}
        monkeypatch.undo()
        assert await state.reloader.schema() is True
        assert state.pipeline is not before
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is None
    assert "schema cache reload failed, serving the previous one: disk on fire" \
        in errors[0].getMessage()


@synchronous
async def test_events_become_reloads(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with serving(sqlite_uri(tmp_path)) as served:
        reloader = served.state.reloader
        with caplog.at_level(logging.ERROR, logger="dbrest"):
            reloader.event("notify", "reload schema")
            reloader.event("notify", "reload schema")  # merged with the pending one
            await reloader.wait()
            reloader.event("lost", "gone")
            reloader.event("restored", "")
            await reloader.wait()
            reloader.event("notify", "")  # PostgREST: an empty payload reloads the schema
            await reloader.wait()
        assert served.state.metrics.schema_loads["SUCCESS"] == 4
    assert "database connection lost: gone" in caplog.text
