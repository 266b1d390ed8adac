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


def confirm_pairs(
    candidates: list[tuple[str, str, str]], scores: list[tuple[float, float]]
) -> list[dict]:
    """Duplicate pairs from candidates (a_id, b_id, method) and their estimated (Jaccard,
    containment): exact and same-URL pairs stand; a pair that only shares an LSH band stands
    when its Jaccard or containment says so."""
    from tasks.relate import minhash

    pairs = []
    for (a_id, b_id, method), (similarity, containment) in zip(candidates, scores, strict=True):
        if method == "exact":
            similarity = containment = 1.0
        elif method == "near" and not minhash.is_near_duplicate(similarity, containment):
            continue
        pairs.append(
            {
                "article_id": a_id,
                "other_id": b_id,
                "method": method,
                "similarity": similarity,
                "containment": containment,
            }
        )
    return pairs
