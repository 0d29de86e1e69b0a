"""Server descriptions, settings profiles and capabilities: what a case may rely on.

This module is in charge of `servers/*.yaml` (a server's capabilities, how its fixture is
rendered and loaded, and its own additions to each profile's settings), `profiles/*.yaml`
(server settings a case file runs under, and which files use a profile by default) and
the list of known capabilities a case may `require`. It renders the fixture for a server
but connects to no database: loading is the harness's job (tests/infra/fixtures.py), or
the operator's (`python -m conformance --server X --print-fixture | psql`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
SERVERS_DIR = HERE / "servers"
PROFILES_DIR = HERE / "profiles"
FIXTURES_DIR = HERE / "fixtures"
DEFAULT_PROFILE = "default"

# What a case may `require`; a server lacking one gets the case's `otherwise:` expectation
# (or does not run the case). Unknown names in `requires:` or `capabilities:` are errors.
CAPABILITIES: dict[str, str] = {
    "postgresql": "behaves as PostgreSQL where no finer capability is named "
                  "(target of the deprecated `backends: {sqlite: ...}` form)",
    "sqlite": "behaves as SQLite (target of the deprecated `backends: {postgres: ...}` form)",
    "row_level_security": "row-level security policies filter rows per role",
    "db_pre_request": "a `db_pre_request` function runs before each request and may refuse it",
    "database_roles": "JWT roles are database roles: switching to an unknown one fails "
                      "with 22023 (else: application grants, an unknown role may do nothing)",
    "raise_sqlstate": "SQL raises custom errors (RAISE SQLSTATE 'PGRST') that set the "
                      "response's status, headers and body",
    "computed_fields": "functions of a table's row type are computed fields and computed "
                       "relationships (else: the names are unknown columns/relationships)",
    "time_zones": "`Prefer: timezone=` sets the transaction's time zone (else: ignored)",
    # RPC (issue 10): what functions written in the database can do beyond the functions
    # dbrest-sqlite declares as SQL in its configuration (`sql_functions`)
    "stored_functions": "functions written in the database's own language (plpgsql: "
                        "RAISE with a SQLSTATE, a message and details)",
    "function_overloading": "several functions of one name, chosen by argument names "
                            "(PGRST203 when ambiguous)",
    "variadic_functions": "VARIADIC parameters (repeated keys, a JSON array)",
    "unnamed_parameters": "a single unnamed parameter taking the raw body (json, text, ...)",
    "array_parameters": "parameters of array types (a PostgreSQL array literal, {1,2})",
    "record_results": "functions returning records that are no table (RETURNS TABLE(...))",
    "sql_functions": "functions declared in the server's configuration as named, "
                     "parameterized SQL (dbrest's sqlite_functions)",
    "domain_representations": "a domain's casts to/from json and text (its functions) "
                              "present, filter and write its values (PostgREST domain "
                              "representations; else: no such domains)",
    "full_text_any_column": "full-text search (fts, plfts, phfts, wfts) works on any text "
                            "column (else: only on columns a full-text index table backs; "
                            "others answer PGRST127)",
}

# `{{name}}`; a JSON literal such as '{"a": {"b": 1}}' never matches since it has no
# word character right after the braces.
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class SpecError(ValueError):
    """A server description or profile is malformed or unknown."""


@dataclass(frozen=True)
class Fixture:
    """How a server's fixture database is made: these files, placeholders replaced."""

    dialect: str                       # which loader applies: postgres or sqlite
    files: tuple[str, ...]             # under conformance/fixtures/, loaded in order
    placeholders: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Server:
    name: str
    description: str
    capabilities: frozenset[str]
    fixture: Fixture
    # this server's additions to a profile's settings, by profile name
    profile_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def has(self, capability: str) -> bool:
        return capability in self.capabilities


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    settings: Mapping[str, Any]
    files: tuple[str, ...] = ()        # glob patterns of case files using it by default


def _read(path: Path, allowed: set[str], required: set[str]) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a mapping")
    unknown = set(data) - allowed
    missing = required - set(data)
    if unknown or missing:
        raise SpecError(f"{path}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    return data


def check_capabilities(names: Any, where: str) -> tuple[str, ...]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SpecError(f"{where}: expected a list of capability names")
    unknown = [n for n in names if n not in CAPABILITIES]
    if unknown:
        raise SpecError(f"{where}: unknown capabilities {unknown} (known: "
                        f"{', '.join(CAPABILITIES)})")
    return tuple(names)


def server_names(directory: Path = SERVERS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))


def load_server(name_or_path: str | Path, directory: Path = SERVERS_DIR) -> Server:
    """`servers/<name>.yaml`, or a description file given by path."""
    path = Path(name_or_path)
    if path.suffix != ".yaml":
        path = directory / f"{name_or_path}.yaml"
        if not path.exists():
            raise SpecError(f"unknown server {name_or_path!r} (known: "
                            f"{', '.join(server_names(directory))})")
    data = _read(path, {"name", "description", "capabilities", "fixture", "profiles"},
                 {"name", "capabilities", "fixture"})
    caps = check_capabilities(data["capabilities"], f"{path}: capabilities")
    raw = data["fixture"]
    if not isinstance(raw, dict) or not {"dialect", "files"} <= set(raw):
        raise SpecError(f"{path}: `fixture` needs `dialect` and `files`")
    fixture = Fixture(dialect=str(raw["dialect"]), files=tuple(raw["files"]),
                      placeholders=dict(raw.get("placeholders", {})))
    for file in fixture.files:
        if not (FIXTURES_DIR / file).is_file():
            raise SpecError(f"{path}: fixture file {file!r} not in {FIXTURES_DIR}")
    profiles = data.get("profiles") or {}
    for profile in profiles:
        load_profile(profile)  # an unknown profile name is an error
    return Server(name=str(data["name"]), description=str(data.get("description", "")),
                  capabilities=frozenset(caps), fixture=fixture, profile_settings=profiles)


def profile_names(directory: Path = PROFILES_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))


def load_profile(name: str, directory: Path = PROFILES_DIR) -> Profile:
    path = directory / f"{name}.yaml"
    if not path.is_file():
        raise SpecError(f"unknown profile {name!r} (known: {', '.join(profile_names(directory))})")
    data = _read(path, {"description", "settings", "files"}, {"settings"})
    return Profile(name=name, description=str(data.get("description", "")),
                   settings=dict(data["settings"] or {}), files=tuple(data.get("files", ())))


def default_profile(file_name: str, directory: Path = PROFILES_DIR) -> str:
    """The profile of a case file that names none: the first whose `files` match it."""
    for name in profile_names(directory):
        if any(fnmatch.fnmatch(file_name, pattern)
               for pattern in load_profile(name, directory).files):
            return name
    return DEFAULT_PROFILE


def settings_for(server: Server, profile: str) -> dict[str, Any]:
    """The settings `server` runs a file of `profile` with: the profile's, then its own."""
    return {**load_profile(profile).settings, **server.profile_settings.get(profile, {})}


def render_fixture(server: Server) -> list[tuple[str, str]]:
    """(file name, SQL) of each of `server`'s fixture files, placeholders replaced.

    An unknown placeholder is an error rather than SQL the database would reject with a
    less helpful message.
    """
    return [(name, render_sql((FIXTURES_DIR / name).read_text(encoding="utf-8"),
                              server.fixture.placeholders, name))
            for name in server.fixture.files]


def render_sql(sql: str, placeholders: Mapping[str, str], where: str = "fixture") -> str:
    def substitute(m: re.Match[str]) -> str:
        if m.group(1) not in placeholders:
            raise SpecError(f"{where}: unknown placeholder {m.group(0)!r}")
        return placeholders[m.group(1)]

    return _PLACEHOLDER.sub(substitute, sql)
