"""PostgreSQL: running compiled SQL (backend), its errors, and its catalog (introspect)."""

from dbrest.exec.postgres.backend import PostgresBackend

__all__ = ["PostgresBackend"]
