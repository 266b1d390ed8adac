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

from tasks.errors import ConfigError
from tasks.settings import settings
from warehouse import sql

PREFIX = "ducklake:"
ALIAS = "lake"  # the name the lake is attached as; every statement runs with USE lake

# The extensions a lake needs: DuckLake itself, the PostgreSQL catalog, and httpfs for a
# bucket. DuckDB cannot download them here, so the `lake` extra ships them as wheels
# (duckdb-extension-<name>) built for one DuckDB version only: the pin in pyproject.toml.
_EXTENSIONS = ("ducklake", "postgres_scanner")
_S3_EXTENSIONS = ("httpfs",)


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
    if data_path and "://" not in data_path:
        data_path = os.path.join(os.path.abspath(os.path.expanduser(data_path)), "")
    return Lake(catalog=catalog, data_path=data_path, metadata_schema=schema)


def load_extensions(con: duckdb.DuckDBPyConnection, lake: Lake) -> None:
    """Load the extensions `lake` needs into `con`: from the `lake` extra's wheels when they
    are installed (no network), else DuckDB's own INSTALL (which downloads them)."""
    names = _EXTENSIONS + (_S3_EXTENSIONS if _remote(lake.data_path) else ())
    for name in names:
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
                f"cannot load DuckDB's {name} extension ({_first_line(exc)}): install "
                f"newsflow[lake], whose wheels carry it for this duckdb"
            ) from exc


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
    """Attach `lake` to `con` as `lake` and make it the default catalog."""
    options = []
    if lake.data_path and not read_only:
        options.append(f"DATA_PATH '{lake.data_path}'")
    if lake.metadata_schema:
        options.append(f"METADATA_SCHEMA '{lake.metadata_schema}'")
    if read_only:
        options.append("READ_ONLY")
    with_options = f" ({', '.join(options)})" if options else ""
    con.execute(f"ATTACH '{PREFIX}{lake.catalog}' AS {ALIAS}{with_options}")
    con.execute(f"USE {ALIAS}")


def _remote(path: str | None) -> bool:
    return bool(path) and "://" in path


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


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
        raise LakeError(f"cannot open the lake {lake.name}: {_first_line(exc)}") from exc
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
