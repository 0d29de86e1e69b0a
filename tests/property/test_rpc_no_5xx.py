"""No generated RPC call makes dbrest answer 5xx, on PostgreSQL or on SQLite.

Calls go to the fixture's functions (conformance/fixtures/postgres.sql) and to unknown
names, with argument names right, wrong or missing, values of every sort, filters,
`select=`, `order=` and headers mixed in. GET/HEAD/other methods may call any function
(GET runs read-only, so nothing is written); POST only calls functions that do not write,
since the fixture databases are shared by the session. SQLite serves the same functions
declared as SQL (conformance/servers/dbrest-sqlite.yaml's `sqlite_functions`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.servers import load_server, settings_for
from tests.infra.apps import InProcessApp
from tests.property.test_no_5xx import Apps, Request, check

pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")

# function → its parameter names; the ones POST may call (they write nothing)
READ_ONLY = {"add_them": ("a", "b"), "greet": ("name",), "no_args": (), "books_by": ("author",),
             "first_book": (), "years": ("since",), "title_lengths": (), "sum_all": ("v",),
             "array_len": ("arr",), "echo_json": (), "echo_text": (), "single_obj": ("payload",),
             "over": ("a", "b"), "dup": ("x",), "nosuch": ("a",), "add_thme": ("a",)}
WRITING = {"add_tag": ("tag_name",), "touch": (), "raise_pt": ("code",),
           "set_response": ()}
# Not "bad": `raise_pt('bad')` raises a malformed `RAISE SQLSTATE 'PGRST'` on purpose, which
# PostgREST answers with its one deliberate 500 (PGRST121; rpc_errors.yaml checks it).
VALUES = st.sampled_from(["1", "-5", "abc", "{1,2}", "{", "", "null", "2147483648", "1.5",
                          "pt", "plain", "pgrst", "unique", "%00", "eq.1", "[1]"])
JSON_VALUES = st.one_of(st.integers(-2**40, 2**40), st.text(max_size=5), st.none(),
                        st.lists(st.integers(-9, 9), max_size=3), st.booleans())
COLUMNS = ["id", "title", "year", "len", "nope", "pgrst_scalar"]
HEADERS = [("Prefer", "count=exact"), ("Prefer", "params=single-object"),
           ("Prefer", "handling=strict, max-affected=1"), ("Accept", "text/csv"),
           ("Accept", "application/vnd.pgrst.object+json"), ("Range", "0-1"),
           ("Content-Type", "text/plain"), ("Content-Type", "application/x-www-form-urlencoded"),
           ("Content-Type", "text/csv")]


@st.composite
def calls(draw: st.DrawFn) -> tuple[Request, bytes]:
    method = draw(st.sampled_from(["GET", "GET", "HEAD", "POST", "POST", "OPTIONS", "PATCH"]))
    pool = READ_ONLY if method == "POST" else {**READ_ONLY, **WRITING}
    name = draw(st.sampled_from(sorted(pool)))
    names = list(pool[name]) + ["junk"]
    args = draw(st.lists(st.sampled_from(names), max_size=3))
    pairs: list[tuple[str, str]] = []
    body = b""
    if method == "POST":
        body = orjson.dumps({a: draw(JSON_VALUES) for a in args}) if draw(st.booleans()) \
            else "&".join(f"{a}={quote(draw(VALUES))}" for a in args).encode()
    else:
        pairs += [(a, draw(VALUES)) for a in args]
    if draw(st.booleans()):
        pairs.append(("select", ",".join(draw(st.lists(st.sampled_from(COLUMNS), min_size=1,
                                                        max_size=2)))))
    if draw(st.booleans()):
        pairs.append((draw(st.sampled_from(COLUMNS)), "gt." + draw(VALUES)))
    if draw(st.booleans()):
        pairs.append(("order", draw(st.sampled_from(COLUMNS))))
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    headers = tuple(draw(st.lists(st.sampled_from(HEADERS), max_size=2, unique_by=lambda h: h[0])))
    return Request(method, f"/rpc/{name}" + (f"?{query}" if query else ""), headers), body


@pytest.fixture(scope="module")
def apps(backend_uris: dict[str, str]) -> Iterator[Apps]:
    """As test_no_5xx's, with SQLite serving the conformance profile's declared functions."""
    from tests.property.test_no_5xx import apps as base

    sqlite = settings_for(load_server("dbrest-sqlite"), "default")
    gen = base.__wrapped__(backend_uris, Path(backend_uris["sqlite"][len("sqlite:"):]))
    found = next(gen)
    found.backends["sqlite"].close()
    found.backends["sqlite"] = InProcessApp(backend_uris["sqlite"], **sqlite)
    yield found
    next(gen, None)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_rpc_no_5xx(apps: Apps, data: st.DataObject) -> None:  # noqa: F811 - the fixture
    req, body = data.draw(calls(), label="call")
    for backend in apps.backends:
        check(apps, backend, req, body)


def test_both_backends_serve_the_functions(apps: Apps) -> None:  # noqa: F811 - the fixture
    """The property above calls real functions on SQLite too, not only PGRST202."""
    for backend in apps.backends:
        response = apps.backends[backend].get("/rpc/add_them?a=40&b=2")
        assert (backend, response.status_code, response.json()) == (backend, 200, 42)
