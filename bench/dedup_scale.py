"""Duplicate and story stages at scale: land 1,000 articles into a warehouse that already
holds N articles (default 100,000), against the same 1,000 into an empty one.

    python bench/dedup_scale.py [--existing 100000]

Synthetic articles are 12-30 sentences drawn at random from the BBC corpus's sentences, so
they read like news, share vocabulary, and rarely share 5-word shingles by chance. Records
are built by the pipeline's own code (signature, bands, term vector) on both cores, landed
through tasks.land.land_batch (the `land` task's body: insert, candidate lookup over the
LSH bands, confirmation, duplicate groups, story assignment), 200 per transaction as in a
flow run. Prefect is not involved: this measures the warehouse side.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import load_corpus
from bench.report import print_rows

BATCH = 200


def sentences() -> list[str]:
    found = []
    for article in load_corpus():
        for paragraph in article.paragraphs:
            found += [s.strip() + "." for s in paragraph.split(". ") if len(s.split()) >= 6]
    return found


def make_articles(args: tuple[int, int, int]) -> list:
    """Articles number start..start+n-1 (deterministic), built as the pipeline builds them."""
    from tasks.extract.document import build_article
    from tasks.models import SourceItem

    start, n, seed = args
    pool = _SENTENCES
    out = []
    for i in range(start, start + n):
        rng = random.Random(seed * 1_000_003 + i)
        body = "\n".join(rng.sample(pool, rng.randint(12, 30)))
        item = SourceItem("file", f"synthetic/{seed}/{i}.txt", f"/synthetic/{seed}/{i}.txt", 0, 0)
        fields = {"title": f"Synthetic story {seed}-{i}", "text": body}
        out.append(build_article(item, fields, body, "synthetic", "0" * 64, 0, "utf-8",
                                 item.path, {}))  # fmt: skip
    return out


_SENTENCES: list[str] = []


def _init(pool: list[str]) -> None:
    _SENTENCES[:] = pool


def build(n: int, seed: int, workers: int, pool: list[str]) -> list:
    chunk = 2000
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(pool,)) as ex:
        parts = ex.map(make_articles, [(s, min(chunk, n - s), seed) for s in range(0, n, chunk)])
        return [a for part in parts for a in part]


def land_all(warehouse: str, articles: list, batch: int) -> float:
    from tasks.land import Batch, land_batch

    started = time.perf_counter()
    for i in range(0, len(articles), batch):
        land_batch(warehouse, "bench", Batch(articles=articles[i : i + batch]))
    return time.perf_counter() - started


def populate(warehouse: str, articles: list) -> None:
    """The existing articles, as a warehouse that processed them earlier would hold them:
    rows, signatures, bands and term vectors, and a story each
    (assigning stories one by one to 100,000 articles is not what is being measured)."""
    from tasks.models import ARTICLE_SCHEMA, ERROR_SCHEMA, to_table
    from warehouse import relations, store

    with store.connect(warehouse) as con:
        for i in range(0, len(articles), 5_000):
            chunk = to_table(articles[i : i + 5_000], ARTICLE_SCHEMA)
            with store.transaction(con):
                inserted = store.insert_batch(con, "bench", chunk, ERROR_SCHEMA.empty_table())
                if inserted.new_ids:
                    relations.set_stories(con, {a: "s" + a[:15] for a in inserted.new_ids})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000)
    args = parser.parse_args()
    workers = len(os.sched_getaffinity(0))

    pool = sentences()
    t = time.perf_counter()
    # The existing articles' topics, entities and claims are not what is measured, and
    # computing them would triple the build time; the new ones are enriched as in a flow.
    os.environ["NEWSFLOW_ENRICH"] = "0"
    existing = build(args.existing, 1, workers, pool)
    os.environ["NEWSFLOW_ENRICH"] = "1"
    new = build(args.new, 2, workers, pool)
    print(f"built {len(existing) + len(new):,} records in {time.perf_counter() - t:.1f} s "
          f"from {len(pool):,} BBC sentences")  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="newsflow-scale-") as tmp:
        empty = str(Path(tmp) / "empty.duckdb")
        full = str(Path(tmp) / "full.duckdb")
        t = time.perf_counter()
        populate(full, existing)
        print(f"landed {len(existing):,} existing articles in {time.perf_counter() - t:.1f} s "
              f"({Path(full).stat().st_size / 1e6:.0f} MB)")  # fmt: skip
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        into_empty = land_all(empty, new, BATCH)
        into_full = land_all(full, new, BATCH)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        from tasks.relate import simindex

        index_mb = simindex._CACHE[str(Path(full).resolve())].nbytes / 1e6
        import duckdb

        with duckdb.connect(full, read_only=True) as con:
            dups, stories = con.execute(
                "SELECT count(*) FILTER (WHERE duplicate_of IS NOT NULL), count(DISTINCT story_id)"
                " FROM articles WHERE source_uri LIKE 'synthetic/2/%'"
            ).fetchone()
    rows = [
        (f"land {args.new:,} new articles into an empty warehouse", f"{into_empty:.2f} s"),
        (f"land the same into one holding {args.existing:,}", f"{into_full:.2f} s"),
        ("  difference (target < 5 s)", f"{into_full - into_empty:.2f} s"),
        ("  new articles paired as duplicates / stories they formed", f"{dups} / {stories}"),
        (
            f"similarity index in memory for {args.existing + args.new:,} articles",
            f"{index_mb:.0f} MB",
        ),
        (
            "peak memory of this process (RSS, holds all records)",
            f"{max(rss_before, rss_after):.0f} MB",
        ),
    ]
    print_rows(rows)


if __name__ == "__main__":
    main()
