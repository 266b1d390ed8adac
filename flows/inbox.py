"""The inbox: a folder where people and programs drop things to ingest.

Articles (.html, .txt, .md, optionally gzipped) are landed like `ingest files`; a feed file
(.xml, .rss, .atom) lands its entries' own text; an OPML file adds its feeds to the sources
file. A file is taken once it has stopped changing for `settle_seconds` (never half-written:
writers that pause longer should write to a hidden or .part name and rename), and exactly
once: file_state remembers each path's size and mtime, so a restart or a second scan skips
it. `newsflow watch` runs this flow whenever the folder changes.
"""

from __future__ import annotations

import os
import time
from hashlib import sha256
from pathlib import Path

from prefect import flow
from prefect.utilities.annotations import quote

from flows.runs import BATCH_SIZE, RunSummary, extract_and_land, in_batches, land, recorded_run
from tasks.discover import discover
from tasks.extractors import article_from_feed
from tasks.feeds import parse_feed
from tasks.land import Batch, unchanged_task
from tasks.models import FileState, IngestError, SourceItem
from tasks.read import make_error
from tasks.sources import RegistryError, append_feeds, parse_opml

DEFAULT_INBOX = "inbox"
FEED_SUFFIXES = (".xml", ".rss", ".atom")
OPML_SUFFIXES = (".opml",)
SETTLE_SECONDS = 1.0


def inbox_dir(inbox: str | None = None) -> Path:
    """The argument, else $NEWSFLOW_INBOX, else ./inbox."""
    return Path(inbox or os.environ.get("NEWSFLOW_INBOX") or DEFAULT_INBOX)


def ready_files(inbox: Path, settle_seconds: float = SETTLE_SECONDS) -> list[Path]:
    """Files under `inbox` that have not changed for `settle_seconds`, oldest first."""
    now = time.time()
    return [path for mtime, path in inbox_files(inbox) if now - mtime >= settle_seconds]


def inbox_files(inbox: Path) -> list[tuple[float, Path]]:
    """(mtime, path) of every file the inbox would take, settled or not, oldest first."""
    found = []
    for dirpath, dirnames, filenames in os.walk(inbox):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or name.endswith((".part", ".tmp", ".crdownload", "~")):
                continue
            path = Path(dirpath) / name
            try:
                mtime = path.stat().st_mtime
            except OSError:
                continue  # moved away between listing and looking
            found.append((mtime, str(path)))
    return [(mtime, Path(p)) for mtime, p in sorted(found)]


@flow(name="ingest-inbox")
def ingest_inbox(
    inbox: str | None = None,
    warehouse: str | None = None,
    sources: str | None = None,
    settle_seconds: float = SETTLE_SECONDS,
    batch_size: int = BATCH_SIZE,
) -> RunSummary:
    """Land whatever was dropped into the inbox since the last run."""
    folder = inbox_dir(inbox)
    folder.mkdir(parents=True, exist_ok=True)
    with recorded_run(warehouse, {"inbox": str(folder)}) as summary:
        files = ready_files(folder, settle_seconds)
        items, errors = discover([str(f) for f in files], "inbox")
        summary.items_seen = len(items) + len(errors)
        skip = unchanged_task(summary.warehouse, quote(items))
        todo = [i for i in items if i.path not in skip]
        summary.unchanged = len(items) - len(todo)
        feeds = [i for i in todo if i.path.lower().endswith(FEED_SUFFIXES + OPML_SUFFIXES)]
        articles = [i for i in todo if i not in feeds]
        if feeds:
            land(summary, subscriptions_and_feeds(feeds, sources), "inbox-feeds")
        if errors:
            land(summary, Batch(errors=errors), "discover")
        extract_and_land(summary, in_batches(articles, batch_size), len(articles), "inbox")
    return summary


def subscriptions_and_feeds(items: list[SourceItem], sources: str | None) -> Batch:
    """A batch for dropped feed and OPML files: feed entries with text become articles; OPML
    outlines join the sources file. Each file gets a file_state row either way."""
    batch = Batch()
    for item in items:
        try:
            data = Path(item.path).read_bytes()
        except OSError as exc:
            batch.errors.append(make_error(item, "read", str(exc)))
            continue
        digest = sha256(data).hexdigest()
        if item.path.lower().endswith(OPML_SUFFIXES):
            error = _import_opml(item, data, sources)
        else:
            error = _feed_articles(item, data, batch)
        if error is not None:
            batch.errors.append(error)
            continue
        batch.items.append(item)
        batch.file_states.append(FileState(item.path, item.size, item.mtime_ns, digest, None))
    return batch


def _import_opml(item: SourceItem, data: bytes, sources: str | None) -> IngestError | None:
    try:
        append_feeds(sources, parse_opml(data))
    except RegistryError as exc:
        return make_error(item, "extract", str(exc), data)
    return None


def _feed_articles(item: SourceItem, data: bytes, batch: Batch) -> IngestError | None:
    parsed = parse_feed(data, Path(item.path).as_uri())
    if parsed.error:
        return make_error(item, "extract", parsed.error, data)
    for entry in parsed.entries:
        uri = entry.link or f"{item.source_uri}#{entry.guid}"
        article = article_from_feed(SourceItem("inbox", uri, item.path, 0, 0, hints=entry))
        if article is not None:
            batch.articles.append(article)
    return None
