"""Kept for imports written before tests/infra/ existed; use `tests.infra.apps`."""

from tests.infra.apps import InProcessApp, fixture_copy

__all__ = ["InProcessApp", "fixture_copy"]
