"""Golden files: compare rendered SQL with `golden*/<case>.<dialect>.sql`, or rewrite them
with `UPDATE_GOLDEN=1` (then read the diff)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def assert_golden(path: Path, actual: str) -> None:
    if UPDATE:
        path.write_text(actual)
    assert path.exists(), f"{path.name} is missing: run with UPDATE_GOLDEN=1"
    assert actual == path.read_text()


def stray_files(folder: Path, names: Iterable[str], dialects: Iterable[str]) -> set[str]:
    """Golden files no case renders any more."""
    suffixes = tuple(dialects)
    expected = {f"{name}.{d}.sql" for name in names for d in suffixes}
    return {p.name for p in folder.glob("*.sql")} - expected
