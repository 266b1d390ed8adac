"""A real Prefect deployment for the scale-out tests: `prefect server start` on a PostgreSQL
database (tests/pg.py), a process work pool, and N `prefect worker start` processes, all on
127.0.0.1, each with its own PREFECT_HOME under a temp folder. Nothing here is a harness of
Prefect's: these are the commands docs/scale-out.md tells a user to run.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tests.pg import USER, LocalPostgres

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

ROOT = Path(__file__).resolve().parent.parent
PREFECT = str(Path(sys.executable).parent / "prefect")
POOL = "newsflow"  # the pool deployments/prefect.yaml names
# `prefect server start` on PostgreSQL answered /api/health 10-15 s after start here (the
# migrations of a new database are most of it); 120 s leaves room on a busy 2-core machine.
SERVER_START_S = 120
COMMAND_S = 120  # one CLI call (work-pool create, deploy): 3-6 s here, mostly imports
RUNS_S = 300  # flow runs of the scale-out test: well under a minute here
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class PrefectCluster:
    """`with PrefectCluster(pg, workers=3, env={...}) as cluster:` a server on `pg`, the pool,
    and `workers` workers whose environment (the warehouse, …) is os.environ plus `env`."""

    def __init__(self, pg: LocalPostgres, workers: int, env: dict[str, str]) -> None:
        self.pg = pg
        self.n_workers = workers
        self.root = Path(tempfile.mkdtemp(prefix="newsflow-prefect-cluster-"))
        self.port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.server: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            **env,
            "PREFECT_HOME": str(self.root / "home"),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_ENABLED": "false",
            # Workers ask for runs every 10 s by default; 1 s keeps the test short.
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "PREFECT_WORKER_PREFETCH_SECONDS": "1",
            # The tests start every run themselves: deploying a scheduled deployment (feeds,
            # every 10 minutes) must not start runs of its own on the workers.
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        }
        self.env.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)

    def __enter__(self) -> PrefectCluster:
        try:
            self._start_server()
            self.cli("work-pool", "create", POOL, "--type", "process")
            for n in range(self.n_workers):
                self.workers.append(self._spawn(f"worker-{n}", "worker", "start", "--pool",
                    POOL, "--name", f"worker-{n}", "--limit", "1"))  # fmt: skip
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in [*self.workers, self.server]:
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.workers, self.server]:
            if proc is not None:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def cli(self, *args: str) -> str:
        """A `prefect` command against this server, from the project's root; its output."""
        done = subprocess.run([PREFECT, "--no-prompt", *args], env=self.env, cwd=ROOT,
            capture_output=True, text=True, timeout=COMMAND_S)  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"prefect {' '.join(args)}: {done.stdout}{done.stderr}")
        return done.stdout

    def deploy(self, *names: str) -> None:
        """Deploy `names` from deployments/prefect.yaml, as the docs say."""
        chosen = [arg for name in names for arg in ("--name", name)]
        self.cli("deploy", *chosen, "--prefect-file", "deployments/prefect.yaml")

    def start(self, deployment: str, parameters: dict) -> uuid.UUID:
        """A flow run of `deployment` ("flow/deployment") for a worker to take; its id."""
        with self._client() as client:
            found = client.read_deployment_by_name(deployment)
            return client.create_flow_run_from_deployment(found.id, parameters=parameters).id

    def state(self, run_id: uuid.UUID) -> tuple[str, str | None]:
        """(state type, message) of a flow run, e.g. ("RUNNING", None)."""
        with self._client() as client:
            state = client.read_flow_run(run_id).state
        return (state.type.value, state.message) if state else ("NONE", None)

    def wait(self, run_ids: list[uuid.UUID], timeout: float = RUNS_S) -> list[str]:
        """Wait until the runs ended (completed, failed, crashed or cancelled); their states."""
        deadline = time.monotonic() + timeout
        while True:
            states = [self.state(i) for i in run_ids]
            if all(s[0] in FINAL for s in states):
                return [s[0] for s in states]
            if time.monotonic() > deadline:
                raise AssertionError(f"flow runs not ended in {timeout} s: {states}")
            time.sleep(1)

    def kill_worker_running(self, pid: int) -> int:
        """kill -9 the worker whose flow run is process `pid`, that process's group (the
        flow run's subprocess and its extraction processes: Prefect starts the subprocess in
        a session of its own) and the worker's, as when their machine stops; the worker's
        number."""
        worker, parent = None, pid
        while worker is None and parent > 1:
            parent = _parent(parent)
            worker = next((n for n, w in enumerate(self.workers) if w.pid == parent), None)
        if worker is None:
            raise LookupError(f"process {pid} is no worker's flow run")
        os.killpg(os.getpgid(pid), signal.SIGKILL)
        os.killpg(self.workers[worker].pid, signal.SIGKILL)
        self.workers[worker].wait()
        return worker

    @contextmanager
    def _client(self) -> Iterator[SyncPrefectClient]:
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with (
            temporary_settings({PREFECT_API_URL: self.api_url}),
            get_client(sync_client=True) as client,
        ):
            yield client

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _start_server(self) -> None:
        dsn = f"postgresql+asyncpg://{USER}@127.0.0.1:{self.pg.port}/prefect"
        self.pg.database("prefect")
        env = {**self.env, "PREFECT_API_DATABASE_CONNECTION_URL": dsn}
        self.server = self._spawn("server", "server", "start", "--host", "127.0.0.1",
            "--port", str(self.port), env=env)  # fmt: skip
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"prefect server exited: {self.log('server')[-4000:]}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        tail = self.log("server")[-4000:]
        raise RuntimeError(f"prefect server not up in {SERVER_START_S} s: {tail}")

    def _spawn(self, name: str, *args: str, env: dict[str, str] | None = None):
        out = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 - the process keeps it
        return subprocess.Popen([PREFECT, "--no-prompt", *args], env=env or self.env,
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
