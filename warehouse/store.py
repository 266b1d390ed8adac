"""Connect to the DuckDB warehouse, migrate it, land batches and answer queries."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import sql

DEFAULT_WAREHOUSE = Path("data") / "newsflow.duckdb"
# DuckDB allows one writing process per file (or any number of readers). A run waits for the
# lock as long as it takes, saying so every LOCK_REPORT_S, rather than give up and lose its
# work: an analyst's read-only session can hold it for hours. NEWSFLOW_LOCK_TIMEOUT (seconds)
# sets a limit for those who prefer a failure.
LOCK_REPORT_S = 10.0
log = logging.getLogger("newsflow.warehouse")


_FROM_ENV = -1.0  # connect(lock_timeout=...) default: NEWSFLOW_LOCK_TIMEOUT, else no limit


def _env_lock_timeout() -> float | None:
    value = os.environ.get("NEWSFLOW_LOCK_TIMEOUT")
    try:
        return float(value) if value else None
    except ValueError:
        raise WarehouseError(f"NEWSFLOW_LOCK_TIMEOUT={value!r} is not in seconds") from None


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened or used."""


def warehouse_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: the argument, else $NEWSFLOW_WAREHOUSE, else data/newsflow.duckdb."""
    return Path(path or os.environ.get("NEWSFLOW_WAREHOUSE") or DEFAULT_WAREHOUSE)


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
    the default: NEWSFLOW_LOCK_TIMEOUT, else as long as it takes)."""
    file = warehouse_path(path)
    if read_only and not file.exists():
        raise WarehouseError(f"no warehouse at {file}: run `newsflow ingest seeds` first")
    if not read_only:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create the folder {file.parent}: {exc}") from exc
    timeout = _env_lock_timeout() if lock_timeout == _FROM_ENV else lock_timeout
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


def _open(file: Path, read_only: bool, timeout: float | None) -> duckdb.DuckDBPyConnection:
    started = time.monotonic()
    next_report = started + LOCK_REPORT_S
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(file), read_only=read_only)
        except duckdb.IOException as exc:
            waited = time.monotonic() - started
            if "lock" not in str(exc).lower():
                raise WarehouseError(f"cannot open warehouse {file}: {exc}") from exc
            if timeout is not None and waited > timeout:
                raise WarehouseError(
                    f"gave up after {waited:.0f} s waiting for the lock on {file}, "
                    f"{lock_holder(exc)} (NEWSFLOW_LOCK_TIMEOUT={timeout:g})"
                ) from exc
            if time.monotonic() >= next_report:
                log.warning(
                    "waiting %.0f s for the warehouse lock on %s, %s: a writer waits for every "
                    "other connection, read-only ones too, to close", waited, file,
                    lock_holder(exc),
                )  # fmt: skip
                next_report += LOCK_REPORT_S
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def lock_holder(exc: BaseException) -> str:
    """Who holds the lock, from DuckDB's message ("... held in /usr/bin/python3 (PID 42)")."""
    found = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
    return f"held by {found[1]} (PID {found[2]})" if found else "held by another process"


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this warehouse has not seen; return their names."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, text in sql.migrations():
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


@dataclass(frozen=True, slots=True)
class Landed:
    new_articles: int
    duplicates: int
    new_errors: int
    new_ids: tuple[str, ...] = ()
    duplicate_ids: tuple[str, ...] = ()  # the new articles that are copies of another


# Runs inside the landing transaction once the batch's articles are in: (connection, ids of
# the articles this batch added) -> the ids of those that are duplicates.
AfterInsert = Callable[[duckdb.DuckDBPyConnection, list[str]], Collection[str]]


def land(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    articles: pa.Table,
    errors: pa.Table,
    file_states: pa.Table | None = None,
    feed_items: pa.Table | None = None,
    raw_pages: pa.Table | None = None,
    after_insert: AfterInsert | None = None,
) -> Landed:
    """Land one batch in one transaction: all of it or none of it."""
    with transaction(con):
        return _insert(
            con, run_id, articles, errors, file_states, feed_items, raw_pages, after_insert
        )


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _insert(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    articles: pa.Table,
    errors: pa.Table,
    file_states: pa.Table | None,
    feed_items: pa.Table | None,
    raw_pages: pa.Table | None,
    after_insert: AfterInsert | None,
) -> Landed:
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
    registered = ["batch", "errors", "new_ids", *(name for _, name, _ in extra)]
    try:
        con.register("batch", articles)
        con.register("errors", errors)
        new_ids = [r[0] for r in con.execute(sql.load("sql/land_articles.sql"), params).fetchall()]
        con.register("new_ids", pa.table({"article_id": pa.array(new_ids, pa.string())}))
        con.execute(sql.load("sql/land_signatures.sql"))
        con.execute(sql.load("sql/land_enrichment.sql"))
        new_errors = con.execute(sql.load("sql/land_errors.sql"), params).fetchall()
        for table, name, statement in extra:
            con.register(name, table)
            con.execute(sql.load(statement), _used(statement, params))
        duplicates = sorted(after_insert(con, new_ids)) if after_insert and new_ids else []
    finally:
        for name in registered:
            with suppress(Exception):
                con.unregister(name)
    return Landed(
        new_articles=len(new_ids),
        duplicates=len(duplicates),
        new_errors=len(new_errors),
        new_ids=tuple(new_ids),
        duplicate_ids=tuple(duplicates),
    )


def _used(statement: str, params: dict[str, object]) -> dict[str, object]:
    """DuckDB rejects named parameters a statement does not use."""
    text = sql.load(statement)
    return {k: v for k, v in params.items() if f"${k}" in text}


def unchanged_files(con: duckdb.DuckDBPyConnection, candidates: pa.Table) -> set[str]:
    """Paths among `candidates` (path, size, mtime_ns) already landed and not modified since."""
    con.register("candidates", candidates)
    try:
        return {row[0] for row in con.execute(sql.load("sql/unchanged_files.sql")).fetchall()}
    finally:
        con.unregister("candidates")


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, flow_name: str, parameters: dict
) -> datetime:
    started = utcnow()
    con.execute(
        sql.load("sql/start_run.sql"),
        {
            "run_id": run_id,
            "flow_name": flow_name,
            "parameters": json.dumps(parameters, default=str),
            "started_at": started,
        },
    )
    return started


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, **counts: object) -> None:
    con.execute(
        sql.load("sql/finish_run.sql"),
        {"run_id": run_id, "status": status, "finished_at": utcnow(), **counts},
    )


def query(sql_text: str, path: str | os.PathLike[str] | None = None) -> pa.Table:
    """Run read-only SQL against the warehouse and return the result as Arrow."""
    with connect(path, read_only=True) as con:
        return con.execute(sql_text).to_arrow_table()


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
        cursor = con.execute(sql.load(statement), params or {})
        if cursor.description is None:
            return []
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        for name in tables:
            con.unregister(name)


def replace_articles(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    old_ids: list[str],
    articles: pa.Table,
    errors: pa.Table,
    after_insert: AfterInsert | None = None,
) -> Landed:
    """Swap articles for re-extracted versions in one transaction (used by reprocess)."""
    con.register("old_ids", pa.table({"article_id": pa.array(old_ids, pa.string())}))
    try:
        with transaction(con):
            for table in (
                "articles", "article_signatures", "minhash_bands", "article_terms",
                "article_topics", "article_entities", "claims",
            ):  # fmt: skip
                con.execute(
                    f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM old_ids)"
                )
            con.execute(
                "DELETE FROM duplicate_pairs WHERE article_id IN (SELECT article_id FROM old_ids)"
                " OR other_id IN (SELECT article_id FROM old_ids)"
            )
            # In-memory similarity indexes of this warehouse no longer match it.
            con.execute("UPDATE index_version SET version = version + 1")
            return _insert(con, run_id, articles, errors, None, None, None, after_insert)
    finally:
        con.unregister("old_ids")
