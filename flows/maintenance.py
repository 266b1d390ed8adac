"""Daily upkeep: export what is new as Parquet, and checkpoint the warehouse.

Landing skips DuckDB's checkpoint on every close (it rewrote the indexes each batch), so the
write-ahead log grows between checkpoints; this flow folds it into the database file and
frees the space deleted rows held.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from warehouse import store
from warehouse.export import ExportSummary, export_warehouse


@task(name="export-parquet", cache_policy=NO_CACHE, task_run_name="export-parquet")
def export_task(warehouse: str | None, out_dir: str | None, full: bool) -> ExportSummary:
    return export_warehouse(warehouse, out_dir, full=full)


@task(name="checkpoint", cache_policy=NO_CACHE, task_run_name="checkpoint")
def checkpoint_task(warehouse: str | None) -> tuple[int, int]:
    return store.checkpoint(warehouse)


@flow(name="maintenance")
def maintenance(
    warehouse: str | None = None, export_dir: str | None = None, full_export: bool = False
) -> ExportSummary:
    """Parquet export (incremental unless full_export) and a warehouse checkpoint."""
    summary = export_task(warehouse, export_dir, full_export)
    wal, size = checkpoint_task(warehouse)
    create_table_artifact(
        [
            {"table": t.table, "mode": t.mode, "rows written": t.rows, "files": t.files,
             "rows in the copy": t.total_rows, "note": t.reason or ""}
            for t in summary.tables
        ],
        key="parquet-export",
        description=f"Parquet export to {summary.out_dir}",
    )  # fmt: skip
    get_run_logger().info(
        "exported %d rows in %d files to %s; checkpoint folded a %.1f MB log into %.1f MB",
        summary.rows, summary.files, summary.out_dir, wal / 1e6, size / 1e6,
    )  # fmt: skip
    return summary
