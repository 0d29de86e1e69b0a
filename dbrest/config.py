"""Configuration: PostgREST's keys, from a TOML file, the environment and the CLI.

Later sources override earlier ones: file < env < CLI. Keys are PostgREST's with
underscores (`db-anon-role` → `db_anon_role`); env vars are `DBREST_<KEY>` or
`PGRST_<KEY>` (DBREST_ wins). Bad keys or values raise `ConfigError`, which the CLI
prints as one line.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

DEMO_SQL = Path(__file__).parent / "demo" / "demo.sql"

ALIASES = {"db_pool_size": "db_pool", "db_schema": "db_schemas", "max_rows": "db_max_rows"}


TX_END = ("commit", "commit-allow-override", "rollback", "rollback-allow-override")


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Config:
    db_uri: str = ""
    db_schemas: tuple[str, ...] = ("public",)
    db_anon_role: str | None = None
    db_pool: int = 10
    db_pool_acquisition_timeout: float = 10.0
    db_max_rows: int | None = None
    server_host: str = "0.0.0.0"
    server_port: int = 3000
    admin_server_port: int | None = None
    server_timing_enabled: bool = False
    server_cors_allowed_origins: tuple[str, ...] | None = None  # None: any origin
    db_tx_end: str = "commit"
    db_pre_request: str | None = None
    jwt_secret: str | None = None
    jwt_secret_is_base64: bool = False
    jwt_aud: str | None = None
    jwt_role_claim_key: str = "$.role"
    jwt_cache_max_entries: int = 1000
    # SQLite has no roles: role → {"select"|"insert"|"update"|"delete": [tables or "*"]}.
    # Empty: every request is allowed (a warning at start-up).
    sqlite_grants: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

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


def _coerce(key: str, value: Any) -> Any:
    kind = str(_FIELDS[key].type)
    try:
        if key == "sqlite_grants":
            return _grants(value)
        if key == "jwt_secret" and isinstance(value, str) and value.startswith("@"):
            return Path(value[1:]).read_text().strip()  # PostgREST's `@file`
        if key == "jwt_secret" and isinstance(value, dict):
            return json.dumps(value)  # a JWK/JWKS written as a TOML table
        if key == "db_tx_end":
            if value not in TX_END:
                raise ValueError(value)
            return value
        if key == "server_cors_allowed_origins":
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(s).strip() for s in items if str(s).strip())
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


def _check_auth(config: Config) -> None:
    from dbrest.auth import load_key, parse_claim_path

    try:
        parse_claim_path(config.jwt_role_claim_key)
        if config.jwt_secret:
            load_key(config.jwt_secret, config.jwt_secret_is_base64)
    except (ValueError, TypeError) as err:
        raise ConfigError(str(err)) from None


_ACTIONS = ("select", "insert", "update", "delete")
_POSITIVE = frozenset({"db_pool", "db_max_rows"})


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


def _normalize(key: str) -> str:
    key = key.strip().lower().replace("-", "_")
    return ALIASES.get(key, key)


def load_config(cli: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
    environ = os.environ if environ is None else environ
    cli = {k: v for k, v in (cli or {}).items() if v is not None}
    values: dict[str, Any] = {}
    path = cli.pop("config", None) or environ.get("DBREST_CONFIG") or environ.get("PGRST_CONFIG")
    if path:
        try:
            data = tomllib.loads(Path(path).read_text())
        except OSError as err:
            raise ConfigError(f"config: cannot read {path}: {err.strerror}") from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"config: {path} is not valid TOML: {err}") from None
        for key, value in data.items():
            values[_normalize(key)] = value
    for prefix in ("PGRST_", "DBREST_"):  # DBREST_ last, so it wins
        for name, value in environ.items():
            if name.startswith(prefix) and name != prefix + "CONFIG":
                key = _normalize(name[len(prefix):])
                if key in _FIELDS:
                    values[key] = value
    for key, value in cli.items():
        values[_normalize(key)] = value
    unknown = sorted(k for k in values if k not in _FIELDS)
    if unknown:
        raise ConfigError(f"unknown configuration key: {unknown[0]}")
    config = Config(**{k: _coerce(k, v) for k, v in values.items()})
    if config.is_demo and config.db_anon_role is None:
        config = replace(config, db_anon_role="anon")  # the demo answers anonymous requests
    _check_auth(config)
    config.backend  # noqa: B018 - validates the URI scheme
    return config
