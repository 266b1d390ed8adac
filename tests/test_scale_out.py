"""Many workers, one lake, as docs/scale-out.md sets it up: a Prefect server on PostgreSQL, a
process work pool, workers started with `prefect worker start` (each its own process, as it
would be on its own machine), the `files` deployment of deployments/prefect.yaml, and the
warehouse a DuckLake named by the workers' environment. Flow runs started through the API
with overlapping files land every article exactly once.

Needs PostgreSQL's server programs and the lake extra, as tests/test_lake.py (whose
`postgres` fixture this uses).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import SEEDS, rows
from tests.pg import LocalPostgres
from tests.prefect_cluster import PrefectCluster
from tests.test_lake import plain, postgres  # noqa: F401 - postgres is a fixture
from warehouse import store

WORKERS = 3
RUNS_S = 300  # all flow runs finished: ~20 s here once the workers were up
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _start_and_wait(api_url: str, parameters: list[dict]) -> list:
    """Start one run of ingest-files/files per entry of `parameters` at once; the finished
    runs."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("ingest-files/files")
        ids = [
            client.create_flow_run_from_deployment(deployment.id, parameters=p).id
            for p in parameters
        ]
        deadline = time.monotonic() + RUNS_S
        while time.monotonic() < deadline:
            runs = [client.read_flow_run(i) for i in ids]
            if all(r.state and r.state.type.value in FINAL for r in runs):
                return runs
            time.sleep(1)
        raise AssertionError(f"flow runs not finished in {RUNS_S} s: {[r.state for r in runs]}")


@pytest.mark.lake
@pytest.mark.slow
def test_runs_on_several_workers_land_overlapping_files_into_one_lake_once(
    postgres: LocalPostgres,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lake = f"ducklake:postgres:{postgres.database(f'lake_{uuid.uuid4().hex[:12]}')}"
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) == 5
    # Overlapping thirds: every file is in two runs (the first and last in one and three).
    parts = [files[0:3], files[1:4], [*files[2:5], files[0]]]
    env = {
        "NEWSFLOW_WAREHOUSE": lake,
        "NEWSFLOW_LAKE_DATA_PATH": str(tmp_path / "lake-data"),
        "NEWSFLOW_RAW_STORE": str(tmp_path / "raw"),
        "NEWSFLOW_ROOT": str(Path(__file__).resolve().parent.parent),
    }
    reference = str(tmp_path / "one-machine.duckdb")
    # The lake made beforehand, so the runs race on landing alone (not on making tables).
    monkeypatch.setenv("NEWSFLOW_LAKE_DATA_PATH", env["NEWSFLOW_LAKE_DATA_PATH"])
    with store.connect(lake):
        pass
    with PrefectCluster(postgres, workers=WORKERS, env=env) as cluster:
        cluster.deploy("files")
        runs = _start_and_wait(cluster.api_url, [{"paths": [str(f) for f in p]} for p in parts])
        logs = [cluster.log(f"worker-{n}") for n in range(WORKERS)]
        said = [(r.state.type.value, r.state.message) for r in runs]
        assert [r.state.type.value for r in runs] == ["COMPLETED"] * len(parts), said
        # They ran on different workers (so at the same time, each worker taking one at once).
        took = [n for n, log in enumerate(logs) if any(str(r.id) in log for r in runs)]
        assert len(took) >= 2, logs
        # The same files on one machine: one run into a DuckDB file.
        whole = {"paths": [str(f) for f in files], "warehouse": reference}
        [one] = _start_and_wait(cluster.api_url, [whole])
        assert one.state.type.value == "COMPLETED"

    columns = "article_id, source_uri, title, text, content_hash, language"
    query = f"SELECT {columns} FROM articles ORDER BY ALL"
    landed = plain(lake, query)
    assert len(landed) == 5
    assert landed == rows(reference, query)
    for table, key in (("articles", "article_id"), ("file_state", "path"),
                       ("article_signatures", "article_id")):  # fmt: skip
        total, distinct = plain(lake, f"SELECT count(*), count(DISTINCT {key}) FROM {table}")[0]
        assert total == distinct == 5, table
    assert plain(lake, "SELECT count(*) FROM runs WHERE status = 'completed'") == [(3,)]
