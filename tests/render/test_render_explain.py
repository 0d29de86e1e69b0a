"""EXPLAIN wrappers (render/explain.py) and SQLite's plan envelope (exec/sqlite/explain.py)."""

from __future__ import annotations

import sqlite3

import orjson

from dbrest.exec.sqlite.explain import plan_body
from dbrest.parse.ast import MediaType
from dbrest.plan.explain import Explain
from dbrest.render.compile import CompiledQuery, CompiledRead, CompiledWrite, Slot, WriteStep
from dbrest.render.explain import render_explain
from dbrest.render.postgres import POSTGRES
from dbrest.render.sqlite import SQLITE

MAIN = CompiledQuery("SELECT x FROM t WHERE a = $1", (Slot(0),))
JSON = MediaType("application/json")


def test_postgres_prefixes_the_main_statement_keeping_its_parameters() -> None:
    explain = Explain("json", ("analyze", "verbose", "wal"), JSON)
    compiled = render_explain(CompiledRead(MAIN, None), explain, POSTGRES)
    assert compiled.query.sql == "EXPLAIN (FORMAT JSON, ANALYZE, VERBOSE, WAL) " + MAIN.sql
    assert compiled.query.slots == MAIN.slots and compiled.json
    text = render_explain(CompiledRead(MAIN, None), Explain("text", (), JSON), POSTGRES)
    assert text.query.sql.startswith("EXPLAIN (FORMAT TEXT) SELECT") and not text.json


def test_sqlite_explains_a_writes_own_statement() -> None:
    write = CompiledQuery("INSERT INTO t VALUES (?) RETURNING *", (Slot(0),))
    compiled = CompiledWrite(MAIN, (WriteStep(CompiledQuery("CREATE TEMP TABLE s (x)", ())),
                                    WriteStep(write, copy="INSERT INTO s VALUES ")))
    explained = render_explain(compiled, Explain("json", ("analyze",), JSON), SQLITE)
    assert explained.query.sql == "EXPLAIN QUERY PLAN " + write.sql  # options ignored
    read = render_explain(CompiledRead(MAIN, None), Explain("text", (), JSON), SQLITE)
    assert read.query.sql == "EXPLAIN QUERY PLAN " + MAIN.sql


def _rows() -> list[tuple[object, ...]]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, b INTEGER)")
    return conn.execute("EXPLAIN QUERY PLAN SELECT * FROM a WHERE b IN "
                        "(SELECT id FROM a WHERE id > ?) ORDER BY b", (1,)).fetchall()


def test_sqlite_plan_as_postgresql_envelope() -> None:
    rows = _rows()
    doc = orjson.loads(plan_body(rows, json=True))
    assert list(doc[0]) == ["Plan"] and doc[0]["Plan"]["Node Type"] == "Query Plan"
    details = []

    def walk(node: dict[str, object]) -> None:
        for child in node.get("Plans", []):  # type: ignore[attr-defined]
            assert child["Node Type"] == child["Detail"].split(" ")[0]
            details.append(child["Detail"])
            walk(child)
    walk(doc[0]["Plan"])
    assert details == [str(r[3]) for r in rows]  # every row, in SQLite's (depth-first) order


def test_sqlite_plan_as_text_tree() -> None:
    rows = _rows()
    lines = plan_body(rows, json=False).splitlines()
    assert lines[0] == "QUERY PLAN"
    assert [line.lstrip("|` -") for line in lines[1:]] == [str(r[3]) for r in rows]
    assert any(line.startswith("   ") or line.startswith("|  ") for line in lines[1:])
