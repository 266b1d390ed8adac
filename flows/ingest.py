"""Ingest flows for local sources: the seed articles and folders of HTML or text files.

discover -> skip unchanged -> (extract -> land) per batch -> summary. Each stage is a task
over a batch; extraction fans out over a process pool inside its task.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run

from tasks.discover import discover_task
from tasks.extract import extract_task, make_pool
from tasks.land import land_task, unchanged_task
from tasks.models import IngestError, SourceItem
from tasks.progress import Progress
from warehouse import store

BATCH_SIZE = 200
EXTRACT_AHEAD = 3  # batches being extracted while one is landed
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(slots=True)
class RunSummary:
    run_id: str
    flow_name: str
    warehouse: str
    items_seen: int = 0
    unchanged: int = 0
    items_read: int = 0
    new_articles: int = 0
    duplicates: int = 0
    errors: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (source, stage, error)

    def counts(self) -> dict[str, int]:
        names = ("items_seen", "unchanged", "items_read", "new_articles", "duplicates", "errors")
        return {name: getattr(self, name) for name in names}


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
    logger = get_run_logger()
    started = time.perf_counter()
    db = str(store.warehouse_path(warehouse).resolve())
    run_id = flow_run.get_id() or str(uuid.uuid4())
    summary = RunSummary(run_id=run_id, flow_name=flow_run.get_flow_name() or "", warehouse=db)
    with store.connect(db) as con:
        store.start_run(con, run_id, summary.flow_name, {"paths": paths, "kind": source_kind})
    try:
        _run(summary, paths, source_kind, db, batch_size)
    except BaseException as exc:
        _finish(summary, started, "failed", f"{type(exc).__name__}: {exc}")
        raise
    _finish(summary, started, "completed", None)
    logger.info(
        "read %d, new %d (%d duplicates), unchanged %d, errors %d in %.2f s",
        summary.items_read, summary.new_articles, summary.duplicates,
        summary.unchanged, summary.errors, summary.seconds,
    )  # fmt: skip
    _publish(summary)
    return summary


def _run(summary: RunSummary, paths: list[str], kind: str, db: str, batch_size: int) -> None:
    items, discover_errors = discover_task(paths, kind)
    summary.items_seen = len(items) + len(discover_errors)
    skip = unchanged_task(db, items)
    todo = [i for i in items if i.path not in skip]
    summary.unchanged = len(items) - len(todo)
    if discover_errors:
        _land(summary, db, [], [], discover_errors, "discover")

    progress = Progress(len(todo), key="ingest-progress", description=f"{kind} items extracted")
    batches = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
    pool = make_pool(len(todo))
    # Extraction of the next batches runs in the pool while this thread lands the current one,
    # so the cores never wait for DuckDB; the window bounds memory to a few batches.
    in_flight: deque = deque()
    pending = iter(enumerate(batches, start=1))
    try:
        while True:
            while len(in_flight) < EXTRACT_AHEAD and (nxt := next(pending, None)):
                n, batch = nxt
                label = f"{kind}-{n:04d}"
                in_flight.append((batch, label, extract_task.submit(batch, label, pool)))
            if not in_flight:
                break
            batch, label, future = in_flight.popleft()
            articles, errors = future.result()
            summary.items_read += len(batch)
            _land(summary, db, batch, articles, errors, label)
            progress.advance(len(batch))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _land(
    summary: RunSummary,
    db: str,
    items: list[SourceItem],
    articles: list,
    errors: list[IngestError],
    label: str,
) -> None:
    landed = land_task(db, summary.run_id, items, articles, errors, label=label)
    summary.new_articles += landed.new_articles
    summary.duplicates += landed.duplicates
    # Count every failed item this run, also those whose identical failure is already recorded.
    summary.errors += len(errors)
    summary.failures.extend((e.source_uri, e.stage, e.error) for e in errors)


def _finish(summary: RunSummary, started: float, status: str, message: str | None) -> None:
    summary.seconds = round(time.perf_counter() - started, 3)
    with store.connect(summary.warehouse) as con:
        store.finish_run(con, summary.run_id, status, message=message, **summary.counts())


def _publish(summary: RunSummary) -> None:
    """What the Prefect UI shows for this run."""
    create_table_artifact(
        [{"metric": k, "value": v} for k, v in summary.counts().items()],
        key="ingest-summary",
        description=f"Ingest summary ({summary.seconds:.2f} s) into {summary.warehouse}",
    )
    if summary.failures:
        rows = "\n".join(
            f"| `{uri}` | {stage} | {error} |" for uri, stage, error in summary.failures[:50]
        )
        more = len(summary.failures) - 50
        create_markdown_artifact(
            f"## {summary.errors} item(s) failed\n\n| source | stage | error |\n|---|---|---|\n"
            f"{rows}\n\n{f'…and {more} more. ' if more > 0 else ''}"
            "All of them, with their raw input, are in the `ingest_errors` table.",
            key="ingest-errors",
        )
