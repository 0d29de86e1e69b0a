"""The documents dbrest serves at `/` on both backends: valid against the official
schemas, `openapi_mode`, proxy and security settings, and PostgreSQL `COMMENT`s."""

from __future__ import annotations

import asyncpg
import pytest
from openapi_spec_validator import OpenAPIV2SpecValidator, OpenAPIV31SpecValidator

from tests.infra.apps import BACKENDS, AppOn

JWT = "reallyreallyreallyreallyverysafe"


@pytest.mark.parametrize("backend", BACKENDS)
def test_served_documents_are_valid(app_on: AppOn, backend: str) -> None:
    with app_on(backend, openapi_security_active=True,
                openapi_server_proxy_uri="https://api.example.com:8443/v1") as app:
        v2 = app.get("/")
        assert v2.status_code == 200
        OpenAPIV2SpecValidator(v2.json()).validate()
        assert (v2.json()["host"], v2.json()["basePath"]) == ("api.example.com:8443", "/v1")
        assert "JWT" in v2.json()["securityDefinitions"]
        v31 = app.get("/", headers={"Accept": "application/vnd.oai.openapi+json;version=3.1"})
        assert v31.headers["content-type"].startswith("application/vnd.oai.openapi+json")
        OpenAPIV31SpecValidator(v31.json()).validate()
        assert v31.json()["servers"] == [{"url": "https://api.example.com:8443/v1/"}]


@pytest.mark.parametrize("backend", BACKENDS)
def test_disabled_is_404(app_on: AppOn, backend: str) -> None:
    with app_on(backend, openapi_mode="disabled") as app:
        response = app.get("/")
        assert response.status_code == 404
        assert response.json()["code"] == "PGRST126"
        assert response.json()["message"] == "Root endpoint metadata is disabled"


def _auth_settings(backend: str) -> dict[str, object]:
    settings: dict[str, object] = {"jwt_secret": JWT, "db_anon_role": "dbrest_anon"}
    if backend == "sqlite":  # as conformance/servers/dbrest-sqlite.yaml grants them
        settings["sqlite_grants"] = {"dbrest_anon": {"select": ["authors", "books"]}}
    return settings


@pytest.mark.parametrize("backend", BACKENDS)
def test_follow_privileges_hides_what_the_role_cannot_use(app_on: AppOn, backend: str) -> None:
    with app_on(backend, **_auth_settings(backend)) as app:
        doc = app.get("/").json()
        assert {"/authors", "/books"} <= set(doc["paths"])
        assert "/reviews" not in doc["paths"] and "reviews" not in doc["definitions"]
        if backend == "postgres":  # no EXECUTE revoked: functions stay visible
            assert "/rpc/add_them" in doc["paths"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_ignore_privileges_lists_everything(app_on: AppOn, backend: str) -> None:
    with app_on(backend, openapi_mode="ignore-privileges", **_auth_settings(backend)) as app:
        assert "/reviews" in app.get("/").json()["paths"]


def _comment(uri: str) -> None:
    import asyncio

    async def run() -> None:
        conn = await asyncpg.connect(uri)
        try:
            await conn.execute("COMMENT ON SCHEMA public IS 'Library API\n\nBooks and authors.'")
            await conn.execute("COMMENT ON TABLE authors IS 'Writers\nPeople who write.'")
            await conn.execute("COMMENT ON COLUMN authors.name IS 'Full name'")
            await conn.execute("COMMENT ON FUNCTION add_them(integer, integer) IS 'Adds'")
        finally:
            await conn.close()
    asyncio.run(run())


def test_postgres_comments_are_descriptions(app_on: AppOn) -> None:
    with app_on("postgres", setup=_comment) as app:
        doc = app.get("/").json()
        assert doc["info"]["title"] == "Library API"
        assert doc["info"]["description"] == "Books and authors."
        authors = doc["definitions"]["authors"]
        assert authors["description"] == "Writers\nPeople who write."
        assert authors["properties"]["name"]["description"] == "Full name"
        assert doc["paths"]["/authors"]["get"]["summary"] == "Writers"
        assert doc["paths"]["/authors"]["get"]["description"] == "People who write."
        assert doc["paths"]["/rpc/add_them"]["get"]["summary"] == "Adds"
