"""Landing: one batch of records into the warehouse, through Arrow, in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import duckdb
import pyarrow as pa
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks import limits
from tasks.extract.read import RAW_KEEP_BYTES
from tasks.models import (
    ARTICLE_SCHEMA,
    ERROR_SCHEMA,
    FEED_ITEM_SCHEMA,
    FILE_STATE_SCHEMA,
    PAIR_SCHEMA,
    RAW_PAGE_SCHEMA,
    Article,
    FeedItem,
    FileState,
    IngestError,
    RawPage,
    SourceItem,
    short_hash,
    to_table,
)
from tasks.relate import simindex
from tasks.relate.exact import confirm_pairs
from tasks.relate.stories import MAX_CANDIDATES, MAX_INDEX_DF, WINDOW, NewArticle, assign_stories
from tasks.sources.files import stats_table
from warehouse import store


@dataclass
class Batch:
    """Everything one batch lands together."""

    items: list[SourceItem] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
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


def land_batch(warehouse: str, run_id: str, batch: Batch) -> store.Landed:
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
    error = IngestError(
        error_id=short_hash(article.article_id, "land", reason),
        source_kind=article.source_kind,
        source_uri=article.source_uri,
        stage="land",
        error=reason,
        raw=article.text.encode("utf-8", "replace")[:RAW_KEEP_BYTES],
        raw_size=article.raw_size,
        raw_sha256=article.raw_sha256,
    )
    feed_items = [  # dealt with, failed for good: the next poll does not fetch it again
        replace(f, article_id=None) if f.article_id == article.article_id else f
        for f in batch.feed_items
    ]
    return replace(batch, articles=[], errors=[*batch.errors, error], feed_items=feed_items)


def _sum(a: store.Landed, b: store.Landed) -> store.Landed:
    return store.Landed(
        new_articles=a.new_articles + b.new_articles,
        duplicates=a.duplicates + b.duplicates,
        new_errors=a.new_errors + b.new_errors,
        new_ids=a.new_ids + b.new_ids,
        duplicate_ids=a.duplicate_ids + b.duplicate_ids,
    )


def _land(warehouse: str, run_id: str, batch: Batch) -> store.Landed:
    with relating(warehouse, batch.articles) as relate, store.connect(warehouse) as con:
        return store.land(
            con,
            run_id,
            to_table(batch.articles, ARTICLE_SCHEMA),
            to_table(batch.errors, ERROR_SCHEMA),
            file_states=to_table(
                file_states(batch.items, batch.articles) + batch.file_states, FILE_STATE_SCHEMA
            ),
            feed_items=to_table(batch.feed_items, FEED_ITEM_SCHEMA),
            raw_pages=to_table(batch.raw_pages, RAW_PAGE_SCHEMA),
            after_insert=relate,
        )


@contextmanager
def relating(warehouse: str, articles: list[Article]) -> Iterator[Relate]:
    """The after-insert stage for landing `articles`; the similarity index takes them once
    the block (the landing transaction) completed. One landing at a time per process."""
    with simindex.LOCK:
        relate = Relate(warehouse, articles)
        yield relate
        relate.commit()


class Relate:
    """The stage after insert, inside the landing transaction: duplicates, then stories, for
    the articles the batch added, looked up in the in-memory similarity index. Use it
    through `relating`, which commits it to the index after the transaction."""

    def __init__(self, warehouse: str, articles: list[Article]) -> None:
        self.warehouse = warehouse
        self.articles = articles
        self._pending: tuple[simindex.SimilarityIndex, simindex.Records, int] | None = None

    def __call__(self, con: duckdb.DuckDBPyConnection, new_ids: list[str]) -> set[str]:
        index, version = simindex.current(con, self.warehouse)
        added = set(new_ids)
        records = index.records([a for a in self.articles if a.article_id in added])
        self._pending = (index, records, version)
        duplicates = _duplicates(con, index, records, new_ids)
        _stories(con, index, records, new_ids)
        return duplicates

    def commit(self) -> None:
        if self._pending is not None:
            simindex.commit(self.warehouse, *self._pending)
            self._pending = None


def _duplicates(
    con: duckdb.DuckDBPyConnection,
    index: simindex.SimilarityIndex,
    records: simindex.Records,
    new_ids: list[str],
) -> set[str]:
    """Record confirmed pairs and point each touched group at its original; return the new
    articles that are copies."""
    now = store.utcnow()
    methods = {(r["a_id"], r["b_id"]): r["method"]
               for r in store.run_sql(con, "sql/duplicate_candidates.sql")}  # fmt: skip
    for pair in index.near_candidates(records):
        methods.setdefault(pair, "near")
    candidates = sorted(methods)
    pairs = confirm_pairs(
        [(a, b, methods[a, b]) for a, b in candidates], index.score(records, candidates)
    )
    if pairs:
        store.run_sql(
            con, "sql/record_pairs.sql", {"pairs": pa.Table.from_pylist(pairs, PAIR_SCHEMA)},
            {"now": now},
        )  # fmt: skip
    groups = store.run_sql(con, "sql/duplicate_groups.sql")
    originals = pa.table(
        {
            "article_id": pa.array([g["article_id"] for g in groups], pa.string()),
            "duplicate_of": pa.array(
                [None if g["original_id"] == g["article_id"] else g["original_id"] for g in groups],
                pa.string(),
            ),
        }
    )
    store.run_sql(con, "sql/set_duplicate_of.sql", {"originals": originals})
    return copies_landed(groups)


def copies_landed(groups: list[dict]) -> set[str]:
    """The new articles a run counts as duplicates: every new member of a group that already
    had an article, whichever of them is dated earlier (and so the group's original); in a
    group made only of new articles, all but its original."""
    members: dict[str, list[dict]] = {}
    for g in groups:
        members.setdefault(g["original_id"], []).append(g)
    copies = set()
    for original, group in members.items():
        new = {g["article_id"] for g in group if g["is_new"]}
        copies |= new if len(new) < len(group) else new - {original}
    return copies


def _stories(
    con: duckdb.DuckDBPyConnection,
    index: simindex.SimilarityIndex,
    records: simindex.Records,
    new_ids: list[str],
) -> None:
    similar = index.story_candidates(
        records,
        window_s=WINDOW.total_seconds(),
        max_df=MAX_INDEX_DF,
        max_candidates=MAX_CANDIDATES,
    )
    related = {s.other_id for s in similar} | set(new_ids)
    context = _context(con, related)
    originals = {c["duplicate_of"] for c in context.values() if c["duplicate_of"]} - related
    if originals:
        context |= _context(con, originals)
    new = [
        NewArticle(i, context[i]["at"], context[i]["duplicate_of"]) for i in new_ids if i in context
    ]
    existing = {i: c["story_id"] for i, c in context.items() if c["story_id"] and i not in new_ids}
    sizes = {c["story_id"]: c["story_size"] for c in context.values() if c["story_id"]}
    assigned = assign_stories(new, similar, existing, sizes)
    store.run_sql(
        con,
        "sql/set_story.sql",
        {
            "assigned_stories": pa.table(
                {"article_id": list(assigned), "story_id": list(assigned.values())}
            )
        },
    )


def _context(con: duckdb.DuckDBPyConnection, ids: set[str]) -> dict[str, dict]:
    rows = store.run_sql(
        con,
        "sql/story_context.sql",
        {"related": pa.table({"article_id": pa.array(sorted(ids), pa.string())})},
    )
    return {r["article_id"]: r for r in rows}


def unchanged(warehouse: str, items: list[SourceItem]) -> set[str]:
    """Absolute paths of `items` landed before and not modified since."""
    if not items:
        return set()
    with store.connect(warehouse) as con:
        return store.unchanged_files(con, stats_table(items))


@task(name="land", cache_policy=NO_CACHE, task_run_name="land-{label}")
def land_task(warehouse: str, run_id: str, batch: Batch, label: str) -> store.Landed:
    with limits.warehouse_writer():
        return land_batch(warehouse, run_id, batch)


@task(name="skip-unchanged", cache_policy=NO_CACHE, task_run_name="skip-unchanged")
def unchanged_task(warehouse: str, items: list[SourceItem]) -> set[str]:
    return unchanged(warehouse, items)
