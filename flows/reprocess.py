"""Reprocess: every fetched page re-extracted from the raw store, without the network, and
the stored articles replaced by the new versions (after an extractor or cleaner upgrade)."""

from __future__ import annotations

from concurrent.futures import Executor

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.runs import RunSummary, recorded_run
from tasks.extract.pool import extract_batch, make_pool
from tasks.land import Batch, replace_articles
from tasks.models import Article, FailedItem, ListedItem, SourceItem
from warehouse import rawstore, store

# Articles re-extracted and replaced per transaction. Each transaction reloads the similarity
# index (a replacement changes the indexed rows): about 2 s at 30,000 articles. One transaction
# for everything held every page's article in memory at once (its signature, bands and term
# vector too) and made a run of 60,000 pages one task that could only succeed or fail whole.
BATCH_SIZE = 2000


@task(name="re-extract", cache_policy=NO_CACHE, task_run_name="re-extract-{label}")
def reextract_task(
    items: list[SourceItem], pool: Executor | None, label: str
) -> tuple[list[Article], list[FailedItem]]:
    return extract_batch(items, pool)


@flow(name="reprocess")
def reprocess(warehouse: str | None = None, batch_size: int = BATCH_SIZE) -> RunSummary:
    """Re-extract every fetched article from the raw store, without the network, and replace
    the stored versions (after an extractor or cleaner upgrade, say), `batch_size` articles
    per transaction."""
    with recorded_run(warehouse, {"batch_size": batch_size}) as summary:
        raw_root = rawstore.root_for(summary.warehouse)
        with store.connect(summary.warehouse) as con:
            rows = store.run_sql(con, "sql/raw_articles.sql")
        for r in rows:
            if r["path"].endswith(".xml.gz"):
                # The same bytes fetched first as a feed (`ingest feed` given the page by
                # mistake): raw_pages keeps that row, the store the page's own copy too.
                r["path"] = rawstore.relative_path(r["raw_sha256"], "html")
        summary.items_seen = len(rows)
        pool = make_pool(len(rows))
        try:
            for n, start in enumerate(range(0, len(rows), batch_size), start=1):
                _reprocess_batch(summary, raw_root, rows[start : start + batch_size], pool, n)
        finally:
            if pool is not None:
                pool.shutdown()
    return summary


def _reprocess_batch(
    summary: RunSummary, raw_root: rawstore.Root, rows: list[dict], pool: Executor | None, n: int
) -> None:
    rawstore.fetch(raw_root, [r["path"] for r in rows])  # a bucket's, to local copies
    items = [
        SourceItem(
            r["source_kind"],
            r["source_uri"],
            rawstore.local_path(raw_root, r["path"]),
            r["size"],
            0,
            url=r["fetched_url"],
            charset=r["charset"],
            hints=_hints(r),
        )
        for r in rows
    ]
    summary.items_read += len(items)
    articles, errors = reextract_task(quote(items), quote(pool), label=f"{n:04d}")
    # Only an article read again is replaced: one whose stored page can no longer be
    # read (gone from the raw store, damaged) stays as it was, beside its error row.
    read_again = {(a.source_uri, a.raw_sha256) for a in articles}
    old = [r["article_id"] for r in rows if (r["source_uri"], r["raw_sha256"]) in read_again]
    landed = replace_articles(
        summary.warehouse, summary.run_id, old, Batch(articles=articles, errors=errors)
    )
    unchanged = len(set(old) & {a.article_id for a in articles})
    summary.unchanged += unchanged
    summary.new_articles += landed.new_articles - unchanged
    summary.duplicates += landed.duplicates
    summary.errors += len(errors)
    summary.failures.extend((e.source_uri, e.stage, e.error) for e in errors)


def _hints(row: dict) -> ListedItem | None:
    """The feed's title and date for a re-extracted page, as they were when it was fetched."""
    if not row["guid"]:
        return None
    return ListedItem(
        guid=row["guid"],
        link=row["source_uri"],
        url=row["entry_url"],
        title=row["entry_title"],
        published_at=row["entry_published_at"],
        author=None,
        summary=None,
        content=None,
    )
