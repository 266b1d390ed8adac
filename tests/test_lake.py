"""The warehouse as a DuckLake: catalog in a real PostgreSQL on 127.0.0.1 (tests/pg.py), data
as Parquet files in a temp folder. The same migrations and statements land the same rows as in
a DuckDB file, an analyst reads them with plain DuckDB, and a re-run adds no row twice, though
DuckLake has no keys to refuse one.

Tests marked `lake` need PostgreSQL's server programs and the `lake` extra's extension wheels;
without them they are skipped, unless NEWSFLOW_TEST_LAKE=required (set by .ci/run, which
installs both), where they fail.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from tests.conftest import SEEDS
from tests.pg import LocalPostgres, server_bin
from warehouse import lake as lakes
from warehouse import relations, sql, store

# What DuckLake refuses: keys, and the statements that lean on them or on RETURNING.
NEEDS_KEYS = re.compile(
    r"PRIMARY\s+KEY|\bUNIQUE\b|ON\s+CONFLICT|OR\s+IGNORE|OR\s+REPLACE\s+INTO|\bRETURNING\b",
    re.IGNORECASE,
)
NOW = datetime(2026, 11, 27, 12, 0, 0)


def _code(text: str) -> str:
    """SQL without its comments."""
    return re.sub(r"--[^\n]*", "", text)


def _sql_files() -> list[str]:
    root = resources.files("warehouse")
    names = []
    for folder in ("migrations", "sql", "sql/export", "queries"):
        for entry in root.joinpath(folder).iterdir():
            if entry.name.endswith(".sql"):
                names.append(f"{folder}/{entry.name}")
    return sorted(names)


def test_every_statement_that_needs_keys_has_a_lake_variant_without_them() -> None:
    needing = [n for n in _sql_files() if NEEDS_KEYS.search(_code(sql.load(n)))]
    assert "migrations/001_init.sql" in needing  # the scan sees keys where they are
    assert "sql/land_articles.sql" in needing  # ... and RETURNING
    assert [n for n in needing if not sql.has_variant(n)] == []
    for name in needing:
        variant = _code(sql.load(name, sql.LAKE))
        assert not NEEDS_KEYS.search(variant), name
    # A file without a variant is the same text for both engines.
    assert sql.load("sql/set_story.sql", sql.LAKE) == sql.load("sql/set_story.sql")


def test_a_password_in_the_lake_name_is_refused_and_never_repeated() -> None:
    for name in (
        "ducklake:postgres:dbname=lake host=127.0.0.1 password=s3cret",
        "ducklake:postgres:postgresql://me:s3cret@127.0.0.1/lake",
    ):
        with pytest.raises(store.WarehouseError) as caught, store.connect(name):
            pass
        assert "PGPASSWORD" in str(caught.value)
        assert "s3cret" not in str(caught.value)


def test_a_lake_name_is_kept_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    from tasks.settings import settings

    name = "ducklake:postgres:postgresql://me@127.0.0.1:5432/lake"
    monkeypatch.setenv("NEWSFLOW_WAREHOUSE", name)
    assert settings().warehouse == name  # as a Path, "//" became "/"
    assert store.is_lake() and store.identity() == name
    with pytest.raises(store.WarehouseError, match="is a DuckLake"):
        store.warehouse_path()


def test_a_lakes_raw_store_is_the_shared_folder_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse import rawstore

    name = "ducklake:postgres:dbname=lake host=127.0.0.1"
    monkeypatch.delenv("NEWSFLOW_RAW_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(lakes.LakeError, match="NEWSFLOW_RAW_STORE"):
        rawstore.root_for(name)  # not ./raw: another machine would not find it
    monkeypatch.setenv("NEWSFLOW_RAW_STORE", str(tmp_path / "shared" / "raw"))
    assert rawstore.root_for(name) == tmp_path / "shared" / "raw"


def test_the_command_stops_on_a_lake_it_cannot_use_with_one_line_before_prefect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_cli_exit import _prefect_started, newsflow

    # Port 1: nothing listens there, and nothing should try before the settings are checked.
    unreachable = "ducklake:postgres:dbname=lake host=127.0.0.1 port=1 user=x"
    cases = [
        ((unreachable, "ingest", "urls", "http://127.0.0.1:9/a"), "NEWSFLOW_RAW_STORE"),
        ((f"{unreachable} password=s3cret", "ingest", "files", str(SEEDS)), "PGPASSWORD"),
    ]
    for (warehouse, *command), said in cases:
        proc = newsflow(tmp_path, "--warehouse", warehouse, *command)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and said in lines[0], proc.stderr
        assert "s3cret" not in proc.stdout + proc.stderr
        assert not _prefect_started(tmp_path)
    # With the settings given, the unreachable catalog is the one line.
    monkeypatch.setenv("NEWSFLOW_RAW_STORE", str(tmp_path / "raw"))
    proc = newsflow(tmp_path, "--warehouse", unreachable, "ingest", "files", str(SEEDS))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "cannot open the lake" in proc.stderr
    assert not _prefect_started(tmp_path)


# --- with PostgreSQL ---------------------------------------------------------------------


def _unavailable(why: str) -> None:
    if os.environ.get("NEWSFLOW_TEST_LAKE") == "required":
        pytest.fail(f"lake tests required (NEWSFLOW_TEST_LAKE=required) but {why}")
    pytest.skip(why)


LAKE_MODULES = ("duckdb_extension_ducklake", "duckdb_extension_postgres_scanner", "psycopg")


def lake_postgres(*more_modules: str) -> Iterator[LocalPostgres]:
    """A throwaway PostgreSQL for lake tests (skipped, or failed when required, without its
    server programs or the lake extra's modules and `more_modules`)."""
    if server_bin() is None:
        _unavailable("PostgreSQL's server programs are missing (apt-get install postgresql)")
    for module in (*LAKE_MODULES, *more_modules):
        try:
            resources.files(module)
        except ModuleNotFoundError:
            _unavailable(f"{module} is missing (pip install -e '.[lake]')")
    with LocalPostgres() as pg:
        yield pg


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    yield from lake_postgres()


@pytest.fixture
def lake(postgres: LocalPostgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty lake: its own PostgreSQL database, its data under tmp_path."""
    dsn = postgres.database(f"lake_{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("NEWSFLOW_LAKE_DATA_PATH", str(tmp_path / "lake-data"))
    return f"ducklake:postgres:{dsn}"


def plain(lake_name: str, query: str) -> list[tuple]:
    """`query` as an analyst runs it: plain DuckDB, the lake attached read-only by its name,
    no newsflow code."""
    with duckdb.connect() as con:
        for name in ("ducklake", "postgres_scanner"):
            ext = resources.files(f"duckdb_extension_{name}").joinpath(
                "extensions", f"v{duckdb.__version__}", f"{name}.duckdb_extension"
            )
            con.execute(f"LOAD '{ext}'")
        con.execute(f"ATTACH '{lake_name}' AS newsroom (READ_ONLY)")
        con.execute("USE newsroom")
        return con.execute(query).fetchall()


def both(file: str, lake_name: str, query: str) -> tuple[list[tuple], list[tuple]]:
    with duckdb.connect(file, read_only=True) as con:
        in_file = con.execute(query).fetchall()
    return in_file, plain(lake_name, query)


COLUMNS = """
    SELECT table_name, column_name, data_type, is_nullable,
           -- The lake shows no default as 'NULL' and 0 as '0' quoted: the same defaults.
           trim(coalesce(column_default, 'NULL'), '''') AS column_default
    FROM information_schema.columns
    WHERE table_catalog = current_database() AND table_schema = 'main'
    ORDER BY table_name, ordinal_position
"""


@pytest.mark.lake
def test_the_lake_gets_every_table_and_column_of_a_file(lake: str, warehouse: str) -> None:
    with store.connect(warehouse), store.connect(lake):
        pass
    in_file, in_lake = both(warehouse, lake, COLUMNS)
    assert len(in_file) > 100
    # Same tables and views, same columns, types, NULLs allowed and defaults; the keys alone
    # are missing in the lake.
    assert in_lake == in_file
    versions = "SELECT version, name FROM schema_migrations ORDER BY version"
    assert plain(lake, versions) == both(warehouse, lake, versions)[0]


def _keyed_cases() -> list[tuple[str, str, list[pa.Table], dict]]:
    """(statement, registered name, two batches that overlap and repeat a key, params)."""
    feed_items = [
        pa.table({
            "source_id": ["s1", "s1", "s1"], "guid": ["g1", "g2", "g1"],
            "url": ["https://a/1", "https://a/2", "https://a/1-again"],
            "title": ["one", "two", "one again"],
            "published_at": pa.array([NOW, None, NOW], pa.timestamp("us")),
            "article_id": ["a1", None, "a9"],
        }),
        pa.table({
            "source_id": ["s1", "s2"], "guid": ["g2", "g1"], "url": ["https://a/2b", None],
            "title": ["two later", "other feed"],
            "published_at": pa.array([None, None], pa.timestamp("us")),
            "article_id": ["a2", "a3"],
        }),
    ]  # fmt: skip
    raw_pages = [
        pa.table({
            "sha256": ["h1", "h2", "h1"], "size": [10, 20, 11],
            "content_type": ["text/html", None, "text/html"], "charset": [None, "utf-8", None],
            "url": ["https://a/1", "https://a/2", "https://mirror/1"],
            "path": ["h1/x.html.gz", "h2/y.html.gz", "h1/x.html.gz"],
        }),
        pa.table({
            "sha256": ["h2", "h3"], "size": [20, 30], "content_type": [None, "text/html"],
            "charset": ["utf-8", None], "url": ["https://b/2", "https://a/3"],
            "path": ["h2/y.html.gz", "h3/z.html.gz"],
        }),
    ]  # fmt: skip
    pairs = [
        pa.table({
            "article_id": ["b", "c", "b"], "other_id": ["a", "a", "a"],
            "method": ["exact", "near", "url"], "similarity": [1.0, 0.7, 0.5],
            "containment": [1.0, 0.9, 0.5],
        }),
        pa.table({
            "article_id": ["c", "d"], "other_id": ["a", "a"], "method": ["exact", "near"],
            "similarity": [1.0, 0.6], "containment": [1.0, 0.8],
        }),
    ]  # fmt: skip
    file_states = [
        pa.table({
            "path": ["/x/1.txt", "/x/2.txt", "/x/1.txt"], "size": [1, 2, 3],
            "mtime_ns": [10, 20, 30], "raw_sha256": ["r1", "r2", "r1b"],
            "article_id": ["a1", None, "a1b"],
        }),
        pa.table({
            "path": ["/x/2.txt", "/x/3.txt"], "size": [22, 3], "mtime_ns": [21, 31],
            "raw_sha256": ["r2b", "r3"], "article_id": ["a2", "a3"],
        }),
    ]  # fmt: skip
    configured = [
        pa.table({
            "source_id": ["f1", "f2"], "kind": ["feed", "site"], "name": ["One", None],
            "url": ["https://a/feed", "https://b/"], "poll_minutes": [30, None],
            "max_items": [None, 5],
        }),
        pa.table({
            "source_id": ["f1", "f3"], "kind": ["feed", "feed"], "name": ["One renamed", "3"],
            "url": ["https://a/feed", "https://c/rss"], "poll_minutes": [60, 15],
            "max_items": [10, None],
        }),
    ]  # fmt: skip
    with_now = {"now": NOW}
    return [
        ("sql/land_feed_items.sql", "feed_items_batch", feed_items, {"now": NOW, "run_id": "r"}),
        ("sql/land_raw_pages.sql", "raw_pages_batch", raw_pages, with_now),
        ("sql/record_pairs.sql", "pairs", pairs, with_now),
        ("sql/land_file_state.sql", "file_states", file_states, {"run_id": "r"}),
        ("sql/sync_sources.sql", "configured", configured, {}),
    ]


KEYED_TABLES = {
    "sql/land_feed_items.sql": "feed_items",
    "sql/land_raw_pages.sql": "raw_pages",
    "sql/record_pairs.sql": "duplicate_pairs",
    "sql/land_file_state.sql": "file_state",
    "sql/sync_sources.sql": "sources",
}


@pytest.mark.lake
def test_keyed_statements_land_the_same_rows_in_a_lake(lake: str, warehouse: str) -> None:
    cases = _keyed_cases()
    for target in (warehouse, lake):
        with store.connect(target) as con:
            for statement, name, batches, params in cases:
                for batch in batches:
                    store.run_sql(con, statement, {name: batch}, params)
            store.start_run(con, "run-1", "ingest", {"a": 1}, ("host", 1, 2))
            store.finish_run(con, "run-1", "completed", items_seen=3, unchanged=0, items_read=3,
                             new_articles=2, duplicates=1, errors=0, message=None)  # fmt: skip
            store.start_run(con, "run-1", "ingest-again", {"a": 2}, ("host", 3, 4))
            for rows_written in (5, 7):
                store.run_sql(con, "sql/export/mark.sql", params={
                    "out_dir": "/e", "table_name": "articles", "exported_through": NOW,
                    "rows_through": rows_written, "rows_hash": -rows_written,
                    "export_id": f"x{rows_written}",
                    "exported_at": NOW, "rows_written": rows_written, "files_written": 1,
                    "full_rewrite": False,
                })  # fmt: skip
    for table in [*KEYED_TABLES.values(), "runs", "exports"]:
        times = " EXCLUDE (started_at, finished_at)" if table == "runs" else ""  # now, twice
        query = f"SELECT *{times} FROM {table} ORDER BY ALL"
        in_file, in_lake = both(warehouse, lake, query)
        assert in_lake == in_file, table
    # The batches did repeat keys, and the first row of a key won, as in the file.
    assert plain(lake, "SELECT title FROM feed_items WHERE guid = 'g1' AND source_id = 's1'") == [
        ("one",)
    ]
    assert plain(lake, "SELECT size, article_id FROM file_state WHERE path = '/x/2.txt'") == [
        (22, "a2")
    ]
    assert plain(lake, "SELECT flow_name, status, items_seen, pid FROM runs") == [
        ("ingest-again", "running", 3, 3)
    ]


@pytest.mark.lake
def test_query_reads_a_lake_and_its_parquet_files_and_nothing_else(
    lake: str, tmp_path: Path
) -> None:
    # 12 rows: more than DuckLake keeps inlined in its catalog, so they go to a Parquet file.
    configured = pa.table(
        {
            "source_id": [f"f{i:02d}" for i in range(12)],
            "kind": ["feed"] * 12,
            "name": [f"Feed {i}" for i in range(12)],
            "url": [f"https://x/{i}" for i in range(12)],
            "poll_minutes": [30] * 12,
            "max_items": [None] * 12,
        }
    )
    with store.connect(lake) as con:
        store.run_sql(con, "sql/sync_sources.sql", {"configured": configured})
    assert store.query("SELECT count(*) AS n FROM sources", lake).to_pylist() == [{"n": 12}]
    data = tmp_path / "lake-data" / "main" / "sources"
    in_files = store.query(f"SELECT count(*) AS n FROM read_parquet('{data}/*.parquet')", lake)
    assert in_files.to_pylist() == [{"n": 12}]
    with pytest.raises(store.QueryRefused, match="reads files only"):
        store.query("SELECT * FROM read_text('/etc/hostname')", lake)
    with pytest.raises(store.QueryRefused, match="read-only"):
        store.query("DELETE FROM sources", lake)
    with pytest.raises(store.QueryRefused, match="postgres_query"):
        store.query("SELECT * FROM postgres_query('__ducklake_metadata_lake', 'SELECT 1')", lake)
    notes = tmp_path / "notes.csv"
    notes.write_text("source_id,note\nf03,good\n")
    joined = store.query(
        f"SELECT s.name, n.note FROM sources s JOIN read_csv('{notes}') n USING (source_id)",
        lake,
        readable=[notes],
    )
    assert joined.to_pylist() == [{"name": "Feed 3", "note": "good"}]


@pytest.mark.lake
def test_maintenance_merges_a_lakes_small_files_and_forgets_old_snapshots(
    prefect_server, lake: str, tmp_path: Path
) -> None:
    from flows.maintenance import maintenance

    with store.connect(lake) as con:
        for n in range(6):  # six commits of 12 rows (more than DuckLake inlines): six files
            items = pa.table({
                "source_id": ["s"] * 12, "guid": [f"{n}-{i}" for i in range(12)],
                "url": [None] * 12, "title": [f"item {n}-{i}" for i in range(12)],
                "published_at": pa.array([None] * 12, pa.timestamp("us")),
                "article_id": [None] * 12,
            })  # fmt: skip
            store.run_sql(con, "sql/land_feed_items.sql", {"feed_items_batch": items},
                          {"now": NOW, "run_id": f"r{n}"})  # fmt: skip
            if n == 0:
                first = con.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()[0]
    data = tmp_path / "lake-data" / "main" / "feed_items"
    assert len(list(data.glob("*.parquet"))) == 6
    rows = plain(lake, "SELECT * FROM feed_items ORDER BY ALL")
    as_of_first = f"SELECT count(*) FROM feed_items AT (VERSION => {first})"

    kept = maintenance(warehouse=lake)  # every snapshot is younger than a week: all kept
    assert isinstance(kept, store.LakeUpkeep)
    # (Writers inline nothing, so the migrations' small inserts are files too: more than 6.)
    assert kept.files_before > 6 and kept.files_after < kept.files_before
    assert kept.snapshots_after > kept.snapshots_before
    # The six small files made way for one, and time travel still reaches the first commit.
    assert kept.deleted_files >= 6 and len(list(data.glob("*.parquet"))) == 1
    assert plain(lake, as_of_first) == [(12,)]

    gone = maintenance(warehouse=lake, snapshot_days=0)
    assert gone.snapshots_after == 1
    with pytest.raises(duckdb.Error):
        plain(lake, as_of_first)
    assert plain(lake, "SELECT * FROM feed_items ORDER BY ALL") == rows


def _insert_articles(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Bare `articles` rows, as a landing inserts them before relating them."""
    con.execute(
        "INSERT INTO articles (article_id, source_kind, source_uri, text, ingested_at, run_id, "
        "content_hash, raw_sha256, raw_size, extractor, word_count) "
        "SELECT id, 'file', id, 'text', $now, 'r', 'h', 's', 0, 'x', 1 FROM unnest($ids) AS t(id)",
        {"ids": ids, "now": NOW},
    )


@pytest.mark.lake
def test_a_landing_that_updates_an_earlier_row_twice_loses_no_row(lake: str) -> None:
    # DuckLake 1.5.5 with data inlining on (its default: inserts of <= 10 rows stay in the
    # catalog) lost a01 here, the copy whose original lands: a transaction inserted a few
    # rows (kept inlined) and updated a row of an earlier file (one written by a transaction
    # that inserted and updated its rows, as every landing does) twice. The many-workers
    # test lost a copy so (docs/scale-out.md); in other such sequences a new row went.
    earlier = [f"a{n:02}" for n in range(11)]  # more than DuckLake inlines: a Parquet file
    new = ["n0", "n1", "n2"]
    with store.connect(lake) as con:
        with store.transaction(con):  # as a landing: insert, then set the stories
            _insert_articles(con, earlier)
            relations.set_stories(con, {i: "s-" + i for i in earlier})
        with store.transaction(con):  # the original of a01 lands, dated before it
            _insert_articles(con, new)
            relations.set_duplicate_of(con, {"a01": "n0", "n0": None})
            relations.set_stories(con, {"a01": "s-n0", "n0": "s-n0", "n1": "s-n1", "n2": "s-n2"})
    landed = plain(lake, "SELECT article_id, duplicate_of, story_id FROM articles ORDER BY 1")
    assert [r[0] for r in landed] == sorted(earlier + new)
    assert ("a01", "n0", "s-n0") in landed and ("n1", None, "s-n1") in landed


def _land_the_same_items(lake_name: str, data_path: str, worker: int, start) -> None:
    """One of several processes landing the same feed items into one lake (spawned)."""
    os.environ["NEWSFLOW_LAKE_DATA_PATH"] = data_path
    start.wait()
    for batch in range(8):
        items = pa.table({
            "source_id": ["s"] * 15, "guid": [f"{batch}-{i}" for i in range(15)],
            "url": [None] * 15, "title": [f"by worker {worker}"] * 15,
            "published_at": pa.array([None] * 15, pa.timestamp("us")),
            "article_id": [None] * 15,
        })  # fmt: skip
        with store.connect(lake_name) as con, store.transaction(con):
            store.run_sql(con, "sql/land_feed_items.sql", {"feed_items_batch": items},
                          {"now": NOW, "run_id": f"w{worker}"})  # fmt: skip


@pytest.mark.lake
def test_writers_on_several_machines_take_turns_so_no_key_lands_twice(
    lake: str, tmp_path: Path
) -> None:
    # DuckLake has no keys: two transactions that both find an item missing both insert it.
    # A writer's connection holds the lake's writer lock, as a writer holds a DuckDB file.
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    workers = 3
    start = spawn.Barrier(workers)
    data_path = os.environ["NEWSFLOW_LAKE_DATA_PATH"]
    with store.connect(lake):
        pass  # migrated once, before the race
    procs = [
        spawn.Process(target=_land_the_same_items, args=(lake, data_path, n, start))
        for n in range(workers)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [proc.exitcode for proc in procs] == [0] * workers
    assert plain(lake, "SELECT count(*), count(DISTINCT guid) FROM feed_items") == [(120, 120)]


@pytest.mark.lake
def test_a_lake_made_with_an_unusable_data_path_can_be_made_again_with_a_good_one(
    lake: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first ATTACH records the data path in the catalog, though its first file could not
    be written there: every later run, with the right path, was refused ('DATA_PATH
    parameter ... does not match existing data path in the catalog "<the typo>"')."""
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("NEWSFLOW_LAKE_DATA_PATH", str(tmp_path / "a-file" / "lake"))
    with pytest.raises(store.WarehouseError) as caught, store.connect(lake):
        pass
    assert str(caught.value).startswith("NEWSFLOW_LAKE_DATA_PATH=")
    assert "cannot be the lake's data folder" in str(caught.value)

    monkeypatch.delenv("NEWSFLOW_LAKE_DATA_PATH")  # a new lake needs one: the setting named
    missing = pytest.raises(store.WarehouseError, match="set NEWSFLOW_LAKE_DATA_PATH")
    with missing, store.connect(lake):
        pass

    good = tmp_path / "lake-data"
    monkeypatch.setenv("NEWSFLOW_LAKE_DATA_PATH", str(good))
    with store.connect(lake) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    assert (good / "main").is_dir()

    # Another machine with another path: refused, naming the setting and the lake's path.
    monkeypatch.setenv("NEWSFLOW_LAKE_DATA_PATH", str(tmp_path / "elsewhere"))
    with pytest.raises(store.WarehouseError) as caught, store.connect(lake):
        pass
    said = str(caught.value)
    assert said.startswith("NEWSFLOW_LAKE_DATA_PATH=") and f"made with, {good}/" in said


def _hold_the_writer_lock(lake_name: str, data_path: str, holding) -> None:
    """A writer that takes the lake and then hangs (spawned, to be killed)."""
    os.environ["NEWSFLOW_LAKE_DATA_PATH"] = data_path
    with store.connect(lake_name):
        holding.set()
        time.sleep(600)


@pytest.mark.lake
def test_a_waiting_writer_names_the_holder_and_a_killed_writer_lets_go(lake: str) -> None:
    import multiprocessing
    import socket

    with store.connect(lake):
        with store.connect(lake, read_only=True) as reader:  # readers never wait
            assert reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        with pytest.raises(store.WarehouseError) as caught, store.connect(lake, lock_timeout=0.3):
            pass
    said = str(caught.value)
    assert "waiting for the lake's writer lock" in said
    assert f"newsflow writer {socket.gethostname()} pid {os.getpid()}" in said
    assert isinstance(caught.value.__cause__, lakes.LakeBusy)

    spawn = multiprocessing.get_context("spawn")
    holding = spawn.Event()
    holder = spawn.Process(
        target=_hold_the_writer_lock,
        args=(lake, os.environ["NEWSFLOW_LAKE_DATA_PATH"], holding),
    )
    holder.start()
    try:
        assert holding.wait(60)
        waiting = store.connect(lake, lock_timeout=0.3)
        with pytest.raises(store.WarehouseError, match=f"pid {holder.pid}"), waiting:
            pass
        holder.kill()  # kill -9: no chance to let go itself
        holder.join(10)
        with store.connect(lake, lock_timeout=10) as con:  # PostgreSQL dropped its session
            assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    finally:
        if holder.is_alive():
            holder.kill()


@pytest.fixture
def own_postgres() -> Iterator[LocalPostgres]:
    """A PostgreSQL of the test's own, for a test that stops it."""
    yield from lake_postgres()


@pytest.mark.lake
@pytest.mark.slow
def test_a_run_whose_postgresql_stops_mid_run_fails_in_lines_not_tracebacks(
    prefect_server, own_postgres: LocalPostgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog's PostgreSQL stopped after the first batch landed: the run fails, the
    command says why in one line and exits 1. Prefect printed the landing's exception with
    its traceback (three chained exceptions) twice, ~200 lines, before that line."""
    import subprocess

    from prefect.settings import PREFECT_API_URL

    from tests.test_cli_exit import NEWSFLOW, _env

    pg = own_postgres
    lake = f"ducklake:postgres:{pg.database('lake')}"
    monkeypatch.setenv("NEWSFLOW_LAKE_DATA_PATH", str(tmp_path / "lake-data"))
    monkeypatch.setenv("NEWSFLOW_RAW_STORE", str(tmp_path / "raw"))
    command = [NEWSFLOW, "--warehouse", lake, "ingest", "files", "--batch-size", "1", str(SEEDS)]
    proc = subprocess.Popen(
        command, env=_env(tmp_path, PREFECT_API_URL.value()), cwd=tmp_path, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        err = []
        for line in proc.stderr:  # Prefect's INFO lines: stderr is no terminal
            err.append(line)
            if "Task run 'land-file-0001' - Finished in state Completed" in line:
                pg.stop()
                break
        out, rest = proc.communicate(timeout=120)  # nothing hangs
        err.append(rest)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = "".join(err)
    assert proc.returncode == 1, out + err
    assert "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    # Which of PostgreSQL's words depends on the moment it stopped: refused, for a connection
    # opened after it; closed, or shutting down, for one it had open (each seen in full runs).
    reasons = (
        "Connection refused",
        "server closed the connection unexpectedly",
        "the database system is shutting down",
    )
    assert last.startswith("Error: ") and any(r in last for r in reasons), err


def _folder(tmp_path: Path) -> Path:
    """The seeds, an exact copy of one (a duplicate), and two files that cannot land."""
    folder = tmp_path / "drop"
    folder.mkdir()
    for seed in SEEDS.glob("*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "copy-of-001.txt").write_bytes((SEEDS / "001_801dbc815b007bc0.txt").read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500))
    return folder


# Each table by what identifies a row in it (its key in a file warehouse).
KEYS = {
    "articles": "article_id",
    "ingest_errors": "error_id",
    "file_state": "path",
    "duplicate_pairs": "article_id, other_id",
    "article_signatures": "article_id",
    "runs": "run_id",
}
COMPARED = {
    "articles": "article_id, source_uri, title, text, duplicate_of, story_id, content_hash, "
    "word_count, language, authors",
    "ingest_errors": "error_id, source_uri, stage, error, raw_size",
    "file_state": "path, size, mtime_ns, raw_sha256, article_id",
    "duplicate_pairs": "article_id, other_id, method, round(similarity, 6)",
    "article_topics": "article_id, topic, rank",
    "article_entities": "article_id, entity, entity_type, mentions",
    "claims": "article_id, claim_no, value, unit",
    "minhash_bands": "article_id, band, hash",
    "article_terms": "article_id, term, rank",
}


@pytest.mark.lake
@pytest.mark.slow
def test_an_ingest_into_a_lake_lands_what_a_file_gets_and_a_rerun_adds_nothing(
    prefect_server, lake: str, warehouse: str, tmp_path: Path
) -> None:
    from flows.ingest import ingest_files

    folder = _folder(tmp_path)
    for run in (1, 2):
        if run == 2:  # every file looks changed: all are read and landed again
            for path in folder.iterdir():
                os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        for target in (warehouse, lake):
            summary = ingest_files(paths=[str(folder)], warehouse=target)
            assert summary.items_read == 8
            assert summary.new_articles == (6 if run == 1 else 0)
            assert summary.duplicates == (1 if run == 1 else 0)
            assert summary.errors == 2

        for table, columns in COMPARED.items():
            query = f"SELECT {columns} FROM {table} ORDER BY ALL"
            in_file, in_lake = both(warehouse, lake, query)
            assert in_lake == in_file, (run, table)
        for table, key in KEYS.items():
            query = f"SELECT count(*), count(DISTINCT ({key})) FROM {table}"
            total, distinct = plain(lake, query)[0]
            assert total == distinct, (run, table)
        assert plain(lake, "SELECT count(*) FROM runs WHERE status = 'completed'") == [(run,)]

    assert plain(lake, "SELECT count(*), count(duplicate_of) FROM articles") == [(6, 1)]
    # A touched file that still fails is a new failure (its state is part of error_id), in
    # the file as in the lake: 2 per run.
    assert plain(lake, "SELECT count(*), count(DISTINCT source_uri) FROM ingest_errors") == [(4, 2)]
    # The six files that landed; the two that failed are not remembered, so they are retried.
    assert plain(lake, "SELECT count(*) FROM file_state") == [(6,)]
    # The data is Parquet files under the data path, readable without the catalog too. (An
    # insert of at most 10 rows, DuckLake's default inlining limit, stays in the catalog until
    # flushed: the 6 articles did; the LSH bands, never updated, went to Parquet.)
    bands = [str(f) for f in (tmp_path / "lake-data" / "main" / "minhash_bands").glob("*.parquet")]
    assert bands
    in_parquet = duckdb.sql(f"SELECT count(*) FROM read_parquet({bands})").fetchall()
    assert in_parquet == plain(lake, "SELECT count(*) FROM minhash_bands") != [(0,)]


def test_load_extensions_refuses_wheels_built_for_another_duckdb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    try:
        resources.files("duckdb_extension_ducklake")
    except ModuleNotFoundError:
        pytest.skip("the lake extra is not installed")
    monkeypatch.setattr(duckdb, "__version__", "9.9.9")
    with (
        duckdb.connect() as con,
        pytest.raises(lakes.LakeError, match=r"built for duckdb v1\.5\.5"),
    ):
        lakes.load_extensions(con, lakes.Lake(catalog="postgres:dbname=x"))
