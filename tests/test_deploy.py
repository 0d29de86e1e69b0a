"""The deployment files (deploy/, Dockerfile, .dockerignore) agree with the code, and the
start-up warning about connections (dbrest/workers.py) fires when it should.

No Docker engine, systemd or nginx here: the files are parsed and their claims about
dbrest (command, ports, signals, timeouts, settings) are checked against dbrest itself;
the unit's signals and the image's health check are tried on a running dbrest."""

from __future__ import annotations

import asyncio
import configparser
import fnmatch
import json
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import asyncpg
import pytest

from dbrest.config import Config, load_config
from dbrest.settings import BY_KEY
from dbrest.workers import _check, connection_warning
from tests.ops.server import Dbrest, clean_env, free_port

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DEFAULT_PORT = int(BY_KEY["server_port"].default)
DEFAULT_DRAIN = float(BY_KEY["server_drain_timeout"].default)


def console_script() -> str:
    scripts = PYPROJECT["project"]["scripts"]
    [name] = [k for k, v in scripts.items() if v == "dbrest.cli:main"]
    return name


def test_the_documented_defaults_are_the_code_defaults() -> None:
    assert Config().server_port == DEFAULT_PORT
    assert Config().server_drain_timeout == DEFAULT_DRAIN


# --- systemd ---------------------------------------------------------------------------

def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True,
                                       comment_prefixes=("#", ";"), empty_lines_in_values=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are cased
    parser.read_string((ROOT / "deploy/dbrest.service").read_text())
    return parser


def unit_signal(value: str) -> signal.Signals:
    """`SIGTERM` (KillSignal=) or `/bin/kill -USR2 $MAINPID` (ExecReload=) → the signal."""
    words = shlex.split(value)
    if len(words) == 1:
        return signal.Signals[words[0]]
    assert words[0].endswith("/kill") and words[-1] == "$MAINPID", value
    [option] = [w for w in words[1:-1] if w.startswith("-")]
    name = option.lstrip("-").upper()
    return signal.Signals[name if name.startswith("SIG") else "SIG" + name]


def seconds(value: str) -> float:
    """systemd's time spans as this unit writes them: `45`, `45s`, `1min 30s`."""
    units = {"": 1, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}
    total = 0.0
    for number, unit_name in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value):
        total += float(number) * units[unit_name]
    assert total > 0, value
    return total


def test_the_systemd_unit_parses_and_runs_dbrest_as_its_own_user() -> None:
    service = unit()["Service"]
    assert set(unit().sections()) == {"Unit", "Service", "Install"}
    assert service["Type"] == "exec"
    assert service["User"] not in ("", "root", "0")
    command, *args = shlex.split(service["ExecStart"])
    assert Path(command).name == console_script()
    assert args == ["/etc/dbrest/dbrest.conf"]
    assert service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"].startswith("/")  # a SQLite directory


def test_the_unit_waits_longer_than_dbrest_drains() -> None:
    service = unit()["Service"]
    assert unit_signal(service["KillSignal"]) == signal.SIGTERM
    assert seconds(service["TimeoutStopSec"]) > DEFAULT_DRAIN


def test_the_units_signals_reload_and_stop_a_running_dbrest(tmp_path: Path) -> None:
    """ExecReload's signal re-reads the file; KillSignal drains and exits 0 in time."""
    service = unit()["Service"]
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    conf = tmp_path / "dbrest.conf"
    conf.write_text(f'db-uri = "sqlite:{db}"\ndb-anon-role = "anon"\n')
    server = Dbrest(tmp_path, str(conf))
    try:
        assert server.json("/t?select=id")[1] == [{"id": 1}, {"id": 2}, {"id": 3}]
        conf.write_text(f'db-uri = "sqlite:{db}"\ndb-anon-role = "anon"\ndb-max-rows = 1\n')
        server.signal(unit_signal(service["ExecReload"]))
        server.until(lambda: server.json("/t?select=id") == (200, [{"id": 1}]),
                     timeout=10, what="the reloaded configuration")
        assert server.proc.poll() is None
        server.signal(unit_signal(service["KillSignal"]))
        assert server.proc.wait(timeout=seconds(service["TimeoutStopSec"])) == 0
        assert "Traceback" not in server.log()
    finally:
        server.stop()


# --- Docker ----------------------------------------------------------------------------

def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuations joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [(m[0].upper(), m[1].strip()) for m in
            re.findall(r"^\s*([A-Za-z]+)\s+(.*)$", joined, flags=re.M)]


def instruction(name: str) -> list[str]:
    return [args for op, args in dockerfile() if op == name]


def dockerignored(path: str) -> bool:
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]
    return any(fnmatch.fnmatch(path, p.removeprefix("**/")) for p in patterns)


def test_the_image_runs_the_console_script_on_the_default_port() -> None:
    [entrypoint] = instruction("ENTRYPOINT")
    assert json.loads(entrypoint) == [console_script()]
    [expose] = instruction("EXPOSE")
    assert str(DEFAULT_PORT) in expose.split()
    [base] = instruction("FROM")
    minor = re.fullmatch(r"python:3\.(\d+)-slim", base)
    required = re.fullmatch(r">=3\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert minor and required and int(minor[1]) >= int(required[1])
    user = instruction("USER")[-1]
    assert user not in ("root", "0")
    assert any("pip install ." in run for run in instruction("RUN"))


def test_the_image_copies_what_pip_install_needs_and_nothing_ignored() -> None:
    copied = {src for args in instruction("COPY") for src in args.split()[:-1]}
    needed = {"pyproject.toml", PYPROJECT["project"]["readme"],
              *(p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]
                ["include"])}
    assert needed <= copied
    for src in copied:
        assert (ROOT / src).exists(), src
        assert not dockerignored(src), src
    assert dockerignored(".git") and dockerignored("tests")


def health_env() -> tuple[str, str]:
    [env] = [e for e in instruction("ENV") if "PGRST_ADMIN_SERVER_PORT" in e]
    value = re.search(r"PGRST_ADMIN_SERVER_PORT=(\S*)", env)
    assert value is not None
    return "PGRST_ADMIN_SERVER_PORT", value[1]


def health_command() -> list[str]:
    [check] = instruction("HEALTHCHECK")
    command = json.loads(check[check.index("CMD") + 3:].strip())
    assert command[0] == "python"
    return [sys.executable, *command[1:]]


def test_the_health_check_uses_the_admin_servers_live(tmp_path: Path) -> None:
    key, port = health_env()
    assert int(port) != DEFAULT_PORT  # dbrest refuses admin_server_port == server_port
    assert load_config({}, {key: port}).admin_server_port == int(port)
    db = tmp_path / "h.db"
    sqlite3.connect(db).close()
    server = Dbrest(tmp_path, "--db-uri", f"sqlite:{db}")
    try:
        ok = subprocess.run(health_command(), env={**clean_env(),
                            key: str(server.admin_port)}, timeout=10)
        assert ok.returncode == 0
    finally:
        server.stop()
    down = subprocess.run(health_command(), env={**clean_env(), key: str(free_port())},
                          capture_output=True, timeout=10)
    assert down.returncode != 0
    off = subprocess.run(health_command(), env={**clean_env(), key: ""}, timeout=10)
    assert off.returncode == 0  # no admin server: the check does not fail the container


# --- nginx -----------------------------------------------------------------------------

def nginx() -> str:
    return (ROOT / "deploy/nginx.conf").read_text()


def directives(name: str) -> list[str]:
    body = re.sub(r"#.*", "", nginx())
    return [m.strip() for m in re.findall(rf"(?:^|[;{{}}\s]){name}\s+([^;]*);", body)]


def test_the_nginx_example_proxies_to_dbrests_port() -> None:
    [target] = directives("proxy_pass")
    host = re.fullmatch(r"http://([^/:]+)(?::(\d+))?/?", target)
    assert host is not None, target
    if host[2]:
        ports = [int(host[2])]
    else:  # an upstream block
        block = re.search(rf"upstream\s+{re.escape(host[1])}\s*{{([^}}]*)}}",
                          re.sub(r"#.*", "", nginx()))
        assert block is not None, target
        ports = [int(p) for p in re.findall(r"server\s+[^;\s]+:(\d+)", block[1])]
    assert ports == [DEFAULT_PORT]
    assert directives("proxy_http_version") == ["1.1"]
    assert directives("proxy_buffering") == ["off"]
    assert {"X-Forwarded-For", "X-Forwarded-Proto", "Host"} <= {
        d.split()[0] for d in directives("proxy_set_header")}
    assert any("ssl" in d.split() for d in directives("listen"))


def test_the_nginx_body_limit_is_dbrests() -> None:
    [limit] = directives("client_max_body_size")
    size = int(limit.rstrip("mM")) * 1024 * 1024
    assert size == int(BY_KEY["server_max_body_size"].default)


def test_the_settings_paired_with_nginx_load(tmp_path: Path) -> None:
    """The `#   key = value` lines at the top of nginx.conf are a valid dbrest file, on
    the port nginx proxies to."""
    lines = re.findall(r"^#\s{3}([a-z-]+ = \S+)", nginx(), flags=re.M)
    assert len(lines) >= 3
    conf = tmp_path / "paired.conf"
    conf.write_text("\n".join(lines) + "\n")
    config = load_config({"config": str(conf)}, {})
    assert config.server_host == "127.0.0.1"
    assert config.server_port == DEFAULT_PORT
    assert (config.openapi_server_proxy_uri or "").startswith("https://")


# --- the connection budget ---------------------------------------------------------------

def test_connection_warning_counts_each_process_pool_and_watch() -> None:
    assert connection_warning(4, 10, 97) is None  # 4 × 11 = 44
    assert connection_warning(8, 11, 96) is None  # exactly 96
    line = connection_warning(8, 11, 95)
    assert line is not None and "8 * (11 + 1) = 96" in line and "limit of 95" in line
    assert connection_warning(100, 100, None) is None  # SQLite: no such limit


def pg_limit(uri: str) -> int:
    async def read() -> int:
        conn = await asyncpg.connect(uri)
        try:
            return int(await conn.fetchval("SHOW max_connections")) - int(
                await conn.fetchval("SHOW superuser_reserved_connections"))
        finally:
            await conn.close()
    return asyncio.run(read())


@pytest.mark.parametrize("pool", [2, 50])
def test_start_up_warns_past_postgresqls_max_connections(
        pg_admin_uri: str, pool: int, capsys: pytest.CaptureFixture[str]) -> None:
    limit = pg_limit(pg_admin_uri)
    workers = limit // (pool + 1) + 1 if pool == 50 else 1  # past the limit, or well within
    config = load_config({"db_uri": pg_admin_uri, "db_pool": str(pool),
                          "server_workers": str(workers)}, {})
    asyncio.run(_check(config))
    err = capsys.readouterr().err
    if pool == 50:
        assert f"= {workers * (pool + 1)} connections exceeds the database's limit of " \
               f"{limit}" in err, err
    else:
        assert "exceeds" not in err, err


def test_one_process_warns_too(pg_admin_uri: str, tmp_path: Path) -> None:
    limit = pg_limit(pg_admin_uri)
    server = Dbrest(tmp_path, "--db-uri", pg_admin_uri, "--db-pool", str(limit))
    try:
        assert f"1 * ({limit} + 1) = {limit + 1} connections exceeds" in server.log()
    finally:
        server.stop()


def test_sqlite_has_no_connection_warning(sqlite_fixture_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    config = load_config({"db_uri": f"sqlite:{sqlite_fixture_path}", "server_workers": "64",
                          "db_pool": "64", "db_anon_role": "anon"}, {})
    asyncio.run(_check(config))
    assert "exceeds" not in capsys.readouterr().err
