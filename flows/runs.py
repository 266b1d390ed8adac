"""What every ingest flow run shares: its summary and `runs` row, the extract-and-land loop,
and what the Prefect UI shows when it ends."""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from tasks.extract import extract_task, make_pool, start
from tasks.land import Batch, land_task
from tasks.models import Article, IngestError, SourceItem
from tasks.progress import Progress
from warehouse import store

BATCH_SIZE = 200
EXTRACT_AHEAD = 3  # batches being extracted while one is landed


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


@contextmanager
def recorded_run(warehouse: str | None, parameters: dict) -> Iterator[RunSummary]:
    """A `runs` row for this flow run: running, then completed or failed with the reason."""
    started = time.perf_counter()
    db = str(store.warehouse_path(warehouse).resolve())
    run_id = flow_run.get_id() or str(uuid.uuid4())
    summary = RunSummary(run_id=run_id, flow_name=flow_run.get_flow_name() or "", warehouse=db)
    with store.connect(db) as con:
        store.start_run(con, run_id, summary.flow_name, parameters)
    try:
        yield summary
    except BaseException as exc:
        _finish(summary, started, "failed", f"{type(exc).__name__}: {exc}")
        raise
    _finish(summary, started, "completed", None)
    get_run_logger().info(
        "read %d, new %d (%d duplicates), unchanged %d, errors %d in %.2f s",
        summary.items_read, summary.new_articles, summary.duplicates,
        summary.unchanged, summary.errors, summary.seconds,
    )  # fmt: skip
    _publish(summary)


def land(summary: RunSummary, batch: Batch, label: str) -> store.Landed:
    # quote(): Prefect would otherwise walk every record of the batch looking for futures,
    # which cost more than landing it.
    landed = land_task(summary.warehouse, summary.run_id, quote(batch), label=label)
    summary.new_articles += landed.new_articles
    summary.duplicates += landed.duplicates
    # Count every failed item this run, also those whose identical failure is already recorded.
    summary.errors += len(batch.errors)
    summary.failures.extend((e.source_uri, e.stage, e.error) for e in batch.errors)
    return landed


def extract_and_land(
    summary: RunSummary,
    batches: Iterable[Batch],
    total: int,
    label_prefix: str,
    before_land: Callable[[Batch, list[Article], list[IngestError]], None] | None = None,
) -> None:
    """Extract each batch's items on all cores and land it, extracting ahead while landing.

    `batches` may be a generator that does I/O (fetching) to make each batch: it is drawn
    from while earlier batches are being extracted. `before_land` may add rows that depend
    on the extraction (e.g. feed items) to a batch.
    """
    progress = Progress(total, key="ingest-progress", description="items extracted")
    pool = make_pool(total)
    # Extraction of the next batches runs in the pool while this thread lands the current one,
    # so the cores never wait for DuckDB; the window bounds memory to a few batches.
    in_flight: deque = deque()
    pending = iter(enumerate(batches, start=1))
    try:
        while True:
            while len(in_flight) < EXTRACT_AHEAD and (nxt := next(pending, None)):
                n, batch = nxt
                in_flight.append((batch, f"{label_prefix}-{n:04d}", start(batch.items, pool)))
            if not in_flight:
                break
            batch, label, queued = in_flight.popleft()
            articles, errors = extract_task(queued, label)
            if before_land is not None:
                before_land(batch, articles, errors)
            batch.articles.extend(articles)
            batch.errors.extend(errors)
            summary.items_read += len(batch.items)
            land(summary, batch, label)
            progress.advance(len(batch.items))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def in_batches(items: list[SourceItem], size: int = BATCH_SIZE) -> list[Batch]:
    return [Batch(items=items[i : i + size]) for i in range(0, len(items), size)]


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
