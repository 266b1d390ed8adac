"""Extraction stage: a batch of items to Articles, spread over one worker process per core.

Extraction is the CPU-bound stage. Each worker reads its own files: only paths go in and
small records come out.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import partial

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.extractors import extract_item
from tasks.models import Article, IngestError, SourceItem
from tasks.read import MAX_BYTES

# Below this many items a pool's start-up costs more than it saves.
POOL_MIN_ITEMS = 24
# What each worker process imports once, before it is forked from the fork server.
_WORKER_PRELOAD = ["tasks.extractors", "trafilatura", "charset_normalizer", "wordfreq"]


def extract_batch(
    items: list[SourceItem], executor: Executor | None = None, max_bytes: int = MAX_BYTES
) -> tuple[list[Article], list[IngestError]]:
    """Extract a batch, in parallel when an executor is given; order is preserved."""
    work = partial(extract_item, max_bytes=max_bytes)
    if executor is None:
        results: Iterable[Article | IngestError] = map(work, items)
    else:
        chunk = max(1, len(items) // (4 * _workers()))
        results = executor.map(work, items, chunksize=chunk)
    articles: list[Article] = []
    errors: list[IngestError] = []
    for result in results:
        (articles if isinstance(result, Article) else errors).append(result)
    return articles, errors


def _workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def make_pool(n_items: int) -> ProcessPoolExecutor | None:
    """A pool with one worker per core, or None when the work is too small to pay for one."""
    workers = _workers()
    if workers < 2 or n_items < POOL_MIN_ITEMS:
        return None
    # forkserver: forking Prefect's threaded process is unsafe; the server preloads our
    # modules once so each worker starts warm.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_WORKER_PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


@task(name="extract", cache_policy=NO_CACHE, task_run_name="extract-{label}")
def extract_task(
    items: list[SourceItem], label: str, executor: Executor | None = None
) -> tuple[list[Article], list[IngestError]]:
    return extract_batch(items, executor)
