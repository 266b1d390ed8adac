"""Discovery for local sources: which files to read, found once and in a stable order."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.models import IngestError, SourceItem
from tasks.read import content_kind, make_error


def discover(paths: list[str], source_kind: str) -> tuple[list[SourceItem], list[IngestError]]:
    """Files under `paths` (recursively for directories) that we know how to read.

    A directory yields its .html/.htm/.txt/.md files (and their .gz), skipping hidden ones;
    a file named explicitly is always taken, so an unsupported one is reported, not ignored.
    """
    items: dict[str, SourceItem] = {}
    errors: list[IngestError] = []
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for found in sorted(_walk(root)):
                _add(items, errors, str(found), source_kind)
        elif root.exists():
            _add(items, errors, given, source_kind)
        else:
            missing = SourceItem(source_kind, given, os.path.abspath(given), 0, 0)
            errors.append(make_error(missing, "discover", "no such file or directory"))
    return list(items.values()), errors


def _walk(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith(".") and content_kind(name):
                yield Path(dirpath) / name


def _add(items: dict[str, SourceItem], errors: list[IngestError], uri: str, kind: str) -> None:
    path = os.path.abspath(uri)
    if path in items:  # the same file named twice
        return
    try:
        st = os.stat(path)
    except OSError as exc:
        errors.append(make_error(SourceItem(kind, uri, path, 0, 0), "discover", str(exc)))
        return
    items[path] = SourceItem(kind, uri, path, st.st_size, st.st_mtime_ns)


def stats_table(items: list[SourceItem]) -> pa.Table:
    return pa.table(
        {
            "path": pa.array([i.path for i in items], pa.string()),
            "size": pa.array([i.size for i in items], pa.int64()),
            "mtime_ns": pa.array([i.mtime_ns for i in items], pa.int64()),
        }
    )


@task(name="discover", cache_policy=NO_CACHE, task_run_name="discover-{source_kind}")
def discover_task(paths: list[str], source_kind: str) -> tuple[list[SourceItem], list[IngestError]]:
    return discover(paths, source_kind)
