"""Golden SQL for RPC calls (golden_rpc/<case>.<dialect>.sql), as tests/render/test_golden.py.

SQLite has no stored functions (only SQL declared in `sqlite_functions`, which this cache
does not hold): its files hold the expected error. Regenerate with
`UPDATE_GOLDEN=1 pytest tests/render/test_golden_rpc.py` and read the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbrest.errors import DbrestError
from dbrest.http import HttpRequest
from dbrest.parse.request import parse_request
from dbrest.plan.call import CallPlan, plan_call
from dbrest.render.call import render_call
from dbrest.render.compile import Renderer
from dbrest.render.dialect import Dialect
from dbrest.render.postgres import POSTGRES
from dbrest.render.sqlite import SQLITE
from tests.plan.helpers import request
from tests.plan.rpc_fixture import RPC_CACHE
from tests.render.golden_files import assert_golden

GOLDEN = Path(__file__).parent / "golden_rpc"

# name → (method, target, body)
CASES: dict[str, tuple[str, str, bytes]] = {
    "scalar_get": ("GET", "/rpc/add?a=1&b=2", b""),
    "scalar_no_args": ("GET", "/rpc/greet", b""),
    "setof_table": ("GET", "/rpc/books_by?author=1&select=id,authors(name)&year=gt.2000"
                    "&order=id&limit=5", b""),
    "returns_table": ("POST", "/rpc/pairs?k=eq.x", b""),
    "variadic": ("POST", "/rpc/total", b'{"v": [1, 2]}'),
    "positional_json": ("POST", "/rpc/echo", b'{"x": 1}'),
    "setof_scalar": ("GET", "/rpc/years", b""),
    "void": ("POST", "/rpc/touch", b""),
}


def render_case(name: str, dialect: Dialect) -> str:
    method, target, body = CASES[name]
    req = request(target, method=method)
    req = HttpRequest(req.method, req.path, req.query, req.headers, body)
    planned = plan_call(parse_request(req, ("public",)), RPC_CACHE).planned
    assert isinstance(planned.plan, CallPlan)
    try:
        compiled = render_call(Renderer(dialect), planned.plan)
    except DbrestError as err:
        return f"-- error: {err.error_code()} {err.details or err.message}\n"
    return f"{compiled.main.sql}\n-- params: {json.dumps(compiled.main.bind(planned.values))}\n"


@pytest.mark.parametrize("dialect", (POSTGRES, SQLITE), ids=lambda d: d.name)
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_rpc(name: str, dialect: Dialect) -> None:
    assert_golden(GOLDEN / f"{name}.{dialect.name}.sql", render_case(name, dialect))


def test_sqlite_has_no_stored_functions() -> None:
    assert render_case("scalar_get", SQLITE) == (
        "-- error: PGRST127 functions (RPC) are not available on sqlite\n")


def test_a_repeated_call_shape_compiles_once() -> None:
    renderer = Renderer(POSTGRES)
    for target in ("/rpc/add?a=1&b=2", "/rpc/add?a=5&b=7"):
        planned = plan_call(parse_request(request(target), ("public",)), RPC_CACHE).planned
        assert isinstance(planned.plan, CallPlan)
        render_call(renderer, planned.plan)
    assert renderer.compiles == 1
