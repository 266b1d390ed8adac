"""The warehouse module: migrations, locking and the read-only query path."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from tasks.errors import ConfigError
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


def test_a_read_only_command_on_a_warehouse_not_yet_upgraded_says_what_to_do(
    warehouse: str,
) -> None:
    """Reading never migrates: on a warehouse an older newsflow left (here at migration 009,
    built with the migrations it had, which ship unchanged) `newsflow entities` and a query
    naming a documented column failed with DuckDB's 'Table with name article_outlets does
    not exist!' and its source excerpt, with no word of the upgrade."""
    from click.testing import CliRunner

    from flows.cli import main

    Path(warehouse).parent.mkdir()
    with duckdb.connect(warehouse) as con:
        con.execute(sql.load("sql/schema_migrations.sql"))
        for version, name, text in sql.migrations():
            if version <= 9:
                con.execute(text)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])

    for args in (["entities"], ["query", "SELECT authors FROM articles"]):
        result = CliRunner().invoke(main, ["--warehouse", warehouse, *args])
        assert result.exit_code == 1, result.output
        assert result.output.count("\n") == 1, result.output
        assert "not upgraded yet (8 migrations pending, 010_outlets.sql to" in result.output
        assert "(newsflow ingest, enrich, export or maintain)" in result.output
    # A query the old schema answers is answered; a writer upgrades it, and then all are.
    assert store.query("SELECT count(*) AS n FROM articles", warehouse).to_pylist() == [{"n": 0}]
    with store.connect(warehouse):
        pass
    for args in (["entities"], ["query", "SELECT authors FROM articles"]):
        result = CliRunner().invoke(main, ["--warehouse", warehouse, *args])
        assert result.exit_code == 0, result.output


def _hold_lock(path: str, seconds: float, ready, read_only: bool) -> None:
    with store.connect(path) as con:
        con.execute("CREATE TABLE IF NOT EXISTS held (i INT)")
        if not read_only:
            ready.set()
            time.sleep(seconds)
            return
    # An analyst's read-only session, as the README suggests: it blocks writers too.
    with duckdb.connect(path, read_only=True):
        ready.set()
        time.sleep(seconds)


@contextmanager
def lock_held_elsewhere(warehouse: str, seconds: float, read_only: bool = False) -> Iterator[int]:
    """Another process holds the warehouse open for `seconds`; yields its PID."""
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(warehouse, seconds, ready, read_only))
    holder.start()
    try:
        assert ready.wait(30)
        yield holder.pid
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
        pytest.raises(store.WarehouseError, match=r"gave up after .* held by .*PID"),
        store.connect(warehouse, lock_timeout=0.3),
    ):
        pass


def test_a_writer_waits_out_a_long_read_only_session_and_says_who_holds_it(
    warehouse: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Before: a writer gave up after 120 s (here: the 1 s it was given), losing its run.
    monkeypatch.setattr(store, "LOCK_REPORT_S", 0.3)
    monkeypatch.delenv("NEWSFLOW_LOCK_TIMEOUT", raising=False)
    with (
        lock_held_elsewhere(warehouse, 2.0, read_only=True) as pid,
        store.connect(warehouse) as con,
    ):
        assert con.execute("SELECT count(*) FROM held").fetchone() == (0,)
    waits = [r.getMessage() for r in caplog.records if r.name == "newsflow.warehouse"]
    assert waits and f"(PID {pid})" in waits[0] and "read-only" in waits[0]


def test_a_bad_lock_timeout_setting_is_a_clear_error(
    warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_LOCK_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="NEWSFLOW_LOCK_TIMEOUT='soon'"):
        store.connect(warehouse).__enter__()


def test_a_warehouse_another_command_is_still_creating_is_waited_for(tmp_path: Path) -> None:
    """Two commands started at once on a new warehouse: the second found the file the first
    had just made, before DuckDB wrote its headers, and stopped ("not a valid DuckDB database
    file"). Made here by hand: an empty file, then a whole database a moment later."""
    import threading

    file = tmp_path / "new.duckdb"
    made = tmp_path / "made.duckdb"
    duckdb.connect(str(made)).close()
    file.write_bytes(b"")

    def finish() -> None:
        time.sleep(0.5)
        made.replace(file)

    threading.Thread(target=finish).start()
    with store.connect(file) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_a_warehouse_finished_between_the_failed_open_and_the_look_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same race, one step later: the open failed on the half-made file, and by the time
    the file was looked at the other command had finished it (a whole database). Seen in CI;
    made here by failing the first open as DuckDB did."""
    file = tmp_path / "new.duckdb"
    duckdb.connect(str(file)).close()
    real = duckdb.connect
    calls = []

    def connect(*args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        calls.append(args)
        if len(calls) == 1:
            raise duckdb.IOException(
                f'IO Error: The file "{file}" exists, but it is not a valid DuckDB database file!'
            )
        return real(*args, **kwargs)

    monkeypatch.setattr(store.duckdb, "connect", connect)
    with store.connect(file) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    assert len(calls) >= 2


def test_a_file_that_is_not_duckdb_is_refused_at_once(tmp_path: Path) -> None:
    file = tmp_path / "notes.duckdb"
    file.write_text("not a database\n")
    started = time.monotonic()
    refused = pytest.raises(store.WarehouseError, match="not a valid DuckDB database")
    with refused, store.connect(file):
        pass
    assert time.monotonic() - started < store.CREATION_WAIT_S


def damaged(tmp_path: Path) -> Path:
    """A warehouse whose first data block was overwritten (a bad disk, a torn copy)."""
    file = tmp_path / "damaged.duckdb"
    with store.connect(file):
        pass
    store.checkpoint(file)  # the tables into the file, the log gone
    with file.open("r+b") as fh:
        fh.seek(3 * 4096)  # past DuckDB's three headers
        fh.write(bytes(range(256)) * 16)
    return file


@pytest.mark.parametrize("read_only", [True, False])
def test_a_damaged_warehouse_is_refused_at_once_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_only: bool
) -> None:
    # DuckDB's "checksum ... does not match ... in block at location 12288" has "lock" in
    # it: every command waited for ever for a lock no process held.
    monkeypatch.delenv("NEWSFLOW_LOCK_TIMEOUT", raising=False)
    file = damaged(tmp_path)
    started = time.monotonic()
    refused = pytest.raises(store.WarehouseError, match="Corrupt database file")
    with refused, store.connect(file, read_only=read_only, lock_timeout=30):
        pass
    assert time.monotonic() - started < 5


def test_a_damaged_warehouse_says_how_to_recover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "CREATION_WAIT_S", 0.5)  # an empty file is waited for first
    # DuckDB names the damage ("Corrupt database file: computed checksum ...") and nothing
    # more: the user was left to guess what to move, restore or delete.
    with pytest.raises(store.WarehouseError, match=r"restore it \(with its \.wal\) from a copy"):
        store.connect(damaged(tmp_path)).__enter__()
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    with pytest.raises(store.WarehouseError, match=r"it is empty .*: delete it"):
        store.connect(empty, read_only=True).__enter__()


def test_a_damaged_write_ahead_log_says_what_to_move_and_moving_it_opens_the_warehouse(
    tmp_path: Path,
) -> None:
    file = tmp_path / "w.duckdb"
    with store.connect(file) as con:
        con.execute("CREATE TABLE landed_before AS SELECT 1 AS x")
    store.checkpoint(file)
    with store.connect(file) as con:  # landed since: in the log only
        con.execute("INSERT INTO landed_before VALUES (2)")
    wal = Path(f"{file}.wal")
    with wal.open("r+b") as fh:
        fh.seek(wal.stat().st_size // 2)
        fh.write(bytes(range(256)) * 4)
    with pytest.raises(store.WarehouseError, match=rf"move {file}\.wal aside") as refused:
        store.connect(file, read_only=True).__enter__()
    assert "Corrupt WAL" in str(refused.value)
    wal.rename(tmp_path / "w.duckdb.wal.damaged")  # what the message says to do
    with store.connect(file) as con:
        assert con.execute("SELECT x FROM landed_before").fetchall() == [(1,)]
