"""What runs inside an extraction worker process. Kept apart from pool.py, which imports
Prefect: a worker unpickles the function it is sent by importing that function's module,
and importing Prefect cost each worker 1.3 s of CPU (2 s on a busy machine) before its
first page."""

from __future__ import annotations

import os
import signal
import threading
import time

from tasks.enrich.annotate import enrich_stored
from tasks.extract.document import extract_item
from tasks.models import Article, FailedItem, SourceItem

ENV_PREFIX = "NEWSFLOW_"


def extract_chunk(
    items: list[SourceItem], max_bytes: int, env: dict[str, str] | None = None
) -> list[Article | FailedItem]:
    """`env`: the caller's NEWSFLOW_* variables now. A worker is forked from a fork server
    that copied the environment when it started, which may be long before (`newsflow
    serve`, or a process that changes its settings between runs): settings are read from
    what the caller has, not what the fork server had."""
    if env is not None:
        _use_env(env)
    return [extract_item(item, max_bytes) for item in items]


def enrich_chunk(inputs: list[tuple], env: dict[str, str]) -> list[dict]:
    """Stored articles enriched again (flows/enrichment.py), with the caller's settings."""
    _use_env(env)
    return enrich_stored(inputs)


def _use_env(env: dict[str, str]) -> None:
    for name in [n for n in os.environ if n.startswith(ENV_PREFIX) and n not in env]:
        del os.environ[name]
    os.environ.update(env)


def settings_env() -> dict[str, str]:
    """This process's NEWSFLOW_* variables, for extract_chunk."""
    return {n: v for n, v in os.environ.items() if n.startswith(ENV_PREFIX)}


# How often a worker looks whether the process it works for is still there.
ORPHAN_CHECK_S = 2.0


def start_worker(owner: int) -> None:
    """A worker's start: Ctrl-C ignored (it reaches every process of the terminal's group;
    the command stops the pool and says so in one line, and each worker's own
    KeyboardInterrupt traceback was noise), and the worker gone once `owner`, the process
    whose pool it is, is gone. Killed alone (kill -9, the kernel's OOM killer), that process
    left its fork server and workers running for good, 1.1 GB, each holding the others'
    pipes open so that none saw the end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_without, args=(owner,), daemon=True).start()


def _exit_without(owner: int) -> None:
    while True:
        time.sleep(ORPHAN_CHECK_S)
        try:
            os.kill(owner, 0)
        except (ProcessLookupError, PermissionError):  # gone, or its number another user's
            os._exit(1)
