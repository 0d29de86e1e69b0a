"""Running and judging conformance cases.

This module is in charge of sending a case's request through any `httpx.AsyncClient`
(a live server or an in-process ASGI app) and comparing the response with the
expectation that holds for a server, given its capabilities (a case requiring one the
server lacks expects its `otherwise:` response, or does not apply). It is used both by
the pytest suite and by the command line (`python -m conformance`), and knows nothing
about dbrest. Reading case files is `conformance/loader.py`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import httpx

from conformance.loader import CASES_DIR, Case, CaseError, load_cases
from conformance.servers import Server

__all__ = ["CASES_DIR", "Case", "CaseError", "compare", "execute", "expected_for",
           "json_equal", "load_cases", "run_cases"]

_MAX_DIFFS = 10
_MAX_SHOWN = 300


# --- Running -----------------------------------------------------------------------------


def expected_for(case: Case, server: Server | Collection[str]) -> dict[str, Any] | None:
    """What `case` expects of a server with these capabilities; None: not applicable.

    `response` if the server has every capability the case requires, else `otherwise`
    (None when the case gives none).
    """
    capabilities = server.capabilities if isinstance(server, Server) else server
    if all(cap in capabilities for cap in case.requires):
        return dict(case.response)
    return None if case.otherwise is None else dict(case.otherwise)


def _target(client: httpx.AsyncClient, path: str) -> bytes:
    # What httpx would send for a relative path: the base URL's path, then ours.
    return client.base_url.raw_path + path.lstrip("/").encode("utf-8")


def _is_wire_safe(target: bytes) -> bool:
    # An HTTP request-target is visible ASCII only (RFC 9112); anything else cannot be
    # sent as written and is left to httpx to percent-encode.
    return all(0x21 <= b <= 0x7E for b in target)


def _force_raw_target(request: httpx.Request, target: bytes) -> None:
    """Make `request` send `target` as its request-target byte for byte.

    httpx percent-encodes characters such as `"`, `<` and `>` in the query; a case's
    path must reach the server exactly as written. httpx has no public way to say so,
    so replace the URL's parsed components (private, hence the guard).
    """
    if request.url.raw_path == target or not _is_wire_safe(target):
        return
    text = target.decode("ascii")
    path, sep, query = text.partition("?")
    try:
        url = httpx.URL(request.url)
        url._uri_reference = url._uri_reference._replace(  # type: ignore[attr-defined]
            path=path, query=query if sep else None, fragment=None
        )
        if url.raw_path == target:
            request.url = url
    except Exception:  # noqa: BLE001 - httpx internals changed: keep httpx's encoding
        pass


def build_request(client: httpx.AsyncClient, case: Case) -> httpx.Request:
    """The request `case` describes, ready for `client.send()`."""
    return _build(client, case.request)


def _build(client: httpx.AsyncClient, req: Mapping[str, Any]) -> httpx.Request:
    headers = dict(req.get("headers", {}))
    content: bytes | None = None
    if "body" in req:
        body = req["body"]
        if isinstance(body, str):
            content = body.encode("utf-8")
        else:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/json"
    path: str = req["path"]
    request = client.build_request(req.get("method", "GET"), path, headers=headers, content=content)
    _force_raw_target(request, _target(client, path))
    return request


async def execute(client: httpx.AsyncClient, case: Case) -> httpx.Response:
    """Send the request of `case` through `client` and return the full response."""
    return await client.send(build_request(client, case))


async def run_cases(
    client: httpx.AsyncClient, cases: Iterable[Case], server: Server | Collection[str]
) -> list[tuple[Case, list[str] | None]]:
    """Run `cases` one after another (they may change data, so order matters).

    Each result is the case's mismatches (empty: passed), or None when the case does not
    apply to the server (it is then not sent). A request that fails outright (connection
    refused, timeout) is reported as that case's mismatch rather than stopping the run.
    """
    results: list[tuple[Case, list[str] | None]] = []
    for case in cases:
        expected = expected_for(case, server)
        if expected is None:
            results.append((case, None))
            continue
        try:
            resp = await execute(client, case)
        except httpx.HTTPError as exc:
            results.append((case, [f"request failed: {type(exc).__name__}: {exc}"]))
            continue
        problems = compare(expected, resp)
        for index, (step_request, step_response) in enumerate(case.after):
            try:
                step = await client.send(_build(client, step_request))
            except httpx.HTTPError as exc:
                problems.append(f"after[{index}]: request failed: {exc}")
                continue
            problems += [f"after[{index}]: {p}" for p in compare(step_response, step)]
        results.append((case, problems))
    return results


# --- Comparing ---------------------------------------------------------------------------


def compare(expected: Mapping[str, Any], resp: httpx.Response) -> list[str]:
    """Human-readable differences between `expected` and `resp`; empty means pass."""
    problems: list[str] = []
    if "status" in expected and resp.status_code != expected["status"]:
        problems.append(
            f"status: expected {expected['status']}, got {resp.status_code} "
            f"(body: {_short(resp.text)})"
        )
    for name, value in expected.get("headers", {}).items():
        actual = resp.headers.get(name)
        if value is None:
            if actual is not None:
                problems.append(f"header {name}: expected absent, got {actual!r}")
        elif actual is None:
            problems.append(f"header {name}: expected {value!r}, absent")
        elif actual != value:
            problems.append(f"header {name}: expected {value!r}, got {actual!r}")

    if "body_text" in expected:
        if resp.text != expected["body_text"]:
            problems.append(
                f"body_text: expected {_short(expected['body_text'])}, got {_short(resp.text)}"
            )
        return problems
    body_key = next((k for k in ("body", "body_unordered", "body_subset") if k in expected), None)
    if body_key is None:
        return problems
    try:
        actual_body = json.loads(resp.content)
    except ValueError:
        problems.append(f"{body_key}: response is not JSON: {_short(resp.text)}")
        return problems
    want = expected[body_key]
    if body_key == "body":
        diffs = _diff(want, actual_body, "body")
    elif body_key == "body_subset":
        diffs = _diff(want, actual_body, "body_subset", subset=True)
    else:
        diffs = _diff_unordered(want, actual_body)
    if len(diffs) > _MAX_DIFFS:
        diffs = diffs[:_MAX_DIFFS] + [f"... and {len(diffs) - _MAX_DIFFS} more differences"]
    problems.extend(diffs)
    return problems


def _short(value: Any) -> str:
    # JSON notation for everything, text included: escapes newlines, so one line each.
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= _MAX_SHOWN else shown[:_MAX_SHOWN] + "..."


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python, but JSON true is not the number 1.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: key order ignored, array order kept, 1 == 1.0, true != 1."""
    return not _diff(a, b, "")


def _diff(want: Any, got: Any, path: str, subset: bool = False) -> list[str]:
    if _is_number(want) and _is_number(got):
        if want == got or (math.isnan(want) and math.isnan(got)):
            return []
        return [f"{path}: expected {_short(want)}, got {_short(got)}"]
    if isinstance(want, dict) and isinstance(got, dict):
        diffs: list[str] = []
        for key in want:
            if key not in got:
                diffs.append(f"{path}.{key}: missing (expected {_short(want[key])})")
            else:
                diffs.extend(_diff(want[key], got[key], f"{path}.{key}", subset))
        if not subset:
            diffs.extend(
                f"{path}.{key}: unexpected (got {_short(got[key])})"
                for key in got
                if key not in want
            )
        return diffs
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return [
                f"{path}: expected {len(want)} items, got {len(got)}: "
                f"expected {_short(want)}, got {_short(got)}"
            ]
        diffs = []
        for i, (w, g) in enumerate(zip(want, got, strict=False)):
            diffs.extend(_diff(w, g, f"{path}[{i}]", subset))
        return diffs
    if type(want) is type(got) and want == got:
        return []
    return [f"{path}: expected {_short(want)}, got {_short(got)}"]


def _diff_unordered(want: Sequence[Any], got: Any) -> list[str]:
    if not isinstance(got, list):
        return [f"body_unordered: expected an array, got {_short(got)}"]
    remaining = list(got)
    missing: list[Any] = []
    for item in want:
        for i, candidate in enumerate(remaining):
            if json_equal(item, candidate):
                del remaining[i]
                break
        else:
            missing.append(item)
    diffs = [f"body_unordered: missing {_short(item)}" for item in missing]
    diffs.extend(f"body_unordered: unexpected {_short(item)}" for item in remaining)
    return diffs
