"""The `dbrest` command, run as a subprocess: start-up failures and serving the demo.

A start-up problem is one line on stderr and exit status 1, never a traceback; started
without `--db-uri`, dbrest serves the bundled demo, with `/live` and `/ready` on the
admin port.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra.server import ROOT, clean_env, free_port

START_TIMEOUT = 15.0


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dbrest.cli", *args], cwd=ROOT,
                          env=clean_env(), capture_output=True, text=True, timeout=timeout)


def assert_one_line_failure(proc: subprocess.CompletedProcess[str], expected: str) -> None:
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("dbrest: ") and expected in lines[0], lines[0]


@pytest.mark.parametrize(("args", "expected"), [
    (("--server-port", "abc"), "server_port: invalid value 'abc'"),
    (("--db-pool", "many"), "db_pool: invalid value 'many'"),
    (("--db-uri", "mysql://u@h/d"), "unsupported database URI 'mysql://u@h/d'"),
    (("--db-schemas", ","), "db_schemas: invalid value ','"),
    (("--config", "/nonexistent/dbrest.toml"), "config: cannot read /nonexistent/dbrest.toml"),
    (("--db-uri", "postgres://nobody@127.0.0.1:1/x"), "Database connection error."),
])
def test_startup_failure(args: tuple[str, ...], expected: str) -> None:
    assert_one_line_failure(run_cli(*args), expected)


def timed_cli(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run dbrest; the seconds from its first line on stderr to its exit (how long a
    failed start-up lingers, whatever the interpreter took to start on a busy machine)."""
    proc = subprocess.Popen([sys.executable, "-m", "dbrest.cli", *args], cwd=ROOT,
                            env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    first = proc.stderr.readline()
    said = time.monotonic()
    try:
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    lingered = time.monotonic() - said
    out, rest = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, first + rest), lingered


def test_missing_sqlite_file_exits_at_once() -> None:
    """One line naming the path, exit 1, and no empty database left behind."""
    proc, took = timed_cli("--db-uri", "sqlite:/nonexistent/dir/app.db")
    assert_one_line_failure(proc, "SQLite database file not found: /nonexistent/dir/app.db")
    assert took < 2, took  # exits within a second or so of saying why
    assert not Path("/nonexistent/dir/app.db").exists()


def test_bad_sqlite_file_exits_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"not a database, just text\n" * 200)
    proc, took = timed_cli("--db-uri", f"sqlite:{path}")
    assert_one_line_failure(proc, f"{path}: file is not a database")
    assert took < 2, took  # exits within a second or so of saying why


def test_startup_failure_exits_despite_a_lingering_thread() -> None:
    """A driver thread left running must not keep a failed start-up alive."""
    code = ("import sys, threading\n"
            "from dbrest.cli import fail\n"
            "threading.Thread(target=threading.Event().wait).start()\n"
            "sys.exit(fail('dbrest: Database connection error.: gone'))\n")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(),
                          capture_output=True, text=True, timeout=15)
    assert time.monotonic() - started < 5
    assert_one_line_failure(proc, "Database connection error.: gone")


@pytest.mark.parametrize(("text", "expected"), [
    ('not-a-key = 1\n', "unknown configuration key: not_a_key"),
    ('server-port = "abc"\n', "server_port: invalid value 'abc'"),
    ("server-port = = 1\n", "is not valid TOML"),
])
def test_bad_config_file(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "dbrest.toml"
    path.write_text(text)
    assert_one_line_failure(run_cli("--config", str(path)), expected)


def test_bad_key_in_the_environment_file_variable(tmp_path: Path) -> None:
    path = tmp_path / "dbrest.toml"
    path.write_text("nope = 1\n")
    proc = subprocess.run([sys.executable, "-m", "dbrest.cli"], cwd=ROOT, capture_output=True,
                          text=True, timeout=30, env={**clean_env(), "DBREST_CONFIG": str(path)})
    assert_one_line_failure(proc, "unknown configuration key: nope")


# Fixed: `db_pool = 0` passes configuration; asyncpg's create_pool then raises ValueError,
# which `PostgresBackend.start` does not catch (only OSError/PostgresError): a traceback.
def test_zero_pool_is_one_line() -> None:
    proc = run_cli("--db-uri", "postgres://nobody@127.0.0.1:1/x", "--db-pool", "0")
    assert_one_line_failure(proc, "db_pool")


# Fixed: when the port is taken, hypercorn's OSError escapes `serve()` as a traceback, and
# the process never exits: AppState.stop() is not called, so the SQLite pool's aiosqlite
# worker threads (non-daemon) keep the interpreter alive.
def test_port_in_use_is_one_line_and_exits() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "dbrest.cli", "--server-host", "127.0.0.1",
             "--server-port", str(port)],
            cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _, err = proc.communicate(timeout=20)  # start-up on a busy machine included
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise AssertionError("dbrest did not exit after failing to bind") from None
    assert proc.returncode == 1 and "Traceback" not in err, err


# -- serving the demo ----------------------------------------------------------------------------

@dataclass
class Server:
    proc: subprocess.Popen[str]
    port: int
    admin_port: int

    def get(self, path: str, admin: bool = False) -> tuple[int, dict[str, str], bytes]:
        port = self.admin_port if admin else self.port
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    port, admin = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbrest.cli", "--server-host", "127.0.0.1", "--server-port",
         str(port), "--admin-server-port", str(admin)],
        cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    srv = Server(proc, port, admin)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                out, err = proc.communicate()
                raise AssertionError(f"dbrest exited with {proc.returncode}: {err}")
            try:
                srv.get("/live", admin=True)
                srv.get("/books")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("dbrest did not answer within 15 s") from None
                time.sleep(0.1)
        yield srv
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:  # see test_terminate_stops_the_server
                proc.kill()
                proc.wait()
        proc.communicate()


def test_serves_the_demo(server: Server) -> None:
    status, headers, body = server.get("/books?select=id,title&order=id&limit=2")
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == [{"id": 1, "title": "A Wizard of Earthsea"},
                                {"id": 2, "title": "The Left Hand of Darkness"}]


def test_demo_embeds(server: Server) -> None:
    status, _, body = server.get("/books?select=title,authors(name)&id=eq.3")
    assert status == 200
    assert json.loads(body) == [{"title": "Dune", "authors": {"name": "Frank Herbert"}}]


def test_demo_error(server: Server) -> None:
    status, headers, body = server.get("/nope")
    assert status == 404
    assert json.loads(body)["code"] == "PGRST205"
    assert headers["proxy-status"] == "PostgREST; error=PGRST205"


@pytest.mark.parametrize("path", ["/live", "/ready"])
def test_admin_health(server: Server, path: str) -> None:
    status, _, body = server.get(path, admin=True)
    assert (status, body) == (200, b"")


def test_admin_unknown_path(server: Server) -> None:
    assert server.get("/nope", admin=True)[0] == 404


def test_the_banner_is_printed(server: Server) -> None:
    assert server.proc.stdout is not None
    ready, _, _ = select.select([server.proc.stdout], [], [], 5)  # never block the module
    assert ready, "nothing on stdout"
    line = server.proc.stdout.readline()
    assert line.startswith("dbrest serving the bundled demo database on "
                           f"http://127.0.0.1:{server.port}/")


# Fixed: cli.serve() gathers two hypercorn `serve()` calls without a shutdown_trigger; each
# installs its own SIGINT/SIGTERM handler on the loop, the admin server's replacing the
# API server's, so SIGTERM stops only the admin server and the process keeps running.
# (Without --admin-server-port, SIGTERM stops dbrest at once.) Runs last in this module.
def test_terminate_stops_the_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=3)  # it takes ~0.1 s without the admin server
    except subprocess.TimeoutExpired:
        raise AssertionError("dbrest is still running 3 s after SIGTERM") from None
    assert server.proc.returncode in (0, -15)


def test_terminate_without_admin_port() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbrest.cli", "--server-host", "127.0.0.1", "--server-port",
         str(port)],
        cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/authors", timeout=5) as r:
                    assert r.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "dbrest did not answer within 15 s"
                time.sleep(0.1)
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        _, err = proc.communicate()
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --- issue 8: the command line of a PostgREST user ---

def test_help_lists_every_setting_with_its_env_name() -> None:
    from dbrest.settings import PENDING, SETTINGS

    proc = run_cli("--help")
    assert proc.returncode == 0
    for setting in SETTINGS:
        line = next(x for x in proc.stdout.splitlines() if x.strip().startswith(
            setting.hyphenated + " "))
        assert setting.help[:20] in line
        assert (setting.env if setting.key != "app_settings" else "PGRST_APP_SETTINGS_") in line
    for setting in PENDING:
        assert setting.hyphenated in proc.stdout


def test_version() -> None:
    from importlib.metadata import version

    proc = run_cli("--version")
    assert (proc.returncode, proc.stdout.strip()) == (0, f"dbrest {version('dbrest')}")


def test_a_postgrest_config_file_as_the_argument(tmp_path: Path) -> None:
    path = tmp_path / "postgrest.conf"
    path.write_text('# PostgREST\ndb-uri = "sqlite:app.db"\ndb-schema = "api"\n'
                    'db-anon-role = "web_anon"\napp.settings.jwt_exp = 3600\n')
    proc = run_cli("--dump-config", str(path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert 'db-uri = "sqlite:app.db"' in lines
    assert 'db-schemas = "api"' in lines
    assert 'db-anon-role = "web_anon"' in lines
    assert 'app.settings.jwt_exp = "3600"' in lines
    assert "server-port = 3000" in lines


def test_dump_config_shows_every_setting(tmp_path: Path) -> None:
    from dbrest.settings import SETTINGS

    proc = run_cli("--dump-config", "--server-port", "4001")
    assert proc.returncode == 0
    keys = [line.split(" = ")[0] for line in proc.stdout.splitlines()]
    assert keys == [s.hyphenated for s in SETTINGS if s.key != "app_settings"]
    assert "server-port = 4001" in proc.stdout.splitlines()
    dumped = tmp_path / "dumped.conf"
    dumped.write_text(proc.stdout)
    assert run_cli("--dump-config", str(dumped)).stdout == proc.stdout


def test_example_is_a_loadable_annotated_file(tmp_path: Path) -> None:
    proc = run_cli("--example")
    assert proc.returncode == 0
    assert proc.stdout.count("\n# ") > 10  # annotated
    path = tmp_path / "example.conf"
    path.write_text(proc.stdout)
    assert run_cli("--dump-config", str(path)).returncode == 0


@pytest.mark.parametrize(("args", "expected"), [
    (("--jwt-secret", "short"), "at least 32 characters"),
    (("--jwt-aud", "a b:c"), "jwt_aud: invalid value"),
    (("--server-port", "4000", "--admin-server-port", "4000"),
     "admin_server_port: cannot be the same as server_port"),
])
def test_validation_is_one_line(args: tuple[str, ...], expected: str) -> None:
    assert_one_line_failure(run_cli(*args), expected)


@pytest.mark.parametrize(("text", "expected"), [
    ('openapi-mode = "all"\n', "openapi_mode: invalid value 'all'"),
    ('log-level = "loud"\n', "log_level: invalid value 'loud'"),
])
def test_pending_values_are_validated(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "postgrest.conf"
    path.write_text(text)
    assert_one_line_failure(run_cli(str(path)), expected)


def test_unknown_environment_key_stops_start_up() -> None:
    proc = subprocess.run([sys.executable, "-m", "dbrest.cli"], cwd=ROOT, capture_output=True,
                          text=True, timeout=30, env={**clean_env(), "PGRST_DB_URII": "x"})
    assert_one_line_failure(proc, "unknown configuration key: db_urii (from PGRST_DB_URII)")


def _start(args: list[str], env: dict[str, str]) -> tuple[str, str]:
    """Start dbrest, wait for its banner, stop it; (stdout, stderr)."""
    proc = subprocess.Popen([sys.executable, "-m", "dbrest.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
        assert ready, "no banner"
        time.sleep(0.3)  # the banner's second line, if any
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    return out, err


def test_user_database_start_up(tmp_path: Path) -> None:
    """Pending PostgREST keys warn once each; the test harness' variables do not break
    start-up; the banner names a table of this database; a SQLite file with no access
    control configured answers anonymous requests (no 401 line)."""
    import sqlite3

    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:  # SQLite's default rollback-journal mode
        conn.execute("CREATE TABLE widgets (id INTEGER PRIMARY KEY)")
    conf = tmp_path / "postgrest.conf"
    conf.write_text(f'db-uri = "sqlite:{db}"\nserver-reuseport = true\n'
                    'server-host = "127.0.0.1"\n'
                    f"server-port = {free_port()}\n")
    env = {**clean_env(), "PGRST_LOG_LEVEL": "info",
           "DBREST_TEST_PG_URI": "postgres://nobody@127.0.0.1:1/x"}
    out, err = _start([str(conf)], env)
    warnings = [line for line in err.splitlines() if "not implement" in line]
    assert len(warnings) == 2 and "server-reuseport" in warnings[0] + warnings[1] \
        and "log-level" in warnings[0] + warnings[1], err
    assert "/widgets?" in out and "/books" not in out, out
    assert "401" not in out, out


def test_banner_for_an_empty_database_and_with_an_anon_role() -> None:
    from dbrest.cli import banner
    from dbrest.config import load_config

    config = load_config({"db_uri": "sqlite:x.db", "db_anon_role": "anon"}, environ={})
    lines = banner(config, [])
    assert len(lines) == 1 and "/books" not in lines[0] and "no tables" in lines[0]


def test_conformance_runner_dependencies_are_an_extra() -> None:
    """`python -m conformance` needs httpx and yaml: `pip install dbrest[conformance]`."""
    import ast
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extra = " ".join(project["optional-dependencies"]["conformance"])
    base = " ".join(project["dependencies"])
    dists = {"yaml": "pyyaml", "asyncpg": "asyncpg"}
    for path in (ROOT / "conformance").glob("*.py"):
        for node in ast.parse(path.read_text()).body:  # lazy imports are optional
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            for name in (n.split(".")[0] for n in names):
                if name in sys.stdlib_module_names or name in ("conformance", "__future__"):
                    continue
                assert dists.get(name, name) in extra + base, f"{path.name} imports {name}"
