"""`load_config(cli, environ)`: sources, precedence, aliases, coercion and errors."""

from __future__ import annotations

import subprocess
import sys
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


def test_unknown_environment_variables_stop_start_up() -> None:
    """One rule for every source: a key neither PostgREST's nor dbrest's is an error
    (the environment used to drop it silently)."""
    for name in ("PGRST_NOT_A_KEY_YET", "DBREST_NOT_A_KEY"):
        with pytest.raises(ConfigError, match=f"unknown configuration key: .*{name}"):
            load_config({}, environ={name: "x", "HOME": "/root"})


def test_test_harness_and_foreign_variables_are_not_configuration() -> None:
    env = {"DBREST_TEST_PG_URI": "postgres://x@127.0.0.1/y", "DBREST_TEST_ANYTHING": "1",
           "HOME": "/root", "PGHOST": "elsewhere"}
    assert load_config({}, environ=env) == load_config({}, environ={})


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


# --- issue 8: one rule for unknown keys, PostgREST's file, validation, dump, db_config ---

def test_pending_postgrest_keys_are_accepted_with_one_warning_each(tmp_path: Path) -> None:
    from dbrest.config import warnings

    path = write(tmp_path, 'server-reuseport = true\nlog-level = "info"\n')
    config = load_config({"config": path}, environ={"PGRST_DB_CHANNEL": "other"})
    lines = warnings(config)
    assert len(lines) == 3
    for key in ("server-reuseport", "log-level", "db-channel"):
        assert sum(key in line for line in lines) == 1
    assert all("not implement" in line for line in lines)
    assert warnings(load_config({}, environ={})) == []


@pytest.mark.parametrize(("key", "value"), [
    ("openapi_mode", "everything"), ("log_level", "loud"), ("db_tx_end", "maybe"),
    ("client_error_verbosity", "chatty"), ("db_plan_enabled", "perhaps"),
    ("server_unix_socket_mode", "rw"),
])
def test_enumerated_and_typed_values_are_validated(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{key}: invalid value '{value}'"):
        load_config({key: value}, environ={})


@pytest.mark.parametrize(("settings", "message"), [
    ({"jwt_secret": "too short"}, "at least 32 characters"),
    ({"jwt_aud": "not a uri: really"}, "jwt_aud: invalid value"),
    ({"jwt_aud": ":nothing"}, "jwt_aud: invalid value"),
    ({"jwt_role_claim_key": "$.role[[["}, "jwt_role_claim_key"),
    ({"server_port": "4000", "admin_server_port": "4000"},
     "admin_server_port: cannot be the same as server_port"),
])
def test_start_up_validation(settings: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_config(settings, environ={})
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("aud", ["my-api", "https://api.example.com", "urn:example:api"])
def test_valid_audiences(aud: str) -> None:
    assert load_config({"jwt_aud": aud}, environ={}).jwt_aud == aud


def test_a_postgrest_config_file_works_unchanged(tmp_path: Path) -> None:
    path = write(tmp_path, """# postgrest.conf
db-uri = "sqlite:$(DATA_DIR)/app.db"
db-schema = "api"
db-anon-role = "web_anon"
max-rows = 100
role-claim-key = "$$.app_metadata.role"
secret-is-base64 = false
server-port = 3001
app.settings.jwt_exp = 3600
app.settings.Greeting = "hello"
openapi-mode = "ignore-privileges"
""")
    config = load_config({"config": path}, environ={"DATA_DIR": "/srv"})
    assert config.db_uri == "sqlite:/srv/app.db"
    assert config.db_schemas == ("api",)
    assert (config.db_anon_role, config.db_max_rows, config.server_port) == ("web_anon", 100, 3001)
    assert config.jwt_role_claim_key == "$.app_metadata.role"
    assert config.app_settings == (("Greeting", "hello"), ("jwt_exp", "3600"))
    assert config.openapi_mode == "ignore-privileges" and config.pending == ()


def test_app_settings_from_the_environment() -> None:
    config = load_config({}, environ={"PGRST_APP_SETTINGS_JWT_EXP": "60"})
    assert config.app_settings == (("jwt_exp", "60"),)


@pytest.mark.parametrize("source", ["file", "env", "cli"])
def test_empty_strings_mean_not_set(tmp_path: Path, source: str) -> None:
    keys = {"db_anon_role": "", "db_schemas": "", "server_cors_allowed_origins": "",
            "jwt_secret": "", "db_max_rows": ""}
    if source == "file":
        config = load_config({"config": write(tmp_path, "".join(
            f'{k} = ""\n' for k in keys))}, environ={})
    elif source == "env":
        config = load_config({}, environ={"PGRST_" + k.upper(): v for k, v in keys.items()})
    else:
        config = load_config(keys, environ={})
    assert config == load_config({}, environ={})


def test_empty_cors_origins_allow_every_origin(tmp_path: Path) -> None:
    """PostgREST: an empty `server-cors-allowed-origins` is `*` (None), not "none"."""
    assert load_config({"config": write(tmp_path, "server_cors_allowed_origins = []\n")},
                       environ={}).server_cors_allowed_origins is None
    assert load_config({"server_cors_allowed_origins": " , "},
                       environ={}).server_cors_allowed_origins is None


def test_dump_config_reloads_to_the_same_configuration(tmp_path: Path) -> None:
    from dbrest.config import dump_config

    config = load_config({"db_uri": "sqlite:app.db", "db_schemas": "api,public",
                          "jwt_secret": "x" * 40, "jwt_aud": "urn:a:b", "openapi_mode": "disabled",
                          "server_cors_allowed_origins": "http://a.test",
                          "sqlite_grants": '{"anon": {"select": ["t"]}}'},
                         environ={"PGRST_APP_SETTINGS_NAME": 'say "$hi"'})
    text = dump_config(config)
    assert 'db-schemas = "api,public"' in text
    assert 'app.settings.name = "say \\"$$hi\\""' in text
    assert load_config({"config": write(tmp_path, text)}, environ={}) == config


def test_the_example_file_loads() -> None:
    from dbrest.settings import SETTINGS, example

    text = example()
    for setting in SETTINGS:
        assert setting.hyphenated in text or setting.key == "app_settings"
    assert "app.settings." in text


def test_the_readme_table_is_the_settings_table() -> None:
    from dbrest.settings import readme_rows

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert "\n".join(readme_rows()) in readme
    assert "authentication lands with a later release" not in readme


def test_in_database_settings_override_file_and_env_but_not_the_cli() -> None:
    from dbrest.config import with_db_settings

    config = load_config({"db_anon_role": "cli_role"},
                         environ={"PGRST_DB_SCHEMAS": "public", "PGRST_DB_MAX_ROWS": "5"})
    db = with_db_settings(config, {"db_schemas": "api", "db_anon_role": "db_role",
                                   "db_max_rows": "", "server_port": "1"})
    assert db.db_schemas == ("api",)
    assert db.db_anon_role == "cli_role"
    assert db.db_max_rows == 5  # empty: not set
    assert db.server_port == 3000  # not an in-database setting
    with pytest.raises(ConfigError, match="db_tx_end"):
        with_db_settings(config, {"db_tx_end": "never"})


def _connect_as(admin_uri: str, role: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(admin_uri)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


def test_db_config_reads_the_roles_pgrst_settings(pg_admin_uri: str, pg_fixture_uri: str,
                                                 tmp_path: Path) -> None:
    """`ALTER ROLE … SET pgrst.…` is read at start, before the schema cache; the
    database-specific setting wins over the global one; `db_config=false` ignores them."""
    import asyncio

    import asyncpg

    from tests.support import InProcessApp, fixture_copy

    uri = fixture_copy("postgres", "config_db", pg_admin_uri, Path(), tmp_path)
    name = uri.rsplit("/", 1)[-1].split("?")[0]

    async def setup() -> None:
        conn = await asyncpg.connect(pg_admin_uri)
        try:
            await conn.execute("DROP ROLE IF EXISTS dbrest_cfg_auth")
            await conn.execute("CREATE ROLE dbrest_cfg_auth LOGIN SUPERUSER")
            await conn.execute("ALTER ROLE dbrest_cfg_auth SET pgrst.db_max_rows = '3'")
            await conn.execute(f'ALTER ROLE dbrest_cfg_auth IN DATABASE "{name}" '
                               "SET pgrst.db_max_rows = '1'")
            await conn.execute("ALTER ROLE dbrest_cfg_auth SET pgrst.jwt_aud = 'urn:cfg'")
        finally:
            await conn.close()

    asyncio.run(setup())
    app = InProcessApp(_connect_as(uri, "dbrest_cfg_auth"))
    try:
        assert len(app.get("/items").json()) == 1
        assert app.state.config.jwt_aud == "urn:cfg"
    finally:
        app.close()
    app = InProcessApp(_connect_as(uri, "dbrest_cfg_auth"), db_config="false")
    try:
        assert len(app.get("/items").json()) > 3
    finally:
        app.close()
    # `--dump-config` shows what is in effect, in-database settings included
    from tests.infra.server import ROOT, clean_env

    dumped = subprocess.run(
        [sys.executable, "-m", "dbrest.cli", "--dump-config", "--db-uri",
         _connect_as(uri, "dbrest_cfg_auth")], cwd=ROOT, env=clean_env(), capture_output=True,
        text=True, timeout=60)
    assert dumped.returncode == 0, dumped.stderr
    assert "db-max-rows = 1\n" in dumped.stdout and 'jwt-aud = "urn:cfg"' in dumped.stdout


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_app_settings_reach_current_setting(backend: str, pg_admin_uri: str,
                                            sqlite_fixture_path: Path, tmp_path: Path) -> None:
    import asyncio
    import sqlite3

    import asyncpg

    from tests.support import InProcessApp, fixture_copy

    uri = fixture_copy(backend, "config_app", pg_admin_uri, sqlite_fixture_path, tmp_path)
    view = ("CREATE VIEW app_greeting AS SELECT "
            "current_setting('app.settings.greeting', true) AS greeting")
    if backend == "postgres":
        async def create() -> None:
            conn = await asyncpg.connect(uri)
            await conn.execute(view)
            await conn.close()
        asyncio.run(create())
    else:
        with sqlite3.connect(uri.removeprefix("sqlite:")) as conn:
            conn.execute(view.replace(", true)", ", 1)"))
    app = InProcessApp(uri, app_settings=None, **{"app.settings.greeting": "hello"})
    try:
        assert app.get("/app_greeting").json() == [{"greeting": "hello"}]
    finally:
        app.close()


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


@pytest.mark.parametrize("uri", ["sqlite:app.db", ""])  # a file, and the demo
def test_db_pre_request_is_refused_on_sqlite_at_load_time(uri: str) -> None:
    with pytest.raises(ConfigError, match="db_pre_request: SQLite has no stored functions"):
        load_config({"db_uri": uri or None, "db_pre_request": "check_request"}, {})


def test_db_pre_request_is_accepted_on_postgres() -> None:
    config = load_config({"db_uri": "postgres://localhost/db",
                          "db_pre_request": "check_request"}, {})
    assert config.db_pre_request == "check_request"


@pytest.mark.parametrize(("settings", "anon"), [
    ({"db_uri": "sqlite:app.db"}, "anon"),  # nothing to protect: anonymous requests served
    ({"db_uri": "sqlite:app.db", "db_anon_role": "web"}, "web"),
    ({"db_uri": "sqlite:app.db", "jwt_secret": "x" * 32}, None),  # tokens wanted: 401
    ({"db_uri": "sqlite:app.db", "sqlite_grants": {"web": {"select": ["t"]}}}, None),
    ({"db_uri": "postgres://u@localhost/db"}, None),  # the database's roles decide
])
def test_anonymous_role_by_default_only_where_nothing_is_protected(
        settings: dict[str, object], anon: str | None) -> None:
    assert load_config(settings, environ={}).db_anon_role == anon
