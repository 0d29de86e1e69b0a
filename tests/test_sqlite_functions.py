"""`sqlite_functions` (issue 10): declarations, start-up checks through the CLI, grants
`execute`, volatility and argument conversion."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbrest.config import ConfigError, load_config
from dbrest.errors import DatabaseError
from dbrest.grants import check_grants
from dbrest.sqlite_functions import convert, parse_function
from tests.infra.apps import InProcessApp
from tests.test_cli import assert_one_line_failure, run_cli

TOP = {"sql": "select * from books where rating >= :min_rating",
       "args": {"min_rating": "real"}, "returns": "setof books"}


def test_a_declaration_parses() -> None:
    fn = parse_function("top", {**TOP, "args": {"min_rating": {"type": "real", "default": 3}}})
    assert (fn.returns, fn.returns_set, fn.volatile) == ("books", True, False)
    assert (fn.args[0].name, fn.args[0].has_default, fn.args[0].default) == ("min_rating", True, 3)


@pytest.mark.parametrize(("decl", "expected"), [
    ({**TOP, "args": {"min_rating": "decimalish"}}, "unknown type 'decimalish'"),
    ({**TOP, "args": {}}, "uses :min_rating, which is not among its args"),
    ({**TOP, "returns": "setof void"}, "setof void"),
    ({**TOP, "returns": "no such thing"}, "unknown type"),
    ({**TOP, "sql": "delete from books"}, "only SELECT, WITH or VALUES"),
    ({**TOP, "volatile": "yes"}, "volatile must be true or false"),
    ({**TOP, "args": {"n": {"type": "integer", "default": "ten"}}, "sql": "select :n",
      "returns": "integer"}, 'invalid input syntax for type integer: "ten"'),
    ({**TOP, "rturns": "x"}, "unknown key 'rturns'"),
])
def test_bad_declarations_name_the_function(decl: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config({"sqlite_functions": {"top": decl}}, environ={})
    assert str(err.value).startswith("sqlite_functions: function top: ")
    assert expected in str(err.value)


def test_declarations_from_the_environment_as_json() -> None:
    config = load_config(environ={"PGRST_SQLITE_FUNCTIONS":
                                  '{"n": {"sql": "select 1", "returns": "integer"}}'})
    assert config.sqlite_functions["n"].returns == "integer"


@pytest.mark.parametrize(("value", "typ", "expected"), [
    ("40", "integer", 40), (2.0, "integer", 2), ("t", "boolean", 1), (False, "boolean", 0),
    ("1.5", "real", 1.5), (7, "text", "7"), ([1], "json", "[1]"), ("plain", "json", '"plain"'),
    (None, "integer", None)])
def test_arguments_convert_to_the_declared_type(value: object, typ: str,
                                                expected: object) -> None:
    assert convert(value, typ) == expected


@pytest.mark.parametrize(("value", "typ"), [("x", "integer"), (1.5, "integer"),
                                            ("maybe", "boolean"), (True, "integer"),
                                            (2**70, "bigint")])
def test_ill_typed_arguments_are_22P02(value: object, typ: str) -> None:
    with pytest.raises(DatabaseError) as err:
        convert(value, typ)
    assert (err.value.error_code(), err.value.http_status()) == ("22P02", 400)


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE books (id integer primary key, rating real)")
        db.execute("INSERT INTO books VALUES (1, 4.5), (2, 2.0)")
    return path


def _config(tmp_path: Path, functions: str, extra: str = "") -> str:
    conf = tmp_path / "dbrest.toml"
    grants = '[sqlite_grants.anon]\nselect = ["*"]\n'  # no warning line
    conf.write_text(f'db-uri = "sqlite:{_db(tmp_path)}"\n{extra}{grants}{functions}')
    return str(conf)


@pytest.mark.parametrize(("functions", "expected"), [
    ('[sqlite_functions.f]\nsql = "select * from nosuch"\nreturns = "integer"\n',
     "sqlite_functions: function f: no such table: nosuch"),
    ('[sqlite_functions.f]\nsql = "select frm books"\nreturns = "integer"\n',
     "sqlite_functions: function f: "),
    ('[sqlite_functions.f]\nsql = "select 1"\nreturns = "setof nosuch"\n',
     "sqlite_functions: function f: returns: no table or view 'nosuch'"),
    ('[sqlite_functions.f]\nsql = "select id from books"\nreturns = "setof books"\n',
     "sqlite_functions: function f: the sql returns 1 columns, books has 2"),
    ('[sqlite_functions.f]\nsql = "select :x"\nargs = { x = "float4" }\nreturns = "real"\n',
     "sqlite_functions: function f: argument x: unknown type 'float4'"),
])
def test_startup_refuses_a_function_in_one_line(tmp_path: Path, functions: str,
                                                 expected: str) -> None:
    assert_one_line_failure(run_cli(_config(tmp_path, functions)), expected)


FUNCTIONS = {
    "good": {"sql": "select * from books where rating >= :r", "args": {"r": "real"},
             "returns": "setof books"},
    "bump": {"sql": "update books set rating = rating + 1 returning *",
             "returns": "setof books", "volatile": True},
}


def test_grants_execute(tmp_path: Path) -> None:
    grants = {"anon": {"execute": ["good"]}}
    app = InProcessApp(f"sqlite:{_db(tmp_path)}", sqlite_functions=FUNCTIONS,
                       sqlite_grants=grants)
    try:
        assert app.get("/rpc/good?r=3").json() == [{"id": 1, "rating": 4.5}]
        denied = app.request("POST", "/rpc/bump", json={})
        assert denied.status_code == 401
        assert denied.json()["message"] == "permission denied for function bump"
    finally:
        app.close()


def test_volatility(tmp_path: Path) -> None:
    app = InProcessApp(f"sqlite:{_db(tmp_path)}", sqlite_functions=FUNCTIONS)
    try:
        refused = app.get("/rpc/bump")
        assert (refused.status_code, refused.json()["code"]) == (405, "25006")
        assert app.request("OPTIONS", "/rpc/bump").headers["allow"] == "OPTIONS,POST"
        assert app.request("OPTIONS", "/rpc/good").headers["allow"] == "OPTIONS,GET,HEAD,POST"
        assert app.get("/rpc/good?r=0&select=rating").json() == [{"rating": 4.5},
                                                                  {"rating": 2.0}]
        written = app.request("POST", "/rpc/bump?select=rating", json={})
        assert written.json() == [{"rating": 5.5}, {"rating": 3.0}]
    finally:
        app.close()


def test_check_grants_words_execute_and_select() -> None:
    """`plan/access.py` gives a call's (function, "execute"); grants word its refusal
    as PostgreSQL does for a function, a table's as for a table."""
    grants = {"web": {"execute": ["good"], "select": ["books"]}}
    check_grants(grants, "web", True, [("good", "execute"), ("books", "select")])
    with pytest.raises(DatabaseError) as err:
        check_grants(grants, "web", True, [("bump", "execute")])
    assert (err.value.http_status(), err.value.message) == (
        403, "permission denied for function bump")
    with pytest.raises(DatabaseError) as err:
        check_grants(grants, "web", True, [("authors", "select")])
    assert err.value.message == "permission denied for table authors"


def test_a_call_needs_select_on_what_it_embeds(tmp_path: Path) -> None:
    with sqlite3.connect(_db(tmp_path)) as db:
        db.execute("CREATE TABLE reviews (id integer primary key, "
                   "book_id integer references books(id))")
    grants = {"anon": {"execute": ["good"]}}
    app = InProcessApp(f"sqlite:{tmp_path / 't.sqlite'}", sqlite_functions=FUNCTIONS,
                       sqlite_grants=grants)
    try:
        assert app.get("/rpc/good?r=3&select=id").json() == [{"id": 1}]
        refused = app.get("/rpc/good?r=3&select=id,reviews(id)")
        assert (refused.status_code, refused.json()["message"]) == (
            401, "permission denied for table reviews")
    finally:
        app.close()
