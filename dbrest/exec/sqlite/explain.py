"""SQLite's `EXPLAIN QUERY PLAN` rows → PostgreSQL's plan envelope.

Rows are (id, parent, notused, detail), a tree by `parent` (0: the top). JSON:
`[{"Plan": {"Node Type": "Query Plan", "Plans": [{"Node Type": "SCAN", "Detail":
"SCAN books", "Plans": [...]}, ...]}}]` — the shape of PostgreSQL's `FORMAT JSON`, each
node named by its detail's first word. Text: the sqlite3 shell's `.eqp` drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson


def _children(rows: Sequence[Sequence[Any]]) -> dict[int, list[tuple[int, str]]]:
    tree: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        tree.setdefault(int(row[1]), []).append((int(row[0]), str(row[3])))
    return tree


def _node(tree: dict[int, list[tuple[int, str]]], id_: int, detail: str) -> dict[str, Any]:
    node: dict[str, Any] = {"Node Type": detail.split(" ", 1)[0], "Detail": detail}
    if tree.get(id_):
        node["Plans"] = [_node(tree, child, text) for child, text in tree[id_]]
    return node


def _lines(tree: dict[int, list[tuple[int, str]]], parent: int, indent: str) -> list[str]:
    lines = []
    children = tree.get(parent, [])
    for i, (id_, detail) in enumerate(children):
        last = i == len(children) - 1
        lines.append(indent + ("`--" if last else "|--") + detail)
        lines.extend(_lines(tree, id_, indent + ("   " if last else "|  ")))
    return lines


def plan_body(rows: Sequence[Sequence[Any]], json: bool) -> str:
    tree = _children(rows)
    if json:
        top = {"Node Type": "Query Plan",
               "Plans": [_node(tree, id_, detail) for id_, detail in tree.get(0, [])]}
        return orjson.dumps([{"Plan": top}]).decode()
    return "\n".join(["QUERY PLAN", *_lines(tree, 0, "")]) + "\n"
