"""Stories: articles about the same event from different outlets share a story_id.

Each article gets a TF-IDF term vector (title counted twice, inverse document frequencies
from wordfreq's offline frequencies of the article's language, English where it has none, so
the first article is weighed as well as the millionth). Chinese, Japanese and Korean are
written without spaces between words (Korean between phrases): their terms are the words of
wordfreq's offline Chinese, Japanese or Korean lists found in the text (every 2-6 character
stretch that is one), weighed by those lists' frequencies. A new article joins the story
whose recent articles it is most similar to on average, or starts a new one. Measured on the
seeds and the BBC corpus: seed pairs have cosine 0.34-0.53; the most similar of 600 BBC
articles to any seed, 0.11; on real pages in a dozen languages, bench/stories_real.py.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from tasks.extract.scripts import HAN_KANA

TOP_TERMS = 60  # per article: enough for cosine, small enough to store
INDEX_TERMS = 15  # the heaviest terms, indexed: sharing three makes a candidate pair
# An indexed term in more articles' indexes than this is skipped when looking for candidates:
# a story is told in days, by tens of outlets, not by hundreds of articles at once.
MAX_INDEX_DF = 300
# Per new article, the candidates sharing the most indexed terms get the full cosine.
MAX_CANDIDATES = 40
LINK_MIN = 0.30  # an article this similar to a story's member makes the story a candidate
JOIN_MIN = 0.20  # ...and joins it when its mean similarity to the members is at least this
WINDOW = timedelta(days=7)  # stories older than this (by last article) take no new articles
_UNSEEN = 1e-8  # the frequency of a word the lexicon does not list
_COMMON_IDF = 7.0  # ln(1/frequency): words more frequent than ~1 per 1,100 carry no topic

_WORD = re.compile(r"[^\W\d_]{3,}")  # letters only: "Korea's" is "korea", "Jong-un" "jong"
# Han, kana (tasks/extract/scripts.HAN_KANA) and Hangul syllables: looked up in a lexicon.
_CJK = re.compile(f"(?:{HAN_KANA.pattern}|[\uac00-\ud7a3])+")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile("[\uac00-\ud7a3]")
_HIRAGANA = re.compile("[\u3040-\u309f]+")  # Japanese grammar: endings, particles
# Chinese words are 1-4 characters, Japanese katakana loans reach 6 ("ウクライナ" is 5);
# one-character words are mostly particles and function words.
CJK_WORD_CHARS = (2, 6)


@cache
def _frequencies(language: str = "en") -> dict[str, float]:
    from wordfreq import get_frequency_dict  # offline: its tables ship inside the package

    # English and CJK: the large lists, measured with. Others: the small ones, every word
    # down to one in a million (rarer words are all rare alike for a story's terms), loaded
    # in 10-20 ms where a large list takes 0.1-0.4 s, paid by each worker per language.
    return get_frequency_dict(language, wordlist="best" if language in _LARGE else "small")


_LARGE = ("en", "zh", "ja", "ko")
# py3langid's codes for languages wordfreq lists under another.
_LEXICON_CODES = {"no": "nb", "hr": "sh", "bs": "sh", "sr": "sh", "tl": "fil"}


@cache
def _lexicon(language: str | None) -> str:
    """The word list a spaced script's words are weighed with: the article's language's, or
    English's where wordfreq has none. Weighed as English, German's 'nicht', 'auch' and
    'werden' were rarer than any topic word (ln 1/frequency 14-15, where 7 is common), and
    unrelated German articles shared stories on them: of the 707 German real pages of
    bench/extraction_real.py, 113 were in stories of several articles."""
    from wordfreq import available_languages

    code = _LEXICON_CODES.get(language or "", language or "")
    return code if code in available_languages("small") and code not in _LARGE[1:] else "en"


@cache
def _simplified() -> dict[int, str]:
    """Traditional to simplified Chinese characters, for looking words up in wordfreq's
    simplified list (its own mapping; wordfreq.chinese would import jieba, not installed)."""
    import gzip

    import msgpack
    from wordfreq.util import data_path

    with gzip.open(data_path("_chinese_mapping.msgpack.gz")) as f:
        return msgpack.load(f, raw=False, strict_map_key=False)


def load_lexicons() -> None:
    """Load every lexicon the story terms may use now, not on first use: the Chinese,
    Japanese and Korean ones cost 0.33 s of CPU (and ~70 MB) on a worker's first page with a
    CJK character, every run, where the workers' fork server pays them once."""
    for language in ("en", "zh", "ja", "ko"):
        _frequencies(language)
    _simplified()


def _cjk_words(text: str) -> tuple[str, list[str]]:
    """The lexicon language of `text`'s CJK runs and the words of that lexicon found in them:
    every stretch of CJK_WORD_CHARS characters that is a word. Before, a whole run between
    two punctuation marks was one term, found in no other article."""
    language = "ko" if _HANGUL.search(text) else "ja" if _KANA.search(text) else "zh"
    lexicon = _frequencies(language)
    if language == "zh":
        text = text.translate(_simplified())
    low, high = CJK_WORD_CHARS
    found = []
    for run in _CJK.findall(text):
        for i in range(len(run) - low + 1):
            for n in range(low, min(high, len(run) - i) + 1):
                word = run[i : i + n]
                if word in lexicon and not (language == "ja" and _HIRAGANA.fullmatch(word)):
                    found.append(word)
    return language, found


def _terms(text: str) -> tuple[list[str], str, list[str]]:
    """Words of a spaced script, and the CJK language and words."""
    lowered = text.lower()
    if lowered.isascii() or not _CJK.search(lowered):
        return _WORD.findall(lowered), "en", []
    language, cjk = _cjk_words(lowered)
    return _WORD.findall(_CJK.sub(" ", lowered)), language, cjk


def term_vector(title: str | None, text: str, language: str | None = "en") -> dict[str, float]:
    """The article's top TF-IDF terms, L2-normalised; `language`: the article's (ISO 639-1),
    whose word frequencies weigh its words (_lexicon)."""
    spaced = _lexicon(language)
    words, language, cjk = _terms(text)
    counts = Counter(words)
    cjk_counts = Counter(cjk)
    if title:  # the headline says what it is about
        title_words, title_language, title_cjk = _terms(title)
        counts.update(title_words * 2)
        if title_cjk and (not cjk or title_language == language):
            language = title_language
            cjk_counts.update(title_cjk * 2)
    weights = {}
    for terms, lexicon in ((counts, spaced), (cjk_counts, language)):
        # idf = ln(1 / frequency), inline: a function call per word was half the time here
        frequencies = _frequencies(lexicon)
        for word, n in terms.items():
            weight = -math.log(max(frequencies.get(word, 0.0), _UNSEEN))
            if weight > _COMMON_IDF:
                weights[word] = (1 + math.log(n)) * weight
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TERMS]
    norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
    return {w: v / norm for w, v in top}


@dataclass(frozen=True, slots=True)
class NewArticle:
    article_id: str
    when: datetime  # published_at, else ingested_at
    duplicate_of: str | None
    # A new original whose copies landed before it (dated later): one of them, whose story
    # is the group's. Landing order must not split a group across stories.
    copy_landed_before: str | None = None


@dataclass(frozen=True, slots=True)
class Similar:
    article_id: str  # the new article
    other_id: str  # an existing article, or another new one
    similarity: float


def story_id_for(article_id: str) -> str:
    return "s" + article_id[:15]


def assign_stories(
    new: list[NewArticle],
    similar: list[Similar],
    existing_story: dict[str, str],
    story_sizes: dict[str, int],
) -> dict[str, str]:
    """story_id for each new article, in time order so earlier ones can seed stories.

    `existing_story` maps existing article ids (those in `similar`, and the originals of new
    duplicates) to their story; `story_sizes` counts each such story's articles.
    """
    by_article: dict[str, list[Similar]] = {}
    for s in similar:
        by_article.setdefault(s.article_id, []).append(s)
    stories = dict(existing_story)
    sizes = dict(story_sizes)
    assigned: dict[str, str] = {}
    for article in sorted(new, key=lambda a: (a.when, a.article_id)):
        group = article.duplicate_of or article.copy_landed_before
        if group and (story := stories.get(group)):
            chosen = story  # a copy belongs to its original's story, an original to its copies'
        else:
            chosen = _best_story(by_article.get(article.article_id, []), stories, sizes)
            chosen = chosen or story_id_for(article.article_id)
        assigned[article.article_id] = stories[article.article_id] = chosen
        sizes[chosen] = sizes.get(chosen, 0) + 1
    return assigned


def _best_story(
    candidates: list[Similar], stories: dict[str, str], sizes: dict[str, int]
) -> str | None:
    total: dict[str, float] = {}
    linked: set[str] = set()
    for s in candidates:
        story = stories.get(s.other_id)
        if story is None:
            continue  # a new article not processed yet (later in time)
        total[story] = total.get(story, 0.0) + s.similarity
        if s.similarity >= LINK_MIN:
            linked.add(story)
    scored = [(total[story] / max(sizes.get(story, 1), 1), story) for story in linked]
    best = max(scored, default=None)
    return best[1] if best and best[0] >= JOIN_MIN else None
