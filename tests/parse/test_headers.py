"""`Prefer`, `Accept` and `Range` headers (`dbrest/parse/headers.py`)."""

from __future__ import annotations

from typing import Any

import pytest

from dbrest.parse.ast import MediaType, Preferences, Range
from dbrest.parse.headers import intersect, parse_accept, parse_prefer, parse_range

# -- Prefer (PostgREST `ApiRequest/Preferences.hs` doctests) -----------------------------------


@pytest.mark.parametrize(("headers", "expected"), [
    ((), Preferences()),
    (("resolution=ignore-duplicates, count=exact, timezone=America/Los_Angeles, max-affected=100",),
     Preferences(resolution="ignore-duplicates", count="exact", timezone="America/Los_Angeles",
                 max_affected=100)),
    # several headers merge
    (("resolution=ignore-duplicates", "count=exact", "missing=null", "handling=lenient",
      "invalid", "max-affected=5999"),
     Preferences(resolution="ignore-duplicates", count="exact", missing="null",
                 handling="lenient", max_affected=5999, invalid=("invalid",))),
    # the first value of a kind wins, within a header and across headers
    (("tx=commit, tx=rollback",), Preferences(tx="commit")),
    (("resolution=ignore-duplicates", "resolution=merge-duplicates"),
     Preferences(resolution="ignore-duplicates")),
    (("count=planned", "count=exact"), Preferences(count="planned")),
    # arbitrary spacing
    ((("count=exact,    tx=commit   ,return=representation , missing=default, "
       "handling=strict, anything"),),
     Preferences(count="exact", tx="commit", return_="representation", missing="default",
                 handling="strict", invalid=("anything",))),
    (("return=minimal",), Preferences(return_="minimal")),
    (("return=headers-only",), Preferences(return_="headers-only")),
    (("count=estimated",), Preferences(count="estimated")),
    # a known kind with an unknown value is invalid, and does not block a later valid one
    (("count=bogus, count=exact",), Preferences(count="exact", invalid=("count=bogus",))),
    (("return=everything",), Preferences(invalid=("return=everything",))),
    (("max-affected=abc",), Preferences(invalid=("max-affected=abc",))),
    (("a, b", "c"), Preferences(invalid=("a", "b", "c"))),
    # empty items are skipped
    (("count=exact,,",), Preferences(count="exact")),
    (("",), Preferences()),
])
def test_prefer(headers: tuple[str, ...], expected: Preferences) -> None:
    assert parse_prefer(headers) == expected


# -- Accept --------------------------------------------------------------------------------------

def types(header: str | None) -> list[str]:
    return [m.type for m in parse_accept(header)]


@pytest.mark.parametrize(("header", "expected"), [
    (None, ["*/*"]),
    ("", ["*/*"]),
    ("   ", ["*/*"]),
    ("application/json", ["application/json"]),
    ("Application/JSON", ["application/json"]),
    ("text/csv, application/json", ["text/csv", "application/json"]),
    ("text/csv;q=0.5, application/json", ["application/json", "text/csv"]),
    ("text/csv; q=0.5, application/json; q=0.9, */*;q=0.1",
     ["application/json", "text/csv", "*/*"]),
    # equal q: stable, then the more specific first (wai's `parseHttpAccept`)
    ("a/a;q=0.5, b/b;q=0.5", ["a/a", "b/b"]),
    ("*/*, text/csv", ["text/csv", "*/*"]),
    ("application/*, application/json", ["application/json", "application/*"]),
    ("application/json, application/json;nulls=stripped",
     ["application/json", "application/json"]),
    # q=0 is "not acceptable"
    ("text/csv;q=0, application/json", ["application/json"]),
    ("text/csv;q=0", []),
    # a q that is not a number counts as 1, as Haskell's `reads` fallback in wai
    ("text/csv;q=abc, application/json;q=0.5", ["text/csv", "application/json"]),
    ("text/csv;q=0.3x, application/json;q=0.5", ["application/json", "text/csv"]),
    # empty items are skipped
    (",application/json,,", ["application/json"]),
])
def test_accept_order(header: str | None, expected: list[str]) -> None:
    assert types(header) == expected


def test_accept_params() -> None:
    got = parse_accept('application/vnd.pgrst.object+json; nulls=stripped; Charset="UTF-8";q=1')
    assert got == (MediaType("application/vnd.pgrst.object+json",
                             (("nulls", "stripped"), ("charset", "UTF-8"))),)


# -- Range ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("header", "expected"), [
    (None, None),
    ("0-9", (0, 9)),
    ("10-", (10, None)),
    (" 5-5 ", (5, 5)),
    ("5-2", (5, 2)),  # lower > upper is request.py's PGRST103
    ("items=0-9", None),
    ("-5", None),
    ("a-b", None),
    ("0-9,20-29", None),
    ("0 - 9", None),
    ("٠-٩", None),
    ("", None),
])
def test_parse_range(header: str | None, expected: Any) -> None:
    assert parse_range(header) == expected


@pytest.mark.parametrize(("query", "header", "expected"), [
    (Range(), None, Range()),
    (Range(5, 10), None, Range(5, 10)),
    (Range(), (0, 9), Range(0, 10)),
    (Range(), (10, None), Range(10, None)),
    (Range(0, 5), (0, 9), Range(0, 5)),
    (Range(0, 20), (5, 9), Range(5, 5)),
    (Range(2, 5), (0, 3), Range(2, 2)),  # rows 2-6 ∩ rows 0-3 = rows 2-3
    (Range(3, None), (0, 9), Range(3, 7)),
    (Range(0, 0), (0, 9), Range(0, 0)),  # limit=0 stays empty
    # disjoint ranges intersect to no rows (not a negative limit)
    (Range(0, 5), (10, 20), Range(10, 0)),
    (Range(10, 5), (0, 3), Range(10, 0)),
])
def test_intersect(query: Range, header: tuple[int, int | None] | None, expected: Range) -> None:
    assert intersect(query, header) == expected
