"""SQLite runs any `CompiledWrite`'s steps generically (issue 10's calls are such steps):
in a read-only `Tx`, every step but the scratch ones (temp tables) runs under
`PRAGMA query_only`, and a write there is PostgreSQL's 25006 (405)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from dbrest.context import TxSettings
from dbrest.errors import DatabaseError
from dbrest.exec.base import ReadResult, Tx
from dbrest.exec.sqlite import SqliteBackend
from dbrest.render.compile import CompiledQuery, CompiledWrite, WriteStep

SETUP = (WriteStep(CompiledQuery("CREATE TEMP TABLE IF NOT EXISTS scratch(v)", ()),
                   scratch=True),
         WriteStep(CompiledQuery("DELETE FROM temp.scratch", ()), scratch=True))
MAIN = CompiledQuery("SELECT NULL, count(*), json_group_array(v), NULL, NULL "
                     "FROM temp.scratch", ())


def _run(tmp_path: Path, step: WriteStep, tx: Tx) -> ReadResult:
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS t (a integer, b text)")
        db.execute("DELETE FROM t")
        db.execute("INSERT INTO t VALUES (1, 'x'), (2, 'y')")

    async def go() -> ReadResult:
        backend = SqliteBackend(str(path), pool_size=1)
        await backend.start()
        try:
            return await backend.run(CompiledWrite(MAIN, (*SETUP, step)), (), TxSettings(), tx)
        finally:
            await backend.stop()
    return asyncio.run(go())


def test_a_read_only_step_copies_its_first_column(tmp_path: Path) -> None:
    step = WriteStep(CompiledQuery("SELECT a, b FROM t ORDER BY a", ()),
                     "INSERT INTO temp.scratch VALUES ", first_column=True)
    result = _run(tmp_path, step, Tx(readonly=True))
    assert (result.page_total, result.body) == (2, "[1,2]")


def test_a_write_in_a_read_only_tx_is_25006(tmp_path: Path) -> None:
    step = WriteStep(CompiledQuery("INSERT INTO t VALUES (3, 'z') RETURNING a", ()),
                     "INSERT INTO temp.scratch VALUES ")
    with pytest.raises(DatabaseError) as err:
        _run(tmp_path, step, Tx(readonly=True))
    assert (err.value.error_code(), err.value.http_status()) == ("25006", 405)
    assert err.value.message == "cannot execute INSERT in a read-only transaction"
    with sqlite3.connect(tmp_path / "t.sqlite") as db:
        assert db.execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_the_same_write_runs_in_a_read_write_tx(tmp_path: Path) -> None:
    step = WriteStep(CompiledQuery("INSERT INTO t VALUES (3, 'z') RETURNING a, b", ()),
                     "INSERT INTO temp.scratch VALUES ", first_column=True)
    result = _run(tmp_path, step, Tx(readonly=False))
    assert (result.page_total, result.body) == (1, "[3]")
