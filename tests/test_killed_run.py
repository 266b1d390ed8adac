"""kill -9 an ingest mid-run, run it again: the same rows as a clean run, none twice, and the
killed run marked crashed (in `runs` and in Prefect) with what it had landed."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest_files
from tests.conftest import rows

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.slow]
NEWSFLOW = Path(sys.executable).parent / "newsflow"


def make_articles(folder: Path, n: int) -> None:
    """`n` distinct articles of common English words (no two near-duplicates)."""
    from wordfreq import top_n_list

    words = top_n_list("en", 3000)[100:]
    folder.mkdir()
    for i in range(n):
        rng = random.Random(i)
        paragraphs = [
            " ".join(rng.choice(words) for _ in range(60)).capitalize() + "." for _ in range(5)
        ]
        title = f"Report number {i} on {rng.choice(words)} and {rng.choice(words)}"
        (folder / f"article-{i:04d}.txt").write_text(
            title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )


def landed(warehouse: str) -> int:
    try:
        with duckdb.connect(warehouse, read_only=True) as con:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    except duckdb.Error:  # not created yet, or the writer holds it this instant
        return 0


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (a zombie, dead but not yet reaped by
    whatever PID 1 is, does not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # state, ppid, pgrp, ...
            return True
    return False


def test_a_killed_ingest_is_marked_crashed_and_a_rerun_completes_it(tmp_path: Path) -> None:
    import prefect.settings
    from prefect.client.orchestration import get_client

    folder = tmp_path / "articles"
    make_articles(folder, 400)
    killed_wh, clean_wh = str(tmp_path / "killed.duckdb"), str(tmp_path / "clean.duckdb")
    env = {**os.environ, "PREFECT_API_URL": prefect.settings.PREFECT_API_URL.value()}
    command = [str(NEWSFLOW), "--warehouse", killed_wh, "ingest", "files", str(folder)]
    process = subprocess.Popen(
        [*command, "--batch-size", "10"], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while landed(killed_wh) < 30 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert process.poll() is None, "the run ended before it could be killed"
        # The CLI alone, as the kernel's OOM killer kills: its fork server and workers (in its
        # process group) follow it. They ran on for good (1.1 GB), holding each other's pipes.
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(process.pid), "the extraction workers outlived the CLI"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    ((run_id, status, pid),) = rows(killed_wh, "SELECT run_id, status, pid FROM runs")
    assert (status, pid) == ("running", process.pid)
    at_kill = rows(killed_wh, "SELECT count(*) FROM articles")[0][0]
    assert 0 < at_kill < 400

    ingest_files(paths=[str(folder)], warehouse=killed_wh)
    ingest_files(paths=[str(folder)], warehouse=clean_wh)
    ids = "SELECT article_id, duplicate_of FROM articles ORDER BY article_id"
    assert rows(killed_wh, ids) == rows(clean_wh, ids)
    assert rows(killed_wh, "SELECT count(*), count(DISTINCT article_id) FROM articles") == [
        (400, 400)
    ]
    crashed = rows(
        killed_wh, "SELECT status, new_articles, message FROM runs WHERE run_id = ?", [run_id]
    )
    (status, new_articles, message) = crashed[0]
    assert status == "crashed" and f"process {process.pid}" in message
    assert (
        new_articles
        == rows(killed_wh, "SELECT count(*) FROM articles WHERE run_id = ?", [run_id])[0][0]
    )
    assert new_articles >= at_kill
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(uuid.UUID(run_id)).state.type.value == "CRASHED"
