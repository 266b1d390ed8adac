"""The similarity index: the warehouse's LSH bands, MinHash signatures and story term vectors,
held in memory by the process that lands batches.

The warehouse stays the record (minhash_bands, article_signatures, article_terms); this is a
cache of it. Joining a batch's band hashes and terms against millions of stored rows cost
DuckDB two full scans per batch (about 2 s per 200 articles at 100,000 articles, on the one
thread landing gets); sorted arrays answer the same lookups in milliseconds. The index is
loaded once per process and warehouse, then kept current by each batch that lands.
`index_version` in the warehouse, bumped by every transaction that changes the indexed tables,
tells a process that another one wrote in between, and the index is loaded again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from tasks.models import Article
from tasks.relate import minhash
from tasks.relate.stories import INDEX_TERMS, Similar
from warehouse import relations, store


class _Column:
    """An append-only numpy array (1-D, or 2-D rows of a fixed width), amortised O(1) append."""

    def __init__(self, dtype: np.dtype | type, width: int | None = None) -> None:
        self._shape = () if width is None else (width,)
        self._data = np.empty((0, *self._shape), dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        if self.size == 0 and len(values) > len(self._data):
            # Adopt a loaded array as it is (it is never written in place: full means grow).
            self._data = np.asarray(values, self._data.dtype)
            self.size = len(values)
            return
        end = self.size + len(values)
        if end > len(self._data):
            grown = np.empty((max(end, 2 * len(self._data), 1024), *self._shape), self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = values
        self.size = end

    @property
    def values(self) -> np.ndarray:
        return self._data[: self.size]

    @property
    def nbytes(self) -> int:
        return self._data.nbytes


# A multimap entry is one uint64: the key's top bits, then the row. Sorting one array of
# these cost half of sorting the keys indirectly and gathering keys and rows after. Dropping
# the key's low bits lets unrelated keys meet once in ~10^12 lookups: an extra candidate
# that confirmation rejects, never a missed one.
# An article is compared with this many of the articles sharing a band with it, at most: a
# band shared by more is a group of near-identical items, and joining one of them joins the
# group (tasks/relate/batch.py). Normal news shares a band with a handful of articles.
BAND_ROWS_LOOKED_AT = 64
NEAR_PARTNERS = 16
ROW_BITS = 24
MAX_ROWS = 1 << ROW_BITS  # 16.7 million articles
_LOW = np.uint64(MAX_ROWS - 1)
_HIGH = ~_LOW


def _mixed(keys: np.ndarray) -> np.ndarray:
    """Keys spread over all 64 bits (term ids are small integers; band hashes are random)."""
    return minhash.fmix64(keys.astype(np.int64).view(np.uint64)) & _HIGH


class _MultiMap:
    """int64 key -> article rows, as sorted packed entries: a large settled part and a small
    recent part, merged once the recent part outgrows an eighth of the settled one (so a
    batch costs a sort of the recent part, not of everything)."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray) -> None:
        self._settled = self._pack(keys, rows)
        self._recent = np.empty(0, np.uint64)

    @staticmethod
    def _pack(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        if len(rows) and int(rows.max()) >= MAX_ROWS:
            raise OverflowError(f"the similarity index holds at most {MAX_ROWS:,} articles")
        packed = _mixed(keys) | rows.astype(np.uint64)
        packed.sort()
        return packed

    def add(self, keys: np.ndarray, rows: np.ndarray) -> None:
        recent = np.concatenate([self._recent, self._pack(keys, rows)])
        if len(recent) * 8 > len(self._settled):
            self._settled = np.concatenate([self._settled, recent])
            self._settled.sort()
            self._recent = np.empty(0, np.uint64)
        else:
            recent.sort()
            self._recent = recent

    def lookup(self, query: np.ndarray, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(position in query, row) for every stored row of every queried key; with `limit`,
        the first (oldest) `limit` rows of a key in each part at most."""
        low = _mixed(query)
        high = low | _LOW
        positions, rows = [], []
        for entries in (self._settled, self._recent):
            lo = np.searchsorted(entries, low, "left")
            counts = np.searchsorted(entries, high, "right") - lo
            if limit is not None:
                counts = np.minimum(counts, limit)
            at = np.repeat(np.arange(len(query)), counts)
            starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
            positions.append(at)
            rows.append((entries[starts + np.arange(len(at))] & _LOW).astype(np.int64))
        return np.concatenate(positions), np.concatenate(rows)

    def counts(self, query: np.ndarray) -> np.ndarray:
        """How many rows each queried key has."""
        low = _mixed(query)
        high = low | _LOW
        return sum(
            np.searchsorted(entries, high, "right") - np.searchsorted(entries, low, "left")
            for entries in (self._settled, self._recent)
        )

    @property
    def nbytes(self) -> int:
        return self._settled.nbytes + self._recent.nbytes


@dataclass
class Records:
    """What the index holds about some articles, as arrays; rows count from `first_row`."""

    first_row: int
    ids: list[str]
    published: np.ndarray  # float64 epoch seconds, NaN when undated
    shingles: np.ndarray  # int32 distinct shingles (0: no words)
    signatures: np.ndarray  # (n, NUM_PERM) uint32
    band_keys: np.ndarray  # int64 LSH band hashes (each mixed with its band number)
    band_rows: np.ndarray  # int32 row of each band hash
    vector_lengths: np.ndarray  # int64 terms per article
    terms: np.ndarray  # int32 term ids, article after article
    weights: np.ndarray  # float32
    index_keys: np.ndarray  # int64 term ids of each article's INDEX_TERMS heaviest terms
    index_rows: np.ndarray  # int32


class SimilarityIndex:
    """Candidate lookup for near-duplicates (shared LSH bands) and stories (shared heavy
    terms), and the signatures and term vectors to score the candidates with."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}
        self.vocabulary: dict[str, int] = {}
        self._published = _Column(np.float64)
        self._shingles = _Column(np.int32)
        self._signatures = _Column(np.uint32, minhash.NUM_PERM)
        self._offsets = _Column(np.int64)
        self._offsets.extend(np.zeros(1, np.int64))
        self._terms = _Column(np.int32)
        self._weights = _Column(np.float32)
        self._bands = _MultiMap(np.empty(0, np.int64), np.empty(0, np.int32))
        self._postings = _MultiMap(np.empty(0, np.int64), np.empty(0, np.int32))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        columns = (self._published, self._shingles, self._signatures, self._offsets,
                   self._terms, self._weights)  # fmt: skip
        return sum(c.nbytes for c in columns) + self._bands.nbytes + self._postings.nbytes

    # Building

    def records(self, articles: list[Article]) -> Records:
        """Arrays for `articles`, numbered after the indexed ones (new terms get new ids)."""
        n = len(articles)
        sigs = np.full((n, minhash.NUM_PERM), minhash.EMPTY, np.uint32)
        band_keys, band_rows, terms, weights, index_keys, index_rows = [], [], [], [], [], []
        for i, a in enumerate(articles):
            row = len(self.ids) + i
            if a.signature is not None:
                sigs[i] = np.frombuffer(a.signature, "<u4")
            if a.shingles > 0:  # a text with no words shares its bands with every other such
                band_keys += a.bands
                band_rows += [row] * len(a.bands)
            ids = [self.vocabulary.setdefault(t, len(self.vocabulary)) for t in a.terms]
            terms += ids
            weights += a.weights
            index_keys += ids[:INDEX_TERMS]
            index_rows += [row] * min(INDEX_TERMS, len(ids))
        return Records(
            first_row=len(self.ids),
            ids=[a.article_id for a in articles],
            published=np.array([_epoch(a.published_at) for a in articles], np.float64),
            shingles=np.array([a.shingles for a in articles], np.int32),
            signatures=sigs,
            band_keys=np.array(band_keys, np.int64),
            band_rows=np.array(band_rows, np.int32),
            vector_lengths=np.array([len(a.terms) for a in articles], np.int64),
            terms=np.array(terms, np.int32),
            weights=np.array(weights, np.float32),
            index_keys=np.array(index_keys, np.int64),
            index_rows=np.array(index_rows, np.int32),
        )

    def add(self, records: Records) -> None:
        if records.first_row != len(self.ids):
            raise ValueError("records were numbered for a different state of the index")
        for i, article_id in enumerate(records.ids):
            self.rows[article_id] = records.first_row + i
        self.ids += records.ids
        self._published.extend(records.published)
        self._shingles.extend(records.shingles)
        self._signatures.extend(records.signatures)
        self._offsets.extend(self._offsets.values[-1] + np.cumsum(records.vector_lengths))
        self._terms.extend(records.terms)
        self._weights.extend(records.weights)
        self._bands.add(records.band_keys, records.band_rows)
        self._postings.add(records.index_keys, records.index_rows)

    # Lookups: `batch` holds the articles being landed (numbered after the indexed ones), so
    # they are compared with each other as well as with everything indexed.

    def near_candidates(self, batch: Records) -> list[tuple[str, str]]:
        """Pairs of article ids (smaller first) sharing at least one LSH band, each once: for
        each new article, the NEAR_PARTNERS that share the most bands with it (the oldest
        first among equals), found among the BAND_ROWS_LOOKED_AT oldest of each band. In a
        group of thousands of near-identical items (a templated wire or spam feed) every new
        one shares bands with every other: the pairs grew with the square of the group and a
        feed of 50,000 such entries took minutes a batch; one pair to the group joins it."""
        rows = self._batch_rows(batch)
        pos, other = self._bands.lookup(batch.band_keys, BAND_ROWS_LOOKED_AT)
        inner = _MultiMap(batch.band_keys, batch.band_rows)
        p2, o2 = inner.lookup(batch.band_keys, BAND_ROWS_LOOKED_AT)
        left = np.concatenate([batch.band_rows[pos], batch.band_rows[p2]]).astype(np.int64)
        right = np.concatenate([other, o2]).astype(np.int64)
        keep = left != right
        pair, shared = np.unique(left[keep] * len(rows) + right[keep], return_counts=True)
        new, partner = np.divmod(pair, len(rows))
        # By new article, most bands shared first, then the oldest: the first few of each.
        order = np.lexsort((partner, -shared, new))
        new, partner = new[order], partner[order]
        starts = np.flatnonzero(np.r_[True, new[1:] != new[:-1]])
        rank = np.arange(len(new)) - np.repeat(starts, np.diff(np.r_[starts, len(new)]))
        chosen = rank < NEAR_PARTNERS
        pairs = {
            (min(rows[a], rows[b]), max(rows[a], rows[b]))
            for a, b in zip(new[chosen].tolist(), partner[chosen].tolist(), strict=True)
        }
        return sorted(pairs)

    def score(self, batch: Records, pairs: list[tuple[str, str]]) -> list[tuple[float, float]]:
        """Estimated (Jaccard, containment) of each pair of article ids."""
        if not pairs:
            return []
        sigs = np.concatenate([self._signatures.values, batch.signatures])
        counts = np.concatenate([self._shingles.values, batch.shingles])
        # The batch's rows on top of the index's, without copying the index's map.
        new_rows = {a: batch.first_row + i for i, a in enumerate(batch.ids)}

        def row(article_id: str) -> int:
            return new_rows[article_id] if article_id in new_rows else self.rows[article_id]

        left = np.array([row(a) for a, _ in pairs])
        right = np.array([row(b) for _, b in pairs])
        j, c = minhash.score_pairs(sigs, counts, left, right)
        return list(zip(j.tolist(), c.tolist(), strict=True))

    def story_candidates(
        self,
        batch: Records,
        *,
        window_s: float,
        max_df: int,
        max_candidates: int,
        min_shared: int = 3,
        min_similarity: float = 0.1,
    ) -> list[Similar]:
        """Cosine similarity between each new article and the articles it may share a story
        with. Candidates share at least `min_shared` indexed terms, counting only terms in at
        most `max_df` articles' index (a term everyone has finds no story); per new article
        the `max_candidates` sharing most are scored, if published within `window_s` seconds
        of it (an undated article is compared with all: its time is unknown, not far away)."""
        rows = self._batch_rows(batch)
        inner = _MultiMap(batch.index_keys, batch.index_rows)
        df = self._postings.counts(batch.index_keys) + inner.counts(batch.index_keys)
        keys, owners = batch.index_keys[df <= max_df], batch.index_rows[df <= max_df]
        p1, o1 = self._postings.lookup(keys)
        p2, o2 = inner.lookup(keys)
        new = np.concatenate([owners[p1], owners[p2]]).astype(np.int64)
        other = np.concatenate([o1, o2]).astype(np.int64)
        keep = new != other
        pair, shared = np.unique(new[keep] * len(rows) + other[keep], return_counts=True)
        enough = shared >= min_shared
        best: dict[int, list[tuple[int, str, int]]] = {}
        for key, n in zip(pair[enough].tolist(), shared[enough].tolist(), strict=True):
            a, b = divmod(key, len(rows))
            best.setdefault(a, []).append((-n, rows[b], b))
        published = np.concatenate([self._published.values, batch.published])
        batch_offsets = np.concatenate([[0], np.cumsum(batch.vector_lengths)])

        def vector(row: int) -> tuple[np.ndarray, np.ndarray]:
            if row < len(self.ids):
                start, end = self._offsets.values[row : row + 2]
                return self._terms.values[start:end], self._weights.values[start:end]
            start, end = batch_offsets[row - batch.first_row : row - batch.first_row + 2]
            return batch.terms[start:end], batch.weights[start:end]

        dense = np.zeros(len(self.vocabulary), np.float32)  # one new article's vector
        found = []
        for a, candidates in sorted(best.items()):
            others = [b for _, _, b in sorted(candidates)[:max_candidates]]
            others = [b for b in others if _within(published[a], published[b], window_s)]
            terms, weights = vector(a)
            dense[terms] = weights
            for b in others:
                t, w = vector(b)
                similarity = float(dense[t] @ w)
                if similarity >= min_similarity:
                    found.append(Similar(rows[a], rows[b], similarity))
            dense[terms] = 0.0
        return found

    def _batch_rows(self, batch: Records) -> list[str]:
        if batch.first_row != len(self.ids):
            raise ValueError("records were numbered for a different state of the index")
        return self.ids + batch.ids


def _epoch(when: datetime | None) -> float:
    return float("nan") if when is None else when.replace(tzinfo=UTC).timestamp()


def _within(a: float, b: float, window_s: float) -> bool:
    return bool(np.isnan(a) or np.isnan(b) or abs(a - b) <= window_s)


def load(
    con: duckdb.DuckDBPyConnection, version: int, excluding: list[str] | None = None
) -> SimilarityIndex:
    """The index of everything in the warehouse except the articles in `excluding` (the batch
    being landed in this transaction), as of `version`."""
    index = SimilarityIndex(version)
    articles = relations.index_articles(con, excluding or [])
    if not articles.num_rows:
        return index
    ids = articles["article_id"].combine_chunks()
    index.ids = ids.to_pylist()
    index.rows = {a: i for i, a in enumerate(index.ids)}
    index._published.extend(articles["published"].to_numpy(zero_copy_only=False))
    index._shingles.extend(articles["shingles"].to_numpy().astype(np.int32))
    blobs = articles["signature"].combine_chunks()
    signed = b"".join(blobs.drop_null().to_pylist())
    signed = np.frombuffer(signed, "<u4").reshape(-1, minhash.NUM_PERM)
    if blobs.null_count:  # wordless articles have no signature row
        sigs = np.full((len(ids), minhash.NUM_PERM), minhash.EMPTY, np.uint32)
        sigs[np.asarray(blobs.is_valid())] = signed
        signed = sigs
    index._signatures.extend(signed)

    rows = pa.table({"article_id": ids, "row": np.arange(len(ids))})
    bands, terms = relations.index_bands_and_terms(con, rows)
    index._bands = _MultiMap(bands["hash"].to_numpy(), bands["row"].to_numpy())

    term_rows = terms["row"].to_numpy()
    encoded = terms["term"].combine_chunks().dictionary_encode()
    index.vocabulary = {t: i for i, t in enumerate(encoded.dictionary.to_pylist())}
    term_ids = encoded.indices.to_numpy().astype(np.int32)
    order = np.argsort(term_rows, kind="stable")  # rows come mostly in order: timsort is fast
    index._offsets.extend(np.cumsum(np.bincount(term_rows, minlength=len(ids))))
    index._terms.extend(term_ids[order])
    index._weights.extend(terms["weight"].to_numpy()[order])
    heavy = terms["rank"].to_numpy() <= INDEX_TERMS
    index._postings = _MultiMap(term_ids[heavy].astype(np.int64), term_rows[heavy])
    return index


_CACHE: dict[str, SimilarityIndex] = {}
# Landing is one batch at a time per process: the index is shared by every land in it.
LOCK = threading.RLock()


def current(
    con: duckdb.DuckDBPyConnection, warehouse: str, new_ids: list[str]
) -> tuple[SimilarityIndex, int]:
    """The index for the warehouse as it was before this transaction's batch (`new_ids`), and
    the version the warehouse will have once the batch commits. Call inside the landing
    transaction, after the batch's rows were inserted (and the version bumped), holding LOCK."""
    version = relations.index_version(con)
    key = _key(warehouse)
    index = _CACHE.get(key)
    if index is None or index.version != version - 1:
        index = _CACHE[key] = load(con, version - 1, new_ids)
    return index, version


@dataclass(frozen=True)
class Pending:
    """A batch's articles for the index, to add once its transaction committed."""

    index: SimilarityIndex
    records: Records
    version: int


def commit(warehouse: str, pending: Pending | None) -> None:
    """After the batch's transaction committed: the index takes its articles."""
    if pending is None:
        return
    pending.index.add(pending.records)
    pending.index.version = pending.version
    _CACHE[_key(warehouse)] = pending.index


def forget(warehouse: str | Path) -> None:
    _CACHE.pop(_key(warehouse), None)


def _key(warehouse: str | Path) -> str:
    return store.identity(warehouse)
