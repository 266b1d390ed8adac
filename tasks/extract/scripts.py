"""Scripts written without spaces between words (Chinese, Japanese, Thai, …): how their
words are counted and split, so length, word counts and shingles fit every script."""

from __future__ import annotations

import math
import re

# Han (with its extensions and compatibility forms) and kana, half-width kana included.
HAN_KANA = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0002ebef]"
)
# Thai, Lao, Myanmar and Khmer.
SOUTHEAST_ASIAN = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+")
_UNSPACED = re.compile(HAN_KANA.pattern[:-1] + SOUTHEAST_ASIAN.pattern[1:-2] + "]")


def count_words(text: str) -> int:
    """Words in `text`, in a way that fits its script: whitespace-separated tokens, where a
    Han or kana character counts one word, as word processors count them, and a run of
    Thai, Lao, Myanmar or Khmer one per 4 characters, about their mean word length. (Split
    on spaces, a whole Japanese article was "4 words".)"""
    # One scan answers for most text (every script with spaces): 4 passes over a body cost
    # 1 ms a page on the real pages of bench/extraction_real.py.
    if text.isascii() or not _UNSPACED.search(text):
        return len(text.split())
    han_kana = len(HAN_KANA.findall(text))
    rest = HAN_KANA.sub(" ", text)
    southeast = sum(math.ceil(len(run) / 4) for run in SOUTHEAST_ASIAN.findall(rest))
    return han_kana + southeast + len(SOUTHEAST_ASIAN.sub(" ", rest).split())


def space_han_kana(text: str) -> str:
    """`text` with each Han or kana character standing as a word of its own, and each run of
    Thai, Lao, Myanmar or Khmer as its overlapping character pairs, for word-based shingles:
    3-word shingles become 3-character ones in Chinese and Japanese, 4-character ones there.
    (A Thai run, a clause between two spaces, was one word: a copy with 1 character in 10
    changed kept 5% of its shingles and was no copy. Pairs rather than single letters: an
    alphabet of ~70 letters makes 3-letter shingles common to unrelated texts.)"""
    if text.isascii() or not _UNSPACED.search(text):
        return text
    text = HAN_KANA.sub(r" \g<0> ", text)
    return SOUTHEAST_ASIAN.sub(_pairs, text)


def _pairs(run: re.Match[str]) -> str:
    letters = run.group()
    if len(letters) < 3:
        return letters
    return " " + " ".join(letters[i : i + 2] for i in range(len(letters) - 1)) + " "
