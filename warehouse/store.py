"""Connect to the DuckDB warehouse, migrate it, land batches and answer queries."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa

from tasks.errors import ConfigError, first_line
from tasks.settings import settings
from warehouse import lake as lakes
from warehouse import sql

# DuckDB allows one writing process per file (or any number of readers). A run waits for the
# lock as long as it takes, saying so every LOCK_REPORT_S, rather than give up and lose its
# work: an analyst's read-only session can hold it for hours. NEWSFLOW_LOCK_TIMEOUT (seconds)
# sets a limit for those who prefer a failure.
LOCK_REPORT_S = 10.0
log = logging.getLogger("newsflow.warehouse")


_FROM_ENV = -1.0  # connect(lock_timeout=...) default: NEWSFLOW_LOCK_TIMEOUT, else no limit


class WarehouseError(ConfigError, RuntimeError):
    """The warehouse cannot be opened or used."""


class NoWarehouse(WarehouseError):
    """No warehouse file there yet (opened to read): nothing has been landed."""


# Connections (by id) that are attached to a lake: their statements take the lake variants.
_LAKE_CONNECTIONS: set[int] = set()


def given(path: str | os.PathLike[str] | None = None) -> str | Path:
    """The warehouse as named: the argument, else $NEWSFLOW_WAREHOUSE, else
    data/newsflow.duckdb; a lake's name stays a string."""
    chosen = path if path else settings().warehouse
    return chosen if lakes.is_lake(chosen) else Path(chosen)


def is_lake(path: str | os.PathLike[str] | None = None) -> bool:
    """Whether the warehouse is a DuckLake (ducklake:postgres:...) rather than a file."""
    return lakes.is_lake(given(path))


def warehouse_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: the argument, else $NEWSFLOW_WAREHOUSE, else data/newsflow.duckdb.
    A lake has no file: asking for one is a WarehouseError naming what needs a file."""
    chosen = given(path)
    if isinstance(chosen, str):
        raise WarehouseError(
            f"{chosen} is a DuckLake, and this needs a DuckDB file warehouse (docs/scale-out.md)"
        )
    return chosen


def resolved_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file as one absolute path without links."""
    return warehouse_path(path).resolve()


def identity(path: str | os.PathLike[str] | None = None) -> str:
    """The warehouse as one string however it was named (a file's absolute path without
    links, a lake's name): the key of its in-memory index, what its runs record."""
    chosen = given(path)
    return lakes.parse(chosen).name if isinstance(chosen, str) else str(chosen.resolve())


def dialect(con: duckdb.DuckDBPyConnection) -> str:
    """Which variant of the SQL files `con` takes: sql.LAKE for a lake, else sql.FILE."""
    return sql.LAKE if id(con) in _LAKE_CONNECTIONS else sql.FILE


def statement(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """warehouse/<name> as `con`'s warehouse takes it (a lake: its lake/ variant if any)."""
    return sql.load(name, dialect(con))


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def connect(
    path: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    lock_timeout: float | None = _FROM_ENV,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection held only as long as the `with` block: writers queue on the file lock.
    `lock_timeout`: seconds to wait for another process's lock (None: as long as it takes;
    the default: NEWSFLOW_LOCK_TIMEOUT, else as long as it takes). A lake has no lock:
    DuckLake commits each transaction as a snapshot in its catalog."""
    chosen = given(path)
    timeout = settings().lock_timeout if lock_timeout == _FROM_ENV else lock_timeout
    if isinstance(chosen, str):
        with _lake_connection(chosen, read_only, timeout) as con:
            yield con
        return
    file = chosen
    if read_only and not file.exists():
        raise NoWarehouse(f"no warehouse at {file}: run `newsflow ingest seeds` first")
    if not read_only:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create the folder {file.parent}: {exc}") from exc
    con = _open(file, read_only, timeout)
    try:
        if not read_only:
            # Writes are small batches landed while extraction workers hold every core; one
            # thread here keeps DuckDB from competing with them.
            con.execute("SET threads = 1")
            # Checkpointing on every close rewrote the primary-key indexes each batch (1.3 s
            # at 100k articles); the write-ahead log is checkpointed when it grows instead.
            con.execute("PRAGMA disable_checkpoint_on_shutdown")
            migrate(con)
        yield con
    finally:
        con.close()


@contextmanager
def _lake_connection(
    name: str, read_only: bool, timeout: float | None
) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        lake = lakes.parse(name)
    except lakes.LakeError as exc:
        raise WarehouseError(str(exc)) from exc
    if read_only:
        with _lake_attached(lake, read_only=True) as con:
            yield con
        return
    # A writer holds the lake's writer lock while connected, as a writer holds a file's lock:
    # the landing statements (and migrations) are correct one writer at a time.
    with ExitStack() as held:
        try:
            held.enter_context(lakes.writer_lock(lake, timeout, log, LOCK_REPORT_S))
        except lakes.LakeError as exc:
            raise WarehouseError(str(exc)) from exc
        with _lake_attached(lake, read_only=False) as con:
            yield con


@contextmanager
def _lake_attached(lake: lakes.Lake, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    # An in-memory DuckDB with the lake attached as its default catalog: the catalog lives in
    # PostgreSQL, the data in Parquet files under the lake's data path.
    con = duckdb.connect()
    _LAKE_CONNECTIONS.add(id(con))
    try:
        try:
            lakes.load_extensions(con, lake)
            lakes.attach(con, lake, read_only)
        except lakes.LakeError as exc:
            raise WarehouseError(str(exc)) from exc
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open the lake {lake.name}: {first_line(exc)}") from exc
        if not read_only:
            con.execute("SET threads = 1")  # as for a file: landing shares the cores
            migrate(con)
        yield con
    finally:
        _LAKE_CONNECTIONS.discard(id(con))
        con.close()


def _open(file: Path, read_only: bool, timeout: float | None) -> duckdb.DuckDBPyConnection:
    # DuckDB would wait for a FIFO's writer for ever; a device or a folder is no warehouse.
    if file.exists() and not file.is_file():
        raise WarehouseError(f"cannot open warehouse {file}: not a regular file")
    started = time.monotonic()
    next_report = started + LOCK_REPORT_S
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(file), read_only=read_only)
        except duckdb.IOException as exc:
            waited = time.monotonic() - started
            if _being_created(file, exc) and waited < CREATION_WAIT_S:
                time.sleep(delay)
                continue
            if not held_elsewhere(exc):
                raise WarehouseError(
                    f"cannot open warehouse {file}: {exc}{_recovery(file, exc)}"
                ) from exc
            if timeout is not None and waited > timeout:
                raise WarehouseError(
                    f"gave up after {waited:.0f} s waiting for the lock on {file}, "
                    f"{lock_holder(exc)} (NEWSFLOW_LOCK_TIMEOUT={timeout:g})"
                ) from exc
            if time.monotonic() >= next_report:
                log.warning(
                    "waiting %.0f s for the warehouse lock on %s, %s: %s", waited, file,
                    lock_holder(exc),
                    "a reader waits for the writer to close" if read_only else
                    "a writer waits for every other connection, read-only ones too, to close",
                )  # fmt: skip
                next_report += LOCK_REPORT_S
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


# Two commands starting at once on a new warehouse: one creates the file, and the other,
# opening it before DuckDB has written its headers, was told it "exists, but it is not a valid
# DuckDB database file" (tests/test_server.py, on a loaded machine), or that it "could not
# read enough bytes". Such a file is waited for: one shorter than DuckDB's three 4 KiB
# headers and empty, or one with DuckDB's magic (headers half written, or finished by the
# time it is looked at).
CREATION_WAIT_S = 10.0
_HEADERS = 3 * 4096
_MAGIC = slice(8, 12)  # "DUCK" in the main header


def _being_created(file: Path, exc: BaseException) -> bool:
    message = str(exc).lower()
    if "not a valid duckdb database" not in message and "read enough bytes" not in message:
        return False
    try:
        with file.open("rb") as fh:
            head = fh.read(_HEADERS)
    except OSError:
        return False
    # DuckDB's magic: headers being written, or whole by now (the other command finished
    # them after this one looked: CI saw that race). A damaged database is refused when the
    # wait is over.
    return head[_MAGIC] == b"DUCK" or (len(head) < _HEADERS and not head.strip(b"\0"))


def _recovery(file: Path, exc: BaseException) -> str:
    """How to get going again from a damaged warehouse, for the error that says it is: DuckDB
    names the damage but not what to do about it."""
    message = str(exc)
    if "WAL file" in message:
        return (
            f"; its write-ahead log is damaged: move {file}.wal aside and the warehouse opens "
            "as of its last checkpoint, then ingest again what was landed since "
            "(docs/running.md, 'A damaged warehouse')"
        )
    if "Corrupt database file" in message or "read enough bytes" in message:
        return (
            "; the file is damaged or cut short: restore it (with its .wal) from a copy, or "
            "move it aside and ingest again into a new one (docs/running.md, 'A damaged "
            "warehouse')"
        )
    with suppress(OSError):
        if file.stat().st_size == 0:
            return "; it is empty (a command stopped while creating it leaves one): delete it"
    return ""


def held_elsewhere(exc: BaseException) -> bool:
    """Whether DuckDB refused the file because another process holds its lock. Any message
    with "lock" in it was taken for that, and a damaged file's "checksum ... does not match
    ... in block at location 12288" made every command wait for ever for no one."""
    return "could not set lock on file" in str(exc).lower()


def lock_holder(exc: BaseException) -> str:
    """Who holds the lock, from DuckDB's message ("... held in /usr/bin/python3 (PID 42)")."""
    found = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
    return f"held by {found[1]} (PID {found[2]})" if found else "held by another process"


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this warehouse has not seen; return their names. A lake takes
    the lake variant of those that use keys (warehouse/migrations/lake/)."""
    con.execute(statement(con, "sql/schema_migrations.sql"))
    done = _applied(con)
    applied = []
    for version, name, text in sql.migrations(dialect(con)):
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(text)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utcnow()])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


class OutdatedWarehouse(WarehouseError):
    """A read-only command failed on a table or column that a migration not yet applied adds:
    reading never migrates (it takes no write lock), so a warehouse an older newsflow left
    stays at its old schema until a command that writes opens it."""


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The migrations this version has that the warehouse has not had (every one if it has
    no record of them)."""
    try:
        done = _applied(con)
    except duckdb.CatalogException:  # no schema_migrations table yet
        done = set()
    return [name for version, name, _ in sql.migrations(dialect(con)) if version not in done]


def _applied(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The versions of the migrations this warehouse has had."""
    return {row[0] for row in con.execute(statement(con, "sql/applied_migrations.sql")).fetchall()}


def _outdated(con: duckdb.DuckDBPyConnection, exc: duckdb.Error) -> OutdatedWarehouse | None:
    """For an unknown table or column on a warehouse with migrations pending, the error that
    says so and what to do, rather than DuckDB's 'does not exist' for a documented name."""
    if not isinstance(exc, duckdb.CatalogException | duckdb.BinderException):
        return None
    pending = pending_migrations(con)
    if not pending:
        return None
    return OutdatedWarehouse(
        f"this warehouse was left by an older newsflow and is not upgraded yet "
        f"({len(pending)} migrations pending, {pending[0]} to {pending[-1]}): run a command "
        f"that writes to it once (newsflow ingest, enrich, export or maintain), which "
        f"upgrades it, then this again ({first_line(exc)})"
    )


@dataclass(frozen=True, slots=True)
class Inserted:
    """What one batch's insert added: the ids of its new articles (those not landed before),
    and how many of its error rows were new."""

    new_ids: list[str]
    new_errors: int


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def insert_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    articles: pa.Table,
    errors: pa.Table,
    file_states: pa.Table | None = None,
    feed_items: pa.Table | None = None,
    raw_pages: pa.Table | None = None,
) -> Inserted:
    """Insert one batch's rows; call it inside `transaction`, which the caller ends once the
    batch's articles are related too. Articles landed before are skipped."""
    params = {"now": utcnow(), "run_id": run_id}
    extra = [
        (table, name, statement)
        for table, name, statement in (
            (file_states, "file_states", "sql/land_file_state.sql"),
            (feed_items, "feed_items_batch", "sql/land_feed_items.sql"),
            (raw_pages, "raw_pages_batch", "sql/land_raw_pages.sql"),
        )
        if table is not None and table.num_rows
    ]
    registered = ["batch", "errors", "new_ids", "new_error_ids", *(n for _, n, _ in extra)]
    lake = dialect(con) == sql.LAKE
    try:
        con.register("batch", articles)
        con.register("errors", errors)
        if lake:
            new_ids = _insert_new(con, "articles", "new_ids", "article_id", params)
        else:
            new_ids = _ids(con, "sql/land_articles.sql", params)
            _register_keys(con, "new_ids", "article_id", new_ids)
        con.execute(statement(con, "sql/land_signatures.sql"))
        con.execute(statement(con, "sql/land_enrichment.sql"))
        if lake:
            new_errors = _insert_new(con, "errors", "new_error_ids", "error_id", params)
        else:
            new_errors = _ids(con, "sql/land_errors.sql", params)
        for table, name, file in extra:
            con.register(name, table)
            con.execute(statement(con, file), _used(con, file, params))
    finally:
        for name in registered:
            with suppress(Exception):
                con.unregister(name)
    return Inserted(new_ids=new_ids, new_errors=len(new_errors))


def _insert_new(
    con: duckdb.DuckDBPyConnection, what: str, name: str, column: str, params: dict[str, object]
) -> list[str]:
    """A lake's insert of `what` (articles, errors): DuckLake has no RETURNING, so the new keys
    first (sql/lake/new_<what>.sql), registered as `name`, then the insert of exactly those
    (sql/lake/land_<what>.sql). Returns the new keys."""
    keys = _ids(con, f"sql/lake/new_{what}.sql")
    _register_keys(con, name, column, keys)
    con.execute(statement(con, f"sql/land_{what}.sql"), params)
    return keys


def _register_keys(con: duckdb.DuckDBPyConnection, name: str, column: str, keys: list[str]) -> None:
    con.register(name, pa.table({column: pa.array(keys, pa.string())}))


def _ids(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> list[str]:
    """The first column of what warehouse/<name> returns."""
    return [r[0] for r in con.execute(statement(con, name), params or {}).fetchall()]


def _used(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> dict:
    """DuckDB rejects named parameters a statement does not use."""
    text = statement(con, name)
    return {k: v for k, v in params.items() if f"${k}" in text}


def unchanged_files(con: duckdb.DuckDBPyConnection, candidates: pa.Table) -> set[str]:
    """Paths among `candidates` (path, size, mtime_ns) already landed and not modified since."""
    con.register("candidates", candidates)
    try:
        return {row[0] for row in con.execute(statement(con, "sql/unchanged_files.sql")).fetchall()}
    finally:
        con.unregister("candidates")


def start_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    flow_name: str,
    parameters: dict,
    process: tuple[str, int, int | None] = ("", 0, None),
) -> datetime:
    """A `running` row for this run; `process` is (host, pid, pid start time) of the process
    running it, so a later run can tell whether it is still alive."""
    started = utcnow()
    host, pid, pid_started = process
    con.execute(
        statement(con, "sql/start_run.sql"),
        {
            "run_id": run_id,
            "flow_name": flow_name,
            "parameters": json.dumps(parameters, default=str),
            "started_at": started,
            "host": host,
            "pid": pid,
            "pid_started": pid_started,
        },
    )
    return started


def open_runs(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """Runs other than `run_id` still marked running: (run_id, host, pid, pid_started)."""
    return run_sql(con, "sql/open_runs.sql", params={"run_id": run_id})


def crash_runs(con: duckdb.DuckDBPyConnection, crashed: dict[str, str]) -> None:
    """Mark runs (run_id -> reason) crashed, keeping the counts of what they landed."""
    table = pa.table({"run_id": list(crashed), "message": list(crashed.values())})
    run_sql(con, "sql/crash_runs.sql", {"crashed": table}, {"now": utcnow()})


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, **counts: object) -> None:
    con.execute(
        statement(con, "sql/finish_run.sql"),
        {"run_id": run_id, "status": status, "finished_at": utcnow(), **counts},
    )


class QueryRefused(duckdb.PermissionException):
    """User SQL that `query` will not run: it could write a file, attach a database, load an
    extension or undo the lock-down. A DuckDB error like the others, so callers that report
    bad SQL report this too."""


# Table functions user SQL may call: reading files (only where the lock-down lets it),
# generating rows, and looking at the catalog. Left out, so refused: checkpoint and
# force_checkpoint; enable_logging and enable_profiling, which write files from inside a
# SELECT and get past lock_configuration (DuckDB 1.5.6: a log folder in an allowed directory
# was written, and one elsewhere aborted the process on close); query() and
# json_execute_serialized_sql, SQL in a string that this check cannot see; read_duckdb,
# ATTACH by another name.
_READING_TABLE_FUNCTIONS = frozenset({
    "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "read_json", "read_json_auto",
    "read_json_objects", "read_json_objects_auto", "read_ndjson", "read_ndjson_auto",
    "read_ndjson_objects", "read_text", "read_blob", "glob", "sniff_csv", "parquet_metadata",
    "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata", "parquet_full_metadata",
    "parquet_bloom_probe", "range", "generate_series", "unnest", "repeat", "repeat_row",
    "json_each", "json_tree", "query_table", "summary", "icu_calendar_names",
    "pg_timezone_names", "duckdb_columns", "duckdb_constraints", "duckdb_databases",
    "duckdb_dependencies", "duckdb_extensions", "duckdb_functions", "duckdb_indexes",
    "duckdb_keywords", "duckdb_memory", "duckdb_optimizers", "duckdb_schemas",
    "duckdb_sequences", "duckdb_settings", "duckdb_tables", "duckdb_temporary_files",
    "duckdb_types", "duckdb_variables", "duckdb_views", "pragma_collations",
    "pragma_database_size", "pragma_metadata_info", "pragma_platform", "pragma_show",
    "pragma_storage_info", "pragma_table_info", "pragma_user_agent", "pragma_version",
})  # fmt: skip


QUERY_BATCH_ROWS = 2048  # query_batches(): DuckDB's vectors are 2,048 rows


def query(
    sql_text: str,
    path: str | os.PathLike[str] | None = None,
    readable: Collection[str | os.PathLike[str]] = (),
) -> pa.Table:
    """Run a user's read-only SQL against the warehouse and return the result as Arrow.

    Read-only means no file can be written, the warehouse's least of all (landing skips
    checkpoints, so its newest rows live only in the write-ahead log). Three layers, as no
    one of them holds alone:
    - every statement must be a SELECT (also WITH, FROM-first, VALUES, DESCRIBE, SHOW,
      SUMMARIZE); COPY, EXPORT, ATTACH, SET, INSTALL, LOAD, CALL, PRAGMA... are refused;
    - table functions only from _READING_TABLE_FUNCTIONS (and table macros);
    - DuckDB's lock-down: no file access but reading the warehouse's export folders and
      `readable` (files or folders, never ones holding the warehouse), no extensions, and
      the configuration locked. DuckDB always lets a connection write its own database
      files, even with external access off: `COPY ... TO '<warehouse>.wal'
      (USE_TMP_FILE false)` overwrote the log under it (DuckDB 1.5.6), hence the first layer.

    The lock-down holds for the database instance, which DuckDB shares between connections
    to one file in one process until the last one closes: do not call this while the same
    process holds a connection to the warehouse that needs file access.

    A lake is attached read-only, and user SQL may read its data path (its Parquet files, in a
    folder or under a bucket's prefix) but no folder of the machine beyond `readable`: there
    are no export folders nor a database file of its own to protect.
    """
    with _user_query(sql_text, path, readable) as run:
        return run(lambda con: con.execute(sql_text).to_arrow_table())


def query_batches(
    sql_text: str,
    path: str | os.PathLike[str] | None = None,
    readable: Collection[str | os.PathLike[str]] = (),
    rows: int = QUERY_BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """query()'s result `rows` rows at a time, never held whole (a CSV of the 60,000 articles
    of a warehouse held 528 MB); the first batch may be empty, and carries the schema."""
    with _user_query(sql_text, path, readable) as run:
        reader = run(lambda con: con.execute(sql_text).to_arrow_reader(rows))
        yield pa.RecordBatch.from_pylist([], schema=reader.schema)
        while (batch := run(lambda _con: _next_batch(reader))) is not None:
            yield batch


def _next_batch(reader: pa.RecordBatchReader) -> pa.RecordBatch | None:
    try:
        return reader.read_next_batch()
    except StopIteration:
        return None


@contextmanager
def _user_query(
    sql_text: str,
    path: str | os.PathLike[str] | None,
    readable: Collection[str | os.PathLike[str]],
) -> Iterator[Callable[[Callable[[duckdb.DuckDBPyConnection], T]], T]]:
    """A read-only connection locked down for `sql_text` (query()'s three layers), and a
    function that runs a step of it interruptibly, with DuckDB's errors said as ours."""
    chosen = given(path)
    with connect(path, read_only=True) as con:
        _check_user_sql(con, sql_text)
        if isinstance(chosen, str):
            data_path = lakes.data_path(con)
            bucket = lakes.is_bucket(data_path)
            local = [data_path] if data_path and not bucket else []
            dirs, files = _readable_paths(con, None, readable, local)
            if bucket:
                # Its objects only: the connection's secret is scoped to the bucket, and the
                # trailing slash keeps s3://b/lake/ from allowing s3://b/lake-other/.
                dirs.append(lakes.bucket_url(data_path, "the lake's data path"))
        else:
            dirs, files = _readable_paths(con, chosen, readable)
        con.execute(sql.load("sql/query_readable.sql"), {"dirs": dirs, "files": files})
        con.execute(sql.load("sql/query_sandbox.sql"))

        def run(step: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
            try:
                return _interruptible(con, lambda: step(con))
            except (duckdb.CatalogException, duckdb.BinderException) as exc:
                if outdated := _outdated(con, exc):
                    raise outdated from exc
                raise
            except duckdb.PermissionException as exc:
                # One line: DuckDB's own goes on with the statement and a caret under it.
                where = ", ".join(dirs + files) or "none exists yet"
                raise QueryRefused(
                    f"refused: `newsflow query` reads files only in the warehouse's export "
                    f"folders and the paths it was given ({where}); {first_line(exc)}"
                ) from exc

        yield run


T = TypeVar("T")


def _interruptible(con: duckdb.DuckDBPyConnection, run: Callable[[], T]) -> T:
    """`run()` on a thread of its own, the main thread waiting: a signal's Python handler
    (SIGTERM's, flows/signals.py) runs only between bytecodes, and never did while DuckDB
    held the main thread in one long query, so SIGTERM could not stop `newsflow query`.
    An interrupt (Ctrl-C, or SIGTERM routed to it) interrupts the query, then goes on."""
    if threading.current_thread() is not threading.main_thread():
        return run()
    done: list[T] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            done.append(run())
        except BaseException as exc:  # re-raised on the main thread
            failed.append(exc)

    worker = threading.Thread(target=work, name="newsflow-query", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(QUERY_WAKE_S)
    except BaseException:
        con.interrupt()
        worker.join(QUERY_INTERRUPT_WAIT_S)
        raise
    if failed:
        raise failed[0]
    return done[0]


QUERY_WAKE_S = 0.2  # how soon a signal's handler runs while a query runs
QUERY_INTERRUPT_WAIT_S = 10.0  # for DuckDB to stop a query it was told to interrupt


def _check_user_sql(con: duckdb.DuckDBPyConnection, sql_text: str) -> None:
    """Refuse anything but SELECT statements calling table functions that only read."""
    statements = con.extract_statements(sql_text)
    if not statements:
        raise QueryRefused("refused: no SQL statement to run")
    if len(statements) > 1:  # only the last one's rows would show: the others were lost
        raise QueryRefused(
            f"refused: {len(statements)} statements; `newsflow query` runs one at a time"
        )
    for statement in statements:
        if statement.type != duckdb.StatementType.SELECT:
            verb = (statement.query.split() or ["?"])[0].upper()
            raise QueryRefused(
                f"{verb} refused: `newsflow query` is read-only, it runs SELECT statements only"
            )
    parsed, macros = con.execute(sql.load("sql/query_parse.sql"), {"sql": sql_text}).fetchone()
    tree = json.loads(parsed)
    if tree.get("error"):
        # PRAGMA table_info and friends are SELECTs DuckDB cannot show us the parts of.
        raise QueryRefused(
            "refused: `newsflow query` runs SELECT statements it can check, and DuckDB cannot "
            f"show the parts of this one ({tree.get('error_message')}); for PRAGMA "
            "table_info(...) use DESCRIBE or SELECT * FROM pragma_table_info(...)"
        )
    allowed = _READING_TABLE_FUNCTIONS | {m.lower() for m in macros or ()}
    for name in _table_functions(tree):
        if name.lower() not in allowed:
            raise QueryRefused(
                f"{name}() refused: `newsflow query` is read-only, and {name}() can write or "
                "run SQL it cannot check"
            )


def _table_functions(node: object) -> Iterator[str]:
    """The names of the table functions a serialized parse tree calls, at any depth."""
    if isinstance(node, dict):
        if node.get("type") == "TABLE_FUNCTION":
            function = node.get("function") or {}
            yield str(function.get("function_name", ""))
        for value in node.values():
            yield from _table_functions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _table_functions(value)


def _readable_paths(
    con: duckdb.DuckDBPyConnection,
    warehouse: Path | None,
    readable: Collection[str | os.PathLike[str]],
    lake_dirs: Collection[str] = (),
) -> tuple[list[str], list[str]]:
    """(folders, files) user SQL may read: the export folders of a file `warehouse` (a lake:
    None, and its `lake_dirs`) and `readable`."""
    own: set[Path] = set()
    candidates: list[tuple[Path, bool]] = [(Path(d), False) for d in lake_dirs]
    if warehouse is not None:
        own = {
            Path(f"{spelling}{suffix}")
            for spelling in (warehouse.absolute(), warehouse.resolve())
            for suffix in ("", ".wal", ".wal.checkpoint", ".wal.recovery", ".tmp")
        }
        try:
            exported = [Path(r["out_dir"]) for r in run_sql(con, "sql/export_folders.sql")]
        except duckdb.CatalogException:  # a warehouse from before exports were recorded
            exported = []
        candidates += [(warehouse.resolve().parent / "export", False)]
        candidates += [(p, False) for p in exported]
    candidates += [(Path(p).expanduser(), True) for p in readable]
    dirs: list[str] = []
    files: list[str] = []
    for candidate, given in candidates:
        # Both spellings: DuckDB compares the path the SQL names, made absolute, not resolved.
        spellings = {candidate.absolute(), candidate.resolve()}
        holds = any(o == s or o.is_relative_to(s) for o in own for s in spellings)
        if holds:
            if given:
                raise QueryRefused(
                    f"refused to read {candidate}: it holds the warehouse; name the files to "
                    "read instead"
                )
            continue  # an export written into the warehouse's own folder
        if candidate.is_dir():
            dirs += [os.path.join(s, "") for s in spellings]  # "/a/export/" is not "/a/exports"
        elif candidate.exists():
            files += [str(s) for s in spellings]
        elif given:
            raise QueryRefused(f"refused to read {candidate}: no such file or folder")
    return sorted(set(dirs)), sorted(set(files))


def checkpoint(path: str | os.PathLike[str] | None = None) -> tuple[int, int]:
    """CHECKPOINT the warehouse; (bytes of write-ahead log before, database file after)."""
    file = warehouse_path(path)
    wal = Path(f"{file}.wal")
    before = wal.stat().st_size if wal.exists() else 0
    with connect(path) as con:
        con.execute(statement(con, "sql/checkpoint.sql"))
    return before, file.stat().st_size


@dataclass(frozen=True, slots=True)
class LakeUpkeep:
    """What lake maintenance did: live Parquet files (data and deletion files) and snapshots
    before and after, and the files it deleted from the data path."""

    files_before: int
    files_after: int
    snapshots_before: int
    snapshots_after: int
    deleted_files: int


def maintain_lake(path: str | os.PathLike[str] | None, keep: timedelta) -> LakeUpkeep:
    """Compact the lake and forget snapshots older than `keep` (sql/lake/compact.sql and the
    two after it). A writer landing meanwhile may conflict with the rewrite: maintenance takes
    its turn like a landing (docs/scale-out.md)."""
    if not is_lake(path):
        raise WarehouseError("lake maintenance needs a DuckLake warehouse")
    with connect(path) as con:
        before = run_sql(con, "sql/lake/lake_files.sql")[0]
        con.execute(statement(con, "sql/lake/compact.sql"))
        con.execute(statement(con, "sql/lake/expire_snapshots.sql"), {"keep": _interval(keep)})
        deleted = len(run_sql(con, "sql/lake/cleanup_files.sql"))
        after = run_sql(con, "sql/lake/lake_files.sql")[0]
    return LakeUpkeep(
        files_before=before["files"],
        files_after=after["files"],
        snapshots_before=before["snapshots"],
        snapshots_after=after["snapshots"],
        deleted_files=deleted,
    )


def _interval(span: timedelta) -> str:
    return f"{span.total_seconds():.6f} seconds"


def named_query(
    name: str, params: dict[str, object], path: str | os.PathLike[str] | None = None
) -> list[dict]:
    """Rows of warehouse/queries/<name>.sql (the CLI's ready-made questions), read-only."""
    with connect(path, read_only=True) as con:
        try:
            cursor = con.execute(statement(con, f"queries/{name}.sql"), params)
        except duckdb.Error as exc:
            if outdated := _outdated(con, exc):
                raise outdated from exc
            raise
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run_sql(
    con: duckdb.DuckDBPyConnection,
    statement: str,
    tables: dict[str, pa.Table] | None = None,
    params: dict[str, object] | None = None,
) -> list[dict]:
    """Run warehouse/<statement> with Arrow `tables` visible by name; rows as dicts."""
    tables = tables or {}
    for name, table in tables.items():
        con.register(name, table)
    try:
        cursor = con.execute(sql.load(statement, dialect(con)), params or {})
        if cursor.description is None:
            return []
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        for name in tables:
            con.unregister(name)


def delete_articles(con: duckdb.DuckDBPyConnection, old_ids: list[str]) -> None:
    """Delete articles and everything derived from them, before re-extracted versions are
    inserted in the same transaction (reprocess)."""
    old = pa.table({"article_id": pa.array(old_ids, pa.string())})
    run_sql(con, "sql/delete_articles.sql", {"old_ids": old})
