"""Enrichment: the language, topics, named entities and numeric claims of an article.

Runs in the extraction workers, next to extraction, on the cleaned text (so nothing comes
from boilerplate the cleaner removed). The topic, entity and claim rules are English: an
article detected as another language gets its language and nothing else, where English
rules would only find noise. NEWSFLOW_ENRICH=0 in the environment switches topics, entities
and claims off (the language is still detected).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks.enrich.claims import find_claims
from tasks.enrich.entities import find_entities
from tasks.enrich.language import detect
from tasks.enrich.topics import tag_topics
from tasks.settings import settings

RULES_LANGUAGES = {"en"}

# Most claims and entities one article keeps. Over the 2,225 BBC articles in ../shared/data
# (bench/enrichment_caps.py): claims per article median 2, p99 15, max 26, at most 74 per
# 1,000 words; entities median 9, p99 40, max 75. 1,000 is 38 times the most claims any of
# them had (the densest article at 13,500 words, three times the corpus's longest) and 13
# times the most entities. Past it a "document" is a table of figures or a list of names
# pasted as text: tens of thousands of rows of one article would bury every query (and
# claim_no was once a SMALLINT). Claims are kept in text order (claim_no 1..1,000), so an
# article whose last claim_no is MAX_CLAIMS may have been cut there; entities most mentioned
# first.
MAX_CLAIMS = 1_000
MAX_ENTITIES = 1_000
# Claims and entities are looked for in the first this many characters (the language is
# detected on a sample, topics read 200,000): 39 times the corpus's longest article (25 KB),
# and a bound on their cost, which grows with the text. On one core
# (bench/enrichment_caps.py), a 17.6 MB file of 322,580 claims took 13.6 s to enrich with
# neither cap, 0.4 s with them; 16.5 MB of numbers that are no claims ("the figure was 1,000
# and not 1,001"), each judged, 18.2 s unbounded, 1.0 s for the first 1,000,000 characters.
MAX_CHARS = 1_000_000


@dataclass(slots=True)
class Enrichment:
    language: str | None
    topics: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    complete: bool = True  # False when topics, entities and claims were switched off


def enrich(title: str | None, text: str, declared_language: str | None = None) -> Enrichment:
    """Everything the enrichment tables hold for one article, as rows for Arrow."""
    language = detect(text, declared_language)
    if not enabled():
        return Enrichment(language, complete=False)
    if language is not None and language not in RULES_LANGUAGES:
        return Enrichment(language)
    head = _head(text, MAX_CHARS)
    return Enrichment(
        language,
        topics=[
            {"topic": code, "topic_name": name, "score": score, "rank": rank}
            for rank, (code, name, score) in enumerate(tag_topics(title, text), 1)
        ],
        entities=[
            {
                "entity": e.name,
                "entity_type": e.entity_type,
                "mentions": e.mentions,
                "country_code": e.country_code,
                "first_offset": e.first_offset,
            }
            for e in find_entities(title, head)[:MAX_ENTITIES]
        ],
        claims=[
            {
                "claim_no": n,
                "value": c.value,
                "value_high": c.value_high,
                "qualifier": c.qualifier,
                "unit": c.unit,
                "subject": c.subject,
                "horizon": c.horizon,
                "quantity": c.text,
                "sentence": c.sentence,
                "char_offset": c.offset,
            }
            for n, c in enumerate(find_claims(head, max_claims=MAX_CLAIMS), 1)
        ],
    )


def _head(text: str, size: int) -> str:
    """The first `size` characters of `text`, cut at a line break when one is near the end,
    so no sentence is read half (offsets into the head are offsets into the text)."""
    if len(text) <= size:
        return text
    cut = text.rfind("\n", size - size // 10, size)
    return text[: cut if cut > 0 else size]


def enrich_stored(rows: list[tuple[str, str | None, str, str | None]]) -> list[dict]:
    """Enrichment rows (ENRICHMENT_SCHEMA) for stored articles: (article_id, title, text,
    language). A text too short to tell its language keeps the one it had."""
    out = []
    for article_id, title, text, language in rows:
        e = enrich(title, text, language)
        out.append({"article_id": article_id, "language": e.language, "topics": e.topics,
                    "entities": e.entities, "claims": e.claims})  # fmt: skip
    return out


def enabled() -> bool:
    return settings().enrich


def warm_up() -> None:
    """Load every model and data file now (a worker's start-up), not in its first article."""
    from tasks.enrich import language

    language.warm_up()
    enrich("Warm-up", "President Yoon said about 1,500 troops were sent to Russia. " * 3)
