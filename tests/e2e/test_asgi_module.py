"""`dbrest.asgi:app`, the application other ASGI servers (granian) import, configured
from the environment."""

from __future__ import annotations

import asyncio
import importlib
import os
import shutil
import sys
from pathlib import Path

import httpx
import pytest


def test_the_asgi_module_serves_from_the_environment(
        sqlite_fixture_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "asgi.sqlite"
    shutil.copyfile(sqlite_fixture_path, db)
    for key in [k for k in os.environ if k.startswith(("PGRST_", "DBREST_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PGRST_DB_URI", f"sqlite:{db}")
    monkeypatch.setenv("PGRST_DB_ANON_ROLE", "anon")
    sys.modules.pop("dbrest.asgi", None)
    module = importlib.import_module("dbrest.asgi")

    async def run() -> httpx.Response:
        state = module.app.config["DBREST_STATE"]
        try:
            transport = httpx.ASGITransport(app=module.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return await client.get("/books?select=id,title&id=eq.7")
        finally:
            await state.stop()

    response = asyncio.run(run())
    sys.modules.pop("dbrest.asgi", None)
    assert response.status_code == 200
    assert response.json() == [{"id": 7, "title": "Dune"}]
    assert response.headers["content-length"] == str(len(response.content))
