"""A real PostgreSQL server on 127.0.0.1 for the lake tests: a throwaway cluster in a temp
folder, started with Debian's server programs (package postgresql; .ci/run installs it).

PostgreSQL refuses to run as root, so as root (CI, these machines) the cluster belongs to
the `postgres` user the package creates, and its programs run through runuser.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "newsflow"  # the cluster's superuser; trust authentication, loopback only
START_TIMEOUT_S = 60  # pg_ctl -w waits this long: initdb + start took ~4 s here


def server_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl), the newest installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


class LocalPostgres:
    """`with LocalPostgres() as pg:` a running cluster; pg.database(name) makes a database and
    returns its libpq connection string (no password: trust on loopback)."""

    def __init__(self) -> None:
        found = server_bin()
        if found is None:
            raise FileNotFoundError("PostgreSQL's server programs (initdb, pg_ctl)")
        self.bin = found
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="newsflow-pg-"))
        self.data = self.root / "data"
        self._as_postgres = os.geteuid() == 0
        self._stopped = False

    def __enter__(self) -> LocalPostgres:
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--no-sync")  # fmt: skip
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", str(START_TIMEOUT_S), "start")  # fmt: skip
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def stop(self) -> None:
        """Stop the server at once, as a crash would (a test may do so mid-run; pg_ctl
        fails on a server already stopped, so only once)."""
        if not self._stopped:
            self._stopped = True
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def database(self, name: str) -> str:
        """Create database `name`; its connection string."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return f"dbname={name} host=127.0.0.1 port={self.port} user={USER}"

    def log(self) -> str:
        path = self.root / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=START_TIMEOUT_S + 30, cwd=self.root
        )
        if done.returncode:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
