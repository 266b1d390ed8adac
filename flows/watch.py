"""Watch the inbox: run the ingest-inbox flow whenever files arrive in it.

One look at start lands whatever arrived while nothing was watching; then each change to the
folder (seen by watchfiles, which uses inotify and falls back to polling) starts a pass once
the changed files have settled. A file still being written is left for the next pass, which
comes as soon as it has settled.

A pass is a flow run only when some settled file is new or changed: an idle inbox looked at
every RESCAN_SECONDS would otherwise add thousands of empty runs a day to the Prefect UI. The
watcher remembers each file's (size, mtime_ns) as of its last pass; at start, what it has not
seen yet is checked once against the warehouse's file_state (the pass itself would skip those
files: this only saves the run). Later passes ask nothing of the warehouse, which allows one
writing process at a time.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from flows.inbox import SETTLE_SECONDS, inbox_dir, inbox_stats, ingest_inbox
from flows.runs import RunSummary
from tasks.errors import first_line
from tasks.models import SourceItem, printable_path

log = logging.getLogger("newsflow.watch")
# With no events, look again this often anyway: events can be lost (network filesystems).
RESCAN_SECONDS = 30.0

Snapshot = dict[str, tuple[int, int]]  # absolute path -> (size, mtime_ns)


def look(inbox: Path, settle_seconds: float) -> tuple[Snapshot, bool]:
    """One walk of the inbox: (size, mtime_ns) of each file a pass would take now, and
    whether some other file changed too recently to be taken yet."""
    now, found, waiting = time.time(), {}, False
    for path, st in inbox_stats(inbox):
        if now - st.st_mtime < settle_seconds:
            waiting = True
        else:
            found[os.path.abspath(path)] = (st.st_size, st.st_mtime_ns)
    return found, waiting


class InboxPasses:
    """ingest-inbox passes over one folder that start a flow run only when a settled file is
    new or changed since the last pass."""

    def __init__(
        self,
        folder: Path,
        warehouse: str | None = None,
        sources: str | None = None,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self.folder, self.warehouse, self.sources = folder, warehouse, sources
        self.settle_seconds = settle_seconds
        self.seen: Snapshot | None = None  # as of the last pass; None until the first look

    def run(self, snapshot: Snapshot | None = None) -> RunSummary | None:
        """Run a pass if there is anything to take; None when there was not (no flow run).
        `snapshot` is what a look just found (else the folder is looked at now)."""
        if snapshot is None:
            snapshot = look(self.folder, self.settle_seconds)[0]
        if self.seen is None:
            self.seen = self._landed_before(snapshot)
        if all(self.seen.get(path) == state for path, state in snapshot.items()):
            return None
        summary = ingest_inbox(
            inbox=str(self.folder), warehouse=self.warehouse, sources=self.sources,
            settle_seconds=self.settle_seconds,
        )  # fmt: skip
        # Only after the pass succeeded: a failed one (the warehouse was locked) is tried again.
        self.seen = snapshot
        return summary

    def _landed_before(self, snapshot: Snapshot) -> Snapshot:
        """The part of `snapshot` whose files the warehouse already has, unchanged."""
        if not snapshot:
            return {}
        from tasks.land import unchanged

        # By the printable name file_state keeps: a name that is not UTF-8 stopped the whole
        # check ('utf-8' codec can't encode), and every watcher start ran a pass.
        items = [
            SourceItem("inbox", printable_path(p), printable_path(p), size, mtime)
            for p, (size, mtime) in snapshot.items()
        ]
        try:
            done = unchanged(self.warehouse, items)
        except Exception as exc:  # the pass will say what is wrong, in the Prefect UI
            log.warning("cannot check the inbox against the warehouse: %s", exc)
            return {}
        return {p: state for p, state in snapshot.items() if printable_path(p) in done}


def watch_inbox(
    inbox: str | None = None,
    warehouse: str | None = None,
    sources: str | None = None,
    settle_seconds: float = SETTLE_SECONDS,
    stop: threading.Event | None = None,
    on_run: Callable[[RunSummary], None] | None = None,
) -> None:
    """Land files dropped into `inbox` until `stop` is set (or forever); `on_run` gets the
    summary of each pass that ran (a look that found nothing new runs none)."""
    folder = inbox_dir(inbox)
    folder.mkdir(parents=True, exist_ok=True)
    stop = stop or threading.Event()
    passes = InboxPasses(folder, warehouse, sources, settle_seconds)
    with _remembered_interrupt() as interrupted:
        _watch(folder, passes, settle_seconds, stop, on_run, interrupted)


@contextmanager
def _remembered_interrupt() -> Iterator[threading.Event]:
    """An event set by Ctrl-C (and SIGTERM, which stops newsflow as Ctrl-C does), for the
    main thread's watcher: one that came as a pass's flow run was finishing was swallowed
    by Prefect, and `watch` went on watching (seen in a test: a Ctrl-C 1 s after a drop)."""
    caught = threading.Event()
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield caught
        return

    def remember(signum: int, frame: FrameType | None) -> None:
        caught.set()
        previous(signum, frame)

    signal.signal(signal.SIGINT, remember)
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


def _watch(
    folder: Path,
    passes: InboxPasses,
    settle_seconds: float,
    stop: threading.Event,
    on_run: Callable[[RunSummary], None] | None,
    interrupted: threading.Event,
) -> None:
    import watchfiles

    def run(snapshot: Snapshot | None = None) -> None:
        try:
            summary = passes.run(snapshot)
        except Exception as exc:  # a failed pass is in the Prefect UI; the watcher goes on
            # One line on the terminal (the traceback with -v, at debug level): a Prefect
            # server gone for a minute printed a traceback per drop.
            log.error("inbox pass failed: %s", first_line(exc))
            log.debug("inbox pass failed", exc_info=True)
            return
        if summary is not None and on_run is not None:
            on_run(summary)
        if interrupted.is_set():
            raise KeyboardInterrupt

    run()
    last_pass = time.monotonic()
    while not stop.is_set():
        try:
            for changes in watchfiles.watch(
                folder, stop_event=stop, debounce=200, step=50, yield_on_timeout=True,
                rust_timeout=int(1000 * max(settle_seconds, 0.5)), raise_interrupt=True,
            ):  # fmt: skip
                snapshot, waiting = look(folder, settle_seconds)
                if not changes and not waiting and time.monotonic() - last_pass < RESCAN_SECONDS:
                    continue
                if waiting:
                    # let the newest file settle, then take what is ready
                    time.sleep(settle_seconds)
                    snapshot = None
                run(snapshot)
                last_pass = time.monotonic()
                if stop.is_set():
                    break
        except RuntimeError as exc:
            # watchfiles' WatchfilesRustInternalError: an event for a name that is not UTF-8
            # ('Unable to decode path') ended the watch, and with it serve's watcher thread
            # (silently: serve went on without one) or `watch` (exit 1). The pass records
            # such a file as one ingest_errors row; watch again, after a pause (no busy loop).
            log.warning("inbox watcher: %s; watching again", first_line(exc))
            if stop.wait(max(settle_seconds, 1.0)):
                break
            run()
            last_pass = time.monotonic()
            continue
        break
