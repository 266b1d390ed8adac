"""What every ingest flow run shares: its summary and `runs` row, the extract-and-land loop,
and what the Prefect UI shows when it ends."""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from flows.progress import Progress
from flows.signals import interrupted, stop_point
from tasks.extract.pool import extract_task, make_pool, start
from tasks.extract.urls import host_of
from tasks.land import Batch, Landed, land_task
from tasks.models import Article, FailedItem, SourceItem
from warehouse import store

# Items a batch holds at most (one extract and one land task run each). A batch costs the
# Prefect server two task runs and the warehouse one connection, whose opening replays the
# write-ahead log so far: on 990 real pages (bench/extraction_real.py's pages through
# ingest_files), batches of 500 rather than 200 took the command's own CPU from 1.8-2.0 s to
# 1.2-1.3 s and the server's from 0.8-0.9 s to 0.6 s. The first batches are smaller,
# FIRST_BATCH and doubling, so that a run's first articles land within seconds.
BATCH_SIZE = 500
FIRST_BATCH = 100
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
    # source (a page's host, a file's folder) -> read / new / duplicates / errors
    sources: dict[str, Counter] = field(default_factory=dict)

    def count(self, source: str, what: str, n: int = 1) -> None:
        self.sources.setdefault(source, Counter())[what] += n

    def counts(self) -> dict[str, int]:
        names = ("items_seen", "unchanged", "items_read", "new_articles", "duplicates", "errors")
        return {name: getattr(self, name) for name in names}


@contextmanager
def recorded_run(warehouse: str | None, parameters: dict) -> Iterator[RunSummary]:
    """A `runs` row for this flow run: running, then completed, failed or crashed with the
    reason. Runs left `running` by a process that is gone are marked crashed first."""
    started = time.perf_counter()
    db = store.identity(warehouse)
    run_id = flow_run.get_id() or str(uuid.uuid4())
    summary = RunSummary(run_id=run_id, flow_name=flow_run.get_flow_name() or "", warehouse=db)
    with store.connect(db) as con:
        store.start_run(con, run_id, summary.flow_name, parameters, this_process())
        crashed = dead_runs(store.open_runs(con, run_id))
        if crashed:
            store.crash_runs(con, crashed)
    if crashed:
        crash_in_prefect(crashed)
    try:
        yield summary
    except BaseException as exc:
        if interrupted(exc):
            _finish(summary, started, "crashed", f"interrupted ({type(exc).__name__})")
        else:
            _finish(summary, started, "failed", f"{type(exc).__name__}: {exc}")
        raise
    _finish(summary, started, "completed", None)
    get_run_logger().info(
        "read %d, new %d (%d duplicates), unchanged %d, errors %d in %.2f s",
        summary.items_read, summary.new_articles, summary.duplicates,
        summary.unchanged, summary.errors, summary.seconds,
    )  # fmt: skip
    _publish(summary)


def this_process() -> tuple[str, int, int | None]:
    """(host, pid, start time) of this process, as a run's row records it."""
    return socket.gethostname(), os.getpid(), process_started(os.getpid())


def process_started(pid: int) -> int | None:
    """When process `pid` started, in clock ticks after boot (Linux /proc); None elsewhere."""
    fields = proc_stat(pid)
    return int(fields[19]) if fields else None  # field 22


def proc_stat(pid: int | None) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces and
    parentheses): field N of proc(5) is item N - 3; None where there is no such process or
    no /proc."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def dead_runs(open_runs: list[dict]) -> dict[str, str]:
    """Of the runs marked running, those whose process on this host is gone: run_id -> why.
    Runs of other hosts are left to their own host's next run."""
    here = socket.gethostname()
    dead = {}
    for r in open_runs:
        if r["host"] != here or not r["pid"] or _alive(r["pid"], r["pid_started"]):
            continue
        dead[r["run_id"]] = (
            f"process {r['pid']} on {here} ended without finishing the run "
            "(killed, or the machine stopped); counts are what it landed"
        )
    return dead


def _alive(pid: int, started: int | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive
    # The same PID may since have been given to another process.
    return started is None or process_started(pid) in (None, started)


def crash_in_prefect(crashed: dict[str, str]) -> None:
    """The same runs, Crashed in Prefect too, unless Prefect already ended them."""
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    with get_client(sync_client=True) as client:
        for run_id, message in crashed.items():
            with suppress(Exception):  # not a Prefect run id, or gone from this server
                state = client.read_flow_run(uuid.UUID(run_id)).state
                if state is None or not state.is_final():
                    client.set_flow_run_state(
                        uuid.UUID(run_id), Crashed(message=message), force=True
                    )


def land_and_count(summary: RunSummary, batch: Batch, label: str) -> Landed:
    stop_point()
    # quote(): Prefect would otherwise walk every record of the batch looking for futures,
    # which cost more than landing it.
    landed = land_task(summary.warehouse, summary.run_id, quote(batch), label=label)
    summary.new_articles += landed.new_articles
    summary.duplicates += landed.duplicates
    for item in batch.items:
        summary.count(source_of(item.source_uri), "read")
    origin = {a.article_id: source_of(a.source_uri) for a in batch.articles}
    for article_id in landed.new_ids:
        summary.count(origin[article_id], "new")
    for article_id in landed.duplicate_ids:
        summary.count(origin[article_id], "duplicates")
    for error in batch.errors:
        summary.count(source_of(error.source_uri), "errors")
    # Count every failed item this run, also those whose identical failure is already recorded.
    summary.errors += len(batch.errors)
    summary.failures.extend((e.source_uri, e.stage, e.error) for e in batch.errors)
    return landed


def extract_and_land(
    summary: RunSummary,
    batches: Iterable[Batch],
    total: int,
    label_prefix: str,
    before_land: Callable[[Batch, list[Article], list[FailedItem]], None] | None = None,
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
            land_and_count(summary, batch, label)
            progress.advance(len(batch.items))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def source_of(uri: str) -> str:
    """What a run's per-source counts group by: a web page's host, a local file's folder."""
    if "://" in uri:
        return host_of(uri) or uri
    return os.path.dirname(uri) or "."


def in_batches(items: list[SourceItem], size: int = BATCH_SIZE) -> Iterator[Batch]:
    """Batches of FIRST_BATCH items, then twice as many each time, up to `size`, made as they
    are drawn: a list of them kept every landed batch's articles until the run ended."""
    if size < 1:
        raise ValueError(f"a batch holds at least one item, not {size}")
    return _batches(items, size)


def _batches(items: list[SourceItem], size: int) -> Iterator[Batch]:
    start, n = 0, min(FIRST_BATCH, size)
    while start < len(items):
        yield Batch(items=items[start : start + n])
        start, n = start + n, min(2 * n, size)


def _finish(summary: RunSummary, started: float, status: str, message: str | None) -> None:
    summary.seconds = round(time.perf_counter() - started, 3)
    with store.connect(summary.warehouse) as con:
        store.finish_run(con, summary.run_id, status, message=message, **summary.counts())


def _publish(summary: RunSummary) -> None:
    """What the Prefect UI shows for this run: counts, per source, and a report."""
    create_table_artifact(
        [{"metric": k, "value": v} for k, v in summary.counts().items()],
        key="ingest-summary",
        description=f"Ingest summary ({summary.seconds:.2f} s) into {summary.warehouse}",
    )
    by_source = sorted(summary.sources.items(), key=lambda kv: (-kv[1]["read"], kv[0]))
    if by_source:
        create_table_artifact(
            [
                {"source": source, "read": c["read"], "new": c["new"],
                 "duplicates": c["duplicates"], "errors": c["errors"]}
                for source, c in by_source[:200]
            ],
            key="ingest-sources",
            description="Per source (a page's host, a file's folder): read, new, "
            "duplicates and failed items",
        )  # fmt: skip
    create_markdown_artifact(_report(summary), key="ingest-report")


def _report(summary: RunSummary) -> str:
    """New stories, top topics and errors with their reasons, as markdown."""
    sections = [
        f"# {summary.flow_name}: {summary.new_articles} new articles",
        f"{summary.items_read} read, {summary.duplicates} duplicates, {summary.unchanged} "
        f"unchanged, {summary.errors} errors in {summary.seconds:.2f} s.",
    ]
    stories, topics = [], []
    with suppress(store.WarehouseError), store.connect(summary.warehouse, lock_timeout=10) as con:
        stories = store.run_sql(con, "sql/run_stories.sql", params={"run_id": summary.run_id})
        topics = store.run_sql(con, "sql/run_topics.sql", params={"run_id": summary.run_id})
    if stories:
        sections += ["## Stories", "\n".join(
            ["| story | articles | sources | from this run |", "|---|---|---|---|"]
            + [f"| {_cell(r['label'])}{' (new)' if r['new_story'] else ''} | {r['articles']} "
               f"| {r['sources']} | {r['from_this_run']} |" for r in stories]
        )]  # fmt: skip
    if topics:
        sections += ["## Main topics", "\n".join(
            ["| topic | articles |", "|---|---|"]
            + [f"| {r['topic']} | {r['articles']} |" for r in topics]
        )]  # fmt: skip
    if summary.failures:
        sections += [f"## {summary.errors} item(s) failed", "\n".join(
            ["| source | stage | error |", "|---|---|---|"]
            + [f"| {_cell(uri)} | {stage} | {_cell(error)} |"
               for uri, stage, error in summary.failures[:50]]
        )]  # fmt: skip
        more = len(summary.failures) - 50
        sections.append(
            (f"…and {more} more. " if more > 0 else "")
            + "All of them, with their raw input, are in the `ingest_errors` table."
        )
    return "\n\n".join(sections)


# Markdown's active characters: a title or URL of a page is shown as the text it is, never as
# a link, an image fetched by the reader's browser, HTML or a broken table.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>!|#~])")


def _cell(text: str | None) -> str:
    return _MARKDOWN.sub(r"\\\1", " ".join((text or "")[:200].split()))
