"""Configuration: PostgREST's keys, from a TOML file, the environment and the CLI.

Later sources override earlier ones: file < env < CLI. Keys are PostgREST's with
underscores (`db-anon-role` → `db_anon_role`); env vars are `DBREST_<KEY>` or
`PGRST_<KEY>` (DBREST_ wins). Bad keys or values raise `ConfigError`, which the CLI
prints as one line.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

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
    db_tx_end: str = "commit"

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
        """`sqlite:PATH`, `sqlite:///PATH` (absolute `sqlite:////PATH`), `sqlite::memory:`."""
        rest = (self.db_uri or "sqlite::memory:")[len("sqlite:"):]
        if rest.startswith("///"):
            rest = rest[3:]
        elif rest.startswith("//"):
            rest = rest[2:]
        return rest


_FIELDS = {f.name: f for f in fields(Config)}


def _coerce(key: str, value: Any) -> Any:
    kind = str(_FIELDS[key].type)
    try:
        if key == "db_tx_end":
            if value not in TX_END:
                raise ValueError(value)
            return value
        if key == "db_schemas":
            items = value.split(",") if isinstance(value, str) else list(value)
            schemas = tuple(s.strip() for s in items if str(s).strip())
            if not schemas:
                raise ValueError("empty")
            return schemas
        if value is None:
            return None
        if kind.startswith("int"):
            return int(value)
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
    except (TypeError, ValueError):
        raise ConfigError(f"{key}: invalid value {value!r}") from None


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
    config.backend  # noqa: B018 - validates the URI scheme
    return config
