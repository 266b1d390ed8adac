"""Stories on real pages: which of the 990 real pages of bench/extraction_real.py (a dozen
languages, mostly unrelated pages of many publishers, with a few copies and a few events told
by two outlets) the relate stage puts in stories of several articles, per language, with each
story's titles for a reader to judge.

    python bench/stories_real.py [--data ../shared/data/extraction-eval.tar.xz]

The pages are extracted once (in this process) and landed twice, in batches of the flow's
size and in path order, into temporary DuckDB files by the landing task's own code
(tasks/land.land_batch): once with each article's words weighed by its language's word
frequencies (tasks/relate/stories.py, what newsflow does), once with every article's words
weighed by English frequencies, as newsflow did before migration 015.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.extraction_real import DEFAULT_CACHE, DEFAULT_DATA, load_pages, unpack
from flows.runs import BATCH_SIZE
from tasks.extract.pool import extract_batch
from tasks.land import Batch, land_batch
from tasks.models import Article
from tasks.relate.stories import term_vector
from tasks.sources.files import discover
from warehouse import store

SHOW_TITLE = 90  # characters of a title shown


def land(articles: list[Article], weigh: Callable[[Article], dict[str, float]]) -> list[tuple]:
    """Land `articles` with term vectors made by `weigh` in a fresh warehouse; the stories of
    several articles as (story_id, language, title, source_uri) rows."""
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = str(Path(tmp) / "stories.duckdb")
        for start in range(0, len(articles), BATCH_SIZE):
            chunk = []
            for article in articles[start : start + BATCH_SIZE]:
                vector = weigh(article)
                chunk.append(replace(article, terms=list(vector), weights=list(vector.values())))
            land_batch(warehouse, f"bench-{start}", Batch(articles=chunk))
        with store.connect(warehouse, read_only=True) as con:
            return con.execute(
                "SELECT story_id, coalesce(language, '?'), title, source_uri FROM articles "
                "WHERE story_id IN (SELECT story_id FROM articles GROUP BY 1 "
                "HAVING count(*) > 1) ORDER BY story_id, source_uri"
            ).fetchall()


def report(name: str, rows: list[tuple], languages: Counter[str]) -> None:
    stories = {story for story, *_ in rows}
    print(f"\n{name}: {len(stories)} stories of several articles, {len(rows)} articles in them")
    in_stories = Counter(language for _, language, *_ in rows)
    print("  language  articles  in stories of several")
    for language, n in languages.most_common():
        if n >= 5 or in_stories[language]:
            print(f"  {language:8}  {n:8}  {in_stories[language]:>6}")
    story = None
    for story_id, language, title, uri in rows:
        if story_id != story:
            story = story_id
            print(f"  {story_id}")
        print(f"      {language}  {(title or '')[:SHOW_TITLE]}  [{Path(uri).name}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    corpus = unpack(args.data, DEFAULT_CACHE)
    pages = load_pages(corpus)
    items, _ = discover(sorted(p.path for p in pages), "file")
    started = time.perf_counter()
    articles, errors = extract_batch(items)
    print(f"{len(articles)} articles from {len(pages)} real pages ({len(errors)} without text)"
          f" in {time.perf_counter() - started:.0f} s")  # fmt: skip
    languages = Counter(a.language or "?" for a in articles)
    by_language = land(articles, lambda a: term_vector(a.title, a.text, a.language))
    as_english = land(articles, lambda a: term_vector(a.title, a.text, "en"))
    report("Words weighed by the article's language (newsflow)", by_language, languages)
    report("Words weighed as English (before migration 015)", as_english, languages)


if __name__ == "__main__":
    main()
