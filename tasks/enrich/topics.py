"""Topic tags on the IPTC Media Topics top level, from weighted terms in a TOML file.

The taxonomy (tasks/enrich/data/topics.toml) lists each topic by its IPTC qcode with its name and
weighted terms: single words or phrases of up to three words. A topic's raw score sums, over
the terms the article contains, weight x (1 + ln count), title words counting `title_weight`
times; dividing by the square root of the article's length and squashing into [0, 1) gives
the score. Topics at or above `min_score` and at least `secondary_ratio` of the best one are
returned, `max_topics` at most.

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
extra file for the default taxonomy.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType

from tasks.errors import ConfigError
from tasks.settings import settings

DEFAULT_TAXONOMY = Path(__file__).resolve().parent / "data" / "topics.toml"
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
    # Share of English function words below which a text of 20+ words gets no topics;
    # 0 turns the check off (for a taxonomy with terms in other languages).
    min_english_ratio: float = 0.1


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


@dataclass(frozen=True, slots=True)
class Taxonomy:
    topics: tuple[Topic, ...]
    settings: Settings = Settings()
    sources: tuple[str, ...] = ()
    # Lookup tables built once: term -> ((topic index, weight), ...), and for phrases the
    # lengths that start with a given word, so an article is scanned once, never per term.
    _index: Mapping[str, tuple[tuple[int, float], ...]] = field(
        init=False, repr=False, compare=False
    )
    _starts: Mapping[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)

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

    No body text means no topics: the title only adds weight to words of the body, since a
    headline alone is too little to go on. Never raises on odd input (any language, any size).
    """
    tax = taxonomy or default_taxonomy()
    raw = topic_scores(title, text, tax)
    if not raw:
        return []
    s = tax.settings
    best = max(raw)
    if best < s.min_score:
        return []
    floor = max(s.min_score, best * s.secondary_ratio)
    ranked = sorted(
        ((score, i) for i, score in enumerate(raw) if score >= floor),
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
    if s.min_english_ratio > 0 and n >= _ENGLISH_MIN_TOKENS:
        english = sum(1 for w in body if w in _ENGLISH) + sum(1 for w in head if w in _ENGLISH)
        if english < s.min_english_ratio * n:
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
    return [x / (x + s.saturation) if x > 0 else 0.0 for x in (r / norm for r in raw)]


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


def load_taxonomy(extra: Path | None = None, base: Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """The base taxonomy file, extended by a user's `extra` file of the same format."""
    settings, topics = _parse(base, Settings(), {})
    sources = [str(base)]
    if extra is not None:
        settings, topics = _parse(Path(extra), settings, topics)
        sources.append(str(extra))
    return Taxonomy(tuple(topics.values()), settings, tuple(sources))


def _parse(
    path: Path, settings: Settings, topics: dict[str, Topic]
) -> tuple[Settings, dict[str, Topic]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read the topics file: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: not valid TOML: {exc}") from exc
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
    if settings.max_topics < 1 or settings.secondary_ratio > 1 or settings.saturation <= 0:
        raise TaxonomyError(
            f"{path}: [settings] needs max_topics >= 1, secondary_ratio <= 1, saturation > 0"
        )
    return settings


def topic_names(taxonomy: Taxonomy | None = None) -> list[tuple[str, str]]:
    """(code, name) of every topic, in file order."""
    return [(t.code, t.name) for t in (taxonomy or default_taxonomy()).topics]
