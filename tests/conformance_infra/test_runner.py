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
from conformance.runner import (
    Case,
    CaseError,
    compare,
    execute,
    expected_for,
    load_cases,
    run_cases,
)
from conformance.servers import Fixture, Server, SpecError, load_server, render_fixture
from conformance.tools.convert_cases import convert_file
from tests.infra.fixtures import load_sqlite


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
  requires: [row_level_security]
  otherwise: {status: 400, body_subset: {code: PGRST127}}
- name: three
  request: {path: /rls}
  response: {status: 200}
  requires: [row_level_security, db_pre_request]
"""


def test_load_cases_good(tmp_path: Path) -> None:
    cases = load_cases(_write(tmp_path, GOOD))
    assert [c.name for c in cases] == ["one", "two", "three"]
    one, two, three = cases
    assert one.id == "c::one" and one.requires == () and one.profile == "default"
    assert two.request["method"] == "POST"
    assert two.request["headers"] == {"Prefer": "return=representation", "Content-Length": "0"}
    full = {"row_level_security", "db_pre_request"}
    assert expected_for(two, full) == {"status": 201, "headers": {"Location": None}}
    assert expected_for(two, set()) == {"status": 400, "body_subset": {"code": "PGRST127"}}
    assert expected_for(one, set()) == {"status": 200, "body": []}
    # lacking a required capability and no `otherwise`: not applicable
    assert expected_for(three, full) == {"status": 200}
    assert expected_for(three, {"row_level_security"}) is None
    assert expected_for(three, load_server("dbrest-sqlite")) is None
    assert expected_for(three, load_server("dbrest-pg")) == {"status": 200}


LEGACY = """
- name: old
  request: {path: /x}
  response: {status: 200}
  backends:
    sqlite:  # why
      status: 400
      body_subset: {code: PGRST127}
- name: old flow
  request: {path: /x}
  response: {status: 200}
  backends: {postgres: {status: 404}}
"""


def test_backends_is_a_deprecated_alias(tmp_path: Path) -> None:
    old, flow = load_cases(_write(tmp_path, LEGACY))  # no warning: it would fail the suite
    assert old.legacy and old.requires == ("postgresql",)
    assert expected_for(old, load_server("dbrest-pg")) == {"status": 200}
    assert expected_for(old, load_server("dbrest-sqlite")) == {
        "status": 400, "body_subset": {"code": "PGRST127"}}
    assert expected_for(flow, load_server("dbrest-pg")) == {"status": 404}
    assert expected_for(flow, load_server("dbrest-sqlite")) == {"status": 200}


def test_convert_cases_keeps_the_meaning(tmp_path: Path) -> None:
    path = _write(tmp_path, LEGACY) / "c.yaml"
    assert convert_file(path)
    text = path.read_text()
    assert "backends" not in text and "otherwise:  # why" in text
    assert "requires: [postgresql]" in text and "requires: [sqlite]" in text
    old, flow = load_cases(tmp_path)
    assert not old.legacy and old.otherwise == {"status": 400,
                                                "body_subset": {"code": "PGRST127"}}
    assert flow.otherwise == {"status": 404}
    assert not convert_file(path)  # nothing left to convert


def test_file_level_and_default_profiles(tmp_path: Path) -> None:
    case = "- name: a\n  request: {path: /x}\n  response: {status: 200}\n"
    _write(tmp_path, case, "auth_new.yaml")
    _write(tmp_path, case, "read_new.yaml")
    _write(tmp_path, "profile: auth\ncases:\n" + case.replace("- ", "  - ", 1)
           .replace("\n  ", "\n    "), "named.yaml")
    profiles = {c.file.name: c.profile for c in load_cases(tmp_path)}
    assert profiles == {"auth_new.yaml": "auth", "read_new.yaml": "default",
                        "named.yaml": "auth"}


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
        ("name: a\n", "a file mapping has `cases`"),
        ("profile: nope\ncases: []\n", "unknown profile 'nope'"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200}\n"
         "  requires: [rls]\n", "unknown capabilities \\['rls'\\]"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200}\n"
         "  otherwise: {status: 400}\n", "`otherwise` needs a non-empty `requires`"),
        ("- name: a\n  request: {path: /x}\n  response: {status: 200}\n"
         "  requires: [row_level_security]\n  backends: {sqlite: {status: 400}}\n",
         "cannot be combined"),
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
               response={"status": 200, "body": []}, requires=("row_level_security",),
               otherwise={"status": 200, "body": [{"id": 1.0}]})
    skipped = Case(file=Path("t.yaml"), name="n/a", request={"path": "/c", "headers": {}},
                   response={"status": 200}, requires=("db_pre_request",))

    async def main(caps: set[str]) -> list[tuple[Case, list[str] | None]]:
        async with _capture(requests) as client:
            return await run_cases(client, [good, bad, skipped], caps)

    full = asyncio.run(main({"row_level_security", "db_pre_request"}))
    assert [(c.name, bool(m)) for c, m in full] == [("t", False), ("bad", True), ("n/a", False)]
    assert len(requests) == 3
    lite = asyncio.run(main(set()))
    assert [m for _, m in lite] == [[], [], None]
    assert [r.url.path for r in requests[3:]] == ["/a", "/b"]  # not sent when n/a


def test_run_cases_connection_error_is_a_mismatch() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def main() -> list[tuple[Case, list[str] | None]]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler),
                                     base_url="http://test") as client:
            return await run_cases(client, [_case({"path": "/a"})], set())

    [(_, problems)] = asyncio.run(main())
    assert problems and "ConnectError" in problems[0]


def test_cli_against_unreachable_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, GOOD)
    # Port 9 (discard) on localhost: nothing listens, the connection is refused at once.
    code = cli.main(["--server", "dbrest-sqlite", "--base-url", "http://127.0.0.1:9",
                     "--cases", str(tmp_path), "-k", "e"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].startswith("FAIL c::one: request failed")
    assert out[-2:] == ["c: 0 passed, 1 failed, 1 not applicable",
                        "total: 0 passed, 1 failed, 1 not applicable"]


def test_cli_nothing_applicable_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, GOOD)
    code = cli.main(["--server", "dbrest-sqlite", "--base-url", "http://127.0.0.1:9",
                     "--cases", str(tmp_path), "-k", "three"])
    assert code == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "total: 0 passed, 0 failed, 1 not applicable")


def test_cli_prints_fixture_and_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--server", "postgrest", "--print-fixture"]) == 0
    out = capsys.readouterr().out
    assert "-- postgres.sql" in out and "jsonb" in out and "{{" not in out
    assert cli.main(["--server", "dbrest-sqlite", "--print-settings"]) == 0
    out = capsys.readouterr().out
    assert "sqlite_grants" in out and "jwt_secret" in out
    assert cli.main(["--server", "nope", "--print-fixture"]) == 2
    assert "unknown server 'nope'" in capsys.readouterr().err


def test_cli_rejects_bad_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "- name: a\n")
    assert cli.main(["--server", "dbrest-pg", "--base-url", "http://127.0.0.1:9",
                     "--cases", str(tmp_path)]) == 2
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


def _mini(dialect: str, fixture: Path) -> Server:
    """The real server's placeholders, over a custom fixture file."""
    real = load_server("dbrest-pg" if dialect == "postgres" else "dbrest-sqlite")
    return Server(name="mini", description="", capabilities=real.capabilities,
                  fixture=Fixture(dialect=dialect, files=(str(fixture),),
                                  placeholders=real.fixture.placeholders))


def test_render_fixture(mini_fixture: Path) -> None:
    [(_, pg)] = render_fixture(_mini("postgres", mini_fixture))
    [(_, lite)] = render_fixture(_mini("sqlite", mini_fixture))
    assert "{{" not in pg and "{{" not in lite
    assert "id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" in pg
    assert "meta jsonb," in pg and "published timestamp\n" in pg
    assert "id integer PRIMARY KEY" in lite
    assert "meta JSON," in lite and "published TIMESTAMP\n" in lite
    assert """'{"a": {"b": [1, 2]}}'""" in pg and """'{"a": {"b": [1, 2]}}'""" in lite


def test_render_fixture_rejects_unknown_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "bad.sql"
    path.write_text("CREATE TABLE t (x {{uuid}});", encoding="utf-8")
    with pytest.raises(SpecError, match="uuid"):
        render_fixture(_mini("sqlite", path))


@pytest.mark.parametrize("server", ["dbrest-pg", "dbrest-sqlite", "postgrest"])
def test_real_fixture_renders(server: str) -> None:
    rendered = render_fixture(load_server(server))
    assert rendered[0][0] == "schema.sql"
    assert all("{{" not in sql for _, sql in rendered)


def test_load_sqlite(tmp_path: Path, mini_fixture: Path) -> None:
    db = tmp_path / "t.db"
    load_sqlite(db, _mini("sqlite", mini_fixture))
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
        load_sqlite(tmp_path / "fk.db", _mini("sqlite", path))
