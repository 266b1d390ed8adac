"""A lake and raw store in an S3 bucket: what the bucket costs against a folder.

    python bench/lake_s3.py [--pages 300] [--bodies 300] [--starts 3]

A real S3-compatible server on 127.0.0.1 (SeaweedFS's `weed mini`, tests/s3server.py) and a
real PostgreSQL catalog (tests/pg.py), as in tests/test_lake_s3.py. Measures:
- the server: `weed mini` from start to a bucket that answers, and to stopped;
- a lake connection: open (extensions, secret, bucket check, attach) for data in a bucket
  against data in a folder;
- `ingest files` of N realistic pages (bench/pages.py) into a DuckDB file, a lake with its
  data in a folder and a lake with its data in the bucket (real flow runs, a temporary
  Prefect server);
- the raw store: putting and fetching M bodies (~40 KB pages) in the bucket and a folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsflow-bench-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from bench.pages import build_pages
from bench.report import print_rows
from tests.pg import LocalPostgres
from tests.s3server import LocalS3


def server_times(starts: int) -> tuple[list[float], list[float]]:
    up, down = [], []
    for _ in range(starts):
        began = time.perf_counter()
        server = LocalS3().__enter__()
        up.append(time.perf_counter() - began)
        began = time.perf_counter()
        server.__exit__()
        down.append(time.perf_counter() - began)
    return up, down


def open_times(lake: str, n: int = 5) -> list[float]:
    from warehouse import store

    times = []
    for _ in range(n):
        began = time.perf_counter()
        with store.connect(lake, read_only=True):
            pass
        times.append(time.perf_counter() - began)
    return times


def ingest_time(target: str, pages: Path) -> float:
    from flows.ingest import ingest_files

    began = time.perf_counter()
    summary = ingest_files(paths=[str(pages)], warehouse=target)
    took = time.perf_counter() - began
    assert summary.new_articles > 0, summary
    return took


def raw_times(root: object, bodies: list[bytes]) -> tuple[float, float]:
    from warehouse import rawstore

    began = time.perf_counter()
    rels = [rawstore.put(root, body)[1] for body in bodies]
    put = time.perf_counter() - began
    if isinstance(root, rawstore.Bucket):
        shutil.rmtree(root.spool)  # another machine: nothing local
        root.spool.mkdir()
    began = time.perf_counter()
    rawstore.fetch(root, rels)
    for rel in rels:
        Path(rawstore.local_path(root, rel)).read_bytes()
    return put, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--bodies", type=int, default=300)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()

    from prefect.testing.utilities import prefect_test_harness

    from warehouse import rawstore

    up, down = server_times(args.starts)
    rows = [
        (f"weed mini start to bucket ready, {args.starts} runs", _spread(up)),
        ("weed mini stop (SIGTERM to exit)", _spread(down)),
    ]
    with (
        tempfile.TemporaryDirectory(prefix="newsflow-s3-bench-") as tmp,
        LocalPostgres() as pg,
        LocalS3() as s3,
        prefect_test_harness(server_startup_timeout=120),
    ):
        os.environ.update(s3.env())
        pages = Path(tmp) / "pages"
        build_pages(pages, n=args.pages)
        folder_lake = "ducklake:postgres:" + pg.database("folder_lake")
        bucket_lake = "ducklake:postgres:" + pg.database("bucket_lake")
        prefix = f"s3://{s3.bucket}/{uuid.uuid4().hex[:8]}/"
        times = {}
        for label, target, data_path in (
            ("DuckDB file", str(Path(tmp) / "w.duckdb"), None),
            ("lake, data in a folder", folder_lake, str(Path(tmp) / "lake-data")),
            ("lake, data in the bucket", bucket_lake, prefix + "lake/"),
        ):
            if data_path:
                os.environ["NEWSFLOW_LAKE_DATA_PATH"] = data_path
                os.environ["NEWSFLOW_RAW_STORE"] = str(Path(tmp) / "raw")
            times[label] = ingest_time(target, pages)
        for label, took in times.items():
            rows.append((f"ingest files, {args.pages} pages: {label}", f"{took:.1f} s"))
        os.environ["NEWSFLOW_LAKE_DATA_PATH"] = str(Path(tmp) / "lake-data")
        rows.append(("open a lake read-only: data in a folder", _spread(open_times(folder_lake))))
        os.environ["NEWSFLOW_LAKE_DATA_PATH"] = prefix + "lake/"
        rows.append(("open a lake read-only: data in the bucket", _spread(open_times(bucket_lake))))

        bodies = [p.read_bytes() for p in sorted(pages.glob("*.html"))[: args.bodies]]
        size = statistics.mean(len(b) for b in bodies) / 1000
        os.environ["NEWSFLOW_RAW_STORE"] = prefix + "raw/"
        for label, root in (
            ("folder", Path(tmp) / "raw-bench"),
            ("bucket", rawstore.root_for(bucket_lake)),
        ):
            put, fetched = raw_times(root, bodies)
            n = len(bodies)
            rows.append((f"raw store, {label}: put {n} bodies (~{size:.0f} KB)",
                         f"{put:.2f} s ({n / put:.0f}/s)"))  # fmt: skip
            rows.append((f"raw store, {label}: fetch + read {n}",
                         f"{fetched:.2f} s ({n / fetched:.0f}/s)"))  # fmt: skip
    print_rows(rows)


def _spread(values: list[float]) -> str:
    middle = statistics.median(values)
    return f"median {middle:.2f} s (min {min(values):.2f}, max {max(values):.2f})"


if __name__ == "__main__":
    main()
