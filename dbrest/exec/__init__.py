"""The execution stage: one `Backend` per database kind, made from plain settings."""

from __future__ import annotations

from dbrest.exec.base import Backend, BackendSettings


def make_backend(settings: BackendSettings) -> Backend:
    if settings.kind == "postgres":
        from dbrest.exec.postgres import PostgresBackend

        return PostgresBackend.from_settings(settings)
    from dbrest.exec.sqlite import SqliteBackend

    return SqliteBackend.from_settings(settings)
