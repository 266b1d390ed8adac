"""The warehouse as a DuckLake: a catalog in PostgreSQL and the data as Parquet files on a
shared path or bucket, so that several machines land into, and analysts query, the same
tables with plain DuckDB (docs/scale-out.md).

A warehouse named `ducklake:postgres:<libpq connection string>` is a lake; anything else is a
DuckDB file. The password never appears in the name: libpq reads it from PGPASSWORD or
~/.pgpass (PGPASSFILE), so nothing newsflow logs or records can show it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

import duckdb

from tasks.errors import ConfigError, first_line
from tasks.settings import s3_keys, settings
from warehouse import sql

PREFIX = "ducklake:"
ALIAS = "lake"  # the name the lake is attached as; every statement runs with USE lake

# The extensions a lake needs: DuckLake itself, the PostgreSQL catalog, and httpfs for a
# bucket. DuckDB cannot download them here, so the `lake` extra ships them as wheels
# (duckdb-extension-<name>) built for one DuckDB version only: the pin in pyproject.toml.
_EXTENSIONS = ("ducklake", "postgres_scanner")
_S3_EXTENSIONS = ("httpfs",)

# DuckLake keeps inserts of up to 10 rows in the catalog ("data inlining", on by default) and
# with it lost rows (DuckLake 1.5.5): a transaction that inserted a few rows and updated a row
# of an earlier file twice - a landing does, when an original lands after its copy - lost
# that row or one of the new ones (tests/test_lake.py; the many-workers test lost a copy so).
# Writers therefore write every insert to Parquet: more, smaller files until maintenance
# merges them (docs/scale-out.md has the measured cost).
INLINING_ROW_LIMIT = 0

BUCKET = "s3://"  # the one scheme of a bucket newsflow takes (DuckDB's httpfs, an S3 API)
# A bucket is checked when a connection opens it, with one listing of a prefix nothing has:
# an answer, even empty, shows the endpoint up, the bucket there and the key accepted, in a
# round trip (2-5 ms against a local server here). Its wait is bounded by PROBE_TIMEOUT_S
# and not retried, so an endpoint that accepts and never answers stops a command in that
# time rather than DuckDB's 30 s x 4 tries; nothing listening fails at once (0.5 s).
PROBE_TIMEOUT_S = 10
_PROBE_NAME = ".newsflow-probe-"


class LakeError(ConfigError, RuntimeError):
    """The lake's name or settings cannot be meant, or its extensions cannot be had."""


class LakeBusy(LakeError):
    """Another writer held the lake's writer lock longer than the run would wait."""


@dataclass(frozen=True, slots=True)
class Lake:
    """A DuckLake warehouse: `catalog` is DuckLake's part of the name ("postgres:dbname=...")
    and `data_path` where new Parquet files go (None: the path the catalog recorded when the
    lake was made)."""

    catalog: str
    data_path: str | None = None
    metadata_schema: str | None = None

    @property
    def name(self) -> str:
        """The warehouse as the user names it: its identity in runs and caches."""
        return PREFIX + self.catalog


def is_lake(warehouse: str | os.PathLike[str] | None) -> bool:
    return isinstance(warehouse, str) and warehouse.startswith(PREFIX)


def parse(warehouse: str) -> Lake:
    """The lake named `warehouse`, with the data path and metadata schema from the
    environment (NEWSFLOW_LAKE_DATA_PATH, NEWSFLOW_LAKE_METADATA_SCHEMA)."""
    catalog = warehouse[len(PREFIX) :].strip()
    if not catalog.startswith("postgres:"):
        raise LakeError(
            f"warehouse {warehouse!r}: newsflow keeps a lake's catalog in PostgreSQL, "
            "say ducklake:postgres:dbname=... host=... user=..."
        )
    if re.search(r"(^|[\s:/@?&])password\s*=|://[^/@\s]*:[^/@\s]*@", catalog, re.IGNORECASE):
        # Refused rather than masked: the name is printed and recorded in many places.
        raise LakeError(
            "the warehouse name holds a password: give it in PGPASSWORD or ~/.pgpass "
            "(PGPASSFILE) instead, so that it never appears in logs or run records"
        )
    if "'" in catalog:
        raise LakeError(f"warehouse {warehouse!r}: a quote cannot be part of a lake's name")
    given = settings()
    data_path, schema = given.lake_data_path, given.lake_metadata_schema
    if data_path and "'" in data_path:
        raise LakeError(f"NEWSFLOW_LAKE_DATA_PATH={data_path!r}: a quote cannot be in the path")
    if schema and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", schema):
        raise LakeError(f"NEWSFLOW_LAKE_METADATA_SCHEMA={schema!r}: say a plain schema name")
    if data_path and "://" in data_path:
        data_path = bucket_url(data_path, "NEWSFLOW_LAKE_DATA_PATH")
    elif data_path:
        data_path = os.path.join(os.path.abspath(os.path.expanduser(data_path)), "")
    return Lake(catalog=catalog, data_path=data_path, metadata_schema=schema)


def is_bucket(path: str | os.PathLike[str] | None) -> bool:
    """Whether `path` names a place in an S3 bucket (s3://bucket/prefix/)."""
    return isinstance(path, str) and path.startswith(BUCKET)


def bucket_url(url: str, setting: str) -> str:
    """`url` as s3://bucket/prefix/ (with the slash that makes it a folder); a LakeError
    naming `setting` if it is no such thing."""
    bucket, _, _ = url[len(BUCKET) :].partition("/") if is_bucket(url) else ("", "", "")
    if not bucket or "'" in url or not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,62}", bucket):
        raise LakeError(
            f"{setting}={url!r}: say a folder, or a bucket as s3://bucket/prefix/ (newsflow "
            "reaches buckets through DuckDB's S3 support: s3:// only)"
        )
    return url if url.endswith("/") else url + "/"


def load_extensions(con: duckdb.DuckDBPyConnection, lake: Lake) -> None:
    """Load the extensions `lake` needs into `con`: from the `lake` extra's wheels when they
    are installed (no network), else DuckDB's own INSTALL (which downloads them)."""
    names = list(_EXTENSIONS)
    if is_bucket(lake.data_path):
        names += _S3_EXTENSIONS
    elif lake.data_path is None and all(_shipped(n) for n in _S3_EXTENSIONS):
        # Not said where the data is (an analyst, `query`): the catalog may name a bucket,
        # and DuckLake's ATTACH then needs httpfs already (else it tries to download it).
        # 0.1-0.15 s, so not when the lake is a folder the environment names.
        names += _S3_EXTENSIONS
    for name in names:
        _load(con, name)


def _shipped(name: str) -> str | None:
    """The extension file the `lake` extra installed for this DuckDB, if any."""
    try:
        package = resources.files(f"duckdb_extension_{name}")
    except ModuleNotFoundError:
        return None
    folder = package.joinpath("extensions")
    wanted = folder.joinpath(f"v{duckdb.__version__}", f"{name}.duckdb_extension")
    if wanted.is_file():
        return str(wanted)
    built_for = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    # A wheel built for another DuckDB loads with garbage settings and then crashes the
    # process (seen with 1.5.5 wheels in duckdb 1.5.6): refuse instead.
    raise LakeError(
        f"the installed duckdb-extension-{name.replace('_', '-')} is built for duckdb "
        f"{', '.join(built_for) or 'another version'}, this is duckdb {duckdb.__version__}: "
        "install the duckdb version pyproject.toml pins"
    )


def attach(con: duckdb.DuckDBPyConnection, lake: Lake, read_only: bool) -> None:
    """Attach `lake` to `con` as `lake` and make it the default catalog; if its data is in a
    bucket, give `con` the bucket's credentials and check them (open_bucket)."""
    if is_bucket(lake.data_path):
        open_bucket(con, lake.data_path, "NEWSFLOW_LAKE_DATA_PATH")
    options = []
    if lake.data_path and not read_only:
        options.append(f"DATA_PATH '{lake.data_path}'")
    if not read_only:
        options.append(f"DATA_INLINING_ROW_LIMIT {INLINING_ROW_LIMIT}")
    if lake.metadata_schema:
        options.append(f"METADATA_SCHEMA '{lake.metadata_schema}'")
    if read_only:
        options.append("READ_ONLY")
    with_options = f" ({', '.join(options)})" if options else ""
    if lake.data_path and not read_only and not is_bucket(lake.data_path):
        _usable_folder(lake.data_path)
    try:
        con.execute(f"ATTACH '{PREFIX}{lake.catalog}' AS {ALIAS}{with_options}")
    except duckdb.Error as exc:
        _name_the_data_path_setting(exc, lake)
        raise
    con.execute(f"USE {ALIAS}")
    if lake.data_path is None:
        recorded = data_path(con)
        if is_bucket(recorded):
            open_bucket(con, recorded, "the lake's data path")


def _usable_folder(path: str) -> None:
    """Make the lake's data folder, or say in one line why it cannot be. Before the ATTACH:
    the ATTACH that makes a lake records its data path in the catalog even when the first
    file then cannot be written there (a typo, a share not mounted), and every later run
    with the right path was refused as not matching the recorded one."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise LakeError(
            f"NEWSFLOW_LAKE_DATA_PATH={path}: cannot be the lake's data folder: "
            f"{exc.strerror or exc}"
        ) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise LakeError(f"NEWSFLOW_LAKE_DATA_PATH={path}: the lake's data folder is not writable")


def _name_the_data_path_setting(exc: duckdb.Error, lake: Lake) -> None:
    """DuckLake's two refusals about the data path name its DATA_PATH option; the user sets
    NEWSFLOW_LAKE_DATA_PATH, so say that (matched on DuckLake 1.5.5's wording; any other
    error goes on as it was)."""
    said = str(exc)
    if "data_path is not set" in said:
        raise LakeError(
            f"{lake.name} holds no lake yet: set NEWSFLOW_LAKE_DATA_PATH to the folder or "
            "bucket for its data (the same on every machine) to make one"
        ) from exc
    recorded = re.search(r'does not match existing data path in the catalog "([^"]*)"', said)
    if recorded:
        raise LakeError(
            f"NEWSFLOW_LAKE_DATA_PATH={lake.data_path} is not the data path {lake.name} was "
            f"made with, {recorded.group(1)}: give every machine that one"
        ) from exc


def data_path(con: duckdb.DuckDBPyConnection) -> str | None:
    """The data path the attached lake's catalog recorded: a folder or s3://bucket/prefix/."""
    row = con.execute(sql.load("sql/lake/data_path.sql")).fetchone()
    return row[0] if row else None


def open_bucket(con: duckdb.DuckDBPyConnection, url: str, setting: str) -> None:
    """Let `con` read and write under `url` (s3://bucket/prefix/) and check that it can.

    The credentials are the environment's (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL[_S3]): they become a TEMPORARY DuckDB
    secret, held in this connection's memory only and scoped to the one bucket, passed as
    parameters so no SQL text (which an error may quote) holds them. A key that is missing
    or refused, a bucket that is not there and an endpoint that cannot be reached are a
    LakeError of one line naming `setting`, within PROBE_TIMEOUT_S."""
    for name in _S3_EXTENSIONS:
        _load(con, name)
    keys = s3_keys()
    if keys is None:
        raise LakeError(
            f"{setting} is a bucket ({url}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(and AWS_ENDPOINT_URL for a server other than AWS)"
        )
    given = settings()
    bucket = url[: url.index("/", len(BUCKET)) + 1]
    if given.s3_endpoint:
        scheme, _, host = given.s3_endpoint.partition("://")
        if scheme.lower() not in ("http", "https") or not host or re.search(r"[/'\s]", host):
            # The scheme decides USE_SSL; DuckDB's ENDPOINT is host[:port] alone.
            raise LakeError(
                f"the S3 endpoint {given.s3_endpoint!r} (AWS_ENDPOINT_URL_S3 or "
                "AWS_ENDPOINT_URL): say http://host:port or https://host"
            )
        # S3-compatible servers (SeaweedFS, MinIO, Ceph...) take the bucket in the path.
        endpoint, style, ssl = host, "path", scheme.lower() == "https"
    else:
        endpoint, style, ssl = "s3.amazonaws.com", "vhost", True  # AWS: DuckDB's defaults
    con.execute(
        sql.load("sql/lake/s3_secret.sql"),
        {
            "key_id": keys.key_id,
            "secret": keys.secret,
            "session_token": keys.session_token,
            "region": given.s3_region or "us-east-1",
            "endpoint": endpoint,
            "url_style": style,
            "use_ssl": ssl,
            "scope": bucket,
        },
    )
    where = f"{url} at {given.s3_endpoint or 'AWS'}"
    con.execute(f"SET http_timeout = {PROBE_TIMEOUT_S}; SET http_retries = 0")
    try:
        con.execute(sql.load("sql/lake/bucket_probe.sql"), {"probe": url + _PROBE_NAME + "*"})
    except duckdb.HTTPException as exc:
        if exc.status_code in (401, 403):
            raise LakeError(
                f"{setting}: the bucket {where} refused the key in AWS_ACCESS_KEY_ID (HTTP "
                f"{exc.status_code}): check the key pair, and that it may list, read and "
                "write there"
            ) from None
        if exc.status_code == 404:
            where = given.s3_endpoint or "AWS"
            raise LakeError(f"{setting}: no bucket {bucket} at {where}") from None
        raise LakeError(f"{setting}: cannot use {where}: {first_line(exc)}") from None
    except duckdb.Error as exc:
        raise LakeError(f"{setting}: cannot reach {where}: {first_line(exc)}") from None
    finally:
        con.execute("RESET http_timeout; RESET http_retries")


def _load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if name in _loaded(con):
        return
    shipped = _shipped(name)
    try:
        if shipped:
            # LOAD by path: nothing is written to ~/.duckdb, as INSTALL would.
            con.execute(f"LOAD '{shipped}'")
        else:
            con.execute(f"INSTALL {name}")
            con.execute(f"LOAD {name}")
    except duckdb.Error as exc:
        raise LakeError(
            f"cannot load DuckDB's {name} extension ({first_line(exc)}): install "
            f"newsflow[lake], whose wheels carry it for this duckdb"
        ) from exc


def _loaded(con: duckdb.DuckDBPyConnection) -> set[str]:
    found = con.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded")
    return {row[0] for row in found.fetchall()}


@contextmanager
def writer_lock(
    lake: Lake, timeout: float | None, log: logging.Logger, report_s: float
) -> Iterator[None]:
    """Hold the lake's writer lock: one writing connection at a time across every machine,
    as DuckDB's file lock gives a file. DuckLake has no keys, so two writers that both find
    a row missing would both insert it (3 processes landing the same 120 feed items gave 255
    rows); the landing statements are correct only one at a time. A PostgreSQL session
    advisory lock in the catalog's database: PostgreSQL queues the waiters and hands the lock
    over at once, and drops it with the connection of a killed writer. Waits as long as it
    takes unless `timeout` (seconds) is given, saying who holds it every `report_s`."""
    try:
        import psycopg
    except ModuleNotFoundError as exc:
        raise LakeError("a lake's writer lock needs psycopg: install newsflow[lake]") from exc
    key = _lock_key(lake)
    name = f"newsflow writer {socket.gethostname()} pid {os.getpid()}"
    try:
        session = psycopg.connect(
            lake.catalog.removeprefix("postgres:"), autocommit=True, application_name=name
        )
    except psycopg.Error as exc:
        raise LakeError(f"cannot open the lake {lake.name}: {first_line(exc)}") from exc
    started = time.monotonic()
    try:
        while True:
            waited = time.monotonic() - started
            wait_s = report_s if timeout is None else max(min(report_s, timeout - waited), 0.001)
            session.execute(f"SET lock_timeout = '{int(wait_s * 1000)}ms'")
            try:
                session.execute(sql.load("sql/lake/pg_writer_lock.sql"), {"key": key})
                break
            except psycopg.errors.LockNotAvailable:
                waited = time.monotonic() - started
                holder = _holder(session, key)
                if timeout is not None and waited >= timeout:
                    raise LakeBusy(
                        f"gave up after {waited:.0f} s waiting for the lake's writer lock, "
                        f"held by {holder} (NEWSFLOW_LOCK_TIMEOUT={timeout:g})"
                    ) from None
                log.warning(
                    "waiting %.0f s for the writer lock of %s, held by %s: writers take "
                    "turns", waited, lake.name, holder,
                )  # fmt: skip
        yield
    finally:
        session.close()  # ends the session, and so the lock


def _lock_key(lake: Lake) -> int:
    """The advisory lock's key: one per lake (catalog schema) in the catalog's database."""
    digest = hashlib.sha256(f"newsflow lake writer {lake.metadata_schema or ''}".encode())
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def _holder(session: Any, key: int) -> str:  # a psycopg.Connection (the lake extra's)
    row = session.execute(sql.load("sql/lake/pg_lock_holder.sql"), {"key": key}).fetchone()
    if row is None:
        return "a writer that has just let go"
    application, client, pid = row
    where = client or "a local socket"
    return f"{application or 'an unnamed session'} (from {where}, pg pid {pid})"
