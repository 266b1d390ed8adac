"""The warehouse module: migrations, locking and the read-only query path."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from warehouse import sql, store


def test_migrations_apply_once(warehouse: str) -> None:
    with store.connect(warehouse) as con:
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert {"articles", "runs", "ingest_errors", "file_state", "schema_migrations"} <= tables
        assert store.migrate(con) == []  # nothing left to apply
        versions = con.execute("SELECT version FROM schema_migrations").fetchall()
    assert versions == [(v,) for v, _, _ in sql.migrations()]


def test_contract_columns_exist(warehouse: str) -> None:
    with store.connect(warehouse) as con:
        cols = {r[0] for r in con.execute("DESCRIBE articles").fetchall()}
    assert {
        "article_id", "source_kind", "source_uri", "url", "title", "text", "published_at",
        "language", "ingested_at", "content_hash", "duplicate_of", "story_id",
    } <= cols  # fmt: skip


def test_query_on_a_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(store.WarehouseError, match="newsflow ingest seeds"):
        store.query("SELECT 1", tmp_path / "nope.duckdb")


def test_query_is_read_only(warehouse: str) -> None:
    with store.connect(warehouse):
        pass
    with pytest.raises(duckdb.Error, match="read-only"):
        store.query("CREATE TABLE x (i INT)", warehouse)


def _hold_lock(path: str, seconds: float, ready) -> None:
    with store.connect(path) as con:
        con.execute("CREATE TABLE IF NOT EXISTS held (i INT)")
        ready.set()
        time.sleep(seconds)


@contextmanager
def lock_held_elsewhere(warehouse: str, seconds: float) -> Iterator[None]:
    """Another process holds the warehouse open for writing for `seconds`."""
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(warehouse, seconds, ready))
    holder.start()
    try:
        assert ready.wait(30)
        yield
    finally:
        holder.join(30)


def test_a_second_writer_waits_for_the_first(warehouse: str) -> None:
    with lock_held_elsewhere(warehouse, 1.5):
        started = time.monotonic()
        with store.connect(warehouse, lock_timeout=30) as con:
            waited = time.monotonic() - started
            assert con.execute("SELECT count(*) FROM held").fetchone() == (0,)
    assert waited > 0.5  # it queued behind the holder instead of failing


def test_a_writer_gives_up_with_a_clear_error_after_its_timeout(warehouse: str) -> None:
    with (
        lock_held_elsewhere(warehouse, 3),
        pytest.raises(store.WarehouseError, match="cannot open warehouse"),
        store.connect(warehouse, lock_timeout=0.3),
    ):
        pass
