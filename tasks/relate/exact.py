"""Exact duplicates: a content hash over text normalised the way readers perceive it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

QUOTES = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
        "–": "-", "—": "-", "‒": "-", "−": "-", "\u00ad": "",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")


def normalize_for_hash(text: str) -> str:
    """NFKC, case-folded, straight quotes and dashes, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(QUOTES)
    return _SPACE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()[:32]
