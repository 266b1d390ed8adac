"""Exact duplicates: a content hash over text normalised the way readers perceive it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
        "–": "-", "—": "-", "‒": "-", "−": "-", "\u00ad": "",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")


def normalize_for_hash(text: str) -> str:
    """NFKC, case-folded, straight quotes and dashes, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    return _SPACE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()[:32]


def confirm_pairs(candidates: list[dict]) -> list[dict]:
    """Duplicate pairs from candidates (tasks/sql duplicate_candidates): exact and same-URL
    pairs stand; LSH candidates stand when their estimated Jaccard or containment says so."""
    import numpy as np

    from tasks import minhash

    pairs = []
    for c in candidates:
        similarity = containment = None
        if c["a_signature"] is not None and c["b_signature"] is not None:
            a = np.frombuffer(c["a_signature"], dtype="<u4")
            b = np.frombuffer(c["b_signature"], dtype="<u4")
            similarity = minhash.jaccard(a, b)
            containment = minhash.containment(a, c["a_shingles"], b, c["b_shingles"])
        if c["method"] == "exact":
            similarity = containment = 1.0
        elif c["method"] == "near" and not (
            similarity is not None and minhash.is_near_duplicate(similarity, containment or 0.0)
        ):
            continue
        pairs.append(
            {
                "article_id": c["a_id"],
                "other_id": c["b_id"],
                "method": c["method"],
                "similarity": similarity,
                "containment": containment,
            }
        )
    return pairs
