"""Landing: one batch of records into the warehouse, through Arrow, in one transaction."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.discover import stats_table
from tasks.models import (
    ARTICLE_SCHEMA,
    ERROR_SCHEMA,
    FILE_STATE_SCHEMA,
    Article,
    FileState,
    IngestError,
    SourceItem,
    to_table,
)
from warehouse import store


def file_states(items: list[SourceItem], articles: list[Article]) -> list[FileState]:
    """The state of each file that produced an article (failed files are retried next run)."""
    by_path = {i.source_uri: i for i in items}
    states = []
    for a in articles:
        item = by_path[a.source_uri]
        states.append(FileState(item.path, item.size, item.mtime_ns, a.raw_sha256, a.article_id))
    return states


def land_batch(
    warehouse: str,
    run_id: str,
    items: list[SourceItem],
    articles: list[Article],
    errors: list[IngestError],
) -> store.Landed:
    with store.connect(warehouse) as con:
        return store.land(
            con,
            run_id,
            to_table(articles, ARTICLE_SCHEMA),
            to_table(errors, ERROR_SCHEMA),
            to_table(file_states(items, articles), FILE_STATE_SCHEMA),
        )


def unchanged(warehouse: str, items: list[SourceItem]) -> set[str]:
    """Absolute paths of `items` landed before and not modified since."""
    if not items:
        return set()
    with store.connect(warehouse) as con:
        return store.unchanged_files(con, stats_table(items))


@task(name="land", cache_policy=NO_CACHE, task_run_name="land-{label}")
def land_task(
    warehouse: str,
    run_id: str,
    items: list[SourceItem],
    articles: list[Article],
    errors: list[IngestError],
    label: str,
) -> store.Landed:
    return land_batch(warehouse, run_id, items, articles, errors)


@task(name="skip-unchanged", cache_policy=NO_CACHE)
def unchanged_task(warehouse: str, items: list[SourceItem]) -> set[str]:
    return unchanged(warehouse, items)
