"""Named entities (tasks/enrich/entities.py): speed on BBC articles, the seeds' entities, and a
listing of 20 articles for checking precision by hand.

    python bench/entities_eval.py [--check 20] [--seed 2005] [--repeat 3]

Speed: every article of the BBC full-text zip (bench/pages.py finds it; NEWSFLOW_BBC_ZIP
overrides), title plus paragraphs joined by newlines as the cleaner hands them over, on one
core; the best of --repeat passes. Target: 800 articles/s, so that entity finding costs the
~80 articles/s extraction worker under a tenth of its time. Also the time for one 1 MB text.

Seeds: seeds/*.txt through the pipeline's plain-text cleaner, then find_entities.

Hand check: --check articles drawn with a fixed seed, the same number from each of the five
categories. Each entity is printed with its type, country code, mention count and the text
around its first mention, so a reader can mark it right (the name is an entity of that type)
or wrong, and compute precision = right / listed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import Article, load_corpus
from bench.report import print_rows
from tasks.enrich.entities import Entity, default_gazetteer, find_entities
from tasks.extract.clean_text import clean_text

TARGET = 800  # articles/s on one core
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _text(article: Article) -> str:
    return "\n".join(article.paragraphs)


def speed(corpus: tuple[Article, ...], repeat: int) -> list[tuple[str, str]]:
    docs = [(a.title, _text(a)) for a in corpus]
    t0 = time.perf_counter()
    default_gazetteer()
    find_entities(*docs[0])
    load_s = time.perf_counter() - t0
    best, n_entities = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n_entities = sum(len(find_entities(title, text)) for title, text in docs)
        best = min(best, time.perf_counter() - t0)
    words = sum(len(text.split()) for _, text in docs)
    big = ("\n".join(text for _, text in docs))[:1_000_000]
    t0 = time.perf_counter()
    big_entities = find_entities(None, big)
    big_s = time.perf_counter() - t0
    rate = len(docs) / best
    return [
        ("articles", f"{len(docs):,} (mean {words / len(docs):.0f} words)"),
        (
            "articles/s (one core)",
            f"{rate:,.0f} (target {TARGET:,}: {'met' if rate >= TARGET else 'MISSED'})",
        ),
        ("per article", f"{best / len(docs) * 1e6:,.0f} µs"),
        ("entities per article", f"{n_entities / len(docs):.1f}"),
        ("data load (once per process)", f"{load_s * 1e3:,.0f} ms"),
        ("1 MB text", f"{big_s * 1e3:,.0f} ms, {len(big_entities):,} entities"),
    ]


def _describe(e: Entity) -> str:
    code = f" {e.country_code}" if e.country_code else ""
    return f"{e.name} [{e.entity_type}{code}] x{e.mentions}"


def seeds() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        cleaned = clean_text(path.read_text(encoding="utf-8"))
        entities = find_entities(cleaned.title, cleaned.text)
        print(f"\n{path.name}: {cleaned.title}")
        print("  " + "; ".join(_describe(e) for e in entities))


def pick(corpus: tuple[Article, ...], n: int, seed: int) -> list[Article]:
    """`n` articles, as many from each category, drawn with a fixed seed."""
    rng = random.Random(seed)
    categories = sorted({a.category for a in corpus})
    chosen: list[Article] = []
    for k, category in enumerate(categories):
        pool = [a for a in corpus if a.category == category]
        share = n // len(categories) + (1 if k < n % len(categories) else 0)
        chosen += rng.sample(pool, share)
    return chosen


def listing(articles: list[Article]) -> None:
    total = 0
    for no, article in enumerate(articles, 1):
        text = _text(article)
        entities = find_entities(article.title, text)
        total += len(entities)
        print(f"\n[{no}] {article.category}: {article.title}  ({len(text.split())} words)")
        for e in entities:
            if e.first_offset < 0:
                context = f"(title) {article.title}"
            else:
                start = max(0, e.first_offset - 50)
                context = text[start : e.first_offset + len(e.name) + 40].replace("\n", " / ")
            print(f"    {_describe(e):<48} …{context}…")
    print(f"\n{total} entities listed in {len(articles)} articles")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", type=int, default=20, help="articles to list for hand check")
    parser.add_argument("--seed", type=int, default=2005)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    corpus = load_corpus()
    print("== speed")
    print_rows(speed(corpus, args.repeat))
    print("\n== seeds (cleaned text)")
    seeds()
    print(f"\n== {args.check} BBC articles for the hand check (seed {args.seed})")
    listing(pick(corpus, args.check, args.seed))


if __name__ == "__main__":
    main()
