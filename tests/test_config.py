"""`load_config(cli, environ)`: sources, precedence, aliases, coercion and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dbrest.config import Config, ConfigError, load_config


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "dbrest.toml"
    path.write_text(text)
    return str(path)


def test_defaults() -> None:
    config = load_config({}, environ={})
    assert config.db_uri == Config().db_uri == ""
    assert config.is_demo and config.backend == "sqlite" and config.sqlite_path == ":memory:"
    assert (config.db_schemas, config.server_port, config.db_pool) == (("public",), 3000, 10)
    assert config.db_max_rows is None and config.admin_server_port is None


def test_precedence_file_then_env_then_cli(tmp_path: Path) -> None:
    path = write(tmp_path, 'server-port = 1\ndb-pool = 2\ndb-max-rows = 3\n'
                           'db-anon-role = "file"\n')
    env = {"DBREST_SERVER_PORT": "10", "DBREST_DB_POOL": "20"}
    config = load_config({"config": path, "server_port": "100"}, environ=env)
    assert config.server_port == 100  # CLI beats env and file
    assert config.db_pool == 20  # env beats file
    assert config.db_max_rows == 3  # file beats the default
    assert config.db_anon_role == "file"


@pytest.mark.parametrize(("env", "expected"), [
    ({"PGRST_SERVER_PORT": "1"}, 1),
    ({"DBREST_SERVER_PORT": "2"}, 2),
    ({"PGRST_SERVER_PORT": "1", "DBREST_SERVER_PORT": "2"}, 2),  # DBREST_ beats PGRST_
    ({"DBREST_SERVER_PORT": "2", "PGRST_SERVER_PORT": "1"}, 2),  # whatever the order
    ({"PGRST_SERVER_PORT": "1", "DBREST_DB_POOL": "5"}, 1),
])
def test_env_prefixes(env: dict[str, str], expected: int) -> None:
    assert load_config({}, environ=env).server_port == expected


def test_config_file_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "server-port = 7\n")
    assert load_config({}, environ={"DBREST_CONFIG": path}).server_port == 7
    assert load_config({}, environ={"PGRST_CONFIG": path}).server_port == 7
    other = tmp_path / "other.toml"
    other.write_text("server-port = 8\n")
    # --config beats DBREST_CONFIG, which beats PGRST_CONFIG
    assert load_config({"config": str(other)}, environ={"DBREST_CONFIG": path}).server_port == 8
    assert load_config({}, environ={"DBREST_CONFIG": str(other),
                                    "PGRST_CONFIG": path}).server_port == 8


def test_unknown_environment_variables_are_ignored() -> None:
    """PostgREST settings dbrest does not have yet are PostgREST's business: ignored."""
    config = load_config({}, environ={"PGRST_NOT_A_KEY_YET": "x", "DBREST_NOT_A_KEY": "y",
                                      "HOME": "/root"})
    assert config == load_config({}, environ={})


@pytest.mark.parametrize(("source", "key", "value", "field", "expected"), [
    ("cli", "db_pool_size", "4", "db_pool", 4),
    ("cli", "db-pool-size", "4", "db_pool", 4),
    ("cli", "db-pool", "4", "db_pool", 4),
    ("cli", "db-schema", "api", "db_schemas", ("api",)),
    ("cli", "db_schema", "api", "db_schemas", ("api",)),
    ("cli", "max_rows", "9", "db_max_rows", 9),
    ("cli", "DB-URI", "postgres://u@h/d", "db_uri", "postgres://u@h/d"),
    ("env", "DBREST_DB_POOL_SIZE", "4", "db_pool", 4),
    ("env", "PGRST_DB_SCHEMA", "api", "db_schemas", ("api",)),
    ("env", "PGRST_MAX_ROWS", "9", "db_max_rows", 9),
    ("file", "db-pool-size", 4, "db_pool", 4),
    ("file", "db-schema", "api", "db_schemas", ("api",)),
    ("file", "db_max_rows", 9, "db_max_rows", 9),
])
def test_aliases_and_spellings(tmp_path: Path, source: str, key: str, value: Any, field: str,
                               expected: Any) -> None:
    if source == "cli":
        config = load_config({key: value}, environ={})
    elif source == "env":
        config = load_config({}, environ={key: value})
    else:
        literal = f'"{value}"' if isinstance(value, str) else str(value)
        config = load_config({"config": write(tmp_path, f"{key} = {literal}\n")}, environ={})
    assert getattr(config, field) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("api", ("api",)),
    ("api,public", ("api", "public")),
    (" api , public ", ("api", "public")),
    ("api,,public,", ("api", "public")),
    (["api", "public"], ("api", "public")),
    (("x",), ("x",)),
])
def test_db_schemas(value: Any, expected: tuple[str, ...]) -> None:
    assert load_config({"db_schemas": value}, environ={}).db_schemas == expected


def test_db_schemas_list_in_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'db-schemas = ["api", "public"]\n')
    assert load_config({"config": path}, environ={}).db_schemas == ("api", "public")
    path = write(tmp_path, 'db-schemas = "api, public"\n')
    assert load_config({"config": path}, environ={}).db_schemas == ("api", "public")


@pytest.mark.parametrize(("uri", "backend", "sqlite_path"), [
    ("", "sqlite", ":memory:"),
    ("sqlite::memory:", "sqlite", ":memory:"),
    ("sqlite:data/app.db", "sqlite", "data/app.db"),
    ("sqlite:app.db", "sqlite", "app.db"),
    ("sqlite:/var/db/app.db", "sqlite", "/var/db/app.db"),
    ("sqlite:///x.db", "sqlite", "x.db"),
    ("sqlite:////var/db/x.db", "sqlite", "/var/db/x.db"),
    # SQLAlchemy's URLs, read as SQLAlchemy reads them: three slashes relative, four absolute
    ("sqlite:///data/x.db", "sqlite", "data/x.db"),
    ("sqlite://", "sqlite", ":memory:"),
    ("sqlite:///:memory:", "sqlite", ":memory:"),
    ("sqlite:///x.db?mode=ro&uri=true", "sqlite", "file:x.db?mode=ro"),
    ("sqlite:///file:x.db?mode=ro&uri=true", "sqlite", "file:x.db?mode=ro"),
    ("sqlite:////var/db/x.db?uri=true&mode=rwc", "sqlite", "file:/var/db/x.db?mode=rwc"),
    ("sqlite:file:x.db?mode=ro", "sqlite", "file:x.db?mode=ro"),
    ("postgres://u:p@localhost:5432/db", "postgres", None),
    ("postgresql://u@localhost/db", "postgres", None),
])
def test_database_uris(uri: str, backend: str, sqlite_path: str | None) -> None:
    config = load_config({"db_uri": uri} if uri else {}, environ={})
    assert config.backend == backend
    assert config.is_demo == (uri == "")
    if sqlite_path is not None:
        assert config.sqlite_path == sqlite_path


@pytest.mark.parametrize(("key", "value", "field", "expected"), [
    ("server_port", "8080", "server_port", 8080),
    ("server_port", 8080, "server_port", 8080),
    ("admin_server_port", "3001", "admin_server_port", 3001),
    ("db_pool_acquisition_timeout", "2.5", "db_pool_acquisition_timeout", 2.5),
    ("server_timing_enabled", "true", "server_timing_enabled", True),
    ("server_timing_enabled", "on", "server_timing_enabled", True),
    ("server_timing_enabled", "0", "server_timing_enabled", False),
    ("server_timing_enabled", False, "server_timing_enabled", False),
    ("db_anon_role", "web_anon", "db_anon_role", "web_anon"),
    ("server_host", "127.0.0.1", "server_host", "127.0.0.1"),
])
def test_coercion(key: str, value: Any, field: str, expected: Any) -> None:
    assert getattr(load_config({key: value}, environ={}), field) == expected


def test_none_on_the_cli_means_not_given() -> None:
    """argparse leaves absent options as None: they must not hide env or file values."""
    config = load_config({"server_port": None, "db_uri": None},
                         environ={"DBREST_SERVER_PORT": "5"})
    assert config.server_port == 5 and config.is_demo


@pytest.mark.parametrize(("cli", "env", "message"), [
    ({"nope": "1"}, {}, "unknown configuration key: nope"),
    ({"db-poool": "1"}, {}, "unknown configuration key: db_poool"),
    ({"server_port": "abc"}, {}, "server_port: invalid value 'abc'"),
    ({"server_port": "8080.5"}, {}, "server_port: invalid value '8080.5'"),
    ({}, {"DBREST_DB_POOL": "many"}, "db_pool: invalid value 'many'"),
    ({"db_pool_acquisition_timeout": "soon"}, {},
     "db_pool_acquisition_timeout: invalid value 'soon'"),
    ({"server_timing_enabled": "maybe"}, {}, "server_timing_enabled: invalid value 'maybe'"),
    ({"db_schemas": ""}, {}, "db_schemas: invalid value ''"),
    ({"db_schemas": " , "}, {}, "db_schemas: invalid value ' , '"),
    ({"db_uri": "mysql://u@h/d"}, {},
     "db_uri: unsupported database URI 'mysql://u@h/d' (expected postgres://… or sqlite:PATH)"),
    ({"db_uri": "/var/db/app.db"}, {},
     "db_uri: unsupported database URI '/var/db/app.db' (expected postgres://… or sqlite:PATH)"),
])
def test_errors(cli: dict[str, Any], env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(cli, environ=env)
    assert str(info.value) == message


def test_unknown_key_in_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown configuration key: jwt_secret_typo"):
        load_config({"config": write(tmp_path, 'jwt-secret-typo = "x"\n')}, environ={})


def test_bad_value_in_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="server_port: invalid value 'abc'"):
        load_config({"config": write(tmp_path, 'server-port = "abc"\n')}, environ={})


def test_missing_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError) as info:
        load_config({"config": str(missing)}, environ={})
    assert str(info.value) == f"config: cannot read {missing}: No such file or directory"


def test_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config({"config": write(tmp_path, "server-port = = 1\n")}, environ={})


# Nonsensical sizes are refused with the configuration, not later: `db_pool = 0` would make
# asyncpg fail at start-up, a negative `db_max_rows` would become `LIMIT -5`.
@pytest.mark.parametrize(("key", "value"), [("db_pool", "0"), ("db_pool", "-1"),
                                            ("db_max_rows", "-5")])
def test_sizes_must_be_positive(key: str, value: str) -> None:
    with pytest.raises(ConfigError):
        load_config({key: value}, environ={})


@pytest.mark.parametrize("uri", [
    "sqlite:///x.db", "sqlite:///data/x.db", "sqlite:////var/db/x.db", "sqlite://",
    "sqlite:///:memory:", "sqlite:///file:x.db?mode=ro&uri=true",
    "sqlite:///file:/var/db/x.db?mode=rwc&uri=true",
])
def test_sqlalchemy_urls_name_the_file_sqlalchemy_opens(uri: str) -> None:
    """The database SQLAlchemy's pysqlite dialect would open for the same URL."""
    from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
    from sqlalchemy.engine import make_url

    args, _ = SQLiteDialect_pysqlite().create_connect_args(make_url(uri))
    path = load_config({"db_uri": uri}, environ={}).sqlite_path
    if path.startswith("file:") or path == ":memory:":
        assert path == args[0]
    else:  # SQLAlchemy makes it absolute against the working directory, as opening it does
        assert Path(path).resolve() == Path(args[0])


@pytest.mark.parametrize("uri", ["sqlite://x.db", "sqlite://host/x.db", "sqlite:///x.db?mode=ro"])
def test_invalid_sqlalchemy_urls(uri: str) -> None:
    with pytest.raises(ConfigError, match="db_uri: "):
        _ = load_config({"db_uri": uri}, environ={}).sqlite_path
