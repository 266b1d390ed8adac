"""What two warehouses must agree on after landing the same inputs in different orders (one
machine into a DuckDB file, several workers into a lake): the rows that do not depend on
when or in what order things landed, and decisions compared as what they decide.

- articles, claims, entities, topics, duplicate pairs (unordered), file state, feed items,
  sources, errors: as rows, without timestamps and run ids;
- duplicate groups as a partition, and each group's original: the earliest published
  member; among equally dated members the first landed, so in a group whose earliest date
  is shared the original depends on landing order and only the rule is compared;
- stories as a partition of the articles (a story's id is its first article's, which
  depends on landing order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Query = Callable[[str], list[tuple]]

ARTICLES = """
    SELECT article_id, source_kind, source_uri, url, title, text, published_at, language,
           content_hash, author, authors, story_id IS NULL
    FROM articles ORDER BY ALL"""
TABLES = {
    "claims": "SELECT * FROM claims ORDER BY ALL",
    "entities": "SELECT * FROM article_entities ORDER BY ALL",
    "topics": "SELECT * FROM article_topics ORDER BY ALL",
    "pairs": """SELECT least(article_id, other_id), greatest(article_id, other_id), method,
                       round(similarity, 6), round(containment, 6)
                FROM duplicate_pairs ORDER BY ALL""",
    "file_state": "SELECT path, size, raw_sha256, article_id FROM file_state ORDER BY ALL",
    "feed_items": """SELECT source_id, guid, url, title, published_at, article_id
                     FROM feed_items ORDER BY ALL""",
    "raw_pages": "SELECT sha256, size, url, path FROM raw_pages ORDER BY ALL",
    "sources": "SELECT source_id, kind, url, name FROM sources ORDER BY ALL",
    "errors": "SELECT error_id, source_uri, stage, error FROM ingest_errors ORDER BY ALL",
}
# (table, key) of every table with a PRIMARY KEY in a DuckDB file (warehouse/migrations):
# the lake has no keys, so these are what landing must keep unique itself.
KEYS = [
    ("articles", "article_id"), ("runs", "run_id"), ("ingest_errors", "error_id"),
    ("file_state", "path"), ("sources", "source_id"), ("feed_items", "source_id, guid"),
    ("raw_pages", "sha256"), ("article_signatures", "article_id"),
    ("duplicate_pairs", "article_id, other_id"), ("stale_signatures", "article_id"),
    ("exports", "out_dir, table_name"), ("schema_migrations", "version"),
    # No key in a file either, but one row per article (or per article and position).
    ("minhash_bands", "article_id, band"), ("article_terms", "article_id, term"),
    ("claims", "article_id, claim_no"), ("article_topics", "article_id, topic"),
    ("article_entities", "article_id, entity, entity_type"),
]  # fmt: skip
GROUPS = """
    SELECT coalesce(duplicate_of, article_id) AS original, article_id, published_at,
           ingested_at
    FROM articles
    WHERE duplicate_of IS NOT NULL
       OR article_id IN (SELECT duplicate_of FROM articles WHERE duplicate_of IS NOT NULL)"""


@dataclass(frozen=True)
class Landed:
    rows: dict[str, list[tuple]]
    groups: dict[frozenset[str], str]  # members -> original
    # Groups whose earliest date is shared: members -> the first landed of those so dated
    # (ties in landing time broken by article_id, as warehouse/relations.duplicate_groups does)
    tied: dict[frozenset[str], str]
    stories: frozenset[frozenset[str]]


def _hashable(row: tuple) -> tuple:
    return tuple(tuple(v) if isinstance(v, list) else v for v in row)


def landed(query: Query) -> Landed:
    queries = {"articles": ARTICLES, **TABLES}
    rows = {name: [_hashable(r) for r in query(sql)] for name, sql in queries.items()}
    members: dict[str, list[tuple]] = {}
    for original, article_id, published, ingested in query(GROUPS):
        members.setdefault(original, []).append((article_id, published, ingested))
    groups, tied = {}, {}
    for original, group in members.items():
        key = frozenset(m[0] for m in group)
        groups[key] = original
        dated = [m for m in group if m[1] is not None]
        earliest = min(m[1] for m in dated) if dated else None
        first = [m for m in group if m[1] == earliest]
        if len(first) > 1:
            tied[key] = min(first, key=lambda m: (m[2], m[0]))[0]
    story_of: dict[str, set[str]] = {}
    for article_id, story_id in query("SELECT article_id, story_id FROM articles"):
        story_of.setdefault(story_id, set()).add(article_id)
    stories = frozenset(frozenset(s) for s in story_of.values())
    return Landed(rows, groups, tied, stories)


def repeated_keys(query: Query) -> dict[str, tuple[int, int]]:
    """Tables holding a key twice: table -> (rows, distinct keys)."""
    found = {}
    for table, key in KEYS:
        total, distinct = query(f"SELECT count(*), count(DISTINCT ({key})) FROM {table}")[0]
        if total != distinct:
            found[table] = (total, distinct)
    return found


def differences(got: Landed, want: Landed) -> list[str]:
    """What `got` decided otherwise than `want`, in words (empty: the same)."""
    said = []
    for name, expected in want.rows.items():
        if got.rows[name] != expected:
            extra = sorted(set(got.rows[name]) - set(expected), key=str)[:3]
            missing = sorted(set(expected) - set(got.rows[name]), key=str)[:3]
            said.append(f"{name}: {len(got.rows[name])} rows, want {len(expected)}; "
                        f"extra {extra}, missing {missing}")  # fmt: skip
    if set(got.groups) != set(want.groups):
        said.append(f"duplicate groups differ: {set(got.groups) ^ set(want.groups)}")
    for members, original in want.groups.items():
        compared = members in got.groups and members not in want.tied | got.tied
        if compared and got.groups[members] != original:
            said.append(f"group {sorted(members)}: original {got.groups[members]}, "
                        f"want {original}")  # fmt: skip
    for landing in (got, want):
        for members, first in landing.tied.items():
            if landing.groups[members] != first:
                said.append(f"tied group {sorted(members)}: original "
                            f"{landing.groups[members]}, not the first landed {first}")  # fmt: skip
    if got.stories != want.stories:
        said.append(f"stories differ: {len(got.stories - want.stories)} of {len(got.stories)} "
                    f"not in the reference: {sorted(map(sorted, got.stories - want.stories))}; "
                    f"reference's: {sorted(map(sorted, want.stories - got.stories))}")  # fmt: skip
    return said
