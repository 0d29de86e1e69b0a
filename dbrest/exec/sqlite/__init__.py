"""SQLite: running compiled SQL (backend), its errors, and its catalog (introspect)."""

from dbrest.exec.sqlite.backend import SqliteBackend, sqlite_target

__all__ = ["SqliteBackend", "sqlite_target"]
