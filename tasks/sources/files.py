"""Discovery for local sources: which files to read, found once and in a stable order."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pyarrow as pa
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.extract.read import content_kind, file_type
from tasks.models import FailedItem, SourceItem, printable_path


def discover(paths: list[str], source_kind: str) -> tuple[list[SourceItem], list[FailedItem]]:
    """Files under `paths` (recursively for directories) that we know how to read.

    A directory yields its .html/.htm/.txt/.md files (and their .gz), skipping hidden ones
    and anything that is not a regular file (a FIFO would block the reader, a socket or
    device is not an article: skipped like any other file that is not one). A file named
    explicitly is always taken, so an unsupported one or a FIFO is reported, not ignored.
    A file whose name is not valid UTF-8 is reported wherever it was found (see _add).
    """
    items: dict[str, SourceItem] = {}
    errors: list[FailedItem] = []
    for given in paths:
        # '~/saved-pages' as docs/commands.md passes it: no shell expands it for the Python
        # API or a deployment's `paths` parameter, and it was "no such file or directory".
        if given == "~" or given.startswith("~/"):
            given = os.path.expanduser(given)
        root = Path(given)
        if root.is_dir():
            for found in sorted(_walk(root)):
                _add(items, errors, str(found), source_kind, named=False)
        elif root.exists():
            _add(items, errors, given, source_kind, named=True)
        else:
            missing = SourceItem(source_kind, given, os.path.abspath(given), 0, 0)
            errors.append(FailedItem.of_file(missing, "discover", "no such file or directory"))
    return list(items.values()), errors


def _walk(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith(".") and content_kind(name):
                yield Path(dirpath) / name


def _add(
    items: dict[str, SourceItem], errors: list[FailedItem], uri: str, kind: str, named: bool
) -> None:
    path = os.path.abspath(uri)
    if path in items:  # the same file named twice
        return
    try:
        st = os.stat(path)
    except OSError as exc:
        errors.append(FailedItem.of_file(SourceItem(kind, uri, path, 0, 0), "discover", str(exc)))
        return
    item = SourceItem(kind, uri, path, st.st_size, st.st_mtime_ns)
    if not stat.S_ISREG(st.st_mode):
        if named:
            errors.append(
                FailedItem.of_file(item, "discover", f"not a regular file ({file_type(st)})")
            )
        return
    if printable_path(path) != path:
        # The name holds bytes that are not UTF-8. It is recorded, not landed: every record
        # of a file (file_state's key, the article's identity and source_uri) is UTF-8 text,
        # and the \xNN form we could store is not the name (a file really called
        # "caf\xe9.txt" has the same one), so re-runs could not tell the two apart.
        # FailedItem.of_file stores the \xNN form; the error is the same row on every run.
        name = os.path.basename(path)
        what = "file name" if printable_path(name) != name else "name of a folder above it"
        errors.append(FailedItem.of_file(item, "discover", f"{what} is not valid UTF-8: rename it"))
        return
    items[path] = item


def stats_table(items: list[SourceItem]) -> pa.Table:
    return pa.table(
        {
            "path": pa.array([i.path for i in items], pa.string()),
            "size": pa.array([i.size for i in items], pa.int64()),
            "mtime_ns": pa.array([i.mtime_ns for i in items], pa.int64()),
        }
    )


@task(name="discover", cache_policy=NO_CACHE, task_run_name="discover-{source_kind}")
def discover_task(paths: list[str], source_kind: str) -> tuple[list[SourceItem], list[FailedItem]]:
    return discover(paths, source_kind)
