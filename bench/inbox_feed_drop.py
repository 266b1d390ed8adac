"""A big feed file dropped into the inbox: peak memory (RSS) and time of the pass that lands it.

    python bench/inbox_feed_drop.py [--entries 50000] [--words 22] [--batch-size 200]
                                    [--templated]

Writes one RSS 2.0 file of N entries, each carrying its own text (so each becomes an
article), into an empty inbox, runs one `ingest-inbox` pass in this process (Prefect against
a local temporary server, which runs in its own process and is not counted), and prints the
process's peak RSS before the pass (imports, server client) and after it, the file's size,
what landed and the largest number of articles one landing transaction took.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsflow-bench-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from bench.report import print_rows

WORDS = [
    "harbour", "council", "budget", "river", "transit", "school", "market", "energy", "grain",
    "festival", "court", "mayor", "railway", "station", "museum", "bridge", "election",
    "hospital", "storm", "drought", "vaccine", "airport", "coastline", "factory", "strike",
    "minister", "treaty", "border", "summit", "inflation", "tariff", "shipyard", "orchard",
    "library", "stadium", "parliament", "reservoir", "pipeline", "satellite", "vineyard",
    "glacier", "ferry", "tunnel", "cathedral",
]  # fmt: skip


def feed_document(entries: int, words: int = 22, seed: int = 7, templated: bool = False) -> bytes:
    """An RSS 2.0 feed of `entries` items, each with `words` words of distinct text, or with
    `templated` one sentence whose numbers alone differ (a templated wire or a spam feed:
    one group of near-duplicates)."""
    rnd = random.Random(seed)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Archive</title><link>https://archive.example.org/</link>"
    ]
    for i in range(entries):
        text = " ".join(rnd.choice(WORDS) for _ in range(words))
        if templated:
            text = (
                f"Council approved plan number {i} to expand the tram network by {i} metres "
                "on Monday, the officials said in a statement to the press today"
            )
        parts.append(
            f"<item><title>Story {i}</title>"
            f"<link>https://archive.example.org/story/{i}</link>"
            f"<guid>archive-{i}</guid><pubDate>Mon, 21 Oct 2024 12:00:00 GMT</pubDate>"
            f"<content:encoded>{escape(f'Item {i}. {text}.')}</content:encoded></item>"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--words", type=int, default=22)
    parser.add_argument("--batch-size", type=int, default=None, help="default: BATCH_SIZE")
    parser.add_argument(
        "--templated", action="store_true", help="entries whose numbers alone differ"
    )
    args = parser.parse_args()

    from prefect.testing.utilities import prefect_test_harness

    from flows.inbox import ingest_inbox
    from warehouse import store

    with (
        tempfile.TemporaryDirectory(prefix="newsflow-feed-drop-") as tmp,
        prefect_test_harness(server_startup_timeout=120),
    ):
        inbox, warehouse = Path(tmp) / "inbox", str(Path(tmp) / "drop.duckdb")
        inbox.mkdir()
        ingest_inbox(inbox=str(inbox), warehouse=warehouse, settle_seconds=0)  # warm: imports
        baseline = peak_rss_mb()
        data = feed_document(args.entries, args.words, templated=args.templated)
        (inbox / "archive.xml").write_bytes(data)
        size_mb = len(data) / 1e6
        del data
        started = time.perf_counter()
        batching = {"feed_batch_size": args.batch_size} if args.batch_size else {}
        summary = ingest_inbox(inbox=str(inbox), warehouse=warehouse, settle_seconds=0, **batching)
        seconds = time.perf_counter() - started
        peak = peak_rss_mb()
        with store.connect(warehouse, read_only=True) as con:
            (articles,) = con.execute("SELECT count(*) FROM articles").fetchone()
            (copies,) = con.execute(
                "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"
            ).fetchone()
            (pairs,) = con.execute("SELECT count(*) FROM duplicate_pairs").fetchone()
            # Each landing transaction stamps its rows with one ingested_at.
            (largest,) = con.execute(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM articles GROUP BY ingested_at)"
            ).fetchone()
    print_rows(
        [
            (f"feed file, {args.entries:,} entries", f"{size_mb:.1f} MB"),
            ("peak RSS before the pass", f"{baseline:,.0f} MB"),
            ("peak RSS after the pass", f"{peak:,.0f} MB"),
            ("pass", f"{seconds:.1f} s, new {summary.new_articles:,}, errors {summary.errors}"),
            ("articles in the warehouse", f"{articles:,}, {copies:,} of them copies"),
            ("duplicate pairs", f"{pairs:,}"),
            ("most articles in one landing transaction", f"{largest or 0:,}"),
        ]
    )


if __name__ == "__main__":
    main()
