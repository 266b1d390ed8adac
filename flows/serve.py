"""`newsflow serve`: every deployment in deployments/prefect.yaml, served from one process
with Prefect's serve() (no work pool, no workers), plus the inbox watcher.

The YAML file is the one place schedules and parameters live: `prefect deploy --all` reads
the same file for work pools, so the two ways of running newsflow cannot drift apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from tasks.errors import first_line

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = Path("deployments") / "prefect.yaml"
INBOX_ENTRYPOINT = "flows/inbox.py:ingest_inbox"
_WATCHER_OPTIONS = ("inbox", "warehouse", "sources", "settle_seconds")


class DeploymentFileError(ValueError):
    """The deployments file cannot be used."""


class UnknownDeploymentError(DeploymentFileError):
    """A deployment asked for by name is not in the deployments file."""


@dataclass(frozen=True, slots=True)
class DeploymentSpec:
    name: str
    entrypoint: str  # path/to/module.py:flow_function, relative to the project root
    description: str | None = None
    tags: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    schedules: tuple[dict[str, Any], ...] = ()


def deployments_file(path: str | Path | None = None) -> Path:
    """The argument, else ./deployments/prefect.yaml, else the one in this checkout."""
    if path:
        return Path(path)
    return DEFAULT_FILE if DEFAULT_FILE.exists() else ROOT / DEFAULT_FILE


def load_specs(path: str | Path | None = None) -> list[DeploymentSpec]:
    file = deployments_file(path)
    try:
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DeploymentFileError(f"{file}: {exc}") from exc
    specs = []
    for i, d in enumerate((doc or {}).get("deployments") or []):
        if not isinstance(d, dict) or not d.get("name") or ":" not in str(d.get("entrypoint")):
            raise DeploymentFileError(f"{file}: deployment {i + 1} needs a name and an entrypoint")
        specs.append(
            DeploymentSpec(
                name=d["name"],
                entrypoint=d["entrypoint"],
                description=d.get("description"),
                tags=tuple(d.get("tags") or ()),
                parameters=dict(d.get("parameters") or {}),
                schedules=tuple(d.get("schedules") or ()),
            )
        )
    if not specs:
        raise DeploymentFileError(f"{file}: no deployments")
    return specs


def select_specs(specs: list[DeploymentSpec], only: list[str] | None) -> list[DeploymentSpec]:
    """The specs named in `only` (all without it). A name not in the file is an error: it
    served nothing, silently (`--only feed` for `feeds`)."""
    if not only:
        return specs
    names = [s.name for s in specs]
    if unknown := [n for n in only if n not in names]:
        quoted = ", ".join(repr(n) for n in unknown)
        raise UnknownDeploymentError(
            f"no deployment named {quoted}; the deployments are: {', '.join(names)}"
        )
    return [s for s in specs if s.name in only]


def watcher_options(
    specs: list[DeploymentSpec], overrides: dict[str, Any]
) -> dict[str, Any] | None:
    """The inbox watcher's arguments under `serve`, None when the inbox is not served
    (`--only feeds`): the inbox deployment's parameters in the deployments file (its folder,
    settle_seconds for slow writers) under the command line's options, so the file is the
    one place they are set for the watcher too."""
    inbox = next((s for s in specs if s.entrypoint == INBOX_ENTRYPOINT), None)
    if inbox is None:
        return None
    options = {k: v for k, v in inbox.parameters.items() if k in _WATCHER_OPTIONS}
    options.update({k: v for k, v in overrides.items() if k in _WATCHER_OPTIONS and v is not None})
    settle = options.get("settle_seconds", 0)
    if isinstance(settle, bool) or not isinstance(settle, int | float) or not 0 <= settle <= 3600:
        raise DeploymentFileError(
            f"deployment {inbox.name!r}: settle_seconds must be a number of seconds "
            f"from 0 to 3600, got {settle!r}"
        )
    return options


def watched_specs(specs: list[DeploymentSpec]) -> list[DeploymentSpec]:
    """The deployments to serve alongside the watcher: the inbox's without its schedule. The
    watcher runs it as files arrive, so the schedule would only add empty runs; it can still
    be run from the UI. (With a work pool there is no watcher and the schedule stays.)"""
    return [replace(s, schedules=()) if s.entrypoint == INBOX_ENTRYPOINT else s for s in specs]


def load_flow(entrypoint: str):
    """The flow object an entrypoint names ("flows/web.py:ingest_feeds")."""
    path, name = entrypoint.rsplit(":", 1)
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def runner_deployment(spec: DeploymentSpec, overrides: dict[str, Any]):
    from prefect.schedules import Cron, Interval

    schedules = []
    for s in spec.schedules:
        if "interval" in s:
            schedules.append(Interval(timedelta(seconds=float(s["interval"]))))
        elif "cron" in s:
            schedules.append(Cron(s["cron"], timezone=s.get("timezone")))
        else:
            raise DeploymentFileError(f"{spec.name}: a schedule needs interval or cron: {s}")
    flow = load_flow(spec.entrypoint)
    accepted = set(flow.parameters.properties)
    parameters = {**spec.parameters, **{k: v for k, v in overrides.items() if k in accepted}}
    return flow.to_deployment(
        name=spec.name,
        schedules=schedules or None,
        parameters=parameters,
        description=spec.description,
        tags=list(spec.tags),
    )


def serve_all(
    path: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    watch: bool = True,
    only: list[str] | None = None,
) -> None:
    """Serve the deployments (blocks until interrupted); `overrides` (e.g. warehouse) go to
    every flow that takes them; with `watch`, the inbox is landed as files arrive."""
    from flows import signals
    from tasks.extract.pool import prestart

    prestart()
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    specs = select_specs(load_specs(path), only)
    watching = watcher_options(specs, overrides) if watch else None
    if watching is not None:  # the watcher runs the inbox as files arrive; its schedule
        specs = watched_specs(specs)  # would add empty runs
    deployments = [runner_deployment(s, overrides) for s in specs]
    stop = threading.Event()
    signals.stopping.clear()  # an earlier serve_all of this process stopped
    if watching is not None:
        from flows.watch import watch_inbox

        def watch_until_stopped(**kwargs: Any) -> None:
            with contextlib.suppress(KeyboardInterrupt):  # a pass that stop_point() ended
                watch_inbox(**kwargs)

        watcher = threading.Thread(
            target=watch_until_stopped,
            kwargs={**watching, "stop": stop},
            name="newsflow-inbox-watcher",
            daemon=True,
        )
        watcher.start()
    try:
        serve(deployments)
    finally:
        stop.set()
        if watching is not None:
            signals.stopping.set()  # a pass under way ends after its batch
            watcher.join(WATCHER_STOP_WAIT_S)
    try:
        mark_stopped_runs(overrides.get("warehouse"))
    except Exception as exc:  # the warehouse locked past the wait, a lake gone: say so
        print(f"newsflow: could not mark the stopped runs: {first_line(exc)}", flush=True)


# How long a pass of the inbox watcher may take to end its batch (extracting up to 500 files
# and landing them) once serve stops; one still going is left to the next run's sweep.
WATCHER_STOP_WAIT_S = 30.0

# How long the runs that serve's runner stopped may take to be gone (it kills their
# processes as it shuts down) before they are marked: their marking is what is waited for.
STOPPED_RUNS_WAIT_S = 10.0


def mark_stopped_runs(warehouse: str | None) -> None:
    """Mark the runs that stopping serve ended (its runner kills the flow runs' processes
    before they can say so) crashed, in the warehouse and in Prefect, as an interrupted
    command's own run is: they stayed `running` until some later run on this host swept
    them, never if serve was not started again. Only runs whose process is gone are touched."""
    from flows.runs import crash_in_prefect, dead_runs
    from warehouse import store

    if not store.is_lake(warehouse) and not store.warehouse_path(warehouse).exists():
        return
    deadline = time.monotonic() + STOPPED_RUNS_WAIT_S
    while True:
        with store.connect(warehouse, lock_timeout=STOPPED_RUNS_WAIT_S) as con:
            running = store.open_runs(con, "")
            # Our own flow runs' processes, killed but maybe not yet reaped (a zombie still
            # answers as alive): reaped here, waited for below.
            ours = [r for r in running if r["host"] == socket.gethostname() and _child(r["pid"])]
            for r in ours:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(r["pid"], os.WNOHANG)
            crashed = dead_runs(running)
            if crashed:
                store.crash_runs(con, crashed)
        if crashed:
            with contextlib.suppress(Exception):  # Prefect gone too: the warehouse says it
                crash_in_prefect(crashed)
        if all(r["run_id"] in crashed for r in ours) or time.monotonic() > deadline:
            return
        time.sleep(0.5)


def _child(pid: int | None) -> bool:
    """Whether process `pid` is this process's child (Linux /proc; False elsewhere)."""
    from flows.runs import proc_stat

    fields = proc_stat(pid)
    return fields is not None and int(fields[1]) == os.getpid()  # field 4: the parent


def serve(deployments: list) -> None:
    """Prefect's serve(), stopped by Ctrl-C or SIGTERM alike: either pauses the schedules of
    every deployment registered so far, also when it comes before the runner has started."""
    from prefect.runner import Runner

    from flows.signals import deferred, stop_like_ctrl_c, stoppable_loop

    class _Runner(Runner):
        serving = False

        def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
            # Prefect's own stops the runner from inside the handler and calls sys.exit(0),
            # racing the pause of the schedules (issue 10: a traceback, 3 of 4 left active).
            stop_like_ctrl_c(signal.SIGTERM, None)

        async def __aenter__(self) -> _Runner:
            runner = await super().__aenter__()
            self.serving = True  # from here on, leaving pauses the schedules (__aexit__)
            _announce(deployments)
            return runner

    runner = _Runner(pause_on_shutdown=True)
    registered = []

    async def start() -> None:
        task = asyncio.current_task()
        assert task is not None
        with stoppable_loop(asyncio.get_running_loop(), task):
            await runner.start()

    try:
        for deployment in deployments:
            with deferred():
                registered.append(runner.add_deployment(deployment))
        asyncio.run(start())
    except (KeyboardInterrupt, asyncio.CancelledError):
        if not runner.serving:
            _pause(registered)
    print(f"stopped; the schedules of {len(registered)} deployments are paused", flush=True)


def _announce(deployments: list) -> None:
    from prefect.settings import PREFECT_UI_URL

    names = ", ".join(f"{d.flow_name}/{d.name}" for d in deployments)
    print(f"serving {len(deployments)} deployments: {names}", flush=True)
    ui = PREFECT_UI_URL.value()
    where = f"; runs and schedules at {ui}/deployments" if ui else ""
    print(f"Ctrl-C or SIGTERM stops serving and pauses their schedules{where}", flush=True)


def _pause(deployment_ids: list) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        for deployment_id in deployment_ids:
            client.pause_deployment(deployment_id)
