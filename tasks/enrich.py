"""Enrichment: the language, topics, named entities and numeric claims of an article.

Runs in the extraction workers, next to extraction, on the cleaned text (so nothing comes
from boilerplate the cleaner removed). The topic, entity and claim rules are English: an
article detected as another language gets its language and nothing else, where English
rules would only find noise. NEWSFLOW_ENRICH=0 in the environment switches topics, entities
and claims off (the language is still detected).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from tasks.claims import find_claims
from tasks.entities import find_entities
from tasks.language import detect
from tasks.topics import tag_topics

RULES_LANGUAGES = {"en"}


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
            for e in find_entities(title, text)
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
            for n, c in enumerate(find_claims(text), 1)
        ],
    )


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
    return os.environ.get("NEWSFLOW_ENRICH", "1").lower() not in ("0", "false", "no", "off")


def warm_up() -> None:
    """Load every model and data file now (a worker's start-up), not in its first article."""
    from tasks import language

    language.warm_up()
    enrich("Warm-up", "President Yoon said about 1,500 troops were sent to Russia. " * 3)
