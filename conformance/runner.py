"""Loading, running and judging conformance cases.

This module is in charge of the case format described in `conformance/README.md`:
reading `cases/*.yaml` strictly (unknown keys, duplicate keys and duplicate case names
are errors, so a typo cannot silently turn a check off), sending a case's request
through any `httpx.AsyncClient` (a live server or an in-process ASGI app) and comparing
the response with the expectation for a backend. It is used both by the pytest suite
and by the command line (`python -m conformance`), and knows nothing about dbrest.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

CASES_DIR = Path(__file__).parent / "cases"
BACKENDS = ("postgres", "sqlite")

_CASE_KEYS = {"name", "request", "response", "backends", "after"}
_REQUEST_KEYS = {"method", "path", "headers", "body"}
_BODY_KEYS = ("body", "body_unordered", "body_subset", "body_text")
_RESPONSE_KEYS = {"status", "headers", *_BODY_KEYS}
_MAX_DIFFS = 10
_MAX_SHOWN = 300


class CaseError(ValueError):
    """A case file is malformed."""


@dataclass(frozen=True)
class Case:
    """One request and its expected response; identified by file and name."""

    file: Path
    name: str
    request: dict[str, Any] = field(compare=False)
    response: dict[str, Any] = field(compare=False)
    backends: dict[str, dict[str, Any]] = field(compare=False, default_factory=dict)
    # follow-up checks run right after the case (e.g. a GET showing the rows a write left)
    after: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = field(compare=False, default=())

    @property
    def id(self) -> str:
        """`file-stem::name`, for test ids, `-k` and reports."""
        return f"{self.file.stem}::{self.name}"


# --- Loading -----------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader made closer to JSON and stricter.

    - duplicate mapping keys are errors (PyYAML silently keeps the last one);
    - dates and timestamps stay strings, as they come back from the server in JSON;
    - only true/false are booleans (YAML 1.2), so `on`, `yes`, `n` stay strings.
    """


_StrictLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise CaseError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_cases(directory: str | Path = CASES_DIR, pattern: str = "*.yaml") -> list[Case]:
    """All cases of the files matching `pattern` in `directory`, files in name order.

    Every problem in every file is collected and raised as one `CaseError`.
    """
    cases: list[Case] = []
    errors: list[str] = []
    for file in sorted(Path(directory).glob(pattern)):
        try:
            data = yaml.load(file.read_text(encoding="utf-8"), Loader=_StrictLoader)
        except (yaml.YAMLError, CaseError) as exc:
            errors.append(f"{file}: {exc}")
            continue
        cases.extend(_parse_file(file, data, errors))
    if errors:
        raise CaseError("invalid conformance cases:\n  " + "\n  ".join(errors))
    return cases


def _parse_file(file: Path, data: Any, errors: list[str]) -> list[Case]:
    if data is None:
        return []
    if not isinstance(data, list):
        errors.append(f"{file}: expected a list of cases, got {type(data).__name__}")
        return []
    cases: list[Case] = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        where = f"{file}: case #{index + 1}"
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            where = f"{file}: case {item['name']!r}"
        problems: list[str] = []
        case = _parse_case(file, item, problems)
        errors.extend(f"{where}: {p}" for p in problems)
        if case is None:
            continue
        if case.name in seen:
            errors.append(f"{where}: duplicate case name in this file")
            continue
        seen.add(case.name)
        cases.append(case)
    return cases


def _parse_case(file: Path, item: Any, problems: list[str]) -> Case | None:
    if not isinstance(item, dict):
        problems.append(f"expected a mapping, got {type(item).__name__}")
        return None
    _check_keys(item, _CASE_KEYS, {"name", "request", "response"}, "", problems)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("`name` must be a non-empty string")
    request = _parse_request(item.get("request"), problems)
    response = _parse_response(item.get("response"), "response", problems)
    backends: dict[str, dict[str, Any]] = {}
    raw_backends = item.get("backends", {})
    if not isinstance(raw_backends, dict):
        problems.append("`backends` must be a mapping of backend name to response")
    else:
        for backend, override in raw_backends.items():
            if backend not in BACKENDS:
                known = ", ".join(BACKENDS)
                problems.append(f"unknown backend {backend!r} in `backends` (known: {known})")
                continue
            parsed = _parse_response(override, f"backends.{backend}", problems)
            if parsed is not None:
                backends[backend] = parsed
    after: list[tuple[dict[str, Any], dict[str, Any]]] = []
    raw_after = item.get("after", [])
    if not isinstance(raw_after, list):
        problems.append("`after` must be a list of {request, response} mappings")
    else:
        for index, step in enumerate(raw_after):
            if not isinstance(step, dict):
                problems.append(f"after[{index}]: expected a mapping")
                continue
            _check_keys(step, {"request", "response"}, {"request", "response"},
                        f"after[{index}]", problems)
            step_request = _parse_request(step.get("request"), problems)
            step_response = _parse_response(step.get("response"), f"after[{index}].response",
                                            problems)
            if step_request is not None and step_response is not None:
                after.append((step_request, step_response))
    if problems or request is None or response is None:
        return None
    assert isinstance(name, str)
    return Case(file=file, name=name, request=request, response=response, backends=backends,
                after=tuple(after))


def _check_keys(
    data: Mapping[str, Any], allowed: set[str], required: set[str], where: str,
    problems: list[str],
) -> None:
    prefix = f"{where}: " if where else ""
    for key in data:
        if key not in allowed:
            problems.append(f"{prefix}unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
    for key in sorted(required - set(data)):
        problems.append(f"{prefix}missing key {key!r}")


def _parse_headers(raw: Any, where: str, problems: list[str], allow_null: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return {}
    headers: dict[str, Any] = {}
    for name, value in raw.items():
        if not isinstance(name, str):
            problems.append(f"{where}: header name {name!r} must be a string")
        elif value is None and allow_null:
            headers[name] = None
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            # YAML reads `Content-Length: 0` as an int; headers are text.
            headers[name] = str(value)
        else:
            problems.append(f"{where}: header {name!r} must have a string value, got {value!r}")
    return headers


def _parse_request(raw: Any, problems: list[str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        if raw is not None:
            problems.append("`request` must be a mapping")
        return None
    _check_keys(raw, _REQUEST_KEYS, {"path"}, "request", problems)
    request: dict[str, Any] = {}
    method = raw.get("method", "GET")
    if not isinstance(method, str) or not re.fullmatch(r"[A-Za-z]+", method):
        problems.append(f"request: `method` must be an HTTP method, got {method!r}")
    else:
        request["method"] = method.upper()
    path = raw.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        problems.append(f"request: `path` must be a string starting with '/', got {path!r}")
    else:
        request["path"] = path
    request["headers"] = _parse_headers(raw.get("headers", {}), "request.headers", problems, False)
    if "body" in raw:
        request["body"] = raw["body"]
    return request


def _parse_response(raw: Any, where: str, problems: list[str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        if raw is not None or where != "response":
            problems.append(f"`{where}` must be a mapping")
        return None
    _check_keys(raw, _RESPONSE_KEYS, {"status"}, where, problems)
    response: dict[str, Any] = {}
    status = raw.get("status")
    if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599:
        response["status"] = status
    elif "status" in raw:
        problems.append(f"{where}: `status` must be an HTTP status code, got {status!r}")
    if "headers" in raw:
        response["headers"] = _parse_headers(raw["headers"], f"{where}.headers", problems, True)
    body_keys = [k for k in _BODY_KEYS if k in raw]
    if len(body_keys) > 1:
        problems.append(
            f"{where}: at most one of {', '.join(_BODY_KEYS)} may be given, "
            f"got {', '.join(body_keys)}"
        )
    for key in body_keys:
        value = raw[key]
        if key == "body_unordered" and not isinstance(value, list):
            problems.append(f"{where}: `body_unordered` must be a list")
        elif key == "body_text" and not isinstance(value, str):
            problems.append(f"{where}: `body_text` must be a string")
        else:
            response[key] = value
    return response


# --- Running -----------------------------------------------------------------------------


def expected_for(case: Case, backend: str) -> dict[str, Any]:
    """The expected response of `case` on `backend`: its override, else `response`."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    return dict(case.backends.get(backend, case.response))


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
    client: httpx.AsyncClient, cases: Iterable[Case], backend: str
) -> list[tuple[Case, list[str]]]:
    """Run `cases` one after another (they may change data, so order matters).

    A request that fails outright (connection refused, timeout) is reported as that
    case's mismatch rather than stopping the run.
    """
    results: list[tuple[Case, list[str]]] = []
    for case in cases:
        expected = expected_for(case, backend)
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
