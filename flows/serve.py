"""`newsflow serve`: every deployment in deployments/prefect.yaml, served from one process
with Prefect's serve() (no work pool, no workers), plus the inbox watcher.

The YAML file is the one place schedules and parameters live: `prefect deploy --all` reads
the same file for work pools, so the two ways of running newsflow cannot drift apart.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = Path("deployments") / "prefect.yaml"


class DeploymentFileError(ValueError):
    """The deployments file cannot be used."""


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
    from prefect import serve

    from tasks.extract.pool import prestart

    prestart()
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    specs = [s for s in load_specs(path) if not only or s.name in only]
    if watch:  # the watcher runs the inbox as files arrive; its schedule would add empty runs
        from flows.watch import watched_specs

        specs = watched_specs(specs)
    deployments = [runner_deployment(s, overrides) for s in specs]
    stop = threading.Event()
    if watch:
        from flows.watch import watch_inbox

        watcher = threading.Thread(
            target=watch_inbox,
            kwargs={
                "inbox": overrides.get("inbox"),
                "warehouse": overrides.get("warehouse"),
                "sources": overrides.get("sources"),
                "stop": stop,
            },
            name="newsflow-inbox-watcher",
            daemon=True,
        )
        watcher.start()
    try:
        serve(*deployments)
    finally:
        stop.set()
