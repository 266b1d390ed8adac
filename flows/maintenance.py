"""Daily upkeep: export what is new as Parquet, and checkpoint the warehouse.

Landing skips DuckDB's checkpoint on every close (it rewrote the indexes each batch), so the
write-ahead log grows between checkpoints; this flow folds it into the database file and
frees the space deleted rows held.

A lake is Parquet already, so it is not exported: every landing commit writes small files of
its own, which this flow merges, and it forgets snapshots older than SNAPSHOT_DAYS and deletes
the files only they used.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from warehouse import store
from warehouse.export import ExportSummary, export_warehouse

# How far back time travel on a lake reaches (AT (TIMESTAMP => ...)): a week lets an analyst
# compare with last week's lake. A choice, not a measurement; older snapshots' files go.
SNAPSHOT_DAYS = 7.0


@task(name="export-parquet", cache_policy=NO_CACHE, task_run_name="export-parquet")
def export_task(warehouse: str | None, out_dir: str | None, full: bool) -> ExportSummary:
    return export_warehouse(warehouse, out_dir, full=full)


@task(name="checkpoint", cache_policy=NO_CACHE, task_run_name="checkpoint")
def checkpoint_task(warehouse: str | None) -> tuple[int, int]:
    return store.checkpoint(warehouse)


@task(name="compact-lake", cache_policy=NO_CACHE, task_run_name="compact-lake")
def compact_task(warehouse: str | None, snapshot_days: float) -> store.LakeUpkeep:
    return store.maintain_lake(warehouse, timedelta(days=snapshot_days))


@flow(name="maintenance")
def maintenance(
    warehouse: str | None = None,
    export_dir: str | None = None,
    full_export: bool = False,
    snapshot_days: float = SNAPSHOT_DAYS,
) -> ExportSummary | store.LakeUpkeep:
    """Parquet export (incremental unless full_export) and a warehouse checkpoint; for a lake,
    compaction and snapshot expiry (snapshot_days) instead."""
    if store.is_lake(warehouse):
        upkeep = compact_task(warehouse, snapshot_days)
        get_run_logger().info(
            "lake compacted: %d -> %d Parquet files, %d -> %d snapshots, %d files deleted",
            upkeep.files_before, upkeep.files_after, upkeep.snapshots_before,
            upkeep.snapshots_after, upkeep.deleted_files,
        )  # fmt: skip
        return upkeep
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
