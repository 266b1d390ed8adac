"""Pipeline throughput versus a bare trafilatura loop, and the cost of a no-change re-run.

    python bench/ingest_throughput.py [--n 1200]

Builds N realistic news pages from the BBC corpus (bench/pages.py), then measures on the same
files:

- a bare single-process loop: read the file, `trafilatura.extract(html)` with defaults;
- the same loop with the options the pipeline uses (`bare_extraction`, metadata, no comments);
- the `ingest-files` flow, all stages included (discover, read, decode, extract, hash, land),
  timed inside the flow run so Prefect's start-up is excluded;
- the same flow again on the same files, when nothing changed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsflow-bench-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from bench.pages import build_pages
from bench.report import print_rows


def bare_loop(paths: list[Path], **options: object) -> float:
    """Pages per second of a plain single-process trafilatura loop."""
    import trafilatura

    started = time.perf_counter()
    for path in paths:
        if options:
            trafilatura.bare_extraction(path.read_bytes(), **options)
        else:
            trafilatura.extract(path.read_bytes())
    return len(paths) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1200, help="pages to build (default 1200)")
    args = parser.parse_args()

    from prefect.testing.utilities import prefect_test_harness

    from flows.ingest import ingest_files
    from tasks.extract.document import TRAFILATURA_OPTIONS

    with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as tmp:
        pages_dir = Path(tmp) / "pages"
        pages = build_pages(pages_dir, n=args.n)
        paths = [p.path for p in pages]
        mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"pages: {len(paths)} files, {mb:.1f} MB, {1000 * mb / len(paths):.0f} KB mean")
        print(f"cores: {len(os.sched_getaffinity(0))}")

        bare_default = bare_loop(paths)
        bare_ours = bare_loop(paths, with_metadata=True, **TRAFILATURA_OPTIONS)

        warehouse = str(Path(tmp) / "bench.duckdb")
        # As `newsflow ingest` does: the workers warm up while Prefect starts.
        from tasks.extract.pool import prestart

        prestart()
        with prefect_test_harness(server_startup_timeout=120):
            wall = time.perf_counter()
            first = ingest_files(paths=[str(pages_dir)], warehouse=warehouse)
            first_wall = time.perf_counter() - wall
            wall = time.perf_counter()
            second = ingest_files(paths=[str(pages_dir)], warehouse=warehouse)
            second_wall = time.perf_counter() - wall

        pipeline = first.items_read / first.seconds
        f, g = first, second
        rows = [
            ("bare loop, trafilatura.extract defaults (1 process)", f"{bare_default:.1f} pages/s"),
            ("bare loop, pipeline's options + metadata (1 process)", f"{bare_ours:.1f} pages/s"),
            ("pipeline, all stages, excl. Prefect start-up", f"{pipeline:.1f} pages/s"),
            (
                "  ratio to the bare defaults loop (target >= 1.3)",
                f"{pipeline / bare_default:.2f} x",
            ),
            ("  ratio to the bare loop with the same options", f"{pipeline / bare_ours:.2f} x"),
            ("first ingest: in-flow / wall time", f"{f.seconds:.2f} s / {first_wall:.2f} s"),
            ("  landed / errors", f"{f.new_articles} / {f.errors}"),
            (
                "second ingest, nothing new: in-flow / wall",
                f"{g.seconds:.2f} s / {second_wall:.2f} s",
            ),
            ("  unchanged / read / new", f"{g.unchanged} / {g.items_read} / {g.new_articles}"),
            ("  second / first, in-flow (target < 10%)", f"{100 * g.seconds / f.seconds:.1f} %"),
        ]
        print_rows(rows)


if __name__ == "__main__":
    main()
