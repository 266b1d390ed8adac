"""The raw store: every fetched body, gzipped, named by the SHA-256 of the body.

Content addressing makes writes idempotent (the same body fetched twice is stored once) and
lets `newsflow reprocess` re-extract everything without the network. It lives beside the
warehouse file: data/newsflow.duckdb -> data/raw/ab/abcdef....html.gz. A DuckLake has no
folder of its own: its raw store is NEWSFLOW_RAW_STORE, a folder every machine shares or a
bucket (s3://bucket/prefix/), with the same names under it.

Extraction reads files (tasks/extract/read.py, in worker processes), so a bucket store keeps
a local copy of what the run puts or fetches in a spool folder of its own, removed with it:
`local_path` names the file to read, `fetch` brings objects down first (reprocess).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import threading
import weakref
from contextlib import suppress
from pathlib import Path

import duckdb

from tasks.settings import settings
from warehouse import lake as lakes
from warehouse import sql

_SUFFIX = {"html": ".html.gz", "xml": ".xml.gz"}
# Objects read by one read_blob: DuckDB reads a list's files in parallel, and a chunk bounds
# the memory the bodies take before they are written to the spool.
FETCH_CHUNK = 256


class Bucket:
    """A raw store in an S3 bucket: `url` is s3://bucket/prefix/. One DuckDB connection with
    the bucket's secret (warehouse/lake.py open_bucket), opened and checked when made; a
    spool folder for the local copies extraction reads. Both go with the object (or the
    process)."""

    def __init__(self, url: str) -> None:
        self.url = lakes.bucket_url(url, "NEWSFLOW_RAW_STORE")
        self._lock = threading.Lock()  # one DuckDB connection, one statement at a time
        self._con = duckdb.connect()
        weakref.finalize(self, self._con.close)
        try:
            lakes.open_bucket(self._con, self.url, "NEWSFLOW_RAW_STORE")
        except BaseException:
            self._con.close()
            raise
        self.spool = Path(tempfile.mkdtemp(prefix="newsflow-raw-"))
        weakref.finalize(self, shutil.rmtree, self.spool, True)

    def __repr__(self) -> str:
        return f"Bucket({self.url!r})"

    def has(self, rel: str) -> bool:
        try:
            self._run("sql/raw_object_size.sql", {"url": self.url + rel})
        except duckdb.HTTPException as exc:
            if exc.status_code == 404:
                return False
            raise
        return True

    def upload(self, rel: str, stored: bytes) -> None:
        # COPY takes no parameter for its target; the name is the validated url and a digest.
        target = self.url + rel
        self._run(sql.load("sql/raw_object_put.sql").replace("$target", f"'{target}'"),
                  {"body": stored}, text=True)  # fmt: skip

    def download(self, rels: list[str]) -> dict[str, bytes]:
        """The stored (gzipped) bytes of those of `rels` that exist."""
        urls = [self.url + rel for rel in rels]
        try:
            rows = self._run("sql/raw_objects.sql", {"urls": urls})
        except duckdb.HTTPException as exc:
            if exc.status_code != 404:
                raise
            if len(rels) == 1:
                return {}
            # One is missing and fails the whole read: the others one by one.
            found: dict[str, bytes] = {}
            for rel in rels:
                found.update(self.download([rel]))
            return found
        return {name[len(self.url) :]: content for name, content in rows}

    def _run(self, statement: str, params: dict, text: bool = False) -> list[tuple]:
        with self._lock:
            return self._con.execute(statement if text else sql.load(statement), params).fetchall()


Root = Path | Bucket


def root_for(warehouse: str | os.PathLike[str]) -> Root:
    """The raw store of `warehouse`: a file's `raw` folder beside it; a lake's
    NEWSFLOW_RAW_STORE, a shared folder or a bucket (opened and checked now, so that a key or
    endpoint that does not work stops the command before it starts)."""
    if lakes.is_lake(warehouse):
        given = settings().raw_store
        if not given:
            # Not a folder of the working directory: another machine would not find it.
            raise lakes.LakeError(
                "a DuckLake warehouse keeps fetched pages in NEWSFLOW_RAW_STORE, a folder every "
                "machine shares or a bucket (s3://bucket/prefix/): set it"
            )
        if isinstance(given, str):
            return Bucket(given)
        return given.expanduser().resolve()
    return Path(warehouse).resolve().parent / "raw"


def relative_path(sha256: str, kind: str = "html") -> str:
    return f"{sha256[:2]}/{sha256}{_SUFFIX.get(kind, '.bin.gz')}"


def put(root: Root, body: bytes, kind: str = "html", sha256: str | None = None) -> tuple[str, str]:
    """Store `body`; return (sha256, path relative to root). Writing is atomic: a file is
    renamed into place, an object appears when its upload completes."""
    digest = sha256 or hashlib.sha256(body).hexdigest()
    rel = relative_path(digest, kind)
    if isinstance(root, Bucket):
        copy = root.spool / rel
        if not copy.exists():  # a copy is made once the object is in the bucket
            stored = _compress(body)
            if not root.has(rel):
                root.upload(rel, stored)
            _write(copy, stored)
        return digest, rel
    target = root / rel
    if not target.exists():
        _write(target, _compress(body))
    return digest, rel


def get(root: Root, rel: str) -> bytes:
    if isinstance(root, Bucket):
        copy = root.spool / rel
        if not copy.exists():
            fetch(root, [rel])
        if not copy.exists():
            raise FileNotFoundError(f"{root.url}{rel}")
    else:
        copy = root / rel
    return gzip.decompress(copy.read_bytes())


def local_path(root: Root, rel: str) -> str:
    """The file extraction reads for `rel`: in the folder, or a bucket's local copy (made by
    `put` or `fetch`; absent if the object is missing, which extraction reports)."""
    return str((root.spool if isinstance(root, Bucket) else root) / rel)


def fetch(root: Root, rels: list[str]) -> None:
    """Bring the objects `rels` of a bucket store down to its local copies, FETCH_CHUNK at a
    time (a folder store has nothing to do). An object that is missing is skipped."""
    if not isinstance(root, Bucket):
        return
    wanted = sorted({rel for rel in rels if not (root.spool / rel).exists()})
    for start in range(0, len(wanted), FETCH_CHUNK):
        for rel, stored in root.download(wanted[start : start + FETCH_CHUNK]).items():
            _write(root.spool / rel, stored)


def _compress(body: bytes) -> bytes:
    # Level 6: most of gzip's ratio at a third of level 9's cost.
    return gzip.compress(body, compresslevel=6, mtime=0)


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        # A full disk left the half-written file behind for good, and the run's one line
        # said "[Errno 28] No space left on device" without saying where.
        with suppress(OSError):
            tmp.unlink()
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
