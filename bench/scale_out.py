"""Scale-out figures: several workers on one lake, the single lander, DuckLake's commit
conflicts, and the similarity index at 100k+ articles (docs/scale-out.md, "Figures").

    python bench/scale_out.py [--parts workers,lander,conflicts,index] [--pages 600]
        [--workers 1,2,3] [--records 2000] [--appenders 2,3,4] [--appends 20]
        [--index-sizes 100000] [--index-lake / --no-index-lake]

Everything is real and throwaway: a PostgreSQL cluster from tests/pg.py (the lakes' catalogs
and the Prefect server's database), one `prefect server start` on it for the whole bench
(so each flow run starts in a second or two rather than starting its own server), lake
data and DuckDB files in a temp folder, all removed at the end.

- workers: N separate processes, each running the real `ingest_files` flow (in-process in
  that subprocess, as `newsflow ingest files` does) on its own disjoint share of N pages
  built from the BBC corpus (bench/pages.py), all started at once, into a DuckDB file and
  into a lake. Per run: wall time, extraction CPU (the run's pool workers), time waiting
  for the writer lock (a lake's advisory lock, a file's DuckDB lock) and time holding it,
  and how often the similarity index was reloaded because another process wrote. The
  timings are wrappers this script puts around warehouse/lake.py's writer_lock,
  warehouse/store.py's connect and _open, the extraction pool's Pending.result and
  simindex.load inside each worker process: nothing in warehouse/ or tasks/ changes.
- lander: tasks.land.land_batch of ready records, 200 a batch, into a file and a lake
  (records built as bench/dedup_scale.py builds them, with enrichment as in a flow).
- conflicts: 2-4 processes appending 200-row batches into a lake table at once, without a
  lock (DuckLake resolves the snapshot race itself: the loser's insert into the PostgreSQL
  catalog's ducklake_snapshot fails on its primary key, and DuckLake retries up to
  `ducklake_max_retry_count` times, 100 ms apart growing x1.5; each failed attempt is one
  "duplicate key" line in PostgreSQL's log, which this counts) and with newsflow's writer
  lock around each append.
- index: simindex.load of 100k (and --index-sizes more) simulated articles inserted with
  SQL in the shapes landing writes (a 512-byte signature, 64 LSH bands, 60 weighted terms
  each): load time and resident memory, in a fresh process per size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import print_rows  # noqa: E402

BATCH = 200  # flows/runs.py BATCH_SIZE: one land task per 200 articles
SERVER_TIMEOUT_S = 180  # prefect server start on PostgreSQL took 8.7 s here, more when busy
WORKER_TIMEOUT_S = 1800


# --------------------------------------------------------------------------- helpers


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    if not values:
        return "-"
    return (
        f"median {statistics.median(values):.{digits}f} {unit} "
        f"(min {min(values):.{digits}f}, max {max(values):.{digits}f}, n={len(values)})"
    )


def _lake_name(dsn: str) -> str:
    return "ducklake:postgres:" + dsn


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def prefect_server(tmp: Path, database_url: str):
    """One `prefect server start` on PostgreSQL for the whole bench; yields its API URL."""
    port = _free_port()
    env = os.environ | {
        "PREFECT_HOME": str(tmp / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_DATABASE_CONNECTION_URL": database_url,
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    log = open(tmp / "prefect-server.log", "wb")  # noqa: SIM115 - closed below
    command = ["prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    began = time.perf_counter()
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError("prefect server exited: " + (tmp / "prefect-server.log")
                                   .read_text(errors="replace")[-2000:])  # fmt: skip
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - began > SERVER_TIMEOUT_S:
                raise RuntimeError("prefect server did not answer /api/health")
            time.sleep(0.3)
        yield url, time.perf_counter() - began
    finally:
        _stop_group(server)
        log.close()


def _stop_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


# --------------------------------------------------------------------------- workers


def worker_main(spec_file: str) -> None:
    """One worker: the ingest_files flow on its share, with timings around the locks."""
    spec = json.loads(Path(spec_file).read_text())
    from flows.ingest import ingest_files
    from tasks.extract import pool
    from tasks.relate import simindex
    from warehouse import lake, store

    found: dict[str, list[float]] = {"wait": [], "span": [], "open": [], "blocked": [],
                                     "index": []}  # fmt: skip

    def timed(module, name):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                found["open"].append(time.perf_counter() - began)

        setattr(module, name, wrapper)

    # Opening a writing connection, under the lock: a lake's extensions, attach, and the
    # migrations check (a file's: the check only).
    timed(lake, "load_extensions")
    timed(lake, "attach")
    timed(store, "migrate")

    original_lock = lake.writer_lock

    @contextmanager
    def timed_lock(*args, **kwargs):
        began = time.perf_counter()
        with original_lock(*args, **kwargs):
            found["wait"].append(time.perf_counter() - began)
            yield

    original_open = store._open

    def timed_open(file, read_only, timeout):
        began = time.perf_counter()
        try:
            return original_open(file, read_only, timeout)
        finally:
            if not read_only:
                found["wait"].append(time.perf_counter() - began)

    original_connect = store.connect

    @contextmanager
    def timed_connect(*args, **kwargs):
        began = time.perf_counter()
        with original_connect(*args, **kwargs) as con:
            yield con
        if not kwargs.get("read_only"):
            found["span"].append(time.perf_counter() - began)

    original_result = pool.Pending.result

    def timed_result(self):
        began = time.perf_counter()
        try:
            return original_result(self)
        finally:
            found["blocked"].append(time.perf_counter() - began)

    original_load = simindex.load

    def timed_load(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original_load(*args, **kwargs)
        finally:
            found["index"].append(time.perf_counter() - began)

    lake.writer_lock = timed_lock
    store._open = timed_open
    store.connect = timed_connect
    pool.Pending.result = timed_result
    simindex.load = timed_load

    pool.prestart()  # as the CLI does before Prefect starts
    Path(spec["ready"]).touch()
    while not Path(spec["go"]).exists():
        time.sleep(0.01)
    began = time.time()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    summary = ingest_files(paths=spec["files"], warehouse=spec["warehouse"])
    ended = time.time()
    cpu_self = resource.getrusage(resource.RUSAGE_SELF)
    from multiprocessing import forkserver

    forkserver._forkserver._stop()  # reaps the fork server, which reaped the pool's workers
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        "began": began,
        "ended": ended,
        "new": summary.new_articles,
        "read": summary.items_read,
        "errors": summary.errors,
        "extract_cpu": children.ru_utime + children.ru_stime,
        "main_cpu": (cpu_self.ru_utime + cpu_self.ru_stime)
        - (cpu_before.ru_utime + cpu_before.ru_stime),
        **found,
    }
    Path(spec["out"]).write_text(json.dumps(out))


def run_workers(tmp: Path, warehouse: str, shares: list[list[str]], env: dict) -> dict:
    """All shares at once, one process each; their results and the run's wall time."""
    run = Path(tempfile.mkdtemp(prefix="run-", dir=tmp))
    go = run / "go"
    procs = []
    for i, files in enumerate(shares):
        spec = {"files": files, "warehouse": warehouse, "ready": str(run / f"ready-{i}"),
                "go": str(go), "out": str(run / f"out-{i}.json")}  # fmt: skip
        (run / f"spec-{i}.json").write_text(json.dumps(spec))
        log = open(run / f"log-{i}", "wb")  # noqa: SIM115 - the child writes it
        procs.append(
            subprocess.Popen(
                [sys.executable, __file__, "--worker", str(run / f"spec-{i}.json")],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        )  # fmt: skip
    try:
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        while not all((run / f"ready-{i}").exists() for i in range(len(shares))):
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                raise RuntimeError(_logs(run, len(shares)))
            time.sleep(0.05)
        started = time.time()
        go.touch()
        for p in procs:
            p.wait(max(1, deadline - time.monotonic()))
        if any(p.returncode for p in procs):
            raise RuntimeError(_logs(run, len(shares)))
    finally:
        for p in procs:
            _stop_group(p)
    results = [json.loads((run / f"out-{i}.json").read_text()) for i in range(len(shares))]
    shutil.rmtree(run, ignore_errors=True)
    return {"wall": max(r["ended"] for r in results) - started, "workers": results}


def _logs(run: Path, n: int) -> str:
    return "\n".join(
        f"worker {i}: " + (run / f"log-{i}").read_text(errors="replace")[-3000:] for i in range(n)
    )


def part_workers(args, tmp: Path, pg, rows: list) -> None:
    from bench.pages import build_pages
    from warehouse import store

    pages_dir = tmp / "pages"
    began = time.perf_counter()
    files = sorted(str(p.path) for p in build_pages(pages_dir, n=args.pages))
    rows.append(
        (f"built {len(files)} pages from the BBC corpus", f"{time.perf_counter() - began:.1f} s")
    )
    with prefect_server(tmp, pg.prefect_url) as (api, took):
        rows.append(("one prefect server start (PostgreSQL) to /api/health", f"{took:.1f} s"))
        env = os.environ | {
            "PREFECT_API_URL": api,
            "PREFECT_HOME": str(tmp / "prefect-client"),
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
            "NEWSFLOW_RAW_STORE": str(tmp / "raw"),
        }
        for kind in ("file", "lake"):
            for n in args.workers:
                name = f"{kind}{n}"
                if kind == "file":
                    warehouse = str(tmp / f"{name}.duckdb")
                    run_env = env
                else:
                    warehouse = _lake_name(pg.database(name))
                    data = tmp / f"{name}-data"
                    run_env = env | {"NEWSFLOW_LAKE_DATA_PATH": str(data)}
                    os.environ["NEWSFLOW_LAKE_DATA_PATH"] = str(data)
                with store.connect(warehouse):  # made and migrated beforehand, not timed
                    pass
                shares = [files[i::n] for i in range(n)]
                result = run_workers(tmp, warehouse, shares, run_env)
                _worker_rows(rows, kind, n, len(files), result)
                with store.connect(warehouse, read_only=True) as con:
                    (landed,) = con.execute("SELECT count(*) FROM articles").fetchone()
                    errors = con.execute(
                        "SELECT stage, error, count(*) FROM ingest_errors GROUP BY ALL"
                    ).fetchall()
                new = sum(w["new"] for w in result["workers"])
                if landed != len(files) or errors or new != landed:
                    rows.append((f"  !! {kind} x{n}: {landed} articles in the warehouse",
                                 f"the runs counted {new} new; errors {errors}"))  # fmt: skip


def _worker_rows(rows: list, kind: str, n: int, pages: int, result: dict) -> None:
    label = "DuckDB file" if kind == "file" else "DuckLake"
    wall = result["wall"]
    rows.append((f"{label}, {n} worker{'s' if n > 1 else ''}: {pages} pages",
                 f"{wall:.1f} s wall, {pages / wall:.1f} pages/s"))  # fmt: skip
    for i, w in enumerate(result["workers"]):
        took = w["ended"] - w["began"]
        waits, spans = w["wait"], w["span"]
        held = sum(spans) - sum(waits)
        rows.append((
            f"  worker {i + 1}: {w['read']} pages ({w['new']} new, {w['errors']} errors) "
            f"in {took:.1f} s",
            f"extraction {w['extract_cpu']:.1f} s CPU, flow process {w['main_cpu']:.1f} s CPU; "
            f"blocked on extraction {sum(w['blocked']):.1f} s; "
            f"lock: {len(waits)} takes, waited {sum(waits):.2f} s "
            f"(max {max(waits, default=0):.2f}), held {held:.1f} s "
            f"(opening {sum(w['open']):.1f} s); "
            f"index loads {len(w['index'])} ({sum(w['index']):.2f} s)",
        ))  # fmt: skip


# --------------------------------------------------------------------------- lander


def part_lander(args, tmp: Path, pg, rows: list) -> None:
    from bench.dedup_scale import build, sentences
    from tasks.land import Batch, land_batch
    from tasks.relate import simindex
    from warehouse import store

    began = time.perf_counter()
    records = build(args.records, 3, len(os.sched_getaffinity(0)), sentences())
    rows.append((f"built {len(records)} ready records (enriched, as in a flow)",
                 f"{time.perf_counter() - began:.1f} s"))  # fmt: skip
    os.environ["NEWSFLOW_LAKE_DATA_PATH"] = str(tmp / "lander-data")
    for label, warehouse in (
        ("DuckDB file", str(tmp / "lander.duckdb")),
        ("DuckLake", _lake_name(pg.database("lander"))),
    ):
        with store.connect(warehouse):
            pass
        opens = []
        for _ in range(5):
            t = time.perf_counter()
            with store.connect(warehouse):
                pass
            opens.append(time.perf_counter() - t)
        simindex.forget(warehouse)
        times = []
        for i in range(0, len(records), BATCH):
            t = time.perf_counter()
            land_batch(warehouse, "bench", Batch(articles=records[i : i + BATCH]))
            times.append(time.perf_counter() - t)
        total = sum(times)
        with store.connect(warehouse, read_only=True) as con:
            written = _all_rows(con)
        n = len(records)
        rows.append((f"{label}: land {n} records, {BATCH} a batch",
                     f"{total:.1f} s, {n / total:.0f} articles/s, {written / total:,.0f} rows/s "
                     f"({written:,} rows in all tables)"))  # fmt: skip
        rows.append((f"  {label}: per batch", _spread(times)))
        rows.append((f"  {label}: open a writing connection (no work)", _spread(opens, digits=3)))


def _all_rows(con) -> int:
    tables = [t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_catalog = current_database()").fetchall()]  # fmt: skip
    return sum(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)


# --------------------------------------------------------------------------- conflicts


def appender_main(spec_file: str) -> None:
    """One appender: `appends` transactions of 200 rows into minhash_bands, locked or not."""
    import logging

    import duckdb

    spec = json.loads(Path(spec_file).read_text())
    from warehouse import lake as lakes

    lake = lakes.parse(spec["warehouse"])
    con = duckdb.connect()
    lakes.load_extensions(con, lake)
    lakes.attach(con, lake, read_only=False)
    Path(spec["ready"]).touch()
    while not Path(spec["go"]).exists():
        time.sleep(0.005)
    log = logging.getLogger("bench")
    times, waits, failed = [], [], []
    began = time.perf_counter()
    for j in range(spec["appends"]):
        statement = (
            "INSERT INTO minhash_bands SELECT (i % 64)::SMALLINT, "
            f"(hash({spec['worker']}, {j}, i) >> 1)::BIGINT, 'w{spec['worker']}-{j}-' || i "
            f"FROM range({BATCH}) t(i)"
        )
        t = time.perf_counter()
        try:
            if spec["locked"]:
                with lakes.writer_lock(lake, None, log, 10.0):
                    waits.append(time.perf_counter() - t)
                    con.execute(statement)
            else:
                con.execute(statement)
        except duckdb.Error as exc:
            failed.append(str(exc).splitlines()[0][:200])
        times.append(time.perf_counter() - t)
    out = {"times": times, "waits": waits, "failed": failed, "wall": time.perf_counter() - began}
    Path(spec["out"]).write_text(json.dumps(out))


def part_conflicts(args, tmp: Path, pg, rows: list) -> None:
    from warehouse import store

    for locked in (False, True):
        for n in args.appenders:
            name = f"append{n}{'l' if locked else ''}"
            warehouse = _lake_name(pg.database(name))
            data = tmp / f"{name}-data"
            os.environ["NEWSFLOW_LAKE_DATA_PATH"] = str(data)
            with store.connect(warehouse):
                pass
            before = pg.log().count("ducklake_snapshot_pkey")
            run = Path(tempfile.mkdtemp(prefix="append-", dir=tmp))
            procs = []
            for w in range(n):
                spec = {"warehouse": warehouse, "worker": w, "appends": args.appends,
                        "locked": locked, "ready": str(run / f"ready-{w}"),
                        "go": str(run / "go"), "out": str(run / f"out-{w}.json")}  # fmt: skip
                (run / f"spec-{w}.json").write_text(json.dumps(spec))
                procs.append(subprocess.Popen(
                    [sys.executable, __file__, "--appender", str(run / f"spec-{w}.json")],
                    env=os.environ | {"PYTHONPATH": str(ROOT)}, start_new_session=True,
                    stdout=open(run / f"log-{w}", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                ))  # fmt: skip
            try:
                while not all((run / f"ready-{w}").exists() for w in range(n)):
                    if any(p.poll() is not None for p in procs):
                        raise RuntimeError(_logs(run, n))
                    time.sleep(0.02)
                began = time.perf_counter()
                (run / "go").touch()
                for p in procs:
                    p.wait(WORKER_TIMEOUT_S)
                wall = time.perf_counter() - began
                if any(p.returncode for p in procs):
                    raise RuntimeError(_logs(run, n))
            finally:
                for p in procs:
                    _stop_group(p)
            results = [json.loads((run / f"out-{w}.json").read_text()) for w in range(n)]
            shutil.rmtree(run, ignore_errors=True)
            retries = pg.log().count("ducklake_snapshot_pkey") - before
            failed = [f for r in results for f in r["failed"]]
            times = [t for r in results for t in r["times"]]
            with store.connect(warehouse, read_only=True) as con:
                (landed,) = con.execute("SELECT count(*) FROM minhash_bands").fetchone()
            total = n * args.appends
            how = "writer lock" if locked else "no lock"
            rows.append((
                f"{n} processes x {args.appends} appends of {BATCH} rows, {how}",
                f"{wall:.1f} s ({total / wall:.1f} commits/s); conflicts retried {retries}, "
                f"failed {len(failed)}; rows {landed:,} of {total * BATCH:,}",
            ))  # fmt: skip
            rows.append((f"  per append ({how})", _spread(times, digits=3)))
            if locked:
                waits = [t for r in results for t in r["waits"]]
                rows.append(
                    ("  of which taking the lock (connect + wait)", _spread(waits, digits=3))
                )
            for f in sorted(set(failed))[:3]:
                rows.append(("  failure", f))


# --------------------------------------------------------------------------- index


# The shapes landing writes: a 128 x uint32 MinHash signature, 64 LSH bands and up to 60
# weighted terms per article (tasks/relate/minhash.py, stories.py TOP_TERMS). Terms are
# drawn from a skewed vocabulary of 300k words (a few common, most rare), as news is.
INDEX_SQL = [
    """INSERT INTO articles (article_id, source_kind, source_uri, text, published_at,
        ingested_at, run_id, content_hash, raw_sha256, raw_size, extractor, word_count)
       SELECT md5(i::VARCHAR), 'file', 'sim/' || i, 'x',
              TIMESTAMP '2024-01-01' + to_seconds(i * 60), TIMESTAMP '2025-01-01', 'sim',
              md5(i::VARCHAR || 'c'), md5(i::VARCHAR || 'r'), 4000, 'trafilatura', 600
       FROM range($lo, $hi) t(i)""",
    """INSERT INTO article_signatures
       SELECT md5(i::VARCHAR), 900, unhex(repeat(md5(i::VARCHAR || 's'), 32))
       FROM range($lo, $hi) t(i)""",
    """INSERT INTO minhash_bands
       SELECT b::SMALLINT, (hash(i, b) >> 1)::BIGINT, md5(i::VARCHAR)
       FROM range($lo, $hi) t(i), range(64) u(b)""",
    """INSERT INTO article_terms
       SELECT md5(i::VARCHAR),
              'w' || floor(300000 * pow((hash(i, r) % 1000003) / 1000003.0, 3))::INT,
              (r + 1)::SMALLINT, (1.0 / (r + 2))::FLOAT
       FROM range($lo, $hi) t(i), range(60) u(r)""",
]
INDEX_CHUNK = 100_000


def simulate(warehouse: str, n: int) -> float:
    from warehouse import store

    began = time.perf_counter()
    with store.connect(warehouse) as con:
        con.execute("SET threads = 2")
        for lo in range(0, n, INDEX_CHUNK):
            hi = min(n, lo + INDEX_CHUNK)
            with store.transaction(con):
                for statement in INDEX_SQL:
                    con.execute(statement.replace("$lo", str(lo)).replace("$hi", str(hi)))
    return time.perf_counter() - began


def index_probe_main(warehouse: str) -> None:
    """In a fresh process: load the index once, report time and memory as JSON."""
    from tasks.relate import simindex
    from warehouse import store

    with store.connect(warehouse, read_only=True) as con:
        rss0 = _rss_mb()
        began = time.perf_counter()
        index = simindex.load(con, 0)
        took = time.perf_counter() - began
        rss_open = _rss_mb()
    rss_closed = _rss_mb()
    print(json.dumps({"n": len(index), "seconds": took, "rss0": rss0, "rss_open": rss_open,
                      "rss_closed": rss_closed, "peak": _peak_mb(),
                      "nbytes": index.nbytes}))  # fmt: skip


def part_index(args, tmp: Path, pg, rows: list) -> None:
    kinds = [("DuckDB file", None)]
    if args.index_lake:
        kinds.append(("DuckLake", pg))
    for n in args.index_sizes:
        for label, catalog in kinds:
            if catalog is None:
                warehouse = str(tmp / f"index{n}.duckdb")
                env = os.environ
            else:
                warehouse = _lake_name(catalog.database(f"index{n}"))
                data = tmp / f"index{n}-data"
                os.environ["NEWSFLOW_LAKE_DATA_PATH"] = str(data)
                env = os.environ | {"NEWSFLOW_LAKE_DATA_PATH": str(data)}
            made = simulate(warehouse, n)
            done = subprocess.run(
                [sys.executable, __file__, "--index-probe", warehouse], env=env | {
                    "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode:
                rows.append((f"{label}, {n:,} articles: load failed", done.stderr[-500:]))
                continue
            got = json.loads(done.stdout.strip().splitlines()[-1])
            size = _size_mb(warehouse, tmp, n)
            rows.append((
                f"{label}, {n:,} articles: index load",
                f"{got['seconds']:.1f} s; RSS +{got['rss_closed'] - got['rss0']:,.0f} MB held "
                f"(+{got['rss_open'] - got['rss0']:,.0f} MB with the connection open), "
                f"peak {got['peak']:,.0f} MB; arrays {got['nbytes'] / 1e6:,.0f} MB",
            ))  # fmt: skip
            rows.append((f"  (simulated with SQL in {made:.0f} s; on disk {size:,.0f} MB)", ""))
            if catalog is None:
                Path(warehouse).unlink(missing_ok=True)
                Path(warehouse + ".wal").unlink(missing_ok=True)
            else:
                shutil.rmtree(tmp / f"index{n}-data", ignore_errors=True)


def _size_mb(warehouse: str, tmp: Path, n: int) -> float:
    if warehouse.startswith("ducklake:"):
        folder = tmp / f"index{n}-data"
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    return Path(warehouse).stat().st_size / 1e6


# --------------------------------------------------------------------------- main


class _Postgres:
    """tests/pg.py's throwaway cluster, plus the Prefect server's database URL."""

    def __init__(self) -> None:
        from tests.pg import USER, LocalPostgres

        self._pg = LocalPostgres()
        self._user = USER

    def __enter__(self) -> _Postgres:
        self._pg.__enter__()
        self._pg.database("prefect")
        self.prefect_url = f"postgresql+asyncpg://{self._user}@127.0.0.1:{self._pg.port}/prefect"
        return self

    def __exit__(self, *exc: object) -> None:
        self._pg.__exit__(*exc)

    def database(self, name: str) -> str:
        return self._pg.database(name)

    def log(self) -> str:
        return self._pg.log()


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] in ("--worker", "--appender", "--index-probe"):
        {"--worker": worker_main, "--appender": appender_main,
         "--index-probe": index_probe_main}[sys.argv[1]](sys.argv[2])  # fmt: skip
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="workers,lander,conflicts,index")
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--workers", type=_ints, default=[1, 2, 3])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--appenders", type=_ints, default=[2, 3, 4])
    parser.add_argument("--appends", type=int, default=20)
    parser.add_argument("--index-sizes", type=_ints, default=[100_000])
    parser.add_argument("--index-lake", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",")}

    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores (shared with other work: several workers on one box measure "
          "contention for them, not a cluster)", flush=True)  # fmt: skip
    saved = {k: os.environ.get(k) for k in ("NEWSFLOW_LAKE_DATA_PATH", "NEWSFLOW_RAW_STORE")}
    with tempfile.TemporaryDirectory(prefix="newsflow-scale-out-") as name, _Postgres() as pg:
        tmp = Path(name)
        os.environ["NEWSFLOW_RAW_STORE"] = str(tmp / "raw")
        for part, run in (("workers", part_workers), ("lander", part_lander),
                          ("conflicts", part_conflicts), ("index", part_index)):  # fmt: skip
            if part in parts:
                rows: list[tuple[str, str]] = []
                began = time.perf_counter()
                run(args, tmp, pg, rows)
                print(f"\n== {part} ({time.perf_counter() - began:.0f} s)")
                print_rows(rows)
                sys.stdout.flush()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


if __name__ == "__main__":
    main()
