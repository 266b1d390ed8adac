"""Watch the inbox: run the ingest-inbox flow whenever files arrive in it.

One pass at start lands whatever arrived while nothing was watching; then each change to the
folder (seen by watchfiles, which uses inotify and falls back to polling) starts a pass once
the changed files have settled. A file still being written is left for the next pass, which
comes as soon as it has settled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flows.inbox import SETTLE_SECONDS, inbox_dir, inbox_files, ingest_inbox
from flows.runs import RunSummary

log = logging.getLogger("newsflow.watch")
# With no events, look again this often anyway: events can be lost (network filesystems).
RESCAN_SECONDS = 30.0


def unsettled(inbox: Path, settle_seconds: float) -> bool:
    """Whether some file in the inbox changed too recently to be taken yet."""
    now = time.time()
    return any(now - mtime < settle_seconds for mtime, _ in inbox_files(inbox))


def watch_inbox(
    inbox: str | None = None,
    warehouse: str | None = None,
    sources: str | None = None,
    settle_seconds: float = SETTLE_SECONDS,
    stop: threading.Event | None = None,
    on_run: Callable[[RunSummary], None] | None = None,
) -> None:
    """Land files dropped into `inbox` until `stop` is set (or forever)."""
    import watchfiles

    folder = inbox_dir(inbox)
    folder.mkdir(parents=True, exist_ok=True)
    stop = stop or threading.Event()

    def run() -> None:
        try:
            summary = ingest_inbox(
                inbox=str(folder), warehouse=warehouse, sources=sources,
                settle_seconds=settle_seconds,
            )  # fmt: skip
        except Exception:  # a failed pass is in the Prefect UI; the watcher goes on
            log.exception("inbox pass failed")
            return
        if on_run is not None:
            on_run(summary)

    run()
    last_pass = time.monotonic()
    for changes in watchfiles.watch(
        folder, stop_event=stop, debounce=200, step=50, yield_on_timeout=True,
        rust_timeout=int(1000 * max(settle_seconds, 0.5)), raise_interrupt=False,
    ):  # fmt: skip
        waiting = unsettled(folder, settle_seconds)
        if not changes and not waiting and time.monotonic() - last_pass < RESCAN_SECONDS:
            continue
        if waiting:
            time.sleep(settle_seconds)  # let the newest file settle, then take what is ready
        run()
        last_pass = time.monotonic()
        if stop.is_set():
            break
