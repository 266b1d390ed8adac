"""Near-duplicate detection (tasks/relate/minhash.py): accuracy on synthetic re-posts, and speed.

    python bench/dedup_eval.py [--n 500] [--seed 11]

Corpus: the BBC full-text zip (bench/pages.py finds it; NEWSFLOW_BBC_ZIP overrides), 2,225
articles, split by a hash of the title as bench/topics_eval.py splits it: 30% held out. From
a fixed-seed sample of N originals of each split it makes nine re-posts of each: boilerplate
lines around the body, a sentence dropped, 10% of the words replaced at random positions,
a teaser (the first 60% of the words), another article's headline on the first line,
boilerplate plus a dropped sentence, and the copies wire services and aggregators make
(issue 12): a 40% teaser inside a page of unrelated headlines and links, the paragraphs
shuffled, and a rewritten lead. Each re-post and its original are a positive pair. The
sweeps that chose the constants use the dev originals only; the held-out figures are the
ones to quote.

The pipeline is the warehouse's: signatures of every text (originals, re-posts and the rest
of the corpus), LSH candidates = pairs sharing a band hash, confirmed by
`is_near_duplicate`. Corpus pairs are labelled on their exact 5-shingle sets:

- same text: identical normalised bodies (must pair);
- same story: exact Jaccard >= 0.6 or containment >= 0.9, updated or extended versions
  (pairing them is right; a re-post pairing with them is right too);
- unrelated: exact Jaccard < 0.2 and containment < 0.5 (must not pair);
- shares paragraphs: the rest, mostly BBC follow-ups that reuse half an earlier story: distinct
  stories that a threshold low enough for scattered edits can pair. Listed for a reader.

A pair's estimated Jaccard is Binomial(NUM_PERM, J) / NUM_PERM, so besides what this run's
hash functions did, the tables give the expected recall and pair counts ("exp."): the figure
any other set of hash functions would give on average.

Stories: every text also gets its term vector, and the whole set goes through the relate
stage's own index (tasks/relate/simindex.py) and decisions (confirm_pairs, assign_stories),
originals first: a copy should end in its original's story, and no article should join a
story through a false pair.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import DEFAULT_ZIP, Article, load_corpus
from tasks.models import Article as ArticleRow
from tasks.relate import minhash
from tasks.relate.duplicates import confirm_pairs
from tasks.relate.exact import content_hash
from tasks.relate.simindex import SimilarityIndex
from tasks.relate.stories import (
    MAX_CANDIDATES,
    MAX_INDEX_DF,
    WINDOW,
    NewArticle,
    assign_stories,
    story_id_for,
    term_vector,
)

THROUGHPUT_TARGET = 1_000  # docs/s per core on 2,000-word documents (the issue's figure)
SAME_J, SAME_C = 0.6, 0.9
UNRELATED_J, UNRELATED_C = 0.2, 0.5
J_SWEEP = (0.30, 0.33, 0.35, 0.37, 0.38, 0.40, 0.45, 0.50, 0.60, 0.80)
C_SWEEP = (0.6, 0.7, 0.8, 0.9, None)  # None: containment test off
LAYOUT_ROWS = (8, 4, 2, 1)
SHINGLE_SWEEP = (
    (5, (0.35, 0.38, 0.40)),
    (4, (0.36, 0.38, 0.40, 0.42, 0.44)),
    (3, (0.42, 0.44, 0.46, 0.50)),
)
EDITED = "10% words changed"
TEASER = "teaser (first 60%)"
LINKED = "40% teaser among links"
SHUFFLED = "paragraphs shuffled"
RELED = "rewritten lead"
# The copies issue 12 names, with its goal: recall >= 95% on each, on held-out originals.
ISSUE_KINDS = (EDITED, LINKED, SHUFFLED, RELED)
TEST_SHARE = 30  # percent of the corpus held out, by title hash as in bench/topics_eval.py

# Page chrome that scrapers keep: the same lines recur across a site's pages, which is what
# makes them dangerous for short articles.
_CHROME_TOP = (
    "Skip to main content",
    "Home > News > {section}",
    "We use cookies to give you the best experience on our website. By continuing to browse "
    "you agree to our use of cookies.",
    "Accept all cookies",
    "Share this article",
    "Share on Facebook Share on Twitter Copy link",
    "Listen to this article",
    "Advertisement",
)
_CHROME_BOTTOM = (
    "Related stories",
    "{related}",
    "{related}",
    "More from {section}",
    "Most read",
    "Share this story",
    "Follow us on Twitter and Facebook for the latest news.",
    "Sign up for our morning newsletter and get the day's top stories in your inbox.",
    "Comments are closed.",
    "Copyright 2005 Daily Wire Media Ltd. All rights reserved.",
    "Terms of use | Privacy policy | Cookie policy | Contact us",
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])")


# --------------------------------------------------------------------------- the texts


@dataclass(frozen=True)
class Doc:
    text: str
    kind: str  # "corpus" or a variant name
    origin: int  # index of the corpus article it comes from
    split: str = ""  # "dev" or "held-out" for a re-post


def is_held_out(article: Article) -> bool:
    digest = hashlib.sha1(article.title.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < TEST_SHARE


@dataclass(frozen=True)
class Context:
    corpus: tuple[Article, ...]
    vocabulary: tuple[str, ...]


def body_of(article: Article) -> str:
    return "\n".join(article.paragraphs)  # what the warehouse keeps: body only, no title


def _chrome(rng: random.Random, ctx: Context, article: Article, lines: tuple[str, ...]) -> str:
    picked = sorted(rng.sample(range(len(lines)), rng.randint(3, 5)))
    related = (ctx.corpus[rng.randrange(len(ctx.corpus))].title for _ in picked)
    section = article.category.title()
    return "\n".join(
        lines[i].format(section=section, related=r) for i, r in zip(picked, related, strict=True)
    )


def with_boilerplate(rng: random.Random, ctx: Context, article: Article, body: str) -> str:
    top = _chrome(rng, ctx, article, _CHROME_TOP)
    return f"{top}\n{body}\n{_chrome(rng, ctx, article, _CHROME_BOTTOM)}"


def drop_sentence(rng: random.Random, body: str) -> str:
    sentences = [s for p in body.split("\n") for s in _SENTENCE.split(p)]
    if len(sentences) > 1:
        del sentences[rng.randrange(len(sentences))]
    return " ".join(sentences)


def change_words(rng: random.Random, ctx: Context, body: str, share: float = 0.1) -> str:
    # Scattered edits are the hard case for shingles: each changed word breaks k of them.
    # The paragraphs stay paragraphs, as in a copy edited by hand.
    paragraphs = [p.split() for p in body.split("\n")]
    where = [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p))]
    for i, j in rng.sample(where, round(share * len(where))):
        paragraphs[i][j] = rng.choice(ctx.vocabulary)
    return "\n".join(" ".join(p) for p in paragraphs)


def truncate(body: str, share: float = 0.6) -> str:
    words = body.split()
    return " ".join(words[: max(1, round(share * len(words)))])


def retitle(rng: random.Random, ctx: Context, body: str) -> str:
    return f"{ctx.corpus[rng.randrange(len(ctx.corpus))].title}\n{body}"


_AGO = ("", "", "", " 2 hours ago", " 35 minutes ago", " Yesterday", " 3 Feb 2005")


def teaser_among_links(rng: random.Random, ctx: Context, article: Article) -> str:
    """An aggregator's page: its own headlines above and below the first 40% of the story
    (whole paragraphs, the last one cut), under the story's headline and over "Read more"."""
    budget = round(0.4 * sum(len(p.split()) for p in article.paragraphs))
    teaser = []
    for paragraph in article.paragraphs:
        words = paragraph.split()
        teaser.append(" ".join(words[:budget]) + (" …" if len(words) > budget else ""))
        budget -= len(words)
        if budget <= 0:
            break

    def links(n: int) -> list[str]:
        return [
            ctx.corpus[rng.randrange(len(ctx.corpus))].title + rng.choice(_AGO) for _ in range(n)
        ]

    return "\n".join(
        [
            "Top stories",
            *links(rng.randint(3, 8)),
            article.title,
            *teaser,
            "Read more at the source",
            rng.choice(("More headlines", "Trending now", "Latest news")),
            *links(rng.randint(6, 16)),
        ]
    )


def shuffle_paragraphs(rng: random.Random, body: str) -> str:
    paragraphs = body.split("\n")
    shuffled = paragraphs[:]
    while len(paragraphs) > 1 and shuffled == paragraphs:
        rng.shuffle(shuffled)
    return "\n".join(shuffled)


def rewrite_lead(rng: random.Random, body: str) -> str:
    """A wire copy with its own first paragraph: a dateline, and the lead told in other words
    (here its words in another order: no shingle of it survives, its vocabulary does)."""
    lead, *rest = body.split("\n")
    words = lead.rstrip(".").split()
    rng.shuffle(words)
    dateline = rng.choice(("LONDON (Newswire) - ", "WASHINGTON, Feb 3 (Wire) - ", ""))
    return "\n".join([dateline + " ".join(words).capitalize() + ".", *rest])


Variant = Callable[[random.Random, Context, Article], str]
VARIANTS: dict[str, Variant] = {
    "boilerplate": lambda rng, ctx, a: with_boilerplate(rng, ctx, a, body_of(a)),
    "sentence dropped": lambda rng, ctx, a: drop_sentence(rng, body_of(a)),
    EDITED: lambda rng, ctx, a: change_words(rng, ctx, body_of(a)),
    TEASER: lambda rng, ctx, a: truncate(body_of(a)),
    "re-titled": lambda rng, ctx, a: retitle(rng, ctx, body_of(a)),
    "boilerplate + dropped": lambda rng, ctx, a: with_boilerplate(
        rng, ctx, a, drop_sentence(rng, body_of(a))
    ),
    LINKED: teaser_among_links,
    SHUFFLED: lambda rng, ctx, a: shuffle_paragraphs(rng, body_of(a)),
    RELED: lambda rng, ctx, a: rewrite_lead(rng, body_of(a)),
}
SPLITS = ("dev", "held-out")


def build_docs(corpus: tuple[Article, ...], n: int, seed: int) -> list[Doc]:
    """The corpus, then re-posts of `n` originals from each split (all, when fewer)."""
    vocabulary = tuple(sorted({w for a in corpus for p in a.paragraphs for w in p.split()}))
    ctx = Context(corpus, vocabulary)
    docs = [Doc(body_of(a), "corpus", i) for i, a in enumerate(corpus)]
    for split in SPLITS:
        pool = [i for i, a in enumerate(corpus) if is_held_out(a) == (split == "held-out")]
        for i in sorted(random.Random(f"{seed}:{split}").sample(pool, min(n, len(pool)))):
            for name, make in VARIANTS.items():
                text = make(random.Random(f"{seed}:{i}:{name}"), ctx, corpus[i])
                docs.append(Doc(text, name, i, split))
    return docs


# --------------------------------------------------------------------------- ground truth


def exact_overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / max(1, a.size + b.size - common), common / max(1, min(a.size, b.size))


@dataclass(frozen=True)
class Truth:
    story: np.ndarray  # per doc: its original's story (same text and same story merged)
    labels: dict[tuple[int, int], str]  # corpus pairs sharing a shingle; others are unrelated
    exact: dict[tuple[int, int], tuple[float, float]]  # their exact Jaccard and containment


def ground_truth(docs: list[Doc]) -> Truth:
    corpus_idx = [i for i, d in enumerate(docs) if d.kind == "corpus"]
    body_hash = {i: content_hash(docs[i].text) for i in corpus_idx}
    shingles = {i: minhash.shingle_hashes(docs[i].text) for i in corpus_idx}
    holders: dict[int, list[int]] = defaultdict(list)
    for i in corpus_idx:
        for h in shingles[i].tolist():
            holders[h].append(i)
    sharing = {pair for members in holders.values() for pair in itertools.combinations(members, 2)}
    labels, exact = {}, {}
    parent = list(range(len(docs)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in sharing:
        jac, con = exact[i, j] = exact_overlap(shingles[i], shingles[j])
        if body_hash[i] == body_hash[j]:
            labels[i, j] = "same text"
        elif jac >= SAME_J or con >= SAME_C:
            labels[i, j] = "same story"
        elif jac < UNRELATED_J and con < UNRELATED_C:
            labels[i, j] = "unrelated"
        else:
            labels[i, j] = "shares paragraphs"
        if labels[i, j].startswith("same"):
            parent[root(i)] = root(j)
    story = np.array([root(d.origin) for d in docs])
    return Truth(story, labels, exact)


# --------------------------------------------------------------------------- the pipeline


def candidate_pairs(bands: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Pairs (i < j) sharing a (band, hash): the warehouse's self-join on the band rows."""
    keep = np.flatnonzero(counts > 0)  # wordless texts store no bands
    per_doc = bands.shape[1]
    doc = np.repeat(keep, per_doc)
    band = np.tile(np.arange(per_doc), len(keep))
    value = bands[keep].ravel()
    order = np.lexsort((doc, value, band))
    doc, band, value = doc[order], band[order], value[order]
    same = (band[1:] == band[:-1]) & (value[1:] == value[:-1])
    edges = np.flatnonzero(np.diff(np.concatenate(([0], same.astype(np.int8), [0]))))
    pairs = [
        pair
        for start, stop in zip(edges[::2], edges[1::2] + 1, strict=True)
        for pair in itertools.combinations(doc[start:stop].tolist(), 2)
    ]
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.array(pairs, dtype=np.int64), axis=0)


def accept(j: np.ndarray, c: np.ndarray, j_min: float, c_min: float | None) -> np.ndarray:
    """`minhash.is_near_duplicate` over arrays (checked against it for the chosen values)."""
    return (j >= j_min) | (c >= (c_min if c_min is not None else np.inf))


@dataclass(frozen=True)
class Score:
    recall: float
    recall_by_kind: dict[str, float]
    precision: float
    variant_pairs: int
    false_variant_pairs: int
    unrelated_variant_pairs: int  # false pairs whose originals share no paragraph either
    corpus_found: Counter[str]
    found: frozenset[tuple[int, int]]


def score(
    docs: list[Doc], truth: Truth, pairs: np.ndarray, accepted: np.ndarray, split: str = "dev"
) -> Score:
    """Recall and precision over the re-posts of one split's originals."""
    found = frozenset((int(i), int(j)) for i, j in pairs[accepted])
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for v, d in enumerate(docs):
        if d.kind != "corpus" and d.split == split:
            totals[d.kind] += 1
            hits[d.kind] += (d.origin, v) in found
    corpus_found: Counter[str] = Counter()
    with_variant = false_variant = unrelated_variant = 0
    for i, j in found:
        if docs[i].kind == "corpus" and docs[j].kind == "corpus":
            corpus_found[truth.labels.get((i, j), "unrelated")] += 1
        elif split in (docs[i].split, docs[j].split):
            with_variant += 1
            false = truth.story[i] != truth.story[j]
            false_variant += false
            origins = tuple(sorted((docs[i].origin, docs[j].origin)))
            unrelated_variant += false and truth.labels.get(origins) != "shares paragraphs"
    return Score(
        recall=sum(hits.values()) / max(1, sum(totals.values())),
        recall_by_kind={k: hits[k] / max(1, totals[k]) for k in VARIANTS},
        precision=1 - false_variant / max(1, with_variant),
        variant_pairs=with_variant,
        false_variant_pairs=false_variant,
        unrelated_variant_pairs=unrelated_variant,
        corpus_found=corpus_found,
        found=found,
    )


# --------------------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Overlaps:
    """Exact Jaccard and shingle counts of a set of pairs, for expected acceptance rates."""

    jaccard: np.ndarray
    n_a: np.ndarray
    n_b: np.ndarray


def overlaps(pairs: list[tuple[int, int]], docs: list[Doc], shingle: int) -> Overlaps:
    cache: dict[int, np.ndarray] = {}

    def sh(i: int) -> np.ndarray:
        if i not in cache:
            cache[i] = minhash.shingle_hashes(docs[i].text, shingle)
        return cache[i]

    jac = np.array([exact_overlap(sh(i), sh(j))[0] for i, j in pairs])
    return Overlaps(
        jac, np.array([sh(i).size for i, _ in pairs]), np.array([sh(j).size for _, j in pairs])
    )


def expected_accept(o: Overlaps, j_min: float, c_min: float | None, rows: int) -> np.ndarray:
    """P(candidate and confirmed) per pair, the Jaccard estimate being Binomial(K, J) / K."""
    k = minhash.NUM_PERM
    x = np.arange(k + 1)
    log_comb = np.array(
        [math.lgamma(k + 1) - math.lgamma(i + 1) - math.lgamma(k - i + 1) for i in x]
    )
    jac = np.clip(o.jaccard, 1e-12, 1 - 1e-12)[:, None]
    pmf = np.exp(log_comb + x * np.log(jac) + (k - x) * np.log1p(-jac))
    tail = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]  # tail[:, m] = P(equal slots >= m)
    # The containment test is a Jaccard threshold that depends on the two sizes.
    small = np.minimum(o.n_a, o.n_b).astype(float)
    threshold = np.full(len(o.jaccard), j_min)
    if c_min is not None:
        threshold = np.minimum(threshold, c_min * small / (o.n_a + o.n_b - c_min * small))
    need = np.ceil(threshold * k - 1e-9).astype(int)
    confirmed = np.where(need <= k, tail[np.arange(len(need)), np.minimum(need, k)], 0.0)
    candidate = 1 - (1 - o.jaccard**rows) ** (k // rows)
    return confirmed * candidate


# --------------------------------------------------------------------------- throughput


def long_docs(corpus: tuple[Article, ...], words: int = 2_000) -> list[str]:
    stream = [w for a in corpus for w in body_of(a).split()]
    return [" ".join(stream[i : i + words]) for i in range(0, len(stream) - words + 1, words)]


def throughput(docs: list[str], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()  # CPU time: the machine's cores are shared
        minhash.signatures(docs)
        best = min(best, time.process_time() - started)
    return len(docs) / best


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class Run:
    """Everything measured once and shared by the tables."""

    corpus: tuple[Article, ...]
    docs: list[Doc]
    truth: Truth
    positives: list[tuple[int, int]]  # (original, re-post)
    kinds: np.ndarray  # per positive pair: the re-post's kind
    sigs: np.ndarray  # per doc
    counts: np.ndarray  # per doc: distinct shingles
    candidates: dict[int, np.ndarray]  # per rows-per-band: candidate pairs
    scores: dict[int, tuple[np.ndarray, np.ndarray]]  # their estimated Jaccard, containment
    pos: Overlaps  # exact overlaps of the positive pairs
    para_pairs: list[tuple[int, int]]
    para: Overlaps
    unrelated_pairs: list[tuple[int, int]]  # unrelated corpus pairs with exact Jaccard >= 0.1
    unrelated: Overlaps

    def scored(self, rows: int, j_min: float, c_min: float | None) -> Score:
        j, c = self.scores[rows]
        return score(self.docs, self.truth, self.candidates[rows], accept(j, c, j_min, c_min))


def measure(corpus: tuple[Article, ...], n: int, seed: int) -> Run:
    docs = build_docs(corpus, n, seed)
    truth = ground_truth(docs)
    sigs, counts = minhash.signatures([d.text for d in docs])
    # The sweeps below choose constants: they see the dev originals' re-posts only.
    positives = [(d.origin, v) for v, d in enumerate(docs) if d.split == "dev"]
    candidates = {
        r: candidate_pairs(minhash.band_hashes(sigs, rows=r), counts) for r in LAYOUT_ROWS
    }
    para_pairs = sorted(p for p, lab in truth.labels.items() if lab == "shares paragraphs")
    unrelated = [
        p for p, lab in truth.labels.items() if lab == "unrelated" and truth.exact[p][0] >= 0.1
    ]
    return Run(
        corpus=corpus,
        docs=docs,
        truth=truth,
        positives=positives,
        kinds=np.array([docs[v].kind for _, v in positives]),
        sigs=sigs,
        counts=counts,
        candidates=candidates,
        scores={
            r: minhash.score_pairs(sigs, counts, p[:, 0], p[:, 1]) for r, p in candidates.items()
        },
        pos=overlaps(positives, docs, minhash.SHINGLE),
        para_pairs=para_pairs,
        para=overlaps(para_pairs, docs, minhash.SHINGLE),
        unrelated_pairs=unrelated,
        unrelated=overlaps(unrelated, docs, minhash.SHINGLE),
    )


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def table(title: str, head: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    cells = [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(head)]
    print()
    print(title)
    print("  " + "  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    for r in cells:
        print("  " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))


def report_estimator(run: Run) -> None:
    est = np.array([minhash.jaccard(run.sigs[o], run.sigs[v]) for o, v in run.positives])
    true = run.pos.jaccard
    mid = (true > 0.05) & (true < 0.95)
    z = (est - true)[mid] / np.sqrt(true * (1 - true) / minhash.NUM_PERM)[mid]
    print(
        f"Jaccard estimate vs exact, positive pairs: bias {np.mean(est - true):+.4f}, "
        f"error / binomial sd {np.std(z):.2f} (1.00: as good as random permutations)"
    )
    edited = true[run.kinds == EDITED]
    print(
        f"exact Jaccard of '{EDITED}' re-posts: {np.percentile(edited, 1):.2f} (1st pct) to "
        f"{edited.max():.2f}, median {np.median(edited):.2f}; "
        f"corpus pairs sharing paragraphs: up to {run.para.jaccard.max():.2f}"
    )


def report_layouts(run: Run, j_min: float, c_min: float) -> None:
    positive = set(run.positives)
    rows_out = []
    for r in LAYOUT_ROWS:
        bands = minhash.NUM_PERM // r
        before = len(positive.intersection(map(tuple, run.candidates[r].tolist())))
        after = run.scored(r, j_min, c_min)
        rows_out.append(
            (
                f"{bands}x{r}",
                len(run.candidates[r]),
                pct(before / len(run.positives)),
                pct(after.recall),
                pct(expected_accept(run.pos, j_min, c_min, r).mean()),
                pct(after.recall_by_kind[EDITED]),
                f"{1 - (1 - j_min**r) ** bands:.4f}",
            )
        )
    table(
        f"LSH band layouts (confirmed with J >= {j_min} or C >= {c_min})",
        (
            "bands x rows",
            "candidates",
            "pos. candidates",
            "recall",
            "exp.",
            EDITED,
            f"P(cand|J={j_min})",
        ),
        rows_out,
    )


def report_thresholds(run: Run, j_best: float, c_best: float, rows: int) -> None:
    def row(label: str, j_min: float, c_min: float | None, extra: tuple[str, ...]) -> tuple:
        s = run.scored(rows, j_min, c_min)
        return (
            label,
            pct(s.recall),
            pct(expected_accept(run.pos, j_min, c_min, rows).mean()),
            *(pct(s.recall_by_kind[k]) for k in extra),
            pct(s.precision),
            s.corpus_found["unrelated"],
            f"{expected_accept(run.unrelated, j_min, c_min, rows).sum():.2f}",
            s.corpus_found["shares paragraphs"],
            f"{expected_accept(run.para, j_min, c_min, rows).sum():.1f}",
        )

    tail = ("precision", "unrelated", "exp.", "para. pairs", "exp.")
    layout = f"{minhash.NUM_PERM // rows}x{rows}"
    table(
        f"Jaccard threshold ({layout}, C >= {c_best})",
        ("J >=", "recall", "exp.", EDITED, *tail),
        [row(f"{j:.2f}", j, c_best, (EDITED,)) for j in J_SWEEP],
    )
    table(
        f"Containment threshold ({layout}, J >= {j_best})",
        ("C >=", "recall", "exp.", TEASER, "boilerplate", *tail),
        [
            row("off" if c is None else f"{c:.2f}", j_best, c, (TEASER, "boilerplate"))
            for c in C_SWEEP
        ],
    )


def report_shingles(run: Run, c_min: float, rows: int) -> None:
    rows_out = []
    for shingle, j_values in SHINGLE_SWEEP:
        pos = overlaps(run.positives, run.docs, shingle)
        para = overlaps(run.para_pairs, run.docs, shingle)
        unrelated = overlaps(run.unrelated_pairs, run.docs, shingle)
        for j_min in j_values:
            accepted = expected_accept(pos, j_min, c_min, rows)
            rows_out.append(
                (
                    shingle,
                    f"{j_min:.2f}",
                    pct(accepted.mean()),
                    *(pct(accepted[run.kinds == kind].mean()) for kind in (EDITED, LINKED)),
                    f"{expected_accept(para, j_min, c_min, rows).sum():.2f}",
                    f"{expected_accept(unrelated, j_min, c_min, rows).sum():.3f}",
                )
            )
    table(
        f"Shingle size, expected values only, C >= {c_min} (pairs labelled on "
        f"{minhash.SHINGLE}-word shingles)",
        ("words", "J >=", "recall", EDITED, LINKED, "para. pairs", "unrelated"),
        rows_out,
    )


def report_furniture(run: Run) -> None:
    """What dropping the furniture lines (minhash.prose) does, expected values."""
    j_min, c_min, rows = minhash.JACCARD_MIN, minhash.CONTAINMENT_MIN, minhash.ROWS
    rows_out = []
    for label, furniture in (("kept", True), ("dropped", False)):

        def sh(i: int, keep: bool = furniture) -> np.ndarray:
            return minhash.shingle_hashes(run.docs[i].text, furniture=keep)

        def over(pairs: list[tuple[int, int]]) -> Overlaps:
            sets = {i: sh(i) for p in pairs for i in p}
            jac = np.array([exact_overlap(sets[i], sets[j])[0] for i, j in pairs])
            sizes = [np.array([sets[p[k]].size for p in pairs]) for k in (0, 1)]
            return Overlaps(jac, *sizes)

        accepted = expected_accept(over(run.positives), j_min, c_min, rows)
        rows_out.append(
            (
                label,
                *(pct(accepted[run.kinds == kind].mean()) for kind in VARIANTS),
                f"{expected_accept(over(run.para_pairs), j_min, c_min, rows).sum():.2f}",
                f"{expected_accept(over(run.unrelated_pairs), j_min, c_min, rows).sum():.3f}",
            )
        )
    table(
        f"Furniture lines (short, no final stop), expected values at J >= {j_min} or C >= {c_min}",
        ("furniture", *VARIANTS, "para. pairs", "unrelated"),
        rows_out,
    )


def report_chosen(run: Run, split: str) -> Score:
    j_min, c_min, rows = minhash.JACCARD_MIN, minhash.CONTAINMENT_MIN, minhash.ROWS
    pairs = run.candidates[rows]
    j, c = run.scores[rows]
    # Through is_near_duplicate itself, the function the warehouse will call.
    chosen = np.array([minhash.is_near_duplicate(a, b) for a, b in zip(j, c, strict=True)])
    assert np.array_equal(chosen, accept(j, c, j_min, c_min))
    s = score(run.docs, run.truth, pairs, chosen, split)
    positives = [(d.origin, v) for v, d in enumerate(run.docs) if d.split == split]
    kinds = np.array([run.docs[v].kind for _, v in positives])
    exp = expected_accept(overlaps(positives, run.docs, minhash.SHINGLE), j_min, c_min, rows)
    labels = Counter(run.truth.labels.values())
    originals = len({o for o, _ in positives})
    print()
    print(
        f"Chosen, {split} originals ({originals}): {minhash.BANDS}x{rows} bands, "
        f"J >= {j_min} or C >= {c_min}"
    )
    print(f"  candidates / confirmed pairs       {len(pairs)} / {int(chosen.sum())}")
    ok = "ok" if s.recall >= 0.95 else "BELOW 95%"
    print(f"  recall (re-post, original)         {pct(s.recall)} (exp. {pct(exp.mean())}): {ok}")
    for kind, r in s.recall_by_kind.items():
        goal = (": ok" if r >= 0.95 else ": BELOW 95%") if kind in ISSUE_KINDS else ""
        print(f"    {kind:<32} {pct(r):>6} (exp. {pct(exp[kinds == kind].mean())}){goal}")
    ok = "ok" if s.precision >= 0.99 else "BELOW 99%"
    print(
        f"  precision, pairs with a re-post    {pct(s.precision)} "
        f"({s.false_variant_pairs} false of {s.variant_pairs}, "
        f"{s.unrelated_variant_pairs} with an unrelated article): {ok}"
    )
    if split != "dev":
        return s
    for label in ("same text", "same story", "shares paragraphs", "unrelated"):
        total = labels[label] if label != "unrelated" else "the rest"
        found = s.corpus_found[label]
        print(f"  corpus pairs '{label}' found{'':<{18 - len(label)}}{found} of {total}")
    for (i, k), label in sorted(run.truth.labels.items()):
        if label.startswith("same") and (i, k) not in s.found:
            jac, con = run.truth.exact[i, k]
            sizes = f"{run.counts[i]} and {run.counts[k]} shingles"
            print(f"    missed {label}: J {jac:.2f} C {con:.2f} ({sizes}) {run.corpus[i].title!r}")
    expected = expected_accept(run.para, j_min, c_min, rows)
    for (i, k), jac, p in zip(run.para_pairs, run.para.jaccard, expected, strict=True):
        if (i, k) in s.found or p >= 0.05:
            mark = "paired" if (i, k) in s.found else "      "
            con = run.truth.exact[i, k][1]
            a, b = run.corpus[i].title[:34], run.corpus[k].title[:34]
            print(f"    {mark} J {jac:.2f} C {con:.2f} P {p:.2f}  {a!r} ~ {b!r}")
    return s


# --------------------------------------------------------------------------- stories


def _article(i: int, doc: Doc, title: str | None, sig: np.ndarray, count: int) -> ArticleRow:
    vector = term_vector(title, doc.text)
    return ArticleRow(
        article_id=f"d{i:06d}", source_kind="file", source_uri=f"doc/{i}", url=None, title=title,
        text=doc.text, published_at=datetime(2005, 2, 3), language="en", author=None,
        site_name=None, description=None, content_hash=content_hash(doc.text), raw_sha256="",
        raw_size=0, encoding="utf-8", extractor="bench", word_count=len(doc.text.split()),
        shingles=count, signature=sig.astype("<u4").tobytes(),
        bands=minhash.band_hashes(sig)[0].tolist(), terms=list(vector),
        weights=list(vector.values()),
    )  # fmt: skip


def report_stories(run: Run) -> None:
    """The relate stage's index and decisions over the corpus (landed first, one batch) and
    then every re-post (a second batch): where each copy's story ends up."""
    articles = [
        _article(i, d, run.corpus[i].title if d.kind == "corpus" else None, run.sigs[i],
                 int(run.counts[i]))
        for i, d in enumerate(run.docs)
    ]  # fmt: skip
    first = sum(d.kind == "corpus" for d in run.docs)
    index = SimilarityIndex(0)
    parent = list(range(len(articles)))  # duplicate groups; the smallest index is the original

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = i = parent[parent[i]]
        return i

    row = {a.article_id: i for i, a in enumerate(articles)}
    stories: dict[str, str] = {}
    for batch in (articles[:first], articles[first:]):
        records = index.records(batch)
        candidates = index.near_candidates(records)
        methods = [(a, b, "near") for a, b in candidates]
        for p in confirm_pairs(methods, index.score(records, candidates)):
            a, b = sorted((root(row[p["article_id"]]), root(row[p["other_id"]])))
            parent[b] = a
        similar = index.story_candidates(
            records,
            window_s=WINDOW.total_seconds(),
            max_df=MAX_INDEX_DF,
            max_candidates=MAX_CANDIDATES,
        )
        new = []
        for a in batch:
            original = root(row[a.article_id])
            duplicate_of = None if original == row[a.article_id] else articles[original].article_id
            new.append(
                NewArticle(
                    a.article_id,
                    datetime(2005, 2, 3) + timedelta(seconds=row[a.article_id]),
                    duplicate_of,
                )
            )
        stories |= assign_stories(new, similar, stories, Counter(stories.values()))
        index.add(records)

    story = [stories[a.article_id] for a in articles]
    rows = []
    for split in SPLITS:
        for kind in VARIANTS:
            copies = [
                (d.origin, v) for v, d in enumerate(run.docs) if d.split == split and d.kind == kind
            ]
            same = sum(story[v] == story[o] for o, v in copies)
            alone = sum(
                story[v] != story[o] and story[v] == story_id_for(articles[v].article_id)
                for o, v in copies
            )
            rows.append(
                (split, kind, pct(same / max(1, len(copies))), alone, len(copies) - same - alone)
            )
    table(
        "Stories: where each copy lands (relate stage's index and decisions, corpus first)",
        ("originals", "copy", "in its original's story", "alone", "in another story"),
        rows,
    )
    joined = [
        (o, v)
        for v, d in enumerate(run.docs)
        if d.kind != "corpus"
        for o in [d.origin]
        if story[v] != story[o] and story[v] != story_id_for(articles[v].article_id)
    ]
    merged = [
        (root(i), i)
        for i in range(first)
        if run.truth.story[root(i)] != run.truth.story[i]
        and run.truth.labels.get((root(i), i)) != "shares paragraphs"
    ]
    print(
        f"  copies in a story not their original's: {len(joined)}; corpus articles made a copy "
        f"of an unrelated one (through a re-post bridging them): {len(merged)}"
    )
    for o, v in joined[:10]:
        others = [run.corpus[i].title for i in range(first) if story[i] == story[v]][:2]
        print(f"    {run.docs[v].kind}: copy of {run.corpus[o].title!r} joined {others!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="originals to vary (default 500)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP, help="the BBC corpus zip")
    parser.add_argument("--no-stories", action="store_true", help="skip the stories check")
    args = parser.parse_args()
    if not args.zip.exists():
        sys.exit(f"BBC corpus not found at {args.zip} (set NEWSFLOW_BBC_ZIP)")
    started = time.perf_counter()
    mh = minhash

    corpus = load_corpus(args.zip)
    run = measure(corpus, args.n, args.seed)
    labels = Counter(run.truth.labels.values())
    print(
        f"corpus {len(corpus)} articles; {args.n} dev originals x {len(VARIANTS)} re-posts = "
        f"{len(run.positives)} positive pairs to tune on, as many held out; {len(run.docs)} texts"
    )
    print(
        f"corpus pairs: {labels['same text']} same text, {labels['same story']} same story, "
        f"{labels['shares paragraphs']} share paragraphs, the rest unrelated"
    )
    print(
        f"constants: NUM_PERM {mh.NUM_PERM}, SHINGLE {mh.SHINGLE}, BANDS x ROWS "
        f"{mh.BANDS}x{mh.ROWS}, JACCARD_MIN {mh.JACCARD_MIN}, CONTAINMENT_MIN {mh.CONTAINMENT_MIN}"
    )
    report_estimator(run)
    report_layouts(run, mh.JACCARD_MIN, mh.CONTAINMENT_MIN)
    report_thresholds(run, mh.JACCARD_MIN, mh.CONTAINMENT_MIN, mh.ROWS)
    report_shingles(run, mh.CONTAINMENT_MIN, mh.ROWS)
    report_furniture(run)
    for split in SPLITS:
        report_chosen(run, split)
    if not args.no_stories:
        report_stories(run)

    docs_2k = long_docs(corpus)
    rate = throughput(docs_2k)
    verdict = "ok" if rate >= THROUGHPUT_TARGET else "BELOW TARGET"
    print()
    print(
        f"signatures(): {rate:,.0f} docs/s (CPU time) on {len(docs_2k)} 2,000-word documents, "
        f"one process "
        f"(target >= {THROUGHPUT_TARGET:,}: {verdict})"
    )
    print(f"total time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
