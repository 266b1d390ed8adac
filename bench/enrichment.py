"""Enrichment's cost: articles/s of each stage, its share of the extraction workers' time,
and pipeline throughput with and without it.

    python bench/enrichment.py [--n 2000]

Builds N realistic news pages from the BBC corpus (bench/pages.py), then:

- extracts each once (no enrichment) to get the clean title and text the stages see, and
  times language, topics, entities and claims over those texts, each alone on one core;
- times the whole per-page worker step (tasks.extract.document.extract_item) with and without
  enrichment on one core: enrichment's share of the CPU work per article;
- runs the `ingest-files` flow on all cores over the same pages, once with enrichment and
  once without (NEWSFLOW_ENRICH=0, in a child process so the extraction workers start with
  it), timed inside the flow run, alternating, best of two each. Target: enrichment must
  not halve the throughput. Keep the machine otherwise idle while it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import build_pages
from bench.report import print_rows


def rate(n: int, started: float) -> str:
    return f"{n / (time.perf_counter() - started):,.0f} articles/s"


def per_page_seconds(paths: list[Path]) -> float:
    from tasks.extract.document import extract_item
    from tasks.models import SourceItem

    started = time.perf_counter()
    for p in paths:
        extract_item(SourceItem("file", str(p), str(p), p.stat().st_size, 0))
    return (time.perf_counter() - started) / len(paths)


def pipeline(pages_dir: str, enrich: bool) -> dict:
    """The flow in a child process (its workers inherit NEWSFLOW_ENRICH from the start)."""
    env = {
        **os.environ,
        "NEWSFLOW_ENRICH": "1" if enrich else "0",
        "PREFECT_HOME": tempfile.mkdtemp(prefix="newsflow-bench-prefect-"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    out = subprocess.run(
        [sys.executable, __file__, "--pipeline-child", pages_dir],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def pipeline_child(pages_dir: str) -> None:
    from prefect.testing.utilities import prefect_test_harness

    from flows.ingest import ingest_files

    with tempfile.TemporaryDirectory() as tmp, prefect_test_harness(server_startup_timeout=120):
        s = ingest_files(paths=[pages_dir], warehouse=str(Path(tmp) / "bench.duckdb"))
    print(json.dumps({"pages_per_s": s.items_read / s.seconds, "new": s.new_articles}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--pipeline-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pipeline_child:
        pipeline_child(args.pipeline_child)
        return

    from tasks.enrich import annotate as enrich
    from tasks.enrich import language
    from tasks.enrich.claims import find_claims
    from tasks.enrich.entities import find_entities
    from tasks.enrich.topics import tag_topics
    from tasks.extract.document import extract_item
    from tasks.models import Article, SourceItem

    with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as tmp:
        pages_dir = Path(tmp) / "pages"
        paths = [p.path for p in build_pages(pages_dir, n=args.n)]
        os.environ["NEWSFLOW_ENRICH"] = "0"
        docs = []
        for p in paths:
            a = extract_item(SourceItem("file", str(p), str(p), 0, 0))
            if isinstance(a, Article):
                docs.append((a.title, a.text))
        words = sum(len(t.split()) for _, t in docs) / len(docs)
        print(f"{len(docs)} articles from {len(paths)} pages, {words:.0f} words on average")

        enrich.warm_up()
        rows = []
        for name, stage in (
            ("language (py3langid, first 600 characters)", lambda t, x: language.detect(x)),
            ("topics (IPTC, weighted terms)", tag_topics),
            ("entities (persons, organisations, places)", find_entities),
            ("claims (numbers, qualifiers, units)", lambda t, x: find_claims(x)),
        ):
            started = time.perf_counter()
            for title, text in docs:
                stage(title, text)
            rows.append((f"{name}, 1 core", rate(len(docs), started)))
        os.environ["NEWSFLOW_ENRICH"] = "1"
        started = time.perf_counter()
        for title, text in docs:
            enrich.enrich(title, text)
        rows.append(("all four (tasks.enrich.annotate.enrich), 1 core", rate(len(docs), started)))

        sample = paths[: min(len(paths), 600)]
        os.environ["NEWSFLOW_ENRICH"] = "0"
        off = per_page_seconds(sample)
        os.environ["NEWSFLOW_ENRICH"] = "1"
        on = per_page_seconds(sample)
        rows += [
            ("worker step per page without enrichment, 1 core", f"{1000 * off:.2f} ms"),
            ("worker step per page with enrichment, 1 core", f"{1000 * on:.2f} ms"),
            ("  enrichment's share of the worker's CPU time", f"{100 * (on - off) / on:.1f} %"),
        ]
        # Alternated and best of two each: the machine's own speed drifts between runs.
        runs = [pipeline(str(pages_dir), enrich=on) for on in (True, False, True, False)]
        with_enrichment = max(runs[0::2], key=lambda r: r["pages_per_s"])
        without = max(runs[1::2], key=lambda r: r["pages_per_s"])
        ratio = with_enrichment["pages_per_s"] / without["pages_per_s"]
        rows += [
            ("pipeline without enrichment, all cores", f"{without['pages_per_s']:.1f} pages/s"),
            ("pipeline with enrichment", f"{with_enrichment['pages_per_s']:.1f} pages/s"),
            ("  with / without (target > 0.5)", f"{ratio:.2f}"),
            ("  share of pipeline time spent on enrichment", f"{100 * (1 - ratio):.1f} %"),
        ]
        print_rows(rows)


if __name__ == "__main__":
    main()
