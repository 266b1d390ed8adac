"""Signatures made by an older version, recomputed: after a migration marks them stale (013:
3-word shingles of the prose, CJK story terms), the relate stage brings every stored
signature, LSH band and term vector up to date before it compares anything, then records the
copies that the new signatures pair among the articles already landed, so an upgraded
warehouse holds what a fresh ingest of the same articles would."""

from __future__ import annotations

import logging

import duckdb
import numpy as np
import pyarrow as pa

from tasks.models import PAIR_SCHEMA
from tasks.relate import minhash
from tasks.relate.duplicates import confirm_pairs
from tasks.relate.stories import term_vector
from warehouse import relations, store

log = logging.getLogger(__name__)

# Articles recomputed per round trip: their texts are held in memory at once (BBC-sized
# articles: ~5 MB), and a round is ~1 s of signatures and term vectors.
CHUNK = 2_000

_RESIGNED = pa.schema(
    [
        ("article_id", pa.string()),
        ("shingles", pa.int32()),
        ("signature", pa.binary()),
        ("bands", pa.list_(pa.int64())),
        ("terms", pa.list_(pa.string())),
        ("weights", pa.list_(pa.float32())),
    ]
)


def refresh_stale(con: duckdb.DuckDBPyConnection, excluding: list[str]) -> int:
    """Recompute every stale signature, band and term vector, inside the caller's
    transaction, and record the near-duplicate pairs they make with articles other than
    `excluding` (the batch being landed, which its own relate step pairs). Returns how many
    articles were recomputed (0, at once, when none is stale)."""
    resigned: list[str] = []
    while rows := relations.stale_articles(con, CHUNK):
        texts = [r["text"] or "" for r in rows]
        sigs, counts = minhash.signatures(texts)
        bands = minhash.band_hashes(sigs)
        vectors = [
            term_vector(r["title"], t, r["language"]) for r, t in zip(rows, texts, strict=True)
        ]
        table = pa.table(
            {
                "article_id": [r["article_id"] for r in rows],
                "shingles": counts,
                "signature": [s.astype("<u4").tobytes() for s in sigs],
                "bands": bands.tolist(),
                "terms": [list(v) for v in vectors],
                "weights": [list(v.values()) for v in vectors],
            },
            schema=_RESIGNED,
        )
        relations.replace_signatures(con, table)
        resigned += table["article_id"].to_pylist()
    if resigned:
        pairs = _pair(con, resigned, set(excluding))
        log.info("recomputed %d stale signatures: %d near-duplicate pairs", len(resigned), pairs)
    return len(resigned)


def _pair(con: duckdb.DuckDBPyConnection, resigned: list[str], excluding: set[str]) -> int:
    found = relations.resigned_candidates(con, resigned)
    ids = list(zip(found["a_id"].to_pylist(), found["b_id"].to_pylist(), strict=True))
    keep = [i for i, (a, b) in enumerate(ids) if a not in excluding and b not in excluding]
    if not keep:
        return 0
    found = found.take(keep)
    width = minhash.NUM_PERM

    def signatures(column: str) -> np.ndarray:
        return np.frombuffer(b"".join(found[column].to_pylist()), "<u4").reshape(-1, width)

    n = found.num_rows
    sigs = np.concatenate([signatures("a_signature"), signatures("b_signature")])
    counts = np.concatenate([found["a_shingles"].to_numpy(), found["b_shingles"].to_numpy()])
    j, c = minhash.score_pairs(sigs, counts, np.arange(n), np.arange(n, 2 * n))
    candidates = [(*ids[i], "near") for i in keep]
    pairs = confirm_pairs(candidates, list(zip(j.tolist(), c.tolist(), strict=True)))
    if not pairs:
        return 0
    relations.record_pairs(con, pa.Table.from_pylist(pairs, PAIR_SCHEMA), store.utcnow())
    touched = sorted({p["article_id"] for p in pairs} | {p["other_id"] for p in pairs})
    groups = relations.duplicate_groups(con, touched)
    originals = {g["article_id"]: g["original_id"] for g in groups}
    relations.set_duplicate_of(con, {a: None if o == a else o for a, o in originals.items()})
    # A copy belongs to its original's story (as tasks/relate/stories.assign_stories puts it).
    context = relations.story_context(con, set(originals))
    moved = {
        a: context[o]["story_id"]
        for a, o in originals.items()
        if o != a and context[o]["story_id"] and context[a]["story_id"] != context[o]["story_id"]
    }
    if moved:
        relations.set_stories(con, moved)
    return len(pairs)
