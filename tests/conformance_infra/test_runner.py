"""Tests of the conformance runner and fixture rendering (no database server needed).

Covers `compare()` semantics table by table, the strictness of `load_cases()`, that
`execute()` sends a case's path byte for byte, the CLI's summary line, and that the
fixture placeholders are rendered per dialect and load into SQLite.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance import __main__ as cli
from conformance.fixtures import FIXTURE, load_sqlite, render_fixture
from conformance.runner import (
    Case,
    CaseError,
    compare,
    execute,
    expected_for,
    load_cases,
    run_cases,
)


def _json(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


# (expected, response, number of mismatches)
COMPARE_TABLE: list[tuple[str, dict[str, Any], httpx.Response, int]] = [
    ("status ok", {"status": 200}, _json([]), 0),
    ("status differs", {"status": 201}, _json([]), 1),
    ("no body key checks no body", {"status": 200}, httpx.Response(200, text="not json"), 0),
    ("header matches case-insensitively",
     {"status": 200, "headers": {"content-range": "0-0/1"}},
     _json([], headers={"Content-Range": "0-0/1"}), 0),
    ("header value differs",
     {"status": 200, "headers": {"Content-Range": "0-0/2"}},
     _json([], headers={"Content-Range": "0-0/1"}), 1),
    ("header missing", {"status": 200, "headers": {"Location": "/x"}}, _json([]), 1),
    ("null header means absent: ok", {"status": 200, "headers": {"Location": None}}, _json([]), 0),
    ("null header means absent: present",
     {"status": 200, "headers": {"Location": None}}, _json([], headers={"Location": "/x"}), 1),
    ("body equal, key order ignored",
     {"status": 200, "body": [{"id": 1, "title": "Dune"}]}, _json([{"title": "Dune", "id": 1}]), 0),
    ("body array order significant",
     {"status": 200, "body": [{"id": 1}, {"id": 2}]}, _json([{"id": 2}, {"id": 1}]), 2),
    ("body int equals float",
     {"status": 200, "body": {"x": 1, "y": 2.5}}, _json({"x": 1.0, "y": 2.5}), 0),
    ("body true is not 1", {"status": 200, "body": {"x": True}}, _json({"x": 1}), 1),
    ("body extra key", {"status": 200, "body": {"a": 1}}, _json({"a": 1, "b": 2}), 1),
    ("body missing key", {"status": 200, "body": {"a": 1, "b": 2}}, _json({"a": 1}), 1),
    ("body length differs", {"status": 200, "body": [1, 2]}, _json([1, 2, 3]), 1),
    ("body null vs value", {"status": 200, "body": {"a": None}}, _json({"a": 0}), 1),
    ("body nested", {"status": 200, "body": {"a": {"b": [1, {"c": "x"}]}}},
     _json({"a": {"b": [1, {"c": "y"}]}}), 1),
    ("body not json", {"status": 200, "body": []}, httpx.Response(200, text="id\n1"), 1),
    ("body_unordered ok",
     {"status": 200, "body_unordered": [{"id": 1}, {"id": 2}, {"id": 2}]},
     _json([{"id": 2}, {"id": 1}, {"id": 2}]), 0),
    ("body_unordered multiset counts",
     {"status": 200, "body_unordered": [{"id": 1}, {"id": 1}]}, _json([{"id": 1}, {"id": 2}]), 2),
    ("body_unordered nested arrays keep order",
     {"status": 200, "body_unordered": [[1, 2]]}, _json([[2, 1]]), 2),
    ("body_unordered not an array", {"status": 200, "body_unordered": []}, _json({}), 1),
    ("body_subset ok",
     {"status": 400, "body_subset": {"code": "PGRST100"}},
     _json({"code": "PGRST100", "message": "m", "details": None, "hint": None}, 400), 0),
    ("body_subset recursive",
     {"status": 200, "body_subset": [{"a": {"b": 1}}]},
     _json([{"a": {"b": 1, "c": 2}, "d": 3}]), 0),
    ("body_subset differs", {"status": 400, "body_subset": {"code": "PGRST100"}},
     _json({"code": "PGRST101"}, 400), 1),
    ("body_subset missing key", {"status": 400, "body_subset": {"hint": None}}, _json({}, 400), 1),
    ("body_text exact", {"status": 200, "body_text": "id,title\n1,Dune"},
     httpx.Response(200, text="id,title\n1,Dune"), 0),
    ("body_text differs", {"status": 200, "body_text": "id,title\n1,Dune"},
     httpx.Response(200, text="id,title\n1,Dune\n"), 1),
    ("several problems at once", {"status": 200, "headers": {"X-A": "1"}, "body": [1]},
     _json([2], 404), 3),
]


@pytest.mark.parametrize(
    ("expected", "resp", "count"),
    [pytest.param(e, r, n, id=name) for name, e, r, n in COMPARE_TABLE],
)
def test_compare(expected: dict[str, Any], resp: httpx.Response, count: int) -> None:
    problems = compare(expected, resp)
    assert len(problems) == count, problems
    assert all(isinstance(p, str) and p for p in problems)


def test_compare_message_names_the_place() -> None:
    [problem] = compare({"status": 200, "body": [{"t": "a"}]}, _json([{"t": "b"}]))
    assert problem.startswith("body[0].t:") and "'a'" not in problem and '"a"' in problem


def _write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


GOOD = """
- name: one
  request:
    path: /books?id=eq.1
  response: {status: 200, body: []}
- name: two
  request:
    method: post
    path: /books
    headers: {Prefer: return=representation, Content-Length: 0}
    body: {"title": "x"}
  response:
    status: 201
    headers: {Location: null}
  backends:
    sqlite: {status: 400, body_subset: {code: PGRST127}}
"""


def test_load_cases_good(tmp_path: Path) -> None:
    cases = load_cases(_write(tmp_path, GOOD))
    assert [c.name for c in cases] == ["one", "two"]
    one, two = cases
    assert one.id == "c::one" and one.backends == {}
    assert two.request["method"] == "POST"
    assert two.request["headers"] == {"Prefer": "return=representation", "Content-Length": "0"}
    assert expected_for(two, "postgres") == {"status": 201, "headers": {"Location": None}}
    assert expected_for(two, "sqlite") == {"status": 400, "body_subset": {"code": "PGRST127"}}
    with pytest.raises(ValueError):
        expected_for(two, "mysql")


def test_yaml_reads_like_json(tmp_path: Path) -> None:
    text = """
- name: scalars
  request: {path: /x}
  response:
    status: 200
    body: {d: 2024-01-02, ts: 2024-01-02T10:00:00, on: on, yes: no, t: true, f: False}
"""
    [case] = load_cases(_write(tmp_path, text))
    assert case.response["body"] == {
        "d": "2024-01-02", "ts": "2024-01-02T10:00:00", "on": "on", "yes": "no",
        "t": True, "f": False,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- name: a\n  request: {path: /x}\n  respnse: {status: 200}\n", "unknown key 'respnse'"),
        ("- name: a\n  request: {path: /x, methd: GET}\n  response: {status: 200}\n",
         "unknown key 'methd'"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200, bdy: []}\n",
         "unknown key 'bdy'"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200}\n"
         "  backends: {sqllite: {status: 400}}\n", "unknown backend 'sqllite'"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200}\n"
         "  backends: {sqlite: {status: 400, boddy: 1}}\n", "unknown key 'boddy'"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200}\n"
         "- name: a\n  request: {path: /y}\n  response: {status: 200}\n", "duplicate case name"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200, status: 201}\n",
         "duplicate key 'status'"),
        ("- name: a\n  request: {path: x}\n  response: {status: 200}\n", "`path` must be"),
        ("- name: a\n  request: {path: /x}\n  response: {body: []}\n", "missing key 'status'"),
        ("- name: a\n  request: {path: /x}\n", "missing key 'response'"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200, body: [], body_text: ''}\n",
         "at most one of"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200, body_unordered: {}}\n",
         "`body_unordered` must be a list"),
        ("name: a\n", "expected a list of cases"),
    ],
)
def test_load_cases_rejects(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CaseError, match=message.replace("(", r"\(").replace("`", "`")):
        load_cases(_write(tmp_path, text))


def test_same_name_in_two_files_is_fine(tmp_path: Path) -> None:
    case = "- name: a\n  request: {path: /x}\n  response: {status: 200}\n"
    _write(tmp_path, case, "a.yaml")
    _write(tmp_path, case, "b.yaml")
    assert [c.id for c in load_cases(tmp_path)] == ["a::a", "b::a"]


def _case(request: dict[str, Any], response: dict[str, Any] | None = None) -> Case:
    return Case(file=Path("t.yaml"), name="t", request={"headers": {}, **request},
                response=response or {"status": 200})


def _capture(requests: list[httpx.Request], base_url: str = "http://test") -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=[{"id": 1}])

    return httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url=base_url)


@pytest.mark.parametrize(
    ("path", "base_url", "target"),
    [
        ("/books?select=id,title&id=eq.1", "http://test", b"/books?select=id,title&id=eq.1"),
        ('/books?title=eq."Dune<2>"|`^\\', "http://test", b'/books?title=eq."Dune<2>"|`^\\'),
        # A space cannot go on the wire as is: then httpx's percent-encoding is kept.
        ('/books?title=eq."Dune 2"', "http://test", b"/books?title=eq.%22Dune%202%22"),
        ('/books?title=eq."Dune"&a=%2C,+', "http://test", b'/books?title=eq."Dune"&a=%2C,+'),
        ("/books?tags=cs.{a,b}&or=(a.eq.1,b.not.eq.2)", "http://h:1/api",
         b"/api/books?tags=cs.{a,b}&or=(a.eq.1,b.not.eq.2)"),
        ('/rpc/f?x="q"', "http://h:1/api/", b'/api/rpc/f?x="q"'),
        ("/books", "http://test", b"/books"),
    ],
)
def test_execute_sends_path_as_written(path: str, base_url: str, target: bytes) -> None:
    requests: list[httpx.Request] = []

    async def main() -> None:
        async with _capture(requests, base_url) as client:
            await execute(client, _case({"path": path}))

    asyncio.run(main())
    [request] = requests
    assert request.url.raw_path == target
    assert request.method == "GET"


def test_execute_bodies() -> None:
    requests: list[httpx.Request] = []

    async def main() -> None:
        async with _capture(requests) as client:
            await execute(client, _case({"method": "POST", "path": "/b", "body": {"t": "é"}}))
            await execute(client, _case({"method": "POST", "path": "/b", "body": [1],
                                         "headers": {"content-type": "application/vnd.x+json"}}))
            await execute(client, _case({"method": "PATCH", "path": "/b", "body": "a,b\n1,2",
                                         "headers": {"Content-Type": "text/csv"}}))
            await execute(client, _case({"method": "DELETE", "path": "/b",
                                         "headers": {"Prefer": "count=exact"}}))

    asyncio.run(main())
    json_req, vendor_req, csv_req, delete_req = requests
    assert json_req.headers["content-type"] == "application/json"
    assert json_req.content.decode() == '{"t": "é"}'
    assert vendor_req.headers["content-type"] == "application/vnd.x+json"
    assert vendor_req.content == b"[1]"
    assert (csv_req.method, csv_req.content) == ("PATCH", b"a,b\n1,2")
    assert csv_req.headers["content-type"] == "text/csv"
    assert delete_req.content == b"" and delete_req.headers["prefer"] == "count=exact"


def test_run_cases_reports_per_case() -> None:
    requests: list[httpx.Request] = []
    good = _case({"path": "/a"}, {"status": 200, "body": [{"id": 1}]})
    bad = Case(file=Path("t.yaml"), name="bad", request={"path": "/b", "headers": {}},
               response={"status": 200, "body": []},
               backends={"sqlite": {"status": 200, "body": [{"id": 1.0}]}})

    async def main(backend: str) -> list[tuple[Case, list[str]]]:
        async with _capture(requests) as client:
            return await run_cases(client, [good, bad], backend)

    pg = asyncio.run(main("postgres"))
    assert [(c.name, bool(m)) for c, m in pg] == [("t", False), ("bad", True)]
    lite = asyncio.run(main("sqlite"))
    assert [m for _, m in lite] == [[], []]


def test_run_cases_connection_error_is_a_mismatch() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def main() -> list[tuple[Case, list[str]]]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler),
                                     base_url="http://test") as client:
            return await run_cases(client, [_case({"path": "/a"})], "postgres")

    [(_, problems)] = asyncio.run(main())
    assert problems and "ConnectError" in problems[0]


def test_cli_against_unreachable_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, GOOD)
    # Port 9 (discard) on localhost: nothing listens, the connection is refused at once.
    code = cli.main(["--base-url", "http://127.0.0.1:9", "--cases", str(tmp_path), "-k", "one"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].startswith("FAIL c::one: request failed")
    assert out[-1] == "0 passed, 1 failed"


def test_cli_rejects_bad_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "- name: a\n")
    assert cli.main(["--base-url", "http://127.0.0.1:9", "--cases", str(tmp_path)]) == 2
    assert "missing key 'request'" in capsys.readouterr().err


# --- fixtures ------------------------------------------------------------------------

MINI_FIXTURE = """
CREATE TABLE authors (id {{serial}} PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (
  id {{ serial }} PRIMARY KEY,
  author_id integer REFERENCES authors(id),
  meta {{json}},
  published {{timestamp}}
);
INSERT INTO authors (id, name) VALUES (1, 'Frank Herbert'), (2, 'Ursula K. Le Guin');
INSERT INTO books (id, author_id, meta, published)
  VALUES (1, 1, '{"a": {"b": [1, 2]}}', '2024-01-02T10:00:00');
"""


@pytest.fixture
def mini_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(MINI_FIXTURE, encoding="utf-8")
    return path


def test_render_fixture(mini_fixture: Path) -> None:
    pg = render_fixture("postgres", mini_fixture)
    lite = render_fixture("sqlite", mini_fixture)
    assert "{{" not in pg and "{{" not in lite
    assert "id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" in pg
    assert "meta jsonb," in pg and "published timestamp\n" in pg
    assert "id integer PRIMARY KEY" in lite
    assert "meta JSON," in lite and "published TIMESTAMP\n" in lite
    assert """'{"a": {"b": [1, 2]}}'""" in pg and """'{"a": {"b": [1, 2]}}'""" in lite


def test_render_fixture_rejects_unknown_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "bad.sql"
    path.write_text("CREATE TABLE t (x {{uuid}});", encoding="utf-8")
    with pytest.raises(ValueError, match="uuid"):
        render_fixture("sqlite", path)
    with pytest.raises(ValueError, match="dialect"):
        render_fixture("mysql", path)  # type: ignore[arg-type]


@pytest.mark.skipif(not FIXTURE.exists(), reason="fixtures/schema.sql not written yet")
def test_real_fixture_renders() -> None:
    for dialect in ("postgres", "sqlite"):
        assert "{{" not in render_fixture(dialect)  # type: ignore[arg-type]


def test_load_sqlite(tmp_path: Path, mini_fixture: Path) -> None:
    db = tmp_path / "t.db"
    load_sqlite(db, mini_fixture)
    conn = sqlite3.connect(db)
    try:
        # left in the default journal mode, as users' files are (dbrest must cope)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute("SELECT count(*) FROM authors").fetchone() == (2,)
        conn.execute("INSERT INTO authors (name) VALUES ('x')")
        assert conn.execute("SELECT max(id) FROM authors").fetchone() == (3,)
    finally:
        conn.close()


def test_load_sqlite_checks_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "fk.sql"
    path.write_text(
        "CREATE TABLE a (id integer PRIMARY KEY);"
        "CREATE TABLE b (a_id integer REFERENCES a(id));"
        "INSERT INTO b VALUES (42);",
        encoding="utf-8",
    )
    with pytest.raises(sqlite3.IntegrityError):
        load_sqlite(tmp_path / "fk.db", path)
