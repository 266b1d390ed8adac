"""Landing: one batch of records into the warehouse, through Arrow, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.discover import stats_table
from tasks.models import (
    ARTICLE_SCHEMA,
    ERROR_SCHEMA,
    FEED_ITEM_SCHEMA,
    FILE_STATE_SCHEMA,
    RAW_PAGE_SCHEMA,
    Article,
    FeedItem,
    FileState,
    IngestError,
    RawPage,
    SourceItem,
    to_table,
)
from warehouse import store


@dataclass
class Batch:
    """Everything one batch lands together."""

    items: list[SourceItem] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    feed_items: list[FeedItem] = field(default_factory=list)
    raw_pages: list[RawPage] = field(default_factory=list)


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
    with store.connect(warehouse) as con:
        return store.land(
            con,
            run_id,
            to_table(batch.articles, ARTICLE_SCHEMA),
            to_table(batch.errors, ERROR_SCHEMA),
            file_states=to_table(file_states(batch.items, batch.articles), FILE_STATE_SCHEMA),
            feed_items=to_table(batch.feed_items, FEED_ITEM_SCHEMA),
            raw_pages=to_table(batch.raw_pages, RAW_PAGE_SCHEMA),
        )


def unchanged(warehouse: str, items: list[SourceItem]) -> set[str]:
    """Absolute paths of `items` landed before and not modified since."""
    if not items:
        return set()
    with store.connect(warehouse) as con:
        return store.unchanged_files(con, stats_table(items))


@task(name="land", cache_policy=NO_CACHE, task_run_name="land-{label}")
def land_task(warehouse: str, run_id: str, batch: Batch, label: str) -> store.Landed:
    return land_batch(warehouse, run_id, batch)


@task(name="skip-unchanged", cache_policy=NO_CACHE)
def unchanged_task(warehouse: str, items: list[SourceItem]) -> set[str]:
    return unchanged(warehouse, items)
