"""SQLite's full-text converters: PostgreSQL query syntaxes → FTS5 query strings that
quote every term, so no user text is FTS5 syntax (render/fts_query.py), and the JSON
array values of cs/cd/ov (render/values.py)."""

from __future__ import annotations

import sqlite3

import pytest

from dbrest.errors import DbrestError
from dbrest.render.fts_query import phrase_query, plain_query, tsquery_query, websearch_query
from dbrest.render.values import json_array


@pytest.mark.parametrize(("convert", "text", "expected"), [
    (plain_query, "fat  cat", '"fat" AND "cat"'),
    (plain_query, "cat & (NOT) dog*", '"cat" AND "NOT" AND "dog"'),
    (plain_query, "&&", '""'),
    (phrase_query, 'the "fat" cat', '"the fat cat"'),
    (websearch_query, '"fat cat" or dog -rat', '("fat cat") OR (("dog") NOT ("rat"))'),
    (websearch_query, "cat OR", '"cat"'),
    (tsquery_query, "fat & !cat", '("fat") NOT ("cat")'),
    (tsquery_query, "(a | b) & c:*", '(("a") OR ("b")) AND ("c"*)'),
    (tsquery_query, "fat <-> cat <2> sat", '"fat cat sat"'),
    (tsquery_query, "cat:AB", '"cat"'),
    (tsquery_query, "  ", '""'),
])
def test_translation(convert, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert convert(text) == expected


@pytest.mark.parametrize("text", ["-dog", "!cat", "a | !b"])
def test_only_excluded_terms_are_not_implemented(text: str) -> None:
    convert = websearch_query if text.startswith("-") else tsquery_query
    with pytest.raises(DbrestError) as info:
        convert(text)
    assert info.value.error_code() == "PGRST127"


@pytest.mark.parametrize("text", ["cat &", "& cat", "(cat", "cat)", "cat dog"])
def test_tsquery_syntax_errors_are_42601(text: str) -> None:
    with pytest.raises(DbrestError) as info:
        tsquery_query(text)
    assert (info.value.error_code(), info.value.http_status()) == ("42601", 400)


@pytest.mark.parametrize("text", ['NEAR(a b)', 'a:b', '"', '*', '^x', 'AND', 'col : x', "'"])
def test_fts5_never_sees_syntax(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(body)")
    conn.execute("INSERT INTO f VALUES ('AND a b col x')")
    for convert in (plain_query, phrase_query, websearch_query):
        conn.execute("SELECT rowid FROM f WHERE body MATCH ?", (convert(text),)).fetchall()


@pytest.mark.parametrize(("value", "expected"), [
    ("{a,b}", '["a","b"]'),
    ('{1,"x,y"}', '[1,"x,y"]'),
    ("{}", "[]"),
    ('["a",2]', '["a",2]'),
    ('"a"', '["a"]'),
])
def test_json_array_values(value: str, expected: str) -> None:
    assert json_array(value, "json") == expected


def test_json_object_containment_is_not_implemented() -> None:
    with pytest.raises(DbrestError) as info:
        json_array('{"a": 1}', "json")
    assert info.value.error_code() == "PGRST127"
