"""Extraction stage: a batch of items to Articles, spread over one worker process per core.

Extraction is the CPU-bound stage. Each worker reads its own files: only paths go in and
small records come out.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.extract.read import MAX_BYTES
from tasks.extract.worker import extract_chunk, settings_env, start_worker
from tasks.models import Article, FailedItem, SourceItem

# Below this many items, and with no fork server started ahead (prestart), a pool's start-up
# costs more than it saves. With one started, a pool is always cheaper: its workers fork warm
# in ~10 ms, where extracting in this process first imports trafilatura and loads the
# enrichment models, ~3 s of CPU for a command's first page.
POOL_MIN_ITEMS = 24
# Most items a worker takes at a time. Chunks of a quarter of a batch (2 per worker) left one
# worker idle while the other finished a long chunk: on 990 real pages through ingest_files,
# alternating runs took 18.9-23.4 s with them and 17.6-21.3 s with chunks of 10, faster in
# all six pairs (chunks of 4 and 25 were within the noise of 10).
CHUNK_ITEMS = 10
_prestarted = False
# What each worker process imports once, before it is forked from the fork server.
# Nothing here may import Prefect (see worker.py).
_WORKER_PRELOAD = [
    "tasks.extract.worker", "trafilatura", "charset_normalizer", "wordfreq",
    "tasks.extract.warmup",
]  # fmt: skip


def extract_batch(
    items: list[SourceItem], executor: Executor | None = None, max_bytes: int = MAX_BYTES
) -> tuple[list[Article], list[FailedItem]]:
    """Extract a batch, in parallel when an executor is given; order is preserved."""
    return start(items, executor, max_bytes).result()


class Pending:
    """A batch whose extraction has been queued on the pool (or will run in-process)."""

    def __init__(self, items: list[SourceItem], chunks: list[Future] | None, max_bytes: int):
        self.items = items
        self._chunks = chunks
        self._max_bytes = max_bytes

    def result(self) -> tuple[list[Article], list[FailedItem]]:
        if self._chunks is None:
            results = extract_chunk(self.items, self._max_bytes)
        else:
            results = [r for chunk in self._chunks for r in chunk.result()]
        articles: list[Article] = []
        errors: list[FailedItem] = []
        for result in results:
            (articles if isinstance(result, Article) else errors).append(result)
        return articles, errors


def start(
    items: list[SourceItem], executor: Executor | None = None, max_bytes: int = MAX_BYTES
) -> Pending:
    """Queue a batch's extraction now, in order: batches queued earlier finish earlier, so
    the caller can land one while the pool works on the next."""
    if executor is None:
        return Pending(items, None, max_bytes)
    size = max(1, min(CHUNK_ITEMS, len(items) // (2 * _workers())))
    env = settings_env()
    chunks = [
        executor.submit(extract_chunk, items[i : i + size], max_bytes, env)
        for i in range(0, len(items), size)
    ]
    return Pending(items, chunks, max_bytes)


def _workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def prestart() -> None:
    """Start the workers' fork server now: its imports and model loading (about a second,
    more on a busy machine) then overlap with what comes before the first batch, such as a
    command's Prefect start-up, instead of delaying the first extraction."""
    global _prestarted
    if _workers() < 2:
        return
    _start_forkserver()
    _prestarted = True


def _start_forkserver() -> None:
    """The fork server, started with Ctrl-C ignored: it and the workers it forks leave an
    interrupt to this process, which stops them. Started with the default, a Ctrl-C in its
    first seconds (the preload imports and warms the models) printed a KeyboardInterrupt
    traceback from it in 3 of 3 trials 3 s into `ingest files`. An ignored signal stays
    ignored across fork and exec, and Python then leaves it so; a handler would not."""
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(_WORKER_PRELOAD)
    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()  # (signals can only be set from the main thread)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def make_pool(n_items: int) -> ProcessPoolExecutor | None:
    """A pool with one worker per core, or None when the work is too small to pay for one."""
    workers = _workers()
    if workers < 2 or n_items == 0 or (n_items < POOL_MIN_ITEMS and not _prestarted):
        return None
    # forkserver: forking Prefect's threaded process is unsafe; the server preloads our
    # modules once so each worker starts warm.
    _start_forkserver()
    ctx = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=start_worker, initargs=(os.getpid(),)
    )


@task(name="extract", cache_policy=NO_CACHE, task_run_name="extract-{label}")
def extract_task(pending: Pending, label: str) -> tuple[list[Article], list[FailedItem]]:
    """The batch's extraction, as a task run: waits for the pool (or extracts in-process)."""
    return pending.result()
