"""`newsflow query` cannot write: not the warehouse, not its write-ahead log, not any file.

Each attack runs through the CLI against a real warehouse whose latest rows live only in the
write-ahead log (landing skips checkpoints), then the warehouse's files must be byte for byte
what they were and every row still there.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from click.testing import CliRunner

from flows.cli import main
from tasks.extract.document import build_article
from tasks.land import Batch, land_batch
from tasks.models import Article, SourceItem
from tests.conftest import rows
from warehouse import store
from warehouse.export import default_out_dir, export_parquet

TITLES = [f"Story {i}" for i in range(6)]


def _article(i: int) -> Article:
    path = f"/synthetic/{i}.txt"
    body = f"Story number {i} is about the harbour, the council and {i * 7} new boats."
    item = SourceItem("file", path, path, len(body), 0)
    return build_article(
        item, {"title": TITLES[i], "text": body}, body, "text-cleaner", f"{i:064d}", len(body),
        "utf-8", path, {},
    )  # fmt: skip


@pytest.fixture
def warehouse_with_wal(warehouse: str) -> str:
    """Three articles checkpointed into the file and exported; three more only in the WAL."""
    land_batch(warehouse, "run-1", Batch(articles=[_article(i) for i in range(3)], errors=[]))
    with store.connect(warehouse) as con:
        export_parquet(con, default_out_dir(warehouse))
        con.execute("CHECKPOINT")
    land_batch(warehouse, "run-2", Batch(articles=[_article(i) for i in range(3, 6)], errors=[]))
    wal = Path(warehouse + ".wal")
    assert wal.exists() and wal.stat().st_size > 0, "the last batch should be in the WAL only"
    return warehouse


def _fingerprint(warehouse: str) -> dict[str, str]:
    files = [Path(warehouse), Path(warehouse + ".wal")]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.exists()}


def _query(warehouse: str, sql: str, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--warehouse", warehouse, "query", sql, *options])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _assert_intact(warehouse: str, before: dict[str, str]) -> None:
    assert _fingerprint(warehouse) == before
    titles = [r[0] for r in rows(warehouse, "SELECT title FROM articles ORDER BY title")]
    assert titles == TITLES


# Each would overwrite or create a file, attach one, or undo the lock-down. The last ones
# get past DuckDB's own sandbox (enable_external_access = false), which always lets a
# connection write its own database files; only refusing the statement stops them.
ATTACKS = {
    "copy onto the warehouse": "COPY (SELECT 'x') TO '{db}'",
    "copy onto the wal": "COPY (SELECT 'x') TO '{db}.wal'",
    "copy onto the wal, no temp file": "COPY (SELECT 'x') TO '{db}.wal' (USE_TMP_FILE false)",
    "copy to another file": "COPY (SELECT * FROM articles) TO '{tmp}/stolen.csv'",
    "copy into the export folder": "COPY (SELECT 'x') TO '{export}/articles/x.parquet'",
    "export database": "EXPORT DATABASE '{tmp}/dump'",
    "attach a new file": "ATTACH '{tmp}/other.duckdb' AS other",
    "attach another database": "ATTACH '{tmp}/theirs.duckdb' AS theirs",
    "attach the warehouse again": "ATTACH '{db}' AS again",
    "external access back on": "SET enable_external_access = true",
    "reset the lock-down": "RESET enable_external_access",
    "unlock the configuration": "SET lock_configuration = false",
    "install an extension": "INSTALL excel",
    "load an extension": "LOAD json",
    "a select, then a copy": "SELECT 1; COPY (SELECT 'x') TO '{db}.wal'",
    "log files from a select": (
        "SELECT * FROM enable_logging(storage='file', storage_path='{tmp}/logs')"
    ),
    "profile file from a select": (
        "SELECT * FROM enable_profiling(format='json', save_location='{export}/p.json')"
    ),
    "sql in a string": "SELECT * FROM query('SELECT * FROM enable_logging()')",
}


@pytest.mark.parametrize("sql", ATTACKS.values(), ids=ATTACKS.keys())
def test_query_refuses_anything_that_writes(
    warehouse_with_wal: str, tmp_path: Path, sql: str
) -> None:
    db = warehouse_with_wal
    export = default_out_dir(db)
    duckdb.connect(str(tmp_path / "theirs.duckdb")).close()  # one that exists, to attach
    before = _fingerprint(db)
    exports_before = sorted(p for p in export.rglob("*"))
    code, output = _query(db, sql.format(db=db, tmp=tmp_path, export=export))
    assert code != 0, output
    assert output.startswith("Error: ") and "refused" in output, output
    _assert_intact(db, before)
    assert not (tmp_path / "stolen.csv").exists()
    assert not (tmp_path / "dump").exists()
    assert not (tmp_path / "other.duckdb").exists()
    assert not (tmp_path / "logs").exists()
    assert sorted(p for p in export.rglob("*")) == exports_before


def test_a_refusal_says_why_and_what_query_allows(warehouse_with_wal: str) -> None:
    code, output = _query(warehouse_with_wal, f"COPY (SELECT 'x') TO '{warehouse_with_wal}.wal'")
    assert code != 0
    assert output.strip() == (
        "Error: COPY refused: `newsflow query` is read-only, it runs SELECT statements only"
    )


def test_several_statements_are_refused_not_shown_in_part(warehouse_with_wal: str) -> None:
    # Only the last one's rows showed: 'select 1; select 2' printed 2, and nothing said so.
    code, output = _query(warehouse_with_wal, "SELECT 1 AS a; SELECT 2 AS b")
    assert code != 0
    assert output.strip() == "Error: refused: 2 statements; `newsflow query` runs one at a time"


def test_select_still_works_and_sees_the_rows_in_the_wal(warehouse_with_wal: str) -> None:
    before = _fingerprint(warehouse_with_wal)
    code, output = _query(warehouse_with_wal, "SELECT count(*) AS n FROM articles")
    assert code == 0, output
    assert output.splitlines()[2].strip() == "6"
    for sql in ("DESCRIBE articles", "SELECT * FROM pragma_table_info('articles')", "SHOW TABLES"):
        code, output = _query(warehouse_with_wal, sql)
        assert code == 0, output
        assert "article_id" in output or "articles" in output, output
    _assert_intact(warehouse_with_wal, before)


def test_the_export_folder_can_be_read(warehouse_with_wal: str) -> None:
    glob = default_out_dir(warehouse_with_wal) / "articles" / "**" / "*.parquet"
    code, output = _query(
        warehouse_with_wal,
        f"SELECT count(*) AS n FROM read_parquet('{glob}', hive_partitioning = true)",
    )
    assert code == 0, output
    assert output.splitlines()[2].strip() == "3"  # exported before the last batch landed


def test_files_elsewhere_cannot_be_read(warehouse_with_wal: str, tmp_path: Path) -> None:
    elsewhere = tmp_path / "mine.csv"
    elsewhere.write_text("a,b\n1,2\n")
    code, output = _query(warehouse_with_wal, f"SELECT * FROM read_csv('{elsewhere}')")
    assert code != 0, output
    assert output.startswith("Error: refused: `newsflow query` reads files only in")
    assert output.count("\n") == 1, output  # one line, without DuckDB's 'LINE 1:' and caret
    assert str(default_out_dir(warehouse_with_wal)) in output


def test_readable_paths_can_be_given_but_never_the_warehouse(
    warehouse_with_wal: str, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("a,b\n1,2\n")
    table = store.query(f"SELECT a + b AS s FROM read_csv('{mine}')", warehouse_with_wal, [mine])
    assert table.to_pylist() == [{"s": 3}]
    for unsafe in (Path(warehouse_with_wal).parent, Path(warehouse_with_wal + ".wal")):
        with pytest.raises(store.QueryRefused, match="holds the warehouse"):
            store.query("SELECT 1", warehouse_with_wal, [unsafe])
    # Even a readable file cannot be written.
    with pytest.raises(store.QueryRefused, match="COPY refused"):
        store.query(f"COPY (SELECT 9) TO '{mine}'", warehouse_with_wal, [mine])
    assert mine.read_text() == "a,b\n1,2\n"


def test_now_is_utc_like_the_stored_timestamps(warehouse_with_wal: str) -> None:
    # Stored timestamps are UTC without a zone; now() and current_date were the machine's
    # local time, so `ingested_at > now() - interval 1 hour` was off by its UTC offset.
    # A subprocess: DuckDB reads the zone once per process.
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime, timedelta

    newsflow = str(Path(sys.executable).parent / "newsflow")
    env = {**os.environ, "TZ": "America/Los_Angeles"}
    three_hours_ago = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    sql = (
        "select current_setting('TimeZone') as tz, "
        f"timestamp '{three_hours_ago}' > now() - interval 1 hour as within_the_hour, "
        "count(*) filter (where ingested_at > now() - interval 1 hour) as recent "
        "from articles"
    )
    run = subprocess.run(
        [newsflow, "--warehouse", warehouse_with_wal, "query", sql, "--format", "csv"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[1] == "UTC,False,6"


def test_csv_and_json_come_a_batch_at_a_time_with_the_same_rows(warehouse_with_wal: str) -> None:
    sql = "SELECT title, word_count, published_at FROM articles ORDER BY title"
    whole = store.query(sql, warehouse_with_wal)
    batches = list(store.query_batches(sql, warehouse_with_wal, rows=4))
    assert batches[0].num_rows == 0 and batches[0].schema == whole.schema
    assert [b.num_rows for b in batches[1:]] == [4, 2]  # never more than asked for
    assert pa.Table.from_batches(batches).to_pylist() == whole.to_pylist()
    for fmt in ("csv", "json"):
        code, output = _query(warehouse_with_wal, sql, "--format", fmt)
        assert code == 0, output
        assert len(output.splitlines()) == 6 + (fmt == "csv")
        assert ("Story 5" in output.splitlines()[-1]) and ("Story 0" in output)
    # The lock-down holds for every batch read: a file elsewhere is refused in the stream too.
    with pytest.raises(store.QueryRefused):
        list(store.query_batches("SELECT * FROM read_csv('/etc/passwd')", warehouse_with_wal))
