"""The import layering of the planner and the schema cache, read from the source.

`schema.py` holds data and imports nothing that derives from it (relationships are built
with the cache, `relationships.build_schema_cache`); the three planning entry points
(reads, writes, RPC calls) share context, table resolution, preferences and node
planning through their own modules, never through one another.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = ("dbrest.plan.read", "dbrest.plan.mutate", "dbrest.plan.call")


def module_path(module: str) -> Path:
    return ROOT.joinpath(*module.split(".")).with_suffix(".py")


def imports(module: str) -> set[str]:
    """Every `dbrest` module imported anywhere in the module (function bodies too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module_path(module).read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from dbrest.plan import read` names a module too
            found.update(f"{node.module}.{a.name}" for a in node.names
                         if module_path(f"{node.module}.{a.name}").exists())
    return {m for m in found if m.startswith("dbrest.")}


def planner_modules() -> list[str]:
    return sorted(f"dbrest.plan.{p.stem}" for p in (ROOT / "dbrest" / "plan").glob("*.py")
                  if p.stem != "__init__")


def test_imports_are_read_from_the_source() -> None:
    assert "dbrest.plan.nodes" in imports("dbrest.plan.read")
    assert "dbrest.schema" in imports("dbrest.relationships")


def test_schema_does_not_import_relationships() -> None:
    assert "dbrest.relationships" not in imports("dbrest.schema")
    assert imports("dbrest.schema") == set()


@pytest.mark.parametrize("module", [m for m in planner_modules() if m != "dbrest.plan.request"])
def test_no_planner_module_imports_an_entry_point(module: str) -> None:
    """Writes and RPC import nothing from the read planner (nor it from them); only the
    dispatcher, plan/request.py, knows all three."""
    assert not imports(module) & set(ENTRY_POINTS)


def test_the_dispatcher_knows_every_entry_point() -> None:
    assert set(ENTRY_POINTS) <= imports("dbrest.plan.request")


def test_planner_and_schema_imports_have_no_cycle() -> None:
    graph = {m: imports(m) for m in (*planner_modules(), "dbrest.schema",
                                     "dbrest.relationships")}
    done: set[str] = set()

    def visit(module: str, stack: tuple[str, ...]) -> None:
        assert module not in stack, " → ".join((*stack, module))
        if module in done or module not in graph:
            return
        for dep in sorted(graph[module]):
            visit(dep, (*stack, module))
        done.add(module)

    for module in graph:
        visit(module, ())
