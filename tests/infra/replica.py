"""A streaming read replica of the test suite's PostgreSQL server (`db_uri_replicas`).

`streaming_replica(admin_uri)` copies the running server with `pg_basebackup -R` (which
writes `standby.signal` and `primary_conninfo`, so the copy follows the primary) and
starts the copy on a free port with the same binaries, as the `postgres` OS user when we
are root, exactly as tests/infra/pgserver.py starts the throwaway cluster. The primary
needs `wal_level=replica` (the default) and a pg_hba.conf that lets the superuser
replicate from 127.0.0.1 (initdb's `--auth=trust` does).
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.infra.pgserver import _find_pg_bin, _free_port, _make_workdir, _run, _stop


@dataclass
class Replica:
    port: int
    datadir: Path
    workdir: Path
    pg_ctl: str
    command: list[str]  # pg_ctl start, with the port and the socket directory
    running: bool = True

    def uri(self, like: str) -> str:
        """`like` (a URI to the primary) pointing at the replica instead."""
        parts = urlsplit(like)
        netloc = parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) > 1
                                         else host))

    def start(self) -> None:
        """Start it again (after `stop`), on the same port."""
        if not self.running:
            _run(self.command, self.workdir, "pg_ctl start (replica)")
            self.running = True

    def stop(self) -> None:
        if self.running:
            self.running = False
            _stop(self.pg_ctl, self.datadir, self.workdir)


@contextlib.contextmanager
def streaming_replica(admin_uri: str) -> Iterator[Replica]:
    bindir = _find_pg_bin()
    pg_ctl = str(bindir / "pg_ctl")
    workdir = _make_workdir()
    datadir, logfile = workdir / "data", workdir / "replica.log"
    replica: Replica | None = None
    try:
        # --checkpoint=fast: not wait for the next scheduled checkpoint to start the copy
        _run([str(bindir / "pg_basebackup"), "-d", admin_uri, "-D", str(datadir), "-R",
              "--checkpoint=fast", "--no-sync"], workdir, "pg_basebackup")
        port = _free_port()
        options = " ".join([f"-c port={port}", "-c listen_addresses=127.0.0.1",
                            f"-c unix_socket_directories={shlex.quote(str(workdir))}",
                            "-c fsync=off", "-c hot_standby=on"])
        command = [pg_ctl, "-D", str(datadir), "-l", str(logfile), "-o", options, "-w",
                   "-t", "30", "start"]
        try:
            _run(command, workdir, "pg_ctl start (replica)")
        except RuntimeError as exc:
            _stop(pg_ctl, datadir, workdir)  # in case it half-started
            log = logfile.read_text(errors="replace")[-4000:] if logfile.exists() else ""
            raise RuntimeError(f"{exc}\nreplica log:\n{log}") from None
        replica = Replica(port, datadir, workdir, pg_ctl, command)
        yield replica
    finally:
        if replica is not None:
            replica.stop()
        shutil.rmtree(workdir, ignore_errors=True)
