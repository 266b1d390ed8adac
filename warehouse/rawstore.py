"""The raw store: every fetched body, gzipped, in files named by the SHA-256 of the body.

Content addressing makes writes idempotent (the same body fetched twice is stored once) and
lets `newsflow reprocess` re-extract everything without the network. It lives beside the
warehouse file: data/newsflow.duckdb -> data/raw/ab/abcdef....html.gz. A DuckLake has no
folder of its own: its raw store is NEWSFLOW_RAW_STORE, a folder every machine shares.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

from tasks.settings import settings
from warehouse import lake as lakes

_SUFFIX = {"html": ".html.gz", "xml": ".xml.gz"}


def root_for(warehouse: str | os.PathLike[str]) -> Path:
    if lakes.is_lake(warehouse):
        given = settings().raw_store
        if not given:
            # Not a folder of the working directory: another machine would not find it.
            raise lakes.LakeError(
                "a DuckLake warehouse keeps fetched pages in NEWSFLOW_RAW_STORE, a folder every "
                "machine shares: set it"
            )
        return given.expanduser().resolve()
    return Path(warehouse).resolve().parent / "raw"


def relative_path(sha256: str, kind: str = "html") -> str:
    return f"{sha256[:2]}/{sha256}{_SUFFIX.get(kind, '.bin.gz')}"


def put(root: Path, body: bytes, kind: str = "html", sha256: str | None = None) -> tuple[str, str]:
    """Store `body`; return (sha256, path relative to root). Writing is atomic."""
    digest = sha256 or hashlib.sha256(body).hexdigest()
    rel = relative_path(digest, kind)
    target = root / rel
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        # Level 6: most of gzip's ratio at a third of level 9's cost.
        tmp.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
        os.replace(tmp, target)
    return digest, rel


def get(root: Path, rel: str) -> bytes:
    return gzip.decompress((root / rel).read_bytes())
