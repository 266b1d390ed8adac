"""Relating a landed batch, inside its landing transaction: duplicates, then stories, for the
articles the batch added. Candidates come from the in-memory similarity index, the decisions
from duplicates.py and stories.py, and the rows from and to the warehouse's relations module."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from tasks.models import PAIR_SCHEMA, Article
from tasks.relate import resign, simindex
from tasks.relate.duplicates import confirm_pairs, copies_before, copies_landed
from tasks.relate.stories import MAX_CANDIDATES, MAX_INDEX_DF, WINDOW, NewArticle, assign_stories
from warehouse import relations, store


def relate_batch(
    con: duckdb.DuckDBPyConnection, warehouse: str, articles: list[Article], new_ids: list[str]
) -> tuple[set[str], simindex.Pending]:
    """Relate the batch's new articles (`new_ids`, inserted in this transaction) to each other
    and to everything landed before. Returns the new articles that are copies, and what the
    similarity index takes once the transaction committed (simindex.commit). Hold
    simindex.LOCK from before this call until that commit."""
    # After a migration that changed how signatures are made: the stored ones first.
    resign.refresh_stale(con, new_ids)
    index, version = simindex.current(con, warehouse, new_ids)
    added = set(new_ids)
    records = index.records([a for a in articles if a.article_id in added])
    duplicates, landed_copies = mark_duplicates(con, index, records, new_ids)
    join_stories(con, index, records, new_ids, landed_copies)
    return duplicates, simindex.Pending(index, records, version)


def mark_duplicates(
    con: duckdb.DuckDBPyConnection,
    index: simindex.SimilarityIndex,
    records: simindex.Records,
    new_ids: list[str],
) -> tuple[set[str], dict[str, set[str]]]:
    """Record confirmed pairs and point each touched group at its original; return the new
    articles that are copies, and the new originals of groups that already had members
    (landed earlier, dated later): original -> those members."""
    now = store.utcnow()
    methods = {
        (r["a_id"], r["b_id"]): r["method"] for r in relations.duplicate_candidates(con, new_ids)
    }
    for pair in index.near_candidates(records):
        methods.setdefault(pair, "near")
    candidates = sorted(methods)
    pairs = confirm_pairs(
        [(a, b, methods[a, b]) for a, b in candidates], index.score(records, candidates)
    )
    if pairs:
        relations.record_pairs(con, pa.Table.from_pylist(pairs, PAIR_SCHEMA), now)
    groups = relations.duplicate_groups(con, new_ids)
    relations.set_duplicate_of(
        con,
        {
            g["article_id"]: None if g["original_id"] == g["article_id"] else g["original_id"]
            for g in groups
        },
    )
    return copies_landed(groups), copies_before(groups)


def join_stories(
    con: duckdb.DuckDBPyConnection,
    index: simindex.SimilarityIndex,
    records: simindex.Records,
    new_ids: list[str],
    landed_copies: dict[str, set[str]],
) -> None:
    """Put each new article in a story: one of a similar article's, or a story of its own; a
    copy its original's, and a new original whose copies landed before it their story."""
    similar = index.story_candidates(
        records,
        window_s=WINDOW.total_seconds(),
        max_df=MAX_INDEX_DF,
        max_candidates=MAX_CANDIDATES,
    )
    related = {s.other_id for s in similar} | set(new_ids)
    context = relations.story_context(con, related)
    kin = {c["duplicate_of"] for c in context.values() if c["duplicate_of"]}
    kin |= {i for copies in landed_copies.values() for i in copies}
    if kin - related:
        context |= relations.story_context(con, kin - related)

    def earliest_copy(article_id: str) -> str | None:
        """Of the copies landed before their original `article_id`, the earliest dated: the
        one that stood as their original (its story is theirs)."""
        copies = [context[i] for i in landed_copies.get(article_id, ()) if i in context]
        first = min(copies, key=lambda c: (c["at"], c["article_id"]), default=None)
        return first["article_id"] if first else None

    new = [
        NewArticle(i, context[i]["at"], context[i]["duplicate_of"], earliest_copy(i))
        for i in new_ids
        if i in context
    ]
    existing = {i: c["story_id"] for i, c in context.items() if c["story_id"] and i not in new_ids}
    sizes = {c["story_id"]: c["story_size"] for c in context.values() if c["story_id"]}
    relations.set_stories(con, assign_stories(new, similar, existing, sizes))
