"""Near duplicates: MinHash signatures over 3-word shingles of the prose, LSH bands, and the
pair test.

Exact hashing (tasks/relate/exact.py) misses re-posts that differ by boilerplate, a dropped
sentence, edits or truncation; those keep most of their 3-word shingles, so the share of
shingles two texts have in common (Jaccard) or the share of the smaller one found in the
larger (containment) catches them. A signature keeps NUM_PERM minimum hashes per text; the
warehouse stores BANDS band hashes per article, takes articles sharing any band as
candidates, and confirms them with `is_near_duplicate` on the signatures.

Signatures are stored, so everything here is deterministic across processes, runs and
numpy versions: integer arithmetic only, and permutation parameters derived from blake2b
rather than from a random generator (Python's hash() is salted per process). Changing the
normalisation, a constant or a step below changes every signature: bump SIGNATURE_VERSION
and add a migration that marks the stored ones stale (as 013 does); the relate stage
recomputes them (tasks/relate/resign.py).

Every step after normalisation is a numpy operation over the whole text; there is no
per-word or per-shingle Python loop. `python bench/dedup_eval.py` measures the speed and
the accuracy, and prints the sweep behind the constants.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string
import unicodedata

import numpy as np

from tasks.extract.scripts import count_words, space_han_kana
from tasks.relate.exact import QUOTES

# 1: 5-word shingles of the whole text, J >= 0.38. 2: 3-word shingles of the prose, J >= 0.46.
# 3: Thai, Lao, Myanmar and Khmer as overlapping character pairs (migration 017).
SIGNATURE_VERSION = 3
NUM_PERM = 128
# Each changed word breaks SHINGLE shingles, so shorter shingles keep edited copies closer
# while BBC follow-ups that reuse half an earlier story stay where they were (~0.35-0.5 at
# any size). bench/dedup_eval.py, 500 dev originals, expected recall on copies with 10% of
# their words replaced / expected corpus follow-up pairs joined: 5 words at J >= 0.38
# 76.7% / 2.2 (the old choice), 4 at 0.40 95.8% / 2.3, 3 at 0.46 99.3% / 1.8. Unrelated
# pairs stay at 0.000 expected; five unrelated Chinese and Japanese pages share <= 0.4% of
# their 3-character shingles. Han and kana characters are words (3-character shingles);
# Thai and its neighbours' letters, in overlapping pairs (4-character shingles).
SHINGLE = 3
# 64 bands of 2 rows: a pair at Jaccard 0.46 becomes a candidate with probability
# 1 - (1 - 0.46**2)**64 > 0.9999, where 32x4 gives 0.77 and 16x8 0.03. It costs 2x the
# candidates of 32x4, each confirmed cheaply from the signatures.
BANDS = 64
ROWS = 2
# Either test suffices. Jaccard catches edited copies: 10% of the words changed at random
# leaves 0.54-0.62 (median 0.57) at 3-word shingles, while BBC follow-ups that reuse half an
# earlier story reach 0.52: 0.46 finds 99.2% of the edited copies (held out: 99.4%) and
# pairs 3 such follow-ups in the 2,225 BBC articles (0.40: 5, 0.50: 92.8% found).
# Containment catches one text inside a much longer one (a short teaser, an extended
# version, a teaser among links once the links are gone, see `prose`), where Jaccard is
# low; C >= 0.8 pairs 3 follow-ups (0.7: 5), and 0.9 would lose 1.3% of the copies.
JACCARD_MIN = 0.46
CONTAINMENT_MIN = 0.8

assert BANDS * ROWS == NUM_PERM

EMPTY = np.uint32(0xFFFFFFFF)  # every slot of a wordless text's signature: matches nothing

_U64 = np.uint64

# tasks.relate.exact.normalize_for_hash, made fast: str.translate with that dict costs ~50 ns a
# character (0.6 ms for a 2,000-word text) while replacing the few marks present costs
# ~10 us. Whitespace that NFKC keeps becomes a space, so words split where str.split would.
_REPLACE = (
    *((chr(code), to) for code, to in QUOTES.items()),
    *((ws, " ") for ws in "\u2028\u2029\x85\u1680"),
    ("\u200b", ""),  # zero-width space and BOM: invisible, yet inside a word they change it
    ("\ufeff", ""),
    ("•", " "),  # a list bullet is never part of a word
)
# Bytes of the normalised UTF-8 text: <= 0x20 separates words; ASCII punctuation is trimmed
# off a word's edges ("russia." is "russia") but kept inside ("u.s", "don't", "5.5%" -> "5.5").
_CORE = np.ones(256, dtype=bool)
_CORE[:33] = False
_CORE[list(string.punctuation.encode())] = False

_P = 0x100000001B3  # FNV's 64-bit prime: odd, so invertible modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)
_BLOCK = 1 << 17  # bytes hashed at a time (a 20,000-word article), the powers cached for it
_CHUNK = 1 << 14  # shingles per (NUM_PERM x chunk) block of the min step: 8 MiB at most


def _params(label: str, i: int) -> tuple[int, int]:
    digest = hashlib.blake2b(f"newsflow-minhash-v1:{label}:{i}".encode(), digest_size=16).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")


_PERM = [_params("perm", i) for i in range(NUM_PERM)]
# x -> a*x + b (mod 2**32) with an odd a is a permutation of the 32-bit shingle hashes.
# 32-bit lanes halve the memory traffic of the (NUM_PERM x shingles) step; on mixed inputs
# their Jaccard estimates match the binomial error of ideal permutations (bench/dedup_eval.py).
_A = np.array([(a & 0xFFFFFFFF) | 1 for a, _ in _PERM], dtype=np.uint32)[:, None]
_B = np.array([b & 0xFFFFFFFF for _, b in _PERM], dtype=np.uint32)[:, None]
_BAND_SEEDS = np.array([_params("band", i)[0] for i in range(NUM_PERM)], dtype=_U64)


def fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser, in place: every input bit reaches every output bit."""
    x ^= x >> _U64(33)
    x *= _U64(0xFF51AFD7ED558CCD)
    x ^= x >> _U64(33)
    x *= _U64(0xC4CEB9FE1A85EC53)
    x ^= x >> _U64(33)
    return x


def _cumulative_powers(base: int) -> np.ndarray:
    powers = np.full(_BLOCK, base, dtype=_U64)
    powers[0] = 1
    powers = np.cumprod(powers, dtype=_U64)
    powers.flags.writeable = False  # shared by every call
    return powers


@functools.cache
def _powers() -> tuple[np.ndarray, np.ndarray]:
    return _cumulative_powers(_P), _cumulative_powers(_P_INV)


# Page furniture: a line shorter than LIST_LINE_WORDS that does not end a sentence is a
# headline, a link, a menu entry or a date, not the article's prose. Aggregators print a
# teaser among tens of such lines: shingled with them, a 40% teaser was contained in its
# original at ~0.4 (6% found, bench/dedup_eval.py); without them, at ~1 (99%). BBC
# headlines have 5 words on average, 9 at most; a short paragraph without a final stop is
# rare (250 of 10,547, mostly list items) and is dropped from both copies alike.
LIST_LINE_WORDS = 15
# ...unless the prose left is shorter than this: a text made of short lines (a list, a
# poem, a table of results) is shingled whole, or its few prose words would decide alone.
MIN_PROSE_WORDS = 25
_SENTENCE_END = re.compile("[.!?…。！？][\"'”’»)\\]」』]*$")


def prose(text: str) -> str:
    """`text` without its furniture lines (short and not ending a sentence), unless that
    leaves fewer than MIN_PROSE_WORDS words."""
    lines = text.splitlines()
    if len(lines) < 2:
        return text
    kept = [
        line
        for line in lines
        if _SENTENCE_END.search(line.rstrip()) or count_words(line) >= LIST_LINE_WORDS
    ]
    if len(kept) == len(lines) or count_words("\n".join(kept)) < MIN_PROSE_WORDS:
        return text
    return "\n".join(kept)


def _normalized_bytes(text: str) -> np.ndarray:
    text = space_han_kana(unicodedata.normalize("NFKC", text).casefold())
    for mark, to in _REPLACE:
        if mark in text:
            text = text.replace(mark, to)
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _word_spans(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end byte offsets of the words: runs between separators, edges trimmed."""
    core = np.flatnonzero(_CORE.take(data))
    if core.size == 0:
        return core, core
    # Consecutive core bytes belong to one word unless a separator lies between them, which
    # is only possible where they are not adjacent: look those few gaps up.
    seps = np.append(np.flatnonzero(data <= 32), data.size)
    gaps = np.flatnonzero(np.diff(core) > 1)
    breaks = gaps[seps[np.searchsorted(seps, core[gaps])] < core[gaps + 1]]
    starts = np.concatenate((core[:1], core[breaks + 1]))
    ends = np.concatenate((core[breaks], core[-1:])) + 1
    return starts, ends


def words(text: str) -> list[str]:
    """The normalised words the shingles are made of (for inspection and tests)."""
    data = _normalized_bytes(prose(text))
    starts, ends = _word_spans(data)
    raw = data.tobytes()
    return [raw[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def _block_word_hashes(data: np.ndarray) -> np.ndarray:
    starts, ends = _word_spans(data)
    if starts.size == 0:
        return starts.astype(_U64)
    # A polynomial hash of every byte prefix; a word's hash is the difference of two prefixes,
    # shifted back to position 0 by the inverse power, so equal words hash equally anywhere.
    powers, inverses = _powers()
    prefix = np.zeros(data.size + 1, dtype=_U64)
    np.cumsum(data * powers[: data.size], out=prefix[1:])
    hashes = (prefix[ends] - prefix[starts]) * inverses[starts]
    return fmix64(hashes)


def _word_hashes(data: np.ndarray) -> np.ndarray:
    # A long text goes in blocks cut after a separator, where no word spans the cut: memory
    # stays bounded and the cached powers cover every block.
    blocks, start = [], 0
    while data.size - start > _BLOCK:
        seps = np.flatnonzero(data[start : start + _BLOCK] <= 32)
        stop = start + (int(seps[-1]) + 1 if seps.size else _BLOCK)
        blocks.append(_block_word_hashes(data[start:stop]))
        start = stop
    blocks.append(_block_word_hashes(data[start:]))
    return np.concatenate(blocks) if len(blocks) > 1 else blocks[0]


def shingle_hashes(text: str, shingle: int = SHINGLE, furniture: bool = False) -> np.ndarray:
    """Sorted distinct uint32 hashes of the prose's SHINGLE-word shingles; a shorter text is
    one shingle.

    `shingle` other than SHINGLE and `furniture` (keep the furniture lines) are for
    measuring other choices only.
    """
    word_hashes = _word_hashes(_normalized_bytes(text if furniture else prose(text)))
    if word_hashes.size == 0:
        return np.empty(0, dtype=np.uint32)
    k = min(shingle, word_hashes.size)
    m = word_hashes.size - k + 1
    acc = word_hashes[:m].copy()
    for j in range(1, k):  # k vector steps: polynomial over each shingle's words, mod 2**64
        acc *= _U64(_P)
        acc += word_hashes[j : j + m]
    hashes = np.sort((fmix64(acc) >> _U64(32)).astype(np.uint32))
    # Not np.unique: it costs 20x a sort here (0.15 ms for 2,000 shingles).
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))]


def _minhash(shingles: np.ndarray) -> np.ndarray:
    sig = np.full(NUM_PERM, EMPTY, dtype=np.uint32)
    for start in range(0, shingles.size, _CHUNK):  # one pass for texts under 16,000 words
        values = _A * shingles[start : start + _CHUNK]  # one permutation per row, mod 2**32
        values += _B
        np.minimum(sig, values.min(axis=1), out=sig)
    return sig


def signature(text: str) -> np.ndarray:
    """MinHash signature, shape (NUM_PERM,), uint32; all EMPTY for a text with no words."""
    return _minhash(shingle_hashes(text))


def signatures(
    texts: list[str], shingle: int = SHINGLE, furniture: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Signatures (n, NUM_PERM) uint32 and distinct-shingle counts (n,) int32 of a batch."""
    sigs = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    counts = np.empty(len(texts), dtype=np.int32)
    for i, text in enumerate(texts):
        shingles = shingle_hashes(text, shingle, furniture)
        sigs[i] = _minhash(shingles)
        counts[i] = shingles.size
    return sigs, counts


def band_hashes(sigs: np.ndarray, rows: int = ROWS) -> np.ndarray:
    """(n, NUM_PERM // rows) int64, one per band, mixed with the band number.

    Store them as rows (article_id, band, hash); articles sharing a (band, hash) are the
    candidates. Articles with no words (count 0) all share the same bands: store none for them.
    `rows` other than ROWS is for measuring other band layouts only.
    """
    sigs = np.atleast_2d(sigs)
    bands = NUM_PERM // rows
    slots = sigs.reshape(len(sigs), bands, rows).astype(_U64)
    acc = np.tile(_BAND_SEEDS[:bands], (len(sigs), 1))
    for r in range(rows):
        acc ^= slots[:, :, r]
        fmix64(acc)
    return acc.view(np.int64)


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of slots where the signatures agree."""
    same = (sig_a == sig_b) & (sig_a != EMPTY)
    return float(np.count_nonzero(same)) / sig_a.shape[-1]


def containment(sig_a: np.ndarray, n_a: int, sig_b: np.ndarray, n_b: int) -> float:
    """Estimated |A∩B| / min(|A|, |B|), from the Jaccard estimate and the shingle counts."""
    if min(n_a, n_b) <= 0:
        return 0.0
    j = jaccard(sig_a, sig_b)
    # |A∩B| = J * |A∪B| = J * (|A| + |B| - |A∩B|), so |A∩B| = J * (|A| + |B|) / (1 + J)
    return min(1.0, j * float(n_a + n_b) / (1.0 + j) / float(min(n_a, n_b)))


def score_pairs(
    sigs: np.ndarray, counts: np.ndarray, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`jaccard` and `containment` of many candidate pairs (row indices into sigs) at once."""
    a, b = sigs[left], sigs[right]
    j = np.count_nonzero((a == b) & (a != EMPTY), axis=1) / sigs.shape[1]
    n_a = counts[left].astype(np.float64)
    n_b = counts[right].astype(np.float64)
    small = np.maximum(np.minimum(n_a, n_b), 1.0)
    c = np.where(np.minimum(n_a, n_b) > 0, np.minimum(1.0, j * (n_a + n_b) / (1 + j) / small), 0.0)
    return j, c


def is_near_duplicate(
    j: float, c: float, jaccard_min: float = JACCARD_MIN, containment_min: float = CONTAINMENT_MIN
) -> bool:
    """The confirmed pair test on estimated Jaccard `j` and containment `c`."""
    return bool(j >= jaccard_min or c >= containment_min)
