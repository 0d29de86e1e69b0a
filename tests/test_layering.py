"""The pipeline is one-way: each stage imports only what comes before it (and the
neutral modules), never a later stage. Checked on the source's imports with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "dbrest"

# package (under dbrest/) → modules it must not import (a prefix matches submodules too)
RULES = {
    "exec": ("dbrest.plan", "dbrest.config", "dbrest.serialize", "dbrest.serialize_rpc",
             "dbrest.pipeline", "dbrest.app"),
    "render": ("dbrest.exec", "dbrest.serialize", "dbrest.serialize_rpc", "dbrest.pipeline",
               "dbrest.app"),
    "plan": ("dbrest.exec", "dbrest.serialize", "dbrest.serialize_rpc", "dbrest.pipeline",
             "dbrest.app"),
}


def imported(path: Path) -> set[str]:
    """Every module `path` imports, wherever the import stands (functions included)."""
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _breaks(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("stage", sorted(RULES))
def test_stage_imports_no_later_stage(stage: str) -> None:
    files = sorted((ROOT / stage).rglob("*.py"))
    assert files, stage
    wrong = [f"{path.relative_to(ROOT.parent)} imports {name}"
             for path in files for name in sorted(imported(path))
             if _breaks(name, RULES[stage])]
    assert wrong == []


def test_context_is_neutral() -> None:
    """The transaction settings are built before exec; exec imports them, not the reverse."""
    names = imported(ROOT / "context.py")
    assert not [n for n in names if _breaks(n, ("dbrest.exec", "dbrest.plan",
                                                "dbrest.serialize"))]


def test_the_checker_sees_imports() -> None:
    """The rules would fire: imports inside functions are found, and prefixes match
    submodules only."""
    names = imported(ROOT / "exec" / "__init__.py")  # imports its backends in a function
    assert "dbrest.exec.postgres.PostgresBackend" in names
    assert "dbrest.errors.PoolTimeout" in imported(ROOT / "exec" / "fair.py")
    assert _breaks("dbrest.plan.types", RULES["exec"])
    assert not _breaks("dbrest.planner", RULES["exec"])
