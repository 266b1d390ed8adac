"""Enrich stored articles again: after the topic rules or the gazetteer were edited, after
an upgrade, or for articles landed with enrichment switched off (NEWSFLOW_ENRICH=0) or
before it existed. Reads the stored text; nothing is fetched or extracted again."""

from __future__ import annotations

from concurrent.futures import Executor

import pyarrow as pa
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.progress import Progress
from flows.runs import RunSummary, recorded_run
from tasks.enrich.annotate import enrich_stored
from tasks.extract.pool import make_pool
from tasks.extract.worker import enrich_chunk, settings_env
from tasks.models import ENRICHMENT_SCHEMA
from warehouse import store

BATCH_SIZE = 1000


@task(name="enrich", cache_policy=NO_CACHE, task_run_name="enrich-{label}")
def enrich_task(warehouse: str, ids: list[str], pool: Executor | None, label: str) -> int:
    """Recompute and replace the enrichment of one batch of stored articles."""
    with store.connect(warehouse) as con:
        wanted = pa.table({"article_id": pa.array(ids, pa.string())})
        rows = store.run_sql(con, "sql/enrich_input.sql", {"wanted": wanted})
    inputs = [(r["article_id"], r["title"], r["text"], r["language"]) for r in rows]
    if pool is None:
        enriched = enrich_stored(inputs)
    else:
        size, env = max(1, len(inputs) // 8), settings_env()
        parts = [pool.submit(enrich_chunk, inputs[i : i + size], env)
                 for i in range(0, len(inputs), size)]  # fmt: skip
        enriched = [row for part in parts for row in part.result()]
    table = pa.Table.from_pylist(enriched, ENRICHMENT_SCHEMA)
    with store.connect(warehouse) as con, store.transaction(con):
        store.run_sql(con, "sql/replace_enrichment.sql", {"enriched": table})
        store.run_sql(con, "sql/set_enriched.sql", {"enriched": table}, {"now": store.utcnow()})
    return len(enriched)


@flow(name="enrich")
def enrich_articles(
    warehouse: str | None = None, all_articles: bool = False, batch_size: int = BATCH_SIZE
) -> RunSummary:
    """Topics, entities, claims and language for stored articles: those never enriched, or
    all of them."""
    with recorded_run(warehouse, {"all_articles": all_articles}) as summary:
        with store.connect(summary.warehouse) as con:
            todo = [r["article_id"] for r in store.run_sql(
                con, "sql/enrich_todo.sql", params={"all": all_articles})]  # fmt: skip
        summary.items_seen = len(todo)
        progress = Progress(len(todo), key="enrich-progress", description="articles enriched")
        pool = make_pool(len(todo))
        try:
            for n, start in enumerate(range(0, len(todo), batch_size), start=1):
                ids = todo[start : start + batch_size]
                summary.items_read += enrich_task(
                    summary.warehouse, quote(ids), quote(pool), label=f"{n:04d}"
                )
                progress.advance(len(ids))
        finally:
            if pool is not None:
                pool.shutdown()
    return summary
