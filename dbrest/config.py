"""Configuration: PostgREST's keys, from a config file, the environment, the CLI and
the database.

Later sources override earlier ones: file < env < in-database (`db_config`) < CLI. Keys
are PostgREST's, hyphens or underscores alike (`db-anon-role` = `db_anon_role`); env vars
are `PGRST_<KEY>` or `DBREST_<KEY>` (DBREST_ wins; `DBREST_TEST_*` belong to the test
suite and are not configuration). The file is PostgREST's syntax (`key = "value"`, also
valid TOML). dbrest/settings.py is the table of keys. Bad keys or values raise
`ConfigError`, which the CLI prints as one line; an empty string means "not set".
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from dbrest.settings import (
    ALIASES,
    BY_KEY,
    LOG_LEVELS,
    OPENAPI_MODES,
    PENDING,
    SETTINGS,
    TX_END,
)

DEMO_SQL = Path(__file__).parent / "demo" / "demo.sql"
APP = "app.settings."


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Config:
    db_uri: str = ""
    db_schemas: tuple[str, ...] = ("public",)
    # PostgreSQL read replicas (dbrest/routing.py) and read-your-writes after a write
    db_uri_replicas: tuple[str, ...] = ()
    db_replica_lag_sticky_seconds: float = 0.0
    db_anon_role: str | None = None
    db_pool: int = 10
    db_pool_acquisition_timeout: float = 10.0
    db_max_rows: int | None = None
    server_host: str = "0.0.0.0"
    server_port: int = 3000
    server_workers: int = 1
    admin_server_port: int | None = None
    # request bodies beyond this many bytes are refused with 413 before they are read
    server_max_body_size: int = 100 * 1024 * 1024
    # SIGTERM: seconds in-flight requests may take to finish before the pool closes
    server_drain_timeout: float = 30.0
    # seconds a statement may run before it is cancelled (None: no limit)
    db_statement_timeout: float | None = None
    server_timing_enabled: bool = False
    db_aggregates_enabled: bool = False
    db_plan_enabled: bool = False
    server_cors_allowed_origins: tuple[str, ...] | None = None  # None: any origin
    db_tx_end: str = "commit"
    db_pre_request: str | None = None
    db_extra_search_path: tuple[str, ...] = ("public",)
    jwt_secret: str | None = None
    jwt_secret_is_base64: bool = False
    jwt_aud: str | None = None
    jwt_role_claim_key: str = "$.role"
    jwt_cache_max_entries: int = 1000
    # SQLite has no roles: role → {"select"|"insert"|"update"|"delete": [tables or "*"]}.
    # Empty: every request is allowed (a warning at start-up).
    sqlite_grants: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # SQLite (issue 10): name → `SqlFunction` (dbrest/sqlite_functions.py), for /rpc/NAME
    sqlite_functions: dict[str, Any] = field(default_factory=dict)
    db_config: bool = True
    openapi_mode: str = "follow-privileges"
    openapi_security_active: bool = False
    openapi_server_proxy_uri: str | None = None
    db_channel: str = "pgrst"
    db_channel_enabled: bool = True
    log_level: str = "error"
    server_trace_header: str | None = None
    # `app.settings.NAME = VALUE`: SQL reads them with current_setting('app.settings.NAME')
    app_settings: tuple[tuple[str, str], ...] = ()
    # PostgREST keys that are set but not implemented yet: (key, value), for the warnings
    pending: tuple[tuple[str, str], ...] = ()
    # keys given on the command line: in-database settings do not override them
    cli_keys: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def is_demo(self) -> bool:
        """No database given: serve the bundled demo in memory."""
        return not self.db_uri

    @property
    def backend(self) -> str:
        uri = self.db_uri or "sqlite::memory:"
        if uri.startswith(("postgres://", "postgresql://")):
            return "postgres"
        if uri.startswith("sqlite:"):
            return "sqlite"
        raise ConfigError(f"db_uri: unsupported database URI '{uri}' "
                          "(expected postgres://… or sqlite:PATH)")

    @property
    def sqlite_path(self) -> str:
        """The SQLite file (or `file:` URI, or `:memory:`) a `sqlite:` URI names.

        Two spellings: the short `sqlite:PATH` (`sqlite:app.db`, `sqlite:/abs/app.db`,
        `sqlite:file:app.db?mode=ro`, `sqlite::memory:`), and SQLAlchemy's URL, read as
        SQLAlchemy reads it: `sqlite:///relative.db` (three slashes), `sqlite:////abs.db`
        (four), `sqlite://` or `sqlite:///:memory:` in memory, and with `?uri=true` the
        path plus the other parameters as an SQLite URI (`sqlite:///file:app.db?mode=ro&uri=true`).
        """
        uri = self.db_uri or "sqlite::memory:"
        rest = uri[len("sqlite:"):]
        if not rest.startswith("//"):
            return rest
        location, _, query = rest[2:].partition("?")
        host, slash, path = location.partition("/")
        if host or (location and not slash):
            raise ConfigError(f"db_uri: invalid SQLite URL '{uri}' (expected "
                              "sqlite:///relative/path.db or sqlite:////absolute/path.db)")
        params = dict(parse_qsl(query, keep_blank_values=True))
        as_uri = params.pop("uri", "").lower() in ("true", "1")
        if params and not as_uri:
            raise ConfigError(f"db_uri: SQLite URL parameters need uri=true in '{uri}' "
                              "(e.g. sqlite:///app.db?mode=ro&uri=true)")
        if not as_uri:
            return path or ":memory:"
        # SQLAlchemy's form is sqlite:///file:app.db?mode=ro&uri=true; `file:` is implied
        location = path if path.startswith("file:") else f"file:{path}"
        return location + (f"?{urlencode(params)}" if params else "")


_FIELDS = {f.name: f for f in fields(Config)}
_CHOICES = {"db_tx_end": TX_END, "openapi_mode": OPENAPI_MODES, "log_level": LOG_LEVELS}


def _coerce(key: str, value: Any) -> Any:
    kind = str(_FIELDS[key].type)
    try:
        if key == "sqlite_grants":
            return _grants(value)
        if key == "sqlite_functions":  # issue 10
            return _functions(value)
        if key == "jwt_secret" and isinstance(value, str) and value.startswith("@"):
            return Path(value[1:]).read_text().strip()  # PostgREST's `@file`
        if key == "jwt_secret" and isinstance(value, dict):
            return json.dumps(value)  # a JWK/JWKS written as a TOML table
        if key in _CHOICES:
            if value not in _CHOICES[key]:
                raise ValueError(value)
            return value
        if key == "server_cors_allowed_origins":
            items = value.split(",") if isinstance(value, str) else list(value)
            origins = tuple(str(s).strip() for s in items if str(s).strip())
            return origins or None  # empty: any origin, as PostgREST
        if key == "db_uri_replicas":
            items = value.split(",") if isinstance(value, str) else list(value)
            uris = tuple(str(s).strip() for s in items if str(s).strip())
            if any(not u.startswith(("postgres://", "postgresql://")) for u in uris):
                raise ValueError(value)
            return uris
        if key == "db_replica_lag_sticky_seconds" and float(value) < 0:
            raise ValueError(value)
        if key == "db_extra_search_path":
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(s.strip() for s in items if str(s).strip())
        if key == "db_schemas":
            items = value.split(",") if isinstance(value, str) else list(value)
            schemas = tuple(s.strip() for s in items if str(s).strip())
            if not schemas:
                raise ValueError("empty")
            return schemas
        if value is None:
            return None
        if kind.startswith("int"):
            number = int(value)
            if number < (1 if key in _POSITIVE else 0):
                raise ValueError(value)
            return number
        if kind.startswith("float"):
            return float(value)
        if kind.startswith("bool"):
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "1", "yes", "on"):
                return True
            if str(value).lower() in ("false", "0", "no", "off"):
                return False
            raise ValueError(value)
        return str(value)
    except (TypeError, ValueError, OSError):
        raise ConfigError(f"{key}: invalid value {value!r}") from None


def _validate(config: Config) -> Config:
    """Checks across keys and of values PostgREST refuses at start-up; one line each."""
    from dbrest.auth import load_key, parse_claim_path

    try:
        parse_claim_path(config.jwt_role_claim_key)
        if config.jwt_secret:
            load_key(config.jwt_secret, config.jwt_secret_is_base64)
    except (ValueError, TypeError) as err:
        raise ConfigError(str(err)) from None
    if config.jwt_aud is not None and ":" in config.jwt_aud \
            and not _URI.fullmatch(config.jwt_aud):
        raise ConfigError(f"jwt_aud: invalid value {config.jwt_aud!r} "
                          "(expected a string without ':' or a URI)")
    if config.admin_server_port is not None and config.admin_server_port == config.server_port:
        raise ConfigError("admin_server_port: cannot be the same as server_port")
    if config.server_workers > 1 and config.backend == "sqlite" and (
            config.is_demo or config.db_uri.endswith(":memory:") or "mode=memory" in config.db_uri):
        raise ConfigError("server_workers: an in-memory SQLite database cannot be shared "
                          "by several processes")
    if config.backend == "sqlite" and config.db_uri_replicas:
        raise ConfigError("db_uri_replicas: read replicas are PostgreSQL's; "
                          "SQLite has none")
    if config.backend == "sqlite" and config.db_pre_request:  # also validates the URI scheme
        raise ConfigError("db_pre_request: SQLite has no stored functions to call")
    if config.openapi_server_proxy_uri is not None:
        from dbrest.openapi import parse_proxy

        try:
            parse_proxy(config.openapi_server_proxy_uri)
        except ValueError as err:
            raise ConfigError(str(err)) from None
    if config.db_anon_role is None and (config.is_demo or (
            config.backend == "sqlite" and not config.sqlite_grants and not config.jwt_secret)):
        # The demo, and a SQLite file served with no access control configured at all (no
        # grants, no JWT secret), answer anonymous requests: there is nothing a 401 would
        # protect, and `dbrest --db-uri sqlite:app.db` should serve app.db as it is.
        config = replace(config, db_anon_role="anon")
    return config


# RFC 3986: a scheme, then no whitespace (jose's StringOrURI: a string with ':' is a URI)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*")


_ACTIONS = ("select", "insert", "update", "delete", "execute")  # execute: issue 10
_POSITIVE = frozenset({"db_pool", "db_max_rows", "server_workers", "server_max_body_size"})


def _grants(value: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    """`{role: {action: [table, …]}}`, from TOML or a JSON string (environment)."""
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, dict):
        raise ValueError(value)
    grants: dict[str, dict[str, tuple[str, ...]]] = {}
    for role, actions in data.items():
        if not isinstance(actions, dict) or any(a not in _ACTIONS for a in actions):
            raise ValueError(value)
        grants[str(role)] = {a: tuple(str(t) for t in tables) for a, tables in actions.items()}
    return grants


def _functions(value: Any) -> dict[str, Any]:
    """`sqlite_functions` (issue 10); a bad declaration is one line naming the function."""
    from dbrest.sqlite_functions import DeclarationError, SqlFunction, parse_functions

    if isinstance(value, dict) and all(isinstance(v, SqlFunction) for v in value.values()):
        return value  # already parsed (with_db_settings rebuilds from a Config)
    try:
        return parse_functions(value)
    except DeclarationError as err:
        raise ConfigError(f"sqlite_functions: {err}") from None


def _normalize(key: str) -> str:
    key = key.strip()
    if key.lower().startswith(APP):
        return APP + key[len(APP):]  # the setting's own name keeps its spelling
    key = key.lower().replace("-", "_")
    return ALIASES.get(key, key)


def _pending(key: str, value: Any) -> str:
    """A PostgREST key dbrest does not implement: validated, kept as text."""
    setting = BY_KEY[key]
    text = str(value).lower() if isinstance(value, bool) else str(value).strip()
    ok = {"bool": lambda: text.lower() in ("true", "false", "1", "0", "yes", "no", "on", "off"),
          "int": lambda: text.isdigit(),
          "choice": lambda: text in setting.choices}.get(setting.kind, lambda: True)()
    if not ok:
        expected = f" (expected one of: {', '.join(setting.choices)})" if setting.choices else ""
        raise ConfigError(f"{key}: invalid value {value!r}{expected}")
    return text


_PENDING_KEYS = frozenset(s.key for s in PENDING)
_INTERNAL = frozenset({"app_settings", "pending", "cli_keys"})  # fields, but not keys


def _build(values: Mapping[str, Any], cli_keys: frozenset[str] = frozenset()) -> Config:
    # PostgREST treats an empty value as not set
    values = {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}
    app = tuple(sorted((k[len(APP):], _text(v)) for k, v in values.items() if k.startswith(APP)))
    unknown = sorted(k for k in values if not k.startswith(APP) and (
        k in _INTERNAL or k not in _FIELDS and k not in _PENDING_KEYS))
    if unknown:
        raise ConfigError(f"unknown configuration key: {unknown[0]}")
    pending = tuple(sorted((k, _pending(k, v)) for k, v in values.items() if k in _PENDING_KEYS))
    config = Config(**{k: _coerce(k, v) for k, v in values.items() if k in _FIELDS},
                    app_settings=app, pending=pending, cli_keys=cli_keys)
    return _validate(config)


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


_INTERPOLATION = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def read_file(path: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """PostgREST's config file (`key = value`, hyphenated keys, `app.settings.x`, `$(VAR)`
    and `$$` in strings), which TOML parses; dbrest's TOML extras (tables) too."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except OSError as err:
        raise ConfigError(f"config: cannot read {path}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config: {path} is not valid TOML: {err}") from None

    def expand(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return _INTERPOLATION.sub(
            lambda m: "$" if m.group(0) == "$$" else environ.get(m.group(1), ""), value)

    values: dict[str, Any] = {}
    for key, value in data.items():
        if key.strip().lower() == "app" and isinstance(value, dict):  # app.settings.x = …
            for name, item in (value.get("settings") or {}).items():
                values[APP + name] = expand(item)
            if set(value) - {"settings"}:
                raise ConfigError(f"unknown configuration key: app.{sorted(value)[0]}")
            continue
        values[_normalize(key)] = expand(value)
    return values


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """`PGRST_<KEY>` then `DBREST_<KEY>` (which wins); `PGRST_APP_SETTINGS_<NAME>`.
    `DBREST_TEST_*` configure the test suite and `*_CONFIG` name the file: not settings."""
    values: dict[str, Any] = {}
    for prefix in ("PGRST_", "DBREST_"):
        for name, value in environ.items():
            if not name.startswith(prefix) or name == prefix + "CONFIG" \
                    or name.startswith("DBREST_TEST_"):
                continue
            rest = name[len(prefix):]
            if rest.startswith("APP_SETTINGS_"):
                values[APP + rest[len("APP_SETTINGS_"):].lower()] = value
            else:
                key = _normalize(rest)
                if key not in _FIELDS and key not in _PENDING_KEYS or key in _INTERNAL:
                    raise ConfigError(f"unknown configuration key: {key} (from {name})")
                values[key] = value
    return values


def load_config(cli: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
    environ = os.environ if environ is None else environ
    given = {_normalize(k): v for k, v in (cli or {}).items() if v is not None}
    path = given.pop("config", None) or environ.get("DBREST_CONFIG") \
        or environ.get("PGRST_CONFIG")
    values: dict[str, Any] = read_file(path, environ) if path else {}
    values.update(read_environment(environ))
    values.update(given)
    return _build(values, frozenset(given))


IN_DB_KEYS = tuple(s.key for s in SETTINGS if s.in_db)


def with_db_settings(config: Config, settings: Mapping[str, str]) -> Config:
    """In-database settings (`pgrst.<key>` of the connecting role) over the file and the
    environment; the command line still wins."""
    updates = {k: v for k, v in settings.items()
               if k in IN_DB_KEYS and k not in config.cli_keys and v.strip()}
    if not updates:
        return config
    values = {f.name: getattr(config, f.name) for f in fields(Config)
              if f.name not in ("app_settings", "pending", "cli_keys")}
    values.update({k: v for k, v in config.pending})
    values.update({APP + k: v for k, v in config.app_settings})
    values.update(updates)
    return _build({k: v for k, v in values.items() if v is not None}, config.cli_keys)


def warnings(config: Config) -> list[str]:
    """One line per PostgREST key that is set but not implemented yet."""
    return [f"{key.replace('_', '-')} is a PostgREST setting that dbrest does not implement "
            "yet; it is ignored" for key, _ in config.pending]


def dump_config(config: Config) -> str:
    """Every setting with its effective value, in PostgREST's config-file format (loadable
    again by `dbrest FILE`)."""
    lines = []
    for setting in SETTINGS:
        if setting.key == "app_settings":
            lines += [f"{APP}{name} = {_quote(value)}" for name, value in config.app_settings]
            continue
        value = getattr(config, setting.key)
        if isinstance(value, bool):
            literal = str(value).lower()
        elif isinstance(value, float) and value.is_integer():
            literal = str(int(value))
        elif isinstance(value, int | float):
            literal = str(value)
        elif isinstance(value, tuple):
            literal = _quote(",".join(value))
        elif setting.key == "sqlite_functions":  # issue 10: as declared, in JSON
            from dbrest.sqlite_functions import declaration

            literal = _quote(json.dumps({n: declaration(f) for n, f in value.items()})
                             if value else "")
        elif isinstance(value, dict):
            grants = {r: {a: list(t) for a, t in acts.items()} for r, acts in value.items()}
            literal = _quote(json.dumps(grants) if grants else "")
        else:
            literal = _quote("" if value is None else str(value))
        lines.append(f"{setting.hyphenated} = {literal}")
    lines += [f"{key.replace('_', '-')} = {_quote(value)}" for key, value in config.pending]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return json.dumps(text.replace("$", "$$"), ensure_ascii=False)
