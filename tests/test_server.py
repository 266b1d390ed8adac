"""Against a real `prefect server start`: `newsflow serve` serves the deployments, a run of
the seeds deployment completes with its task runs and artifacts, and a file dropped into
the inbox is landed by the served watcher."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    # The served process's own log says why, when it is a served run that never came.
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{tail}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(healthy, 120, "the Prefect server")
        yield url
    finally:
        stop(process)
        log.close()


def api(url: str, method: str, path: str, body: dict | None = None) -> object:
    # The SQLite-backed server answers 503 while its database is locked, under load (seen in
    # a full run); Prefect's own client retries those, and so does this one. A read can also
    # wait out the lock for over 10 s (a GET of the flow run timed out in CI while the
    # worker's run wrote), so reads are retried after a timeout too; a create is not, since
    # it may have been done.
    reads = method == "GET" or path.endswith("/filter")
    for attempt in range(6):
        try:
            response = httpx.request(method, f"{url}{path}", json=body, timeout=30)
        except httpx.TimeoutException:
            if not reads or attempt == 5:
                raise
            continue
        if response.status_code not in (502, 503) or attempt == 5:
            break
        time.sleep(1 + attempt)
    response.raise_for_status()
    return response.json()


def test_served_deployments_run_with_task_runs_and_artifacts(server: str, tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "wh" / "newsflow.duckdb"
    env = _serving_env(server, tmp_path, warehouse)
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    serving = subprocess.Popen(
        [str(BIN / "newsflow"), "serve", "--inbox", str(inbox), "--only", "seeds",
         "--only", "inbox"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deployment = wait_until(
            lambda: _deployment(server, "ingest-seeds", "seeds"),
            90,
            "the seeds deployment",
            tmp_path / "serve.log",
        )
        run = api(server, "POST", f"/deployments/{deployment['id']}/create_flow_run",
                  {"parameters": {"directory": str(SEEDS)}})  # fmt: skip
        final = wait_until(
            lambda: (r := api(server, "GET", f"/flow_runs/{run['id']}"))["state"]["type"]
            in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") and r,
            120, "the seeds run", tmp_path / "serve.log",
        )  # fmt: skip
        assert final["state"]["type"] == "COMPLETED", (tmp_path / "serve.log").read_text()

        # Task runs are recorded from events, after the fact: poll until all four are there.
        names = wait_until(lambda: _task_runs(server, run["id"]) >= {
            "discover-seed", "skip-unchanged", "extract-seed-0001", "land-seed-0001"} and
            _task_runs(server, run["id"]), 30, "the task runs", tmp_path / "serve.log")  # fmt: skip
        assert len(names) == 4

        artifacts = _artifacts(server, run["id"])
        summary = {r["metric"]: r["value"] for r in json.loads(artifacts["ingest-summary"])}
        assert (summary["items_read"], summary["new_articles"], summary["errors"]) == (5, 5, 0)
        assert json.loads(artifacts["ingest-sources"])[0]["new"] == 5
        assert "5 new articles" in artifacts["ingest-report"]

        # The served watcher lands a file dropped into the inbox, as its own flow run.
        shutil.copy(SEEDS / "002_44a44f5a35d60aa0.txt", inbox / "dropped.txt.part")
        (inbox / "dropped.txt.part").rename(inbox / "dropped.txt")
        landed = wait_until(
            lambda: _inbox_landed(server), 60, "the inbox run", tmp_path / "serve.log"
        )
        assert landed == 1  # the same text as a seed, from another path: a new article
    finally:
        stop(serving)
        log.close()


def test_stopping_serve_mid_run_marks_the_run_crashed(server: str, tmp_path: Path) -> None:
    # serve's runner kills its flow runs' processes as it stops: the run stayed `running` in
    # the warehouse and in Prefect until a later run on this host swept it. Started as a
    # script's background job (SIGINT ignored), the SIGTERM also printed ~40 lines of
    # Prefect's callbacks failing on a KeyboardInterrupt raised inside the event loop.
    from tests.conftest import rows
    from tests.test_killed_run import make_articles

    folder, warehouse = tmp_path / "articles", tmp_path / "newsflow.duckdb"
    make_articles(folder, 400)
    env = _serving_env(server, tmp_path, warehouse)
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    serving = subprocess.Popen(
        [str(BIN / "newsflow"), "serve", "--no-watch", "--only", "files"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    try:
        deployment = wait_until(
            lambda: _deployment(server, "ingest-files", "files"), 90, "the files deployment",
            tmp_path / "serve.log",
        )  # fmt: skip
        run = api(server, "POST", f"/deployments/{deployment['id']}/create_flow_run",
                  {"parameters": {"paths": [str(folder)], "batch_size": 10}})  # fmt: skip
        wait_until(
            lambda: api(server, "GET", f"/flow_runs/{run['id']}")["state"]["type"] == "RUNNING",
            120, "the files run", tmp_path / "serve.log",
        )  # fmt: skip
        time.sleep(3)  # into its batches
        serving.send_signal(signal.SIGTERM)  # as systemd stops a service's main process
        assert serving.wait(timeout=60) == 0
    finally:
        stop(serving)
        log.close()
    printed = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in printed and "Exception in callback" not in printed, printed
    assert "stopped; the schedules of 1 deployments are paused" in printed
    ((status, message),) = rows(str(warehouse), "SELECT status, message FROM runs")
    assert status == "crashed" and "ended without finishing the run" in message, message
    state = api(server, "GET", f"/flow_runs/{run['id']}")["state"]["type"]
    assert state in ("CRASHED", "CANCELLED", "FAILED"), state  # no longer running


def test_stopping_serve_mid_inbox_pass_ends_the_pass_as_interrupted(
    server: str, tmp_path: Path
) -> None:
    # The watcher runs its passes on a thread of serve's own process: on SIGTERM the pass ran
    # on into the interpreter's exit (Prefect's "--- Logging error ---" tracebacks on the
    # terminal) and its run stayed `running` until some later run on this host swept it.
    from tests.conftest import rows
    from tests.test_killed_run import landed, make_articles

    inbox, warehouse = tmp_path / "inbox", tmp_path / "newsflow.duckdb"
    make_articles(tmp_path / "articles", 1500)
    inbox.mkdir()
    env = _serving_env(server, tmp_path, warehouse)
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    serving = subprocess.Popen(
        [str(BIN / "newsflow"), "serve", "--only", "inbox", "--inbox", str(inbox)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until(
            lambda: _deployment(server, "ingest-inbox", "inbox"), 90, "the inbox deployment",
            tmp_path / "serve.log",
        )  # fmt: skip
        (tmp_path / "articles").rename(inbox / "articles")
        wait_until(lambda: landed(str(warehouse)) >= 100, 120, "the first batch landed",
                   tmp_path / "serve.log")  # fmt: skip
        serving.send_signal(signal.SIGTERM)
        assert serving.wait(timeout=60) == 0
    finally:
        stop(serving)
        log.close()
    printed = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in printed and "Logging error" not in printed, printed
    ((status, message, new),) = rows(
        str(warehouse), "SELECT status, message, new_articles FROM runs"
    )
    assert (status, message) == ("crashed", "interrupted (KeyboardInterrupt)"), printed
    assert 100 <= new < 1500
    assert rows(str(warehouse), "SELECT count(*) FROM articles") == [(new,)]


def _serving_env(server: str, tmp_path: Path, warehouse: Path) -> dict[str, str]:
    """`newsflow serve` against the module's server, polling for runs every second."""
    return {
        **os.environ, "PREFECT_API_URL": server, "PREFECT_HOME": str(tmp_path / "client-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "NEWSFLOW_WAREHOUSE": str(warehouse),
    }  # fmt: skip


def _deployment(url: str, flow: str, name: str) -> dict | None:
    try:
        return api(url, "GET", f"/deployments/name/{flow}/{name}")
    except httpx.HTTPStatusError:
        return None


def _task_runs(url: str, flow_run_id: str) -> set[str]:
    runs = api(url, "POST", "/task_runs/filter", {"flow_runs": {"id": {"any_": [flow_run_id]}}})
    return {r["name"] for r in runs if r["state"] and r["state"]["type"] == "COMPLETED"}


def _artifacts(url: str, flow_run_id: str) -> dict[str, str]:
    found = api(url, "POST", "/artifacts/filter",
                {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}})  # fmt: skip
    return {a["key"]: a["data"] for a in found}


def _inbox_landed(url: str) -> int:
    runs = api(url, "POST", "/flow_runs/filter", {"flows": {"name": {"any_": ["ingest-inbox"]}}})
    new = 0
    for run in runs:
        data = _artifacts(url, run["id"]).get("ingest-summary")
        if data:
            new += {r["metric"]: r["value"] for r in json.loads(data)}["new_articles"]
    return new


def test_two_ingest_runs_at_once_lose_and_double_nothing(server: str, tmp_path: Path) -> None:
    import random

    words = (SEEDS / "001_801dbc815b007bc0.txt").read_text(encoding="utf-8").split()
    for folder, seed in (("a", 1), ("b", 2)):
        (tmp_path / folder).mkdir()
        rng = random.Random(seed)
        for i in range(40):
            body = " ".join(rng.choice(words) for _ in range(150))
            (tmp_path / folder / f"{folder}{i:02d}.txt").write_text(f"Story {folder}{i}\n\n{body}")
        for path in sorted(SEEDS.glob("*.txt"))[:3]:  # the same three texts in both
            shutil.copy(path, tmp_path / folder / path.name)
    warehouse = tmp_path / "shared.duckdb"
    env = {
        **os.environ, "PREFECT_API_URL": server, "PREFECT_HOME": str(tmp_path / "home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "NEWSFLOW_WAREHOUSE": str(warehouse),
    }  # fmt: skip
    command = [str(BIN / "newsflow"), "ingest", "files", "--batch-size", "10"]
    runs = [
        subprocess.Popen(
            [*command, str(tmp_path / folder)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for folder in ("a", "b")
    ]
    outputs = [p.communicate(timeout=180)[0] for p in runs]
    assert [p.returncode for p in runs] == [0, 0], outputs
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        total, paths, copies = con.execute(
            "SELECT count(*), count(DISTINCT source_uri), count(duplicate_of) FROM articles"
        ).fetchone()
        statuses = con.execute("SELECT status, new_articles FROM runs").fetchall()
    assert (total, paths) == (86, 86)  # every file once
    assert copies == 3  # one of each pair of identical seed texts points at the other
    assert sorted(statuses) == [("completed", 43), ("completed", 43)]


ROOT = Path(__file__).resolve().parent.parent


def test_prefect_deploy_with_a_process_worker(server: str, tmp_path: Path) -> None:
    """deployments/prefect.yaml as `prefect deploy --all` reads it, run by a process worker."""
    env = {
        **os.environ, "PREFECT_API_URL": server, "PREFECT_HOME": str(tmp_path / "home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "1",
        "NEWSFLOW_ROOT": str(ROOT), "NEWSFLOW_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "NEWSFLOW_INBOX": str(tmp_path / "inbox"), "NEWSFLOW_SOURCES": str(tmp_path / "s.toml"),
    }  # fmt: skip
    prefect = str(BIN / "prefect")
    subprocess.run([prefect, "work-pool", "create", "newsflow", "--type", "process"],
                   env=env, check=True, capture_output=True)  # fmt: skip
    deployed = subprocess.run(
        [prefect, "--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml"],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    pool = {"work_pools": {"name": {"any_": ["newsflow"]}}}
    found = api(server, "POST", "/deployments/filter", pool)
    by_name = {d["name"]: d for d in found}
    assert set(by_name) == {"feeds", "files", "inbox", "maintenance", "seeds"}
    assert by_name["feeds"]["schedules"][0]["schedule"]["interval"] == 600
    assert by_name["maintenance"]["schedules"][0]["schedule"]["cron"] == "30 3 * * *"

    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [prefect, "worker", "start", "--pool", "newsflow"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        run = api(server, "POST", f"/deployments/{by_name['seeds']['id']}/create_flow_run",
                  {"parameters": {"directory": str(SEEDS)}})  # fmt: skip
        final = wait_until(
            lambda: (r := api(server, "GET", f"/flow_runs/{run['id']}"))["state"]["type"]
            in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") and r,
            120, "the worker's run", tmp_path / "worker.log",
        )  # fmt: skip
        assert final["state"]["type"] == "COMPLETED", (tmp_path / "worker.log").read_text()
        summary = json.loads(_artifacts(server, run["id"])["ingest-summary"])
        assert {"metric": "new_articles", "value": 5} in summary
    finally:
        stop(worker)
        log.close()


def test_optional_prefect_limit_on_landing(server: str, tmp_path: Path) -> None:
    env = {
        **os.environ, "PREFECT_API_URL": server, "PREFECT_HOME": str(tmp_path / "home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "NEWSFLOW_WAREHOUSE_LIMIT": "1",
        "NEWSFLOW_WAREHOUSE": str(tmp_path / "w.duckdb"),
    }  # fmt: skip
    result = subprocess.run([str(BIN / "newsflow"), "ingest", "seeds", str(SEEDS)],
                            env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 new" in result.stdout
    limits = api(server, "POST", "/v2/concurrency_limits/filter", {})
    (limit,) = [x for x in limits if x["name"] == "newsflow-warehouse"]
    assert limit["limit"] == 1 and limit["active_slots"] == 0  # created, and given back


SERVED = {"feeds", "files", "inbox", "maintenance", "seeds"}


@pytest.mark.parametrize(
    ("signum", "when"),
    [(signal.SIGINT, "serving"), (signal.SIGTERM, "serving"), (signal.SIGTERM, "starting")],
)
def test_serve_stops_on_sigterm_as_on_ctrl_c(
    server: str, tmp_path: Path, signum: int, when: str
) -> None:
    """Ctrl-C pauses every served deployment and exits 0; SIGTERM (systemd, Docker) must do
    exactly the same, also when it comes while the deployments are still being registered."""
    for d in _served(server).values():  # earlier tests' serves: start from all paused
        api(server, "POST", f"/deployments/{d['id']}/pause_deployment")
    env = {
        **os.environ, "PREFECT_API_URL": server, "PREFECT_HOME": str(tmp_path / "client-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "NEWSFLOW_WAREHOUSE": str(tmp_path / "w.duckdb"),
    }  # fmt: skip
    log_path = tmp_path / "serve.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    serving = subprocess.Popen(
        [str(BIN / "newsflow"), "serve", "--inbox", str(tmp_path / "inbox")],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:

        def ready() -> bool:
            found = _served(server)
            if when == "starting":  # the first deployment is registered, the rest not yet
                return any(not d["paused"] for d in found.values())
            # all registered, and the runner is polling for their runs (READY)
            return found.keys() == SERVED and all(
                not d["paused"] and d["status"] == "READY" for d in found.values()
            )

        wait_until(ready, 120, f"serve {when}", log_path)
        serving.send_signal(signum)
        returncode = serving.wait(timeout=60)
    finally:
        stop(serving)
        log.close()
    output = log_path.read_text(errors="replace")
    assert returncode == 0, output
    assert "Traceback" not in output and "never awaited" not in output, output
    paused = {name: d["paused"] for name, d in _served(server).items()}
    if when == "serving":
        assert paused == dict.fromkeys(SERVED, True), output
    else:  # stopped while registering: those never registered do not exist (or were paused)
        assert paused and all(paused.values()), output


def _served(url: str) -> dict[str, dict]:
    """The deployments `newsflow serve` registers, by name."""
    found = api(url, "POST", "/deployments/filter", {})
    return {d["name"]: d for d in found if d["name"] in SERVED}


def test_a_background_server_is_used_without_configuration(server: str, tmp_path: Path) -> None:
    """`prefect server start --background` keeps its process id in PREFECT_HOME/server.pid
    and listens on PREFECT_SERVER_API_PORT: with that and no PREFECT_API_URL, newsflow runs
    its flow there instead of starting a temporary server (10-30 s) for the command."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "server.pid").write_text("0")  # what --background writes; only its presence counts
    env = {
        **os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_PORT": str(httpx.URL(server).port),
        "NEWSFLOW_WAREHOUSE": str(tmp_path / "w.duckdb"),
    }  # fmt: skip
    env.pop("PREFECT_API_URL", None)
    result = subprocess.run([str(BIN / "newsflow"), "ingest", "seeds", str(SEEDS)],
                            env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "temporary" not in result.stderr, result.stderr
    run_id = result.stdout.rsplit("(flow run ", 1)[1].split(")")[0]
    assert api(server, "GET", f"/flow_runs/{run_id}")["state"]["type"] == "COMPLETED"
