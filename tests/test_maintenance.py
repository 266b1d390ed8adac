"""The maintenance flow and the export command, through a real flow run and the CLI."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.ingest import ingest_seeds
from flows.maintenance import maintenance
from tests.conftest import SEEDS

pytestmark = pytest.mark.usefixtures("prefect_server")


def parquet_count(folder: Path) -> int:
    return duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
    ).fetchone()[0]


def test_maintenance_exports_and_checkpoints(warehouse: str, tmp_path: Path) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    wal = Path(warehouse + ".wal")
    assert wal.exists() and wal.stat().st_size > 0  # landing leaves the log to maintenance
    summary = maintenance(warehouse=warehouse, export_dir=str(tmp_path / "out"))
    assert summary["articles"].rows == 5
    assert parquet_count(tmp_path / "out" / "articles") == 5
    assert parquet_count(tmp_path / "out" / "claims") >= 8  # the seeds' troop claims at least
    assert not wal.exists() or wal.stat().st_size == 0  # folded into the database file
    again = maintenance(warehouse=warehouse, export_dir=str(tmp_path / "out"))
    assert again.rows == 1  # only the `stories` snapshot: no article twice
    assert parquet_count(tmp_path / "out" / "articles") == 5


def test_export_command(warehouse: str, tmp_path: Path) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    out = tmp_path / "parquet"
    result = CliRunner().invoke(main, ["--warehouse", warehouse, "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "articles" in result.output and f"-> {out}" in result.output
    assert parquet_count(out / "articles") == 5
    full = CliRunner().invoke(
        main, ["--warehouse", warehouse, "export", "--out", str(out), "--full"]
    )
    assert full.exit_code == 0 and parquet_count(out / "articles") == 5


@pytest.mark.parametrize("command", [["export"], ["maintain"], ["enrich"], ["reprocess"]])
def test_a_missing_warehouse_is_one_line_not_a_new_empty_one(
    tmp_path: Path, command: list[str]
) -> None:
    # A misspelt --warehouse made an empty warehouse (and an export folder) and exited 0,
    # while `query` and `stories` said there was none.
    missing = tmp_path / "typo" / "newsflow.duckdb"
    result = CliRunner().invoke(main, ["--warehouse", str(missing), *command])
    assert result.exit_code == 1, result.output
    assert result.output == (
        f"Error: no warehouse at {missing}: run `newsflow ingest seeds` first\n"
    )
    assert not (tmp_path / "typo").exists()
