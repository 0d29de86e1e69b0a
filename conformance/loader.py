"""Reading conformance case files strictly.

This module is in charge of the case format described in `conformance/README.md`:
unknown keys, duplicate keys and duplicate case names are errors, so a typo cannot
silently turn a check off. A file is a list of cases, or a mapping with `profile:` and
`cases:`; a file naming no profile gets the one whose `files:` patterns match it
(`conformance/servers.py`). The old per-backend form `backends: {sqlite: R}` is still
read, as a deprecated alias of `requires: [postgresql]` + `otherwise: R`
(`conformance/tools/convert_cases.py` rewrites it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conformance.servers import (
    CAPABILITIES,
    PROFILES_DIR,
    SpecError,
    default_profile,
    profile_names,
)

CASES_DIR = Path(__file__).parent / "cases"
# deprecated `backends:` keys, and the capability a server must have to get `response`
LEGACY_BACKENDS = {"sqlite": "postgresql", "postgres": "sqlite"}

_CASE_KEYS = {"name", "request", "response", "requires", "otherwise", "backends", "after"}
_FILE_KEYS = {"profile", "cases"}
_REQUEST_KEYS = {"method", "path", "headers", "body"}
_BODY_KEYS = ("body", "body_unordered", "body_subset", "body_text")
_RESPONSE_KEYS = {"status", "headers", *_BODY_KEYS}


class CaseError(ValueError):
    """A case file is malformed."""


@dataclass(frozen=True)
class Case:
    """One request and its expected response; identified by file and name."""

    file: Path
    name: str
    request: dict[str, Any] = field(compare=False)
    response: dict[str, Any] = field(compare=False)
    # capabilities the case needs for `response`; lacking one, `otherwise` applies, or
    # (without `otherwise`) the case does not apply to that server
    requires: tuple[str, ...] = field(compare=False, default=())
    otherwise: dict[str, Any] | None = field(compare=False, default=None)
    # follow-up checks run right after the case (e.g. a GET showing the rows a write left)
    after: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = field(compare=False, default=())
    profile: str = field(compare=False, default="default")
    legacy: bool = field(compare=False, default=False)  # written with `backends:`

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


def load_cases(directory: str | Path = CASES_DIR, pattern: str = "*.yaml",
               profiles: Path = PROFILES_DIR) -> list[Case]:
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
        cases.extend(_parse_file(file, data, errors, profiles))
    if errors:
        raise CaseError("invalid conformance cases:\n  " + "\n  ".join(errors))
    # No warning for `backends:` here: the test suite turns warnings into errors, and
    # files in the old form must keep running until converted (`Case.legacy` tells).
    return cases


def _file_profile(file: Path, data: Any, errors: list[str],
                  profiles: Path) -> tuple[str, Any]:
    """The file's profile (named, else by file name) and its list of cases."""
    if not isinstance(data, dict):
        return default_profile(file.name, profiles), data
    unknown = set(data) - _FILE_KEYS
    if unknown or "cases" not in data:
        errors.append(f"{file}: a file mapping has `cases` and optionally `profile` "
                      f"(unknown keys: {sorted(unknown)})")
        return "", None
    name = data.get("profile", default_profile(file.name, profiles))
    if name not in profile_names(profiles):
        errors.append(f"{file}: unknown profile {name!r} "
                      f"(known: {', '.join(profile_names(profiles))})")
        return "", None
    return name, data["cases"]


def _parse_file(file: Path, data: Any, errors: list[str], profiles: Path) -> list[Case]:
    if data is None:
        return []
    profile, data = _file_profile(file, data, errors, profiles)
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
        case = _parse_case(file, item, problems, profile)
        errors.extend(f"{where}: {p}" for p in problems)
        if case is None:
            continue
        if case.name in seen:
            errors.append(f"{where}: duplicate case name in this file")
            continue
        seen.add(case.name)
        cases.append(case)
    return cases


def _parse_requires(item: Mapping[str, Any], problems: list[str]
                    ) -> tuple[tuple[str, ...], dict[str, Any] | None, bool]:
    """`requires` and `otherwise`, or their deprecated spelling `backends`."""
    requires: tuple[str, ...] = ()
    otherwise = None
    if "requires" in item:
        try:
            requires = _check_caps(item["requires"])
        except SpecError as exc:
            problems.append(f"`requires`: {exc}")
    if "otherwise" in item:
        if not requires:
            problems.append("`otherwise` needs a non-empty `requires`")
        otherwise = _parse_response(item["otherwise"], "otherwise", problems)
    if "backends" not in item:
        return requires, otherwise, False
    raw = item["backends"]
    if "requires" in item or "otherwise" in item:
        problems.append("`backends` (deprecated) cannot be combined with requires/otherwise")
    elif not isinstance(raw, dict) or len(raw) != 1:
        problems.append("`backends` must map one backend name to a response")
    else:
        [(backend, override)] = raw.items()
        if backend not in LEGACY_BACKENDS:
            known = ", ".join(LEGACY_BACKENDS)
            problems.append(f"unknown backend {backend!r} in `backends` (known: {known})")
        else:
            requires = (LEGACY_BACKENDS[backend],)
            otherwise = _parse_response(override, f"backends.{backend}", problems)
    return requires, otherwise, True


def _check_caps(names: Any) -> tuple[str, ...]:
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise SpecError("expected a non-empty list of capability names")
    unknown = [n for n in names if n not in CAPABILITIES]
    if unknown:
        raise SpecError(f"unknown capabilities {unknown} (known: {', '.join(CAPABILITIES)})")
    return tuple(names)


def _parse_case(file: Path, item: Any, problems: list[str], profile: str = "default"
                ) -> Case | None:
    if not isinstance(item, dict):
        problems.append(f"expected a mapping, got {type(item).__name__}")
        return None
    _check_keys(item, _CASE_KEYS, {"name", "request", "response"}, "", problems)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("`name` must be a non-empty string")
    request = _parse_request(item.get("request"), problems)
    response = _parse_response(item.get("response"), "response", problems)
    requires, otherwise, legacy = _parse_requires(item, problems)
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
    return Case(file=file, name=name, request=request, response=response, requires=requires,
                otherwise=otherwise, after=tuple(after), profile=profile, legacy=legacy)


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


