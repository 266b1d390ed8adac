"""Ingest flows for local sources: the seed articles and folders of HTML or text files.

discover -> skip unchanged -> (extract -> land) per batch. Each stage is a task over a batch;
extraction fans out over a process pool inside its task.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.utilities.annotations import quote

from flows.runs import (
    BATCH_SIZE,
    RunSummary,
    extract_and_land,
    in_batches,
    land_and_count,
    recorded_run,
)
from tasks.land import Batch, unchanged_task
from tasks.sources.files import discover_task

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def default_seeds_dir() -> str:
    """./seeds when run from a checkout's root, else the seeds shipped beside this package."""
    return "seeds" if Path("seeds").is_dir() else str(SEEDS_DIR)


@flow(name="ingest-seeds")
def ingest_seeds(directory: str | None = None, warehouse: str | None = None) -> RunSummary:
    """The five seed articles (or another folder of seed-format text files)."""
    return ingest_local([directory or default_seeds_dir()], "seed", warehouse)


@flow(name="ingest-files")
def ingest_files(
    paths: list[str], warehouse: str | None = None, batch_size: int = BATCH_SIZE
) -> RunSummary:
    """Files or directories (recursive) of .html/.htm/.txt/.md, optionally gzipped."""
    return ingest_local(paths, "file", warehouse, batch_size)


def ingest_local(
    paths: list[str], source_kind: str, warehouse: str | None, batch_size: int = BATCH_SIZE
) -> RunSummary:
    with recorded_run(warehouse, {"paths": paths, "kind": source_kind}) as summary:
        items, discover_errors = discover_task(paths, source_kind)
        summary.items_seen = len(items) + len(discover_errors)
        skip = unchanged_task(summary.warehouse, quote(items))
        todo = [i for i in items if i.path not in skip]
        summary.unchanged = len(items) - len(todo)
        if discover_errors:
            land_and_count(summary, Batch(errors=discover_errors), "discover")
        extract_and_land(summary, in_batches(todo, batch_size), len(todo), source_kind)
    return summary
