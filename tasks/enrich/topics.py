"""Topic tags on the IPTC Media Topics top level, from weighted terms in a TOML file.

The taxonomy (tasks/enrich/data/topics.toml) lists each topic by its IPTC qcode with its name and
weighted terms: single words or phrases of up to three words. A topic's raw score sums, over
the terms the article contains, weight x (1 + ln count), title words counting `title_weight`
times; dividing by the square root of the article's length and squashing into [0, 1) gives
the score.

A short item (a wire brief, a feed summary: a headline and a sentence) holds too few of those
terms to go on, so a linear model over words and two-word phrases (tasks/enrich/data/
topics_model.npz, trained offline by bench/topics_short.py on the BBC corpus' dev split) adds
its evidence for the five topics the BBC sections label: a topic's score becomes
1 - (1 - term score) x (1 - model_weight x p x (1 - other)), where p is the model's
probability for it and `other` the best term score of a topic the model does not know
(health, weather, crime...), so that a text with its own clear topic keeps it. The best topic
is always returned (with a low score when unsure); others at or above `min_score` and at least
`secondary_ratio` of the best one, `max_topics` at most.

    [settings]                      # optional, every key optional
    min_score = 0.3

    [topics."medtop:16000000"]
    name = "conflict, war and peace"

    [topics."medtop:16000000".terms]      # written by hand
    troops = 2.5
    "peace talks" = 3.0

    [topics."medtop:16000000".learned]    # written by bench/topics_eval.py --train
    ...

A user's extra file has the same format: a known code extends that topic (its terms override
same-named ones), a new code adds a topic and needs a name. `$NEWSFLOW_TOPICS` names an
extra file for the default taxonomy. `model_weight = 0` under [settings] (in either file)
switches the model off; load_taxonomy(model=...) reads another model file, or none.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np

from tasks.errors import ConfigError
from tasks.settings import read_toml, settings

DEFAULT_TAXONOMY = Path(__file__).resolve().parent / "data" / "topics.toml"
DEFAULT_MODEL = DEFAULT_TAXONOMY.with_name("topics_model.npz")
MAX_TERM_WORDS = 3
# Past this many characters the topic is long settled; the cap bounds the time per article.
MAX_CHARS = 200_000

_WORD = re.compile(r"[^\W_]+")
_TOPIC_KEYS = {"name", "terms", "learned"}
# Function words that make up about a third of English prose (a seventh at the least in the
# BBC corpus); a long text with almost none of them is in another language, where English
# terms would match only by accident.
_ENGLISH_WORDS = (
    "the of and to a in is that for on was with he it as at by from his be have has are "
    "this an but not they were which its said had who will been their would we i"
)
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
_ENGLISH_MIN_TOKENS = 20
# Too few tokens for the function-word share to mean anything ("Il governo ha approvato la
# riforma in Parlamento" has 1 in 10), and too many for a short English item to pass it ("Global
# carbon emissions rose again last year despite pledges to tackle climate change" has 1 in 13).
# Words the model knows (its 12,000 BBC words) tell instead: on the held-out BBC short items
# (bench/topics_short.py) the share is 0.50 at the least and 0.65 for 99 in 100; on German,
# French, Spanish, Italian, Dutch, Polish and Portuguese news sentences 0.11-0.45.
MIN_KNOWN_SHARE = 0.55
_SAMPLE_CHARS = 3000
# The model reads the headline and this many words of the body: the lead carries the topic, and
# the terms read the whole text. A bound on its cost, which is most of the tagger's on a long
# article; full-article accuracy (bench/topics_eval.py) 0.968 with 150 words, 0.970 with 300,
# 0.967 with all of them (378 on average).
MODEL_WORDS = 300
# Word pairs with one of these are no model features ("the film", "his party"): the content
# word alone carries the signal. bench/topics_short.py trains on the same features.
_PHRASE_STOP_WORDS = (
    "a an the of and or to in on at by for from with as is are was were be been has have had "
    "it its he she his her they their them we our you your i this that these those which who "
    "will would can could may might should not no but if than then there so also said says "
    "about after before over into out up down more most s t ve ll re d m"
)
_PHRASE_STOP = frozenset(_PHRASE_STOP_WORDS.split())


class TaxonomyError(ConfigError):
    """A taxonomy file cannot be used as it is; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Settings:
    min_score: float = 0.3
    max_topics: int = 3
    secondary_ratio: float = 0.5
    title_weight: float = 3.0
    # A raw score per sqrt(word) equal to this maps to 0.5.
    saturation: float = 1.0
    # Share of English function words below which a text of 20+ words gets no topics (unless
    # the model knows MIN_KNOWN_SHARE of its words); 0 turns the check off (for a taxonomy with
    # terms in other languages).
    min_english_ratio: float = 0.1
    # How much the short-text model adds (see the module docstring); 0 switches it off. Chosen
    # by 5-fold cross-validation inside the BBC dev split (headline + first sentence / full
    # article accuracy): 0.5 -> 0.903 / 0.967, 0.7 -> 0.910 / 0.971, 0.9 -> 0.921 / 0.974,
    # 1.0 -> 0.921 / 0.974 (terms alone 0.827 / 0.955). Without the (1 - other) discount 0.9
    # scored 0.932 but took the short health paragraph of tests/test_topics.py for business.
    model_weight: float = 0.9


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    name: str
    terms: Mapping[str, float]  # hand-written weights, normalised term -> weight
    learned: Mapping[str, float] = field(default_factory=dict)  # trained on open data

    def __post_init__(self) -> None:
        # Read-only and in the tagger's own word form ("Peace-Talks" -> "peace talks"): the
        # taxonomy's lookup tables are built from them once and matched on tokenize() output.
        for name in ("terms", "learned"):
            table = {" ".join(tokenize(k)): v for k, v in getattr(self, name).items()}
            table.pop("", None)
            object.__setattr__(self, name, MappingProxyType(table))

    def weights(self) -> dict[str, float]:
        """Effective weights: a hand-written term overrides the same learned one."""
        return {**self.learned, **self.terms}


@dataclass(frozen=True, slots=True, eq=False)
class Model:
    """A linear model over model_features(): term -> one weight per topic code, a softmax over
    the codes. Written by bench/topics_short.py --train; read with load_model()."""

    codes: tuple[str, ...]
    terms: dict[str, int]  # term -> row of `weights`
    weights: np.ndarray  # (terms, codes)
    bias: np.ndarray  # (codes,)
    title_weight: float = 2.0

    def probabilities(self, head: Sequence[str], body: Sequence[str]) -> np.ndarray | None:
        """p(code | text) over self.codes; None when the text has no term the model knows."""
        counts: Counter[str] = Counter()
        model_features(body[:MODEL_WORDS], counts, 1.0)
        model_features(head, counts, self.title_weight)
        get = self.terms.get
        pairs = zip(map(get, counts), counts.values(), strict=True)
        found = [(row, n) for row, n in pairs if row is not None]
        if not found:
            return None
        rows, n = zip(*found, strict=True)
        x = np.log1p(np.fromiter(n, dtype=np.float64, count=len(n)))
        z = (x / math.sqrt(float(x @ x))) @ self.weights[list(rows)] + self.bias
        e = np.exp(z - z.max())
        return e / e.sum()

    def known_share(self, text: str) -> float:
        """Share of the words written in lower case that the model knows: a cheap sign of
        English that names ("Laura Ashley", "Hereford") and numbers do not sway."""
        words = [w for w in _WORD.findall(text) if len(w) > 1 and not w.isdigit()]
        lower = [w for w in words if w[0].islower()] or [w.lower() for w in words]
        return sum(1 for w in lower if w.lower() in self.terms) / len(lower) if lower else 0.0


def model_features(words: Sequence[str], counts: Counter[str], each: float) -> None:
    """Add the model's terms in `words` to `counts`: words of two or more letters that are not
    numbers, and pairs of them with no function word."""
    single = Counter(words)
    usable = {w for w in single if len(w) > 1 and not w.isdigit()}
    for word in usable:
        counts[word] += single[word] * each
    content = usable - _PHRASE_STOP
    for (a, b), n in Counter(itertools.pairwise(words)).items():
        if a in content and b in content:
            counts[f"{a} {b}"] += n * each


@dataclass(frozen=True, slots=True)
class Taxonomy:
    topics: tuple[Topic, ...]
    settings: Settings = Settings()
    sources: tuple[str, ...] = ()
    model: Model | None = field(default=None, repr=False, compare=False)
    # Lookup tables built once: term -> ((topic index, weight), ...), and for phrases the
    # lengths that start with a given word, so an article is scanned once, never per term.
    _index: Mapping[str, tuple[tuple[int, float], ...]] = field(
        init=False, repr=False, compare=False
    )
    _starts: Mapping[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    # (topic index, model column) of the topics the model knows; the indices of the others.
    _model_cols: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _unmodelled: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[tuple[int, float]]] = {}
        starts: dict[str, set[int]] = {}
        for i, topic in enumerate(self.topics):
            for term, weight in topic.weights().items():
                if weight == 0:
                    continue
                index.setdefault(term, []).append((i, weight))
                words = term.split(" ")
                if len(words) > 1:
                    starts.setdefault(words[0], set()).add(len(words))
        frozen = {term: tuple(hits) for term, hits in index.items()}
        object.__setattr__(self, "_index", MappingProxyType(frozen))
        lengths = {w: tuple(sorted(n)) for w, n in starts.items()}
        object.__setattr__(self, "_starts", MappingProxyType(lengths))
        codes = self.model.codes if self.model else ()
        cols = tuple((i, codes.index(t.code)) for i, t in enumerate(self.topics) if t.code in codes)
        object.__setattr__(self, "_model_cols", cols)
        known = {i for i, _ in cols}
        rest = tuple(i for i in range(len(self.topics)) if i not in known)
        object.__setattr__(self, "_unmodelled", rest)

    def topic(self, code: str) -> Topic | None:
        return next((t for t in self.topics if t.code == code), None)


# --------------------------------------------------------------------------- tagging


def tokenize(text: str) -> list[str]:
    """Lowercase words and numbers; hyphens and apostrophes split ("jong-un" -> jong, un)."""
    return _WORD.findall(text.lower())


def tag_topics(
    title: str | None, text: str, taxonomy: Taxonomy | None = None
) -> list[tuple[str, str, float]]:
    """(code, name, score) of the article's topics, best first; [] when nothing fits.

    The best-scored topic is always there for an English text with words to go on, with a low
    score when the evidence is thin; a second or third needs `min_score` and `secondary_ratio`
    of the best. No body text means no topics: a headline alone is too little to go on. Never
    raises on odd input (any language, any size).
    """
    tax = taxonomy or default_taxonomy()
    raw = topic_scores(title, text, tax)
    if not raw:
        return []
    s = tax.settings
    best = max(raw)
    if best <= 0:
        return []
    floor = max(s.min_score, best * s.secondary_ratio)
    top = raw.index(best)
    ranked = sorted(
        ((score, i) for i, score in enumerate(raw) if score >= floor or i == top),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return [
        (tax.topics[i].code, tax.topics[i].name, round(score, 4))
        for score, i in ranked[: s.max_topics]
    ]


def topic_scores(title: str | None, text: str, taxonomy: Taxonomy) -> list[float]:
    """Every topic's score in [0, 1), in taxonomy order; [] for an empty or foreign text."""
    body = tokenize(text[:MAX_CHARS]) if text else []
    if not body:
        return []
    head = tokenize(title[:1000]) if title else []
    n = len(body) + len(head)
    s = taxonomy.settings
    model = taxonomy.model if s.model_weight > 0 else None
    sample = f"{title or ''} {text[:_SAMPLE_CHARS]}"
    if s.min_english_ratio > 0 and not _english(head, body, sample, s.min_english_ratio, model):
        return []
    counts: Counter[str] = Counter()
    _count_terms(body, taxonomy, counts, 1.0)
    _count_terms(head, taxonomy, counts, s.title_weight)
    raw = [0.0] * len(taxonomy.topics)
    index = taxonomy._index
    for term, count in counts.items():
        # Sublinear: the tenth "Korea" says less than the second.
        tf = 1.0 + math.log(count) if count >= 1 else count
        for i, weight in index[term]:
            raw[i] += weight * tf
    norm = math.sqrt(max(n, 50))  # short texts are not inflated past a 50-word article
    scores = [x / (x + s.saturation) if x > 0 else 0.0 for x in (r / norm for r in raw)]
    if model is not None and taxonomy._model_cols:
        p = model.probabilities(head, body)
        if p is not None:
            # A clear topic of its own (health, weather, a user's) leaves the model less say.
            other = max((scores[i] for i in taxonomy._unmodelled), default=0.0)
            trust = s.model_weight * (1.0 - other)
            for i, col in taxonomy._model_cols:
                scores[i] = 1.0 - (1.0 - scores[i]) * (1.0 - trust * float(p[col]))
    return scores


def _english(
    head: list[str], body: list[str], sample: str, min_ratio: float, model: Model | None
) -> bool:
    """Whether English terms can mean anything here: enough function words in a text of 20+
    words, or (with a model) enough words the model knows, in a text of any length."""
    n = len(body) + len(head)
    if n >= _ENGLISH_MIN_TOKENS:
        english = sum(1 for w in body if w in _ENGLISH) + sum(1 for w in head if w in _ENGLISH)
        if english >= min_ratio * n:
            return True
    if model is None:
        return n < _ENGLISH_MIN_TOKENS
    return model.known_share(sample) >= MIN_KNOWN_SHARE


def _count_terms(words: list[str], taxonomy: Taxonomy, counts: Counter[str], each: float) -> None:
    index, starts = taxonomy._index, taxonomy._starts
    for word, c in Counter(words).items():
        if word in index:
            counts[word] += c * each
    if not starts:
        return
    for i in [i for i, w in enumerate(words) if w in starts]:
        for length in starts[words[i]]:
            phrase = " ".join(words[i : i + length])
            if phrase in index:
                counts[phrase] += each


# --------------------------------------------------------------------------- loading


@functools.lru_cache(maxsize=1)
def _default(extra: str | None) -> Taxonomy:
    return load_taxonomy(Path(extra) if extra else None)


def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy plus $NEWSFLOW_TOPICS if set; parsed once per process."""
    extra = settings().topics_file
    return _default(str(extra) if extra else None)


def load_taxonomy(
    extra: Path | None = None, base: Path = DEFAULT_TAXONOMY, model: Path | None = DEFAULT_MODEL
) -> Taxonomy:
    """The base taxonomy file, extended by a user's `extra` file of the same format, with the
    short-text model (None: terms only)."""
    settings, topics = _parse(base, Settings(), {})
    sources = [str(base)]
    if extra is not None:
        settings, topics = _parse(Path(extra), settings, topics)
        sources.append(str(extra))
    loaded = load_model(model) if model is not None else None
    return Taxonomy(tuple(topics.values()), settings, tuple(sources), loaded)


@functools.lru_cache(maxsize=4)
def load_model(path: Path = DEFAULT_MODEL) -> Model:
    """The model file written by bench/topics_short.py --train (numpy arrays, no pickles)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            terms = bytes(data["terms"]).decode("utf-8").split("\n")
            codes = bytes(data["codes"]).decode("utf-8").split("\n")
            weights = data["weights"].astype(np.float64)
            bias = data["bias"].astype(np.float64)
            title_weight = float(data["title_weight"])
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read the topic model: {exc}") from exc
    except (KeyError, ValueError, EOFError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise TaxonomyError(f"{path}: not a topic model file: {exc}") from exc
    if weights.shape != (len(terms), len(codes)) or bias.shape != (len(codes),):
        raise TaxonomyError(f"{path}: not a topic model file: arrays of the wrong shape")
    if not (np.isfinite(weights).all() and np.isfinite(bias).all()):
        raise TaxonomyError(f"{path}: not a topic model file: weights must be finite")
    index = {t: i for i, t in enumerate(terms)}  # a dict: looked up ~700 times an article
    return Model(tuple(codes), index, weights, bias, title_weight)


def _parse(
    path: Path, settings: Settings, topics: dict[str, Topic]
) -> tuple[Settings, dict[str, Topic]]:
    data = read_toml(path, "topics file", TaxonomyError)
    if unknown := set(data) - {"settings", "topics"}:
        raise TaxonomyError(f"{path}: unknown section(s) {sorted(unknown)}")
    settings = _settings(path, data.get("settings", {}), settings)
    entries = data.get("topics", {})
    if not isinstance(entries, dict):
        raise TaxonomyError(f"{path}: 'topics' must be a table of [topics.\"<code>\"] tables")
    topics = dict(topics)
    for code, entry in entries.items():
        where = f'{path}: [topics."{code}"]'
        if not isinstance(entry, dict):
            raise TaxonomyError(f"{where}: must be a table, got {type(entry).__name__}")
        if unknown := set(entry) - _TOPIC_KEYS:
            raise TaxonomyError(f"{where}: unknown key(s) {sorted(unknown)}")
        if not code.strip():
            raise TaxonomyError(f"{path}: a topic code must not be empty")
        old = topics.get(code)
        name = entry.get("name", old.name if old else None)
        if not isinstance(name, str) or not name.strip():
            raise TaxonomyError(f"{where}: 'name' must be a non-empty string, got {name!r}")
        terms = _terms(where, "terms", entry.get("terms", {}))
        learned = _terms(where, "learned", entry.get("learned", {}))
        if old:
            terms, learned = {**old.terms, **terms}, {**old.learned, **learned}
        elif not terms and not learned:
            raise TaxonomyError(f"{where}: a new topic needs a [terms] table with some terms")
        topics[code] = Topic(code, name.strip(), terms, learned)
    if not topics:
        raise TaxonomyError(f"{path}: no topics defined")
    return settings, topics


def _terms(where: str, key: str, table: object) -> dict[str, float]:
    if not isinstance(table, dict):
        raise TaxonomyError(f"{where}: '{key}' must be a table of \"term\" = weight")
    out: dict[str, float] = {}
    for term, weight in table.items():
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise TaxonomyError(f"{where}.{key}: {term!r} needs a number, got {weight!r}")
        if not math.isfinite(weight):
            raise TaxonomyError(f"{where}.{key}: {term!r} weight must be finite")
        words = tokenize(term)
        if not 1 <= len(words) <= MAX_TERM_WORDS:
            raise TaxonomyError(
                f"{where}.{key}: {term!r} must be 1 to {MAX_TERM_WORDS} words, has {len(words)}"
            )
        out[" ".join(words)] = float(weight)
    return out


def _settings(path: Path, table: object, base: Settings) -> Settings:
    if not isinstance(table, dict):
        raise TaxonomyError(f"{path}: [settings] must be a table")
    known = {f.name: f for f in fields(Settings)}
    if unknown := set(table) - set(known):
        raise TaxonomyError(f"{path}: unknown [settings] key(s) {sorted(unknown)}")
    changes: dict[str, float | int] = {}
    for key, value in table.items():
        wants_int = key == "max_topics"
        ok_type = (int,) if wants_int else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type) or not value >= 0:
            kind = "a whole number" if wants_int else "a number"
            raise TaxonomyError(f"{path}: [settings] {key} must be {kind} >= 0, got {value!r}")
        changes[key] = value if wants_int else float(value)
    settings = replace(base, **changes)
    if (
        settings.max_topics < 1
        or settings.secondary_ratio > 1
        or settings.saturation <= 0
        or settings.model_weight > 1
    ):
        raise TaxonomyError(
            f"{path}: [settings] needs max_topics >= 1, secondary_ratio <= 1, saturation > 0, "
            "model_weight <= 1"
        )
    return settings
