"""The one table of settings: what `--help`, `--example`, `--dump-config` and the README's
configuration table are generated from, and what `load_config` accepts.

`SETTINGS` are the keys dbrest implements (each a `Config` field); `PENDING` are
PostgREST's keys that dbrest accepts and validates but does not implement yet (start-up
warns once per key set). A key in neither table stops start-up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    key: str  # dbrest's spelling, underscores; PostgREST's is `key.replace("_", "-")`
    default: str  # as shown to people
    help: str  # one line
    kind: str = "str"  # str | int | bool | float | choice (the pending keys' validation)
    choices: tuple[str, ...] = ()
    in_db: bool = False  # readable from the connecting role's `pgrst.*` settings (db_config)

    @property
    def hyphenated(self) -> str:
        return self.key.replace("_", "-")

    @property
    def env(self) -> str:
        return "PGRST_" + self.key.upper()


OPENAPI_MODES = ("follow-privileges", "ignore-privileges", "disabled")
LOG_LEVELS = ("crit", "error", "warn", "info", "debug")
TX_END = ("commit", "commit-allow-override", "rollback", "rollback-allow-override")

SETTINGS: tuple[Setting, ...] = (
    Setting("db_uri", "the demo database",
            "postgres://…, postgresql://…, sqlite:PATH, sqlite:///relative.db, "
            "sqlite:////abs/path.db, sqlite:file:PATH?mode=ro or sqlite::memory:"),
    Setting("db_uri_replicas", "unset", "PostgreSQL: read replicas' URIs, comma-separated: "
            "GET/HEAD requests that cannot write go to them round-robin, each with its own "
            "pool of db_pool connections (Prefer: read=primary reads db_uri)"),
    Setting("db_replica_lag_sticky_seconds", "0", "with db_uri_replicas: after a client's "
            "write (same Authorization header) its reads go to the primary for this many "
            "seconds", "float"),
    Setting("db_schemas", "public", "exposed schemas, comma-separated; the first is the default "
            "(SQLite's tables are served under the first name)", in_db=True),
    Setting("db_anon_role", "unset", "role for requests without a JWT (unset: they get 401; "
            "SQLite without sqlite_grants and jwt_secret: anon)", in_db=True),
    Setting("db_pool", "10", "connections in the pool"),
    Setting("db_pool_acquisition_timeout", "10",
            "seconds to wait for a pooled connection before 504 PGRST003"),
    Setting("db_max_rows", "unlimited", "cap on the rows of every read, at every embedding level",
            in_db=True),
    Setting("db_tx_end", "commit", "commit, commit-allow-override, rollback or "
            "rollback-allow-override (the -allow-override ones honour Prefer: tx=)",
            "choice", TX_END, in_db=True),
    Setting("db_pre_request", "unset",
            "PostgreSQL: a function (schema.fn) called before every request"),
    Setting("db_extra_search_path", "public", "PostgreSQL: schemas added to the search_path "
            "of every transaction, after the request's schema (comma-separated)", in_db=True),
    Setting("db_config", "true", "PostgreSQL: read the connecting role's pgrst.* settings "
            "(ALTER ROLE … SET pgrst.db_schemas = …) at start-up"),
    Setting("server_host", "0.0.0.0", "bind address"),
    Setting("server_port", "3000", "HTTP port"),
    Setting("server_workers", "1", "processes serving the port, each with its own pool of "
            "db_pool connections (not with an in-memory SQLite database)"),
    Setting("admin_server_port", "unset",
            "when set: the admin server (/live, /ready, /metrics, /config, /schema_cache) on "
            "this port (must differ from server_port)"),
    Setting("server_max_body_size", "104857600",
            "largest request body in bytes; larger ones get 413 before they are read"),
    Setting("server_drain_timeout", "30",
            "on SIGTERM: seconds in-flight requests may take to finish before exit"),
    Setting("db_statement_timeout", "unset",
            "seconds a statement may run before it is cancelled (unset: no limit)"),
    Setting("server_timing_enabled", "false", "send the Server-Timing header", in_db=True),
    Setting("server_cors_allowed_origins", "any",
            "allowed CORS origins, comma-separated; unset or empty: any origin (*)", in_db=True),
    Setting("jwt_secret", "unset", "HMAC secret (at least 32 characters), PEM public key, JWK "
            "or JWKS JSON; @path reads a file", in_db=True),
    Setting("jwt_secret_is_base64", "false", "decode the HMAC secret from base64", in_db=True),
    Setting("jwt_aud", "unset", "required audience (a string or a URI)", in_db=True),
    Setting("jwt_role_claim_key", "$.role",
            "JSON path of the role claim ($.app_metadata.role, $.\"https://ns\".role)",
            in_db=True),
    Setting("jwt_cache_max_entries", "1000",
            "verified tokens kept (time claims are re-checked on every use)", in_db=True),
    Setting("sqlite_grants", "none", "SQLite: per role, the tables it may select, insert, "
            "update, delete and the functions it may execute (a TOML table, or JSON in the "
            "environment)"),
    Setting("sqlite_functions", "none", "SQLite: functions for /rpc/NAME as named, "
            "parameterized SQL (sql, args, returns, volatile; a TOML table, or JSON in the "
            "environment)"),
    Setting("openapi_mode", "follow-privileges",
            "the document at /: follow-privileges (what the role may use), ignore-privileges "
            "or disabled (404)", "choice", OPENAPI_MODES, in_db=True),
    Setting("openapi_security_active", "false",
            "add the JWT securityDefinitions to the document", "bool", in_db=True),
    Setting("openapi_server_proxy_uri", "unset", "scheme://host:port/path advertised in the "
            "document (behind a proxy)", in_db=True),
    Setting("db_aggregates_enabled", "false", "allow avg(), count(), max(), min() and sum() "
            "in select (off: 400 PGRST123)", "bool", in_db=True),
    Setting("db_channel", "pgrst", "PostgreSQL: the LISTEN channel of NOTIFY pgrst, "
            "'reload schema' / 'reload config'"),
    Setting("db_channel_enabled", "true", "PostgreSQL: listen on db_channel (reloads, and the "
            "schema cache reloaded when a lost connection returns)", "bool"),
    Setting("log_level", "error", "crit, error, warn, info or debug (info: an access log line "
            "per request; error: only 5xx; warn: 4xx too)", "choice", LOG_LEVELS),
    Setting("server_trace_header", "unset", "a request header copied to the response "
            "(e.g. X-Request-Id)", in_db=True),
    Setting("db_plan_enabled", "false", "allow Accept: application/vnd.pgrst.plan (the "
            "database's EXPLAIN of the request; off: 406 PGRST107)", "bool", in_db=True),
    Setting("app_settings", "none", "app.settings.NAME = VALUE: exposed to SQL as the "
            "setting app.settings.NAME (current_setting())"),
)

_BOOL, _INT = "bool", "int"
PENDING: tuple[Setting, ...] = (
    Setting("admin_server_host", "server_host", "bind host of the admin server"),
    Setting("admin_server_unix_socket", "unset", "admin server on a unix socket"),
    Setting("admin_server_unix_socket_mode", "660", "mode of that socket", _INT),
    Setting("client_error_verbosity", "verbose", "verbose or minimal error bodies", "choice",
            ("verbose", "minimal")),
    Setting("db_pre_config", "unset", "function that sets pgrst.* settings"),
    Setting("db_hoisted_tx_settings", "statement_timeout, …",
            "function settings hoisted to the transaction"),
    Setting("db_pool_max_idletime", "30", "close idle connections after this many seconds",
            _INT),
    Setting("db_pool_max_lifetime", "1800", "recycle connections after this many seconds",
            _INT),
    Setting("db_pool_automatic_recovery", "true", "reconnect with backoff", _BOOL),
    Setting("db_prepared_statements", "true", "use prepared statements", _BOOL),
    Setting("db_root_spec", "unset", "function whose result replaces the OpenAPI root"),
    Setting("log_query", "false", "log the SQL of failed requests", _BOOL),
    Setting("server_reuseport", "false", "SO_REUSEPORT", _BOOL),
    Setting("server_unix_socket", "unset", "serve HTTP on a unix socket"),
    Setting("server_unix_socket_mode", "660", "mode of that socket", _INT),
    Setting("url_use_legacy_target_names", "true",
            "relation names instead of aliases in embedded filters", _BOOL),
)

BY_KEY = {s.key: s for s in SETTINGS + PENDING}

# PostgREST's old spellings, and dbrest's own `db_pool_size`
ALIASES = {"db_schema": "db_schemas", "max_rows": "db_max_rows", "db_pool_size": "db_pool",
           "pre_request": "db_pre_request", "root_spec": "db_root_spec",
           "role_claim_key": "jwt_role_claim_key", "secret_is_base64": "jwt_secret_is_base64",
           "db_pool_timeout": "db_pool_max_idletime"}


def help_epilog() -> str:
    """Every setting, for `dbrest --help`: name, default, env name, one line."""
    lines = ["settings: a config-file key, an option (--KEY VALUE), or the environment "
             "(PGRST_<KEY>, or DBREST_<KEY>, which wins):"]
    for s in SETTINGS:
        env = "PGRST_APP_SETTINGS_<NAME>" if s.key == "app_settings" else s.env
        lines.append(f"  {s.hyphenated:<29} {s.help} [default: {s.default}; env: {env}]")
    lines.append("PostgREST settings accepted and validated but not implemented yet "
                 "(a warning at start-up):")
    lines.append("  " + ", ".join(s.hyphenated for s in PENDING))
    return "\n".join(lines)


def readme_rows() -> list[str]:
    """The README's configuration table (tests check the README against it)."""
    rows = ["| key | env | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        env = "PGRST_APP_SETTINGS_*" if s.key == "app_settings" else s.env
        rows.append(f"| `{s.hyphenated}` | `{env}` | {s.default} | {s.help} |")
    return rows


def example() -> str:
    """An annotated configuration file in PostgREST's syntax (`dbrest --example`)."""
    out = ["# dbrest configuration (PostgREST's file syntax: key = value, strings quoted).",
           "# Use it as `dbrest FILE`. Commented lines show the defaults.", ""]
    samples = {"db_uri": '"postgres://authenticator:secret@localhost:5432/app"',
               "db_schemas": '"public"', "db_anon_role": '"web_anon"',
               "jwt_secret": '"a-secret-of-at-least-thirty-two-characters"'}
    for s in SETTINGS:
        out.append(f"# {s.help} (default: {s.default})")
        if s.key == "app_settings":
            out.append('# app.settings.jwt_exp = "3600"')
        elif s.key == "sqlite_grants":
            out.append('# sqlite-grants = \'{"web_anon": {"select": ["*"]}}\'')
        elif s.key == "sqlite_functions":
            out.append('# [sqlite-functions.top_rated]')
            out.append('# sql = "select * from books where rating >= :min_rating"')
            out.append('# args = { min_rating = "real" }')
            out.append('# returns = "setof books"')
        elif s.key in samples:
            out.append(f"{s.hyphenated} = {samples[s.key]}")
        else:
            unset = s.default in ("unset", "none", "any", "unlimited", "the demo database")
            literal = s.default if s.default in ("true", "false") or s.default.isdigit() \
                else '""' if unset else f'"{s.default}"'
            out.append(f"# {s.hyphenated} = {literal}")
        out.append("")
    return "\n".join(out)
