"""The relate stage's reads and writes: the similarity index's rows, duplicate candidates,
pairs and groups, and story assignments. Every function runs on the caller's connection,
inside the landing transaction, and takes the batch's new article ids as a plain list."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from warehouse import sql
from warehouse.store import run_sql

EXACT_PARTNERS = 16  # see sql/duplicate_candidates.sql
_NEVER = datetime.min  # stands in for a missing time where it sorts with the others


def _ids(ids: list[str] | set[str]) -> pa.Table:
    return pa.table({"article_id": pa.array(sorted(ids), pa.string())})


def index_version(con: duckdb.DuckDBPyConnection) -> int:
    """The warehouse's index version, bumped by every transaction that changes what the
    similarity index holds (this one's included, once its batch is inserted)."""
    (version,) = con.execute(sql.load("sql/index_version.sql")).fetchone()
    return version


def index_articles(con: duckdb.DuckDBPyConnection, excluding: list[str]) -> pa.Table:
    """(article_id, published, shingles, signature) of every article but `excluding`."""
    con.register("new_ids", _ids(excluding))
    try:
        return con.execute(sql.load("sql/index_articles.sql")).to_arrow_table()
    finally:
        con.unregister("new_ids")


def index_bands_and_terms(
    con: duckdb.DuckDBPyConnection, rows: pa.Table
) -> tuple[pa.Table, pa.Table]:
    """The LSH bands (row, hash) and term vectors (row, term, rank, weight) of the articles in
    `rows` (article_id, row): row numbers are joined on here, as mapping millions of article
    ids in Python cost 0.9 s."""
    con.register("index_rows", rows)
    try:
        bands = con.execute(sql.load("sql/index_bands.sql")).to_arrow_table()
        terms = con.execute(sql.load("sql/index_terms.sql")).to_arrow_table()
    finally:
        con.unregister("index_rows")
    return bands, terms


def duplicate_candidates(con: duckdb.DuckDBPyConnection, new_ids: list[str]) -> list[dict]:
    """(a_id, b_id, method) of new articles sharing a content hash ("exact") or URL ("url")
    with another article (one of the first EXACT_PARTNERS landed), smaller id first."""
    return run_sql(
        con,
        "sql/duplicate_candidates.sql",
        {"new_ids": _ids(new_ids)},
        {"partners": EXACT_PARTNERS},
    )


def record_pairs(con: duckdb.DuckDBPyConnection, pairs: pa.Table, now: object) -> None:
    """Add confirmed pairs to duplicate_pairs (those already there stay as they were)."""
    run_sql(con, "sql/record_pairs.sql", {"pairs": pairs}, {"now": now})


def duplicate_groups(con: duckdb.DuckDBPyConnection, new_ids: list[str]) -> list[dict]:
    """Every member of a duplicate group that holds a new article: (article_id, original_id,
    group_size, is_new); the original is the earliest published (undated last), then the
    earliest landed, then the smallest id.

    A group is the articles its pairs connect. Every member of a stored group points at its
    original (duplicate_of), so the new articles' pairs join whole groups by their originals
    and only the groups they touch are read: walking the pairs instead (a recursive query
    from each new article) took minutes a batch once a group held thousands of templated
    items, as it grew with the square of the group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for edge in run_sql(con, "sql/duplicate_edges.sql", {"new_ids": _ids(new_ids)}):
        a, b = find(edge["a"]), find(edge["b"])
        if a != b:
            parent[max(a, b)] = min(a, b)
    members = run_sql(con, "sql/group_members.sql", {"roots": _ids(set(parent))})
    groups: dict[str, list[dict]] = {}
    for member in members:
        groups.setdefault(find(member["root"]), []).append(member)
    new = set(new_ids)
    rows = []
    for group in groups.values():
        original = min(
            group,
            key=lambda m: (m["published_at"] is None, m["published_at"] or _NEVER,
                           m["ingested_at"] or _NEVER, m["article_id"]),
        )["article_id"]  # fmt: skip
        rows += [
            {"article_id": m["article_id"], "original_id": original,
             "group_size": len(group), "is_new": m["article_id"] in new}
            for m in group
        ]  # fmt: skip
    return rows


def set_duplicate_of(con: duckdb.DuckDBPyConnection, originals: dict[str, str | None]) -> None:
    """Point each article (key) at its original (None: it is the original)."""
    table = pa.table(
        {
            "article_id": pa.array(list(originals), pa.string()),
            "duplicate_of": pa.array(list(originals.values()), pa.string()),
        }
    )
    run_sql(con, "sql/set_duplicate_of.sql", {"originals": table})


def story_context(con: duckdb.DuckDBPyConnection, ids: set[str]) -> dict[str, dict]:
    """article_id -> (at, duplicate_of, story_id, story_size) for the articles in `ids`."""
    rows = run_sql(con, "sql/story_context.sql", {"related": _ids(ids)})
    return {r["article_id"]: r for r in rows}


def set_stories(con: duckdb.DuckDBPyConnection, assigned: dict[str, str]) -> None:
    """Put each article (key) in its story (value)."""
    table = pa.table({"article_id": list(assigned), "story_id": list(assigned.values())})
    run_sql(con, "sql/set_story.sql", {"assigned_stories": table})


def stale_articles(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict]:
    """Up to `limit` (article_id, title, text) whose signatures, bands and term vectors a
    migration marked stale."""
    return run_sql(con, "sql/stale_articles.sql", params={"limit": limit})


def replace_signatures(con: duckdb.DuckDBPyConnection, resigned: pa.Table) -> None:
    """Store recomputed (article_id, shingles, signature, bands, terms, weights) in place of
    the stale rows, unmark them, and bump the index version."""
    run_sql(con, "sql/replace_signatures.sql", {"resigned": resigned})


def resigned_candidates(con: duckdb.DuckDBPyConnection, ids: list[str]) -> pa.Table:
    """(a_id, b_id, a_shingles, a_signature, b_shingles, b_signature) of the pairs sharing an
    LSH band where at least one side is in `ids`."""
    con.register("resigned", _ids(ids))
    try:
        return con.execute(sql.load("sql/resigned_candidates.sql")).to_arrow_table()
    finally:
        con.unregister("resigned")
