"""Parquet export: the warehouse's tables as Hive-partitioned Parquet files, incrementally.

    <out_dir>/articles/date=2025-03-01/<export_id>-0.parquet   (also article_topics,
    <out_dir>/runs/date=2025-03-01/<export_id>-0.parquet        article_entities, claims,
    <out_dir>/stories/stories.parquet                           duplicate_pairs, ingest_errors)

Each table follows a clock, the time its rows reach the warehouse in final form: articles
and their enrichment rows the article's ingested_at, duplicate_pairs found_at, ingest_errors
occurred_at, runs finished_at (a run is exported once it finished). `date` is the UTC date
of that clock, so an incremental export only ever adds new files; it never rewrites one.
Published dates would scatter late-landing articles over old partitions and are not known
for every article; articles carry them as the plain column `published_date`.

An export copies the rows whose clock is after the last export's watermark and at or before
the clock's current maximum, read in one transaction so every table is cut at the same
snapshot. This relies on rows landing in clock order: landings hold the warehouse's file
lock (one process) and simindex.LOCK (one thread) while they stamp and commit a batch.

The copy is append-only and the warehouse is the truth: duplicate_of and story_id change on
articles already exported, and the copy keeps the values they had then; `full=True` rewrites
every table. A table is also rewritten, by itself, when its folder is missing or rows it had
exported are gone from the warehouse or changed (reprocess replaces articles, `enrich --all`
their topics, entities and claims: a count and a fingerprint of the exported rows tell), or
when, at the first export after an upgrade, its files lack a column a migration added, so
the copy never keeps rows the warehouse dropped or columns it filled. The stories view is
small and changes as articles join stories: it is rewritten whole by every export.

Files are written into <out_dir>/.staging/<export_id>/ and moved into place only after the
watermarks committed, so a reader never sees a half-written file and a crash never leaves
rows twice: the next export publishes a committed leftover and deletes an uncommitted one.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse import sql, store

STAGING = ".staging"
PARTITION = "date"  # the Hive partition column: read_parquet(..., hive_partitioning = true)


@dataclass(frozen=True, slots=True)
class _Table:
    name: str  # the warehouse table (or view) and the folder; its SELECT is sql/export/<name>.sql
    clock: str | None  # the column of sql/export/clocks.sql it follows; None: a snapshot


TABLES = (
    _Table("articles", "articles"),
    _Table("article_topics", "articles"),
    _Table("article_entities", "articles"),
    _Table("claims", "articles"),
    _Table("duplicate_pairs", "duplicate_pairs"),
    _Table("ingest_errors", "ingest_errors"),
    _Table("runs", "runs"),
    _Table("stories", None),
)


@dataclass(frozen=True, slots=True)
class TableExport:
    table: str
    mode: str  # incremental | full | snapshot
    rows: int  # written by this export
    files: int  # written by this export
    total_rows: int  # in the Parquet copy now
    through: datetime | None  # the table's watermark now (None: empty, or a snapshot)
    reason: str | None = None  # why a table was rewritten
    fingerprint: int | None = None  # of the rows in the copy now (`_tally`)


@dataclass(frozen=True, slots=True)
class ExportSummary:
    out_dir: Path
    export_id: str
    tables: tuple[TableExport, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def files(self) -> int:
        return sum(t.files for t in self.tables)

    def __getitem__(self, table: str) -> TableExport:
        for t in self.tables:
            if t.table == table:
                return t
        raise KeyError(table)


# Exports into one folder from two threads would take each other's staging for leftovers;
# across processes the warehouse's file lock already keeps them apart.
_LOCK = threading.Lock()


def default_out_dir(warehouse: str | os.PathLike[str] | None = None) -> Path:
    """<the warehouse's folder>/export, next to its raw store."""
    return store.resolved_path(warehouse).parent / "export"


def export_warehouse(
    warehouse: str | os.PathLike[str] | None,
    out_dir: str | os.PathLike[str] | None = None,
    *,
    full: bool = False,
) -> ExportSummary:
    """Open the warehouse and export it (`export_parquet`) into `out_dir`, by default the
    `export` folder next to it."""
    with store.connect(warehouse) as con:
        return export_parquet(con, out_dir or default_out_dir(warehouse), full=full)


def export_parquet(
    con: duckdb.DuckDBPyConnection, out_dir: str | os.PathLike[str], *, full: bool = False
) -> ExportSummary:
    """Export what is new since the last export into `out_dir` (everything with `full`).

    `con` must be a writable connection (store.connect): the watermarks live in `exports`.
    """
    out = Path(out_dir).resolve()
    with _LOCK:
        out.mkdir(parents=True, exist_ok=True)
        _recover(con, out)
        export_id = f"{store.utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        staging = out / STAGING / export_id
        staging.mkdir(parents=True)
        try:
            with store.transaction(con):
                tables = _write(con, out, staging, export_id, full)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _publish(out, staging)
    return ExportSummary(out, export_id, tables)


def _write(
    con: duckdb.DuckDBPyConnection, out: Path, staging: Path, export_id: str, full: bool
) -> tuple[TableExport, ...]:
    """Copy every table into `staging` and record the watermarks; inside one transaction."""
    present = {r["name"] for r in store.run_sql(con, "sql/export/present.sql")}
    clocks = store.run_sql(con, "sql/export/clocks.sql")[0]
    marks = {
        r["table_name"]: r
        for r in store.run_sql(con, "sql/export/marks.sql", params={"out_dir": str(out)})
    }
    now = store.utcnow()
    done = []
    for table in TABLES:
        if table.name not in present:  # e.g. a warehouse from before enrichment existed
            continue
        if table.clock is None:
            result = _snapshot(con, table, staging)
        else:
            result = _increment(
                con, table, out, staging, export_id, clocks[table.clock], marks.get(table.name),
                full,
            )  # fmt: skip
        store.run_sql(
            con,
            "sql/export/mark.sql",
            params={
                "out_dir": str(out),
                "table_name": table.name,
                "exported_through": result.through,
                "rows_through": result.total_rows,
                "rows_hash": result.fingerprint,
                "export_id": export_id,
                "exported_at": now,
                "rows_written": result.rows,
                "files_written": result.files,
                "full_rewrite": result.mode != "incremental",
            },
        )
        done.append(result)
    return tuple(done)


def _increment(
    con: duckdb.DuckDBPyConnection,
    table: _Table,
    out: Path,
    staging: Path,
    export_id: str,
    clock: datetime | None,
    mark: dict | None,
    full: bool,
) -> TableExport:
    select = _select(table.name)
    reason, fingerprint = _rewrite_reason(con, table, select, out, mark, full)
    if reason is None:
        assert mark is not None
        after, exported = mark["exported_through"], mark["rows_through"]
        target = staging / "append" / table.name
    else:
        # Published even when empty: it replaces the old folder.
        after, exported = None, 0
        target = staging / "replace" / table.name
    target.mkdir(parents=True)  # COPY makes the partition folders, not their parents
    if clock is None or (after is not None and clock <= after):
        rows = files = 0
        through = after
    else:
        through = clock
        window = {"after": after, "through": through}
        # A unique file-name prefix per export: the files join existing partitions without
        # ever overwriting one, and each names the export that wrote it.
        rows, files = _copy(
            con, select, target, window,
            [f'PARTITION_BY ("{PARTITION}")', f"FILENAME_PATTERN {_literal(export_id + '-{i}')}"],
        )  # fmt: skip
        fingerprint ^= _tally(con, select, window)[1]
    mode = "incremental" if reason is None else "full"
    return TableExport(table.name, mode, rows, files, exported + rows, through, reason, fingerprint)


def _rewrite_reason(
    con: duckdb.DuckDBPyConnection,
    table: _Table,
    select: str,
    out: Path,
    mark: dict | None,
    full: bool,
) -> tuple[str | None, int]:
    """Why `table` cannot be appended to and is rewritten, or None; and the fingerprint of
    the rows the copy holds (`_tally`; 0 when it is rewritten: it starts empty)."""
    if full:
        return "requested", 0
    if mark is None:
        return "first export", 0
    if not (out / table.name).is_dir():
        return "folder missing", 0
    if mark["exported_through"] is None:
        before, fingerprint = 0, 0
    else:
        before, fingerprint = _tally(
            con, select, {"after": None, "through": mark["exported_through"]}
        )
    # Rows landed later have a later clock, so other rows at or before the watermark mean
    # exported rows were deleted or replaced in the warehouse: reprocess does that, and
    # `enrich --all` replaces topics, entities and claims, often as many as there were.
    # (A mark from before fingerprints, NULL, is checked by its count.)
    known = mark.get("rows_hash")
    if before != mark["rows_through"] or (known is not None and fingerprint != known):
        return "exported rows changed in the warehouse", 0
    # A mark from before fingerprints is the first export after an upgrade, and migrations
    # add columns (012 filled articles.authors for every row): the copy's files lack them,
    # and the fingerprint recorded now would vouch for it. Later column changes alter the
    # rows' hashes, which the fingerprint catches.
    if known is None and _missing_columns(con, select, out / table.name):
        return "columns added to the warehouse since the last export", 0
    return None, fingerprint


def _missing_columns(con: duckdb.DuckDBPyConnection, select: str, folder: Path) -> bool:
    """Whether a Parquet file in `folder` lacks a column `select` exports (the partition
    column lives in the folder names, not in the files)."""
    files = sorted(str(p) for p in folder.rglob("*.parquet"))
    if not files:
        return False
    cursor = con.execute(f"SELECT * FROM ({select}) LIMIT 0", {"after": None, "through": None})
    wanted = {d[0] for d in cursor.description} - {PARTITION}
    held = store.run_sql(con, "sql/export/copy_columns.sql", params={"files": files})
    return any(not wanted <= set(r["columns"]) for r in held)


def _tally(
    con: duckdb.DuckDBPyConnection, select: str, window: dict[str, object]
) -> tuple[int, int]:
    """The rows of `select` in `window` and their fingerprint: the XOR of their hashes
    (shifted to fit a BIGINT), so that the fingerprint of the copy after an export is the
    one before XOR that of the rows it added."""
    row = con.execute(
        f"SELECT count(*), coalesce(bit_xor(hash(r)) >> 1, 0)::BIGINT FROM ({select}) AS r",
        window,
    ).fetchone()
    return (row[0], row[1]) if row else (0, 0)


def _snapshot(con: duckdb.DuckDBPyConnection, table: _Table, staging: Path) -> TableExport:
    target = staging / "replace" / table.name / f"{table.name}.parquet"
    target.parent.mkdir(parents=True)
    rows, files = _copy(con, _select(table.name), target, {}, [])
    return TableExport(table.name, "snapshot", rows, files, rows, None)


def _copy(
    con: duckdb.DuckDBPyConnection,
    select: str,
    target: Path,
    params: dict[str, object],
    options: list[str],
) -> tuple[int, int]:
    """COPY (select) TO target; (rows, files) written."""
    # zstd: article text is most of the bytes and compresses far better than with snappy,
    # DuckDB's default. RETURN_FILES: the files this COPY wrote, for the summary.
    settings = ", ".join(["FORMAT parquet", "COMPRESSION zstd", "RETURN_FILES true", *options])
    # COPY takes its target as a literal only; the SELECT's bounds stay parameters.
    statement = f"COPY ({select}) TO {_literal(str(target))} ({settings})"
    rows, files = con.execute(statement, params).fetchone()  # type: ignore[misc]
    return rows, len(files)


def _select(name: str) -> str:
    return sql.load(f"sql/export/{name}.sql").strip().rstrip(";")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _publish(out: Path, staging: Path) -> None:
    """Move a committed export's files into place. Safe to repeat after a crash part-way:
    each step moves something only if it is still where the previous step left it."""
    replace, append = staging / "replace", staging / "append"
    for new in sorted(replace.iterdir()) if replace.is_dir() else []:
        current, old = out / new.name, staging / "old" / new.name
        if current.exists():
            old.parent.mkdir(exist_ok=True)
            current.rename(old)
        # Between these two renames readers find no folder: never a mix of old and new.
        new.rename(current)
    for file in sorted(append.rglob("*.parquet")) if append.is_dir() else []:
        dest = out / file.relative_to(append)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(file, dest)
    shutil.rmtree(staging)
    with suppress(OSError):
        staging.parent.rmdir()  # only if empty


def _recover(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Finish or discard what an interrupted export left in the staging folder."""
    root = out / STAGING
    for staging in sorted(root.iterdir()) if root.is_dir() else []:
        params = {"out_dir": str(out), "export_id": staging.name}
        if store.run_sql(con, "sql/export/committed.sql", params=params)[0]["committed"]:
            _publish(out, staging)
        else:
            shutil.rmtree(staging, ignore_errors=True)
