"""Landing: one batch of records into the warehouse, through Arrow, in one transaction:
insert (warehouse/store.py), relate (tasks/relate/batch.py: duplicates, stories), commit."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import duckdb
import pyarrow as pa
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks import limits
from tasks.models import (
    ARTICLE_SCHEMA,
    ERROR_SCHEMA,
    FEED_ITEM_SCHEMA,
    FILE_STATE_SCHEMA,
    RAW_PAGE_SCHEMA,
    Article,
    FailedItem,
    FeedItem,
    FileState,
    RawPage,
    SourceItem,
    to_table,
)
from tasks.relate import simindex
from tasks.relate.batch import relate_batch
from tasks.sources.files import stats_table
from warehouse import store


@dataclass(frozen=True, slots=True)
class Landed:
    """What landing a batch added."""

    new_articles: int
    duplicates: int
    new_errors: int
    new_ids: tuple[str, ...] = ()
    duplicate_ids: tuple[str, ...] = ()  # the new articles that are copies of another


@dataclass
class Batch:
    """Everything one batch lands together."""

    items: list[SourceItem] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    errors: list[FailedItem] = field(default_factory=list)
    feed_items: list[FeedItem] = field(default_factory=list)
    raw_pages: list[RawPage] = field(default_factory=list)
    file_states: list[FileState] = field(default_factory=list)  # beyond those of its articles


def file_states(items: list[SourceItem], articles: list[Article]) -> list[FileState]:
    """The state of each local file that produced an article (failed files are retried)."""
    by_uri = {i.source_uri: i for i in items if i.url is None}
    states = []
    for a in articles:
        item = by_uri.get(a.source_uri)
        if item is not None and a.fetched_url is None:
            states.append(
                FileState(item.path, item.size, item.mtime_ns, a.raw_sha256, a.article_id)
            )
    return states


def land_batch(warehouse: str, run_id: str, batch: Batch) -> Landed:
    """Land `batch` in one transaction. If it cannot be stored (a record Arrow or DuckDB
    refuses), find the records at fault by halving, land each of them as an ingest_errors
    row with the reason, and everything else as usual: one bad article never costs the
    batch, the run, or the runs after it."""
    try:
        return _land(warehouse, run_id, batch)
    except LANDING_ERRORS as exc:
        if len(batch.articles) == 0:
            raise  # nothing left to blame but the warehouse itself
        if len(batch.articles) == 1:
            return _land(warehouse, run_id, _as_error(batch, exc))
    half = len(batch.articles) // 2
    first, second = _split(batch, half)
    return _sum(land_batch(warehouse, run_id, first), land_batch(warehouse, run_id, second))


# What a record the warehouse cannot take raises (ArrowInvalid, an overflow, a DuckDB
# conversion or constraint error). An unusable warehouse raises WarehouseError and a bug
# anything else: neither is blamed on the records.
LANDING_ERRORS = (pa.ArrowException, OverflowError, duckdb.ConversionException,
                  duckdb.ConstraintException, duckdb.InvalidInputException)  # fmt: skip


def _split(batch: Batch, at: int) -> tuple[Batch, Batch]:
    """The batch's articles cut in two; what is not an article goes with the first half."""
    return (
        replace(batch, articles=batch.articles[:at]),
        Batch(items=batch.items, articles=batch.articles[at:]),
    )


def _as_error(batch: Batch, exc: BaseException) -> Batch:
    """The one-article batch with its article replaced by an ingest_errors row."""
    (article,) = batch.articles
    reason = f"cannot be stored: {type(exc).__name__}: {str(exc)[:300]}"
    error = FailedItem.of_article(article, "land", reason)
    feed_items = [  # dealt with, failed for good: the next poll does not fetch it again
        replace(f, article_id=None) if f.article_id == article.article_id else f
        for f in batch.feed_items
    ]
    return replace(batch, articles=[], errors=[*batch.errors, error], feed_items=feed_items)


def _sum(a: Landed, b: Landed) -> Landed:
    return Landed(
        new_articles=a.new_articles + b.new_articles,
        duplicates=a.duplicates + b.duplicates,
        new_errors=a.new_errors + b.new_errors,
        new_ids=a.new_ids + b.new_ids,
        duplicate_ids=a.duplicate_ids + b.duplicate_ids,
    )


def replace_articles(warehouse: str, run_id: str, old_ids: list[str], batch: Batch) -> Landed:
    """Swap articles (`old_ids`) for re-extracted versions (`batch`) in one transaction: the
    landing of reprocess."""
    return _land(warehouse, run_id, batch, replacing=old_ids)


def _land(warehouse: str, run_id: str, batch: Batch, replacing: list[str] | None = None) -> Landed:
    """One transaction: insert the batch, relate its new articles (duplicates, stories),
    commit; then the in-memory similarity index takes them. One landing at a time per
    process (the index is shared by every landing in it)."""
    with simindex.LOCK, store.connect(warehouse) as con:
        with store.transaction(con):
            if replacing is not None:
                store.delete_articles(con, replacing)
            inserted = store.insert_batch(
                con,
                run_id,
                to_table(batch.articles, ARTICLE_SCHEMA),
                to_table(batch.errors, ERROR_SCHEMA),
                file_states=to_table(
                    file_states(batch.items, batch.articles) + batch.file_states,
                    FILE_STATE_SCHEMA,
                ),
                feed_items=to_table(batch.feed_items, FEED_ITEM_SCHEMA),
                raw_pages=to_table(batch.raw_pages, RAW_PAGE_SCHEMA),
            )
            new_ids = inserted.new_ids
            duplicates, pending = (
                relate_batch(con, warehouse, batch.articles, new_ids) if new_ids else (set(), None)
            )
        simindex.commit(warehouse, pending)
    return Landed(
        new_articles=len(new_ids),
        duplicates=len(duplicates),
        new_errors=inserted.new_errors,
        new_ids=tuple(new_ids),
        duplicate_ids=tuple(sorted(duplicates)),
    )


def unchanged(warehouse: str, items: list[SourceItem]) -> set[str]:
    """Absolute paths of `items` landed before and not modified since."""
    if not items:
        return set()
    with store.connect(warehouse) as con:
        return store.unchanged_files(con, stats_table(items))


@task(name="land", cache_policy=NO_CACHE, task_run_name="land-{label}")
def land_task(warehouse: str, run_id: str, batch: Batch, label: str) -> Landed:
    with limits.warehouse_writer():
        return land_batch(warehouse, run_id, batch)


@task(name="skip-unchanged", cache_policy=NO_CACHE, task_run_name="skip-unchanged")
def unchanged_task(warehouse: str, items: list[SourceItem]) -> set[str]:
    return unchanged(warehouse, items)
