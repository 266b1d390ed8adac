"""Running it continuously: inbox latency, and how many task runs a 1,000-article run makes.

    python bench/operations.py [--files 20] [--pages 1000]

Inbox latency: the watcher (flows/watch.py, as `newsflow watch` and `newsflow serve` run it)
on an empty inbox; files are dropped one at a time, each written aside and renamed into the
inbox (complete at that instant); the latency is from the rename to the end of the flow run
that landed it, when its rows are committed and queryable. Prefect runs against a local
temporary server, as in the tests.

Task runs: one `ingest-files` run over N realistic pages (bench/pages.py), then its task
runs counted through the Prefect API (they arrive after the run: polled until stable).
The cost of a scheduled feed run when nothing changed is bench/feeds_poll.py's figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsflow-bench-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from bench.pages import build_pages
from bench.report import print_rows

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def inbox_latencies(tmp: Path, n: int) -> list[float]:
    from flows.watch import watch_inbox

    inbox, warehouse = tmp / "inbox", str(tmp / "inbox.duckdb")
    inbox.mkdir()
    done: list[float] = []
    landed = threading.Semaphore(0)

    def on_run(summary) -> None:
        for _ in range(summary.new_articles):
            done.append(time.perf_counter())
            landed.release()

    stop = threading.Event()
    watcher = threading.Thread(
        target=watch_inbox, kwargs={"inbox": str(inbox), "warehouse": warehouse,
                                    "stop": stop, "on_run": on_run},
    )  # fmt: skip
    watcher.start()
    time.sleep(3)  # its first pass over the empty inbox
    text = (SEEDS / "002_44a44f5a35d60aa0.txt").read_text(encoding="utf-8")
    latencies = []
    try:
        for i in range(n):
            aside = inbox / f".incoming-{i}"
            aside.write_text(f"Dropped article {i}\n\n{text}\n\nEdition {i}.", encoding="utf-8")
            written = time.perf_counter()
            aside.rename(inbox / f"dropped-{i:02d}.txt")
            if not landed.acquire(timeout=60):
                raise RuntimeError(f"file {i} did not land within 60 s")
            latencies.append(done[-1] - written)
            time.sleep(0.5)
    finally:
        stop.set()
        watcher.join(timeout=30)
    return latencies


def task_runs(tmp: Path, n_pages: int) -> tuple[int, int, dict[str, int]]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.ingest import ingest_files

    pages = tmp / "pages"
    build_pages(pages, n=n_pages)
    summary = ingest_files(paths=[str(pages)], warehouse=str(tmp / "runs.duckdb"))
    flow_runs = FlowRunFilter(id=FlowRunFilterId(any_=[summary.run_id]))
    seen, stable = -1, 0
    with get_client(sync_client=True) as client:
        while stable < 4:
            runs = client.read_task_runs(flow_run_filter=flow_runs)
            stable = stable + 1 if len(runs) == seen else 0
            seen = len(runs)
            time.sleep(0.5)
    kinds: dict[str, int] = {}
    for r in runs:
        kinds[r.task_key.rsplit("-", 1)[0]] = kinds.get(r.task_key.rsplit("-", 1)[0], 0) + 1
    return summary.new_articles, len(runs), kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()

    from prefect.testing.utilities import prefect_test_harness

    with (
        tempfile.TemporaryDirectory(prefix="newsflow-ops-") as tmp,
        prefect_test_harness(server_startup_timeout=120),
    ):
        latencies = inbox_latencies(Path(tmp), args.files)
        articles, count, kinds = task_runs(Path(tmp), args.pages)
    rows = [
        (f"inbox latency, {len(latencies)} files: median", f"{statistics.median(latencies):.2f} s"),
        ("  worst (target < 10 s)", f"{max(latencies):.2f} s"),
        ("  best", f"{min(latencies):.2f} s"),
        (f"task runs of one ingest of {articles:,} articles", f"{count}"),
        ("  by task", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))),
    ]
    print_rows(rows)


if __name__ == "__main__":
    main()
