"""The inbox: a folder where people and programs drop things to ingest.

Articles (.html, .txt, .md, optionally gzipped) are landed like `ingest files`; a feed file
(.xml, .rss, .atom) lands its entries' own text; an OPML file adds its feeds to the sources
file. A file is taken once it has stopped changing for `settle_seconds` (never half-written:
writers that pause longer should write to a hidden or .part name and rename), and exactly
once: file_state remembers each path's size and mtime, so a restart or a second scan skips
it. A file that fails is remembered the same way (with its ingest_errors row): it is tried
again only once it changes. `newsflow watch` runs this flow whenever the folder changes.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path

from prefect import flow
from prefect.utilities.annotations import quote

from flows.runs import (
    BATCH_SIZE,
    RunSummary,
    extract_and_land,
    in_batches,
    land_and_count,
    recorded_run,
)
from tasks.extract.document import MIN_WORDS, article_from_feed
from tasks.extract.read import read_regular_file
from tasks.land import Batch, unchanged_task
from tasks.models import Article, FailedItem, FileState, ListedItem, SourceItem, printable_path
from tasks.settings import settings
from tasks.sources.feeds import parse_feed
from tasks.sources.files import discover
from tasks.sources.http.fetch import FetchPolicy
from tasks.sources.registry import RegistryError, append_feeds, parse_opml

FEED_SUFFIXES = (".xml", ".rss", ".atom")
OPML_SUFFIXES = (".opml",)
SETTLE_SECONDS = 1.0
# A dropped feed gets the byte cap of a fetched one (a feed file is a feed, however it came).
MAX_FEED_BYTES = FetchPolicy.max_bytes
# A fetched feed keeps its newest `max_items` (50) entries; a dropped file may be an archive
# that legitimately holds thousands, and landing them BATCH_SIZE at a time, articles built as
# they are landed, keeps that safe (bench/inbox_feed_drop.py, a 19 MB file of 50,000 entries:
# peak RSS 1,566 MB landed in one transaction, 753 MB in batches, of which 264 MB is the
# process before the pass). What batching cannot bound is feedparser, which holds the whole
# parse: those 50,000 entries took +130 MB and 16 s, but 600,000 empty <item/>s fit in 20 MB
# and took +380 MB and 40 s. 50,000 is about as many entries carrying an article's text
# (MIN_WORDS words plus markup, ~400 bytes) as fit under the byte cap; a file with more is
# refused, counted before parsing, as one ingest_errors row: split it.
MAX_FEED_ENTRIES = 50_000
# Feed entries need no extraction, so landing is all their cost, ~0.4 s per batch whatever
# its size: 10,000 entries landed in 36 s (515 MB) in batches of 200, 20 s (556 MB) of 1,000.
FEED_BATCH_SIZE = 1_000
_ENTRY_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")


def inbox_dir(inbox: str | None = None) -> Path:
    """The argument, else $NEWSFLOW_INBOX, else ./inbox."""
    return Path(inbox) if inbox else settings().inbox


def ready_files(inbox: Path, settle_seconds: float = SETTLE_SECONDS) -> list[Path]:
    """Files under `inbox` that have not changed for `settle_seconds`, oldest first."""
    now = time.time()
    return [path for mtime, path in inbox_files(inbox) if now - mtime >= settle_seconds]


def inbox_files(inbox: Path) -> list[tuple[float, Path]]:
    """(mtime, path) of every file the inbox would take, settled or not, oldest first."""
    return [(st.st_mtime, path) for path, st in inbox_stats(inbox)]


def inbox_stats(inbox: Path) -> list[tuple[Path, os.stat_result]]:
    """(path, stat) of every file the inbox would take, settled or not, oldest first."""
    found = []
    for dirpath, dirnames, filenames in os.walk(inbox):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or name.endswith((".part", ".tmp", ".crdownload", "~")):
                continue
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue  # moved away between listing and looking
            found.append((st.st_mtime, path, st))
    return [(Path(path), st) for _, path, st in sorted(found, key=lambda f: f[:2])]


@flow(name="ingest-inbox")
def ingest_inbox(
    inbox: str | None = None,
    warehouse: str | None = None,
    sources: str | None = None,
    settle_seconds: float = SETTLE_SECONDS,
    batch_size: int = BATCH_SIZE,
    feed_batch_size: int = FEED_BATCH_SIZE,
) -> RunSummary:
    """Land whatever was dropped into the inbox since the last run."""
    folder = inbox_dir(inbox)
    folder.mkdir(parents=True, exist_ok=True)
    with recorded_run(warehouse, {"inbox": str(folder)}) as summary:
        files = ready_files(folder, settle_seconds)
        items, errors = discover([str(f) for f in files], "inbox")
        summary.items_seen = len(items) + len(errors)
        failed = _failed_files(files, errors)
        skip = unchanged_task(summary.warehouse, quote(items + list(failed.values())))
        todo = [i for i in items if i.path not in skip]
        # A file that failed before it could be read (a FIFO, a name that is not UTF-8) and
        # has not changed since is skipped as a landed one is: every pass counted it again,
        # and every watcher start ran a pass for it.
        errors = [e for e in errors if e.source_uri not in skip]
        summary.unchanged = summary.items_seen - len(todo) - len(errors)
        feeds = [i for i in todo if i.path.lower().endswith(FEED_SUFFIXES + OPML_SUFFIXES)]
        articles = [i for i in todo if i not in feeds]
        summary.items_read += len(feeds)
        for n, batch in enumerate(
            subscriptions_and_feeds(feeds, sources, feed_batch_size), start=1
        ):
            land_and_count(summary, batch, f"inbox-feeds-{n:04d}")
        if errors:
            states = [
                failed_state(failed[e.source_uri], e) for e in errors if e.source_uri in failed
            ]
            land_and_count(summary, Batch(errors=errors, file_states=states), "discover")
        extract_and_land(
            summary, in_batches(articles, batch_size), len(articles), "inbox",
            before_land=remember_failures,
        )  # fmt: skip
    return summary


def _failed_files(files: list[Path], errors: list[FailedItem]) -> dict[str, SourceItem]:
    """The files that failed discovery, by their error's source_uri, as items of their
    printable path, size and modification time (for file_state): a file gone meanwhile has
    none."""
    by_name = {printable_path(str(f)): f for f in files}
    out = {}
    for error in errors:
        if (path := by_name.get(error.source_uri)) is None:
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        out[error.source_uri] = SourceItem(
            "inbox", error.source_uri, error.source_uri, st.st_size, st.st_mtime_ns
        )
    return out


def remember_failures(batch: Batch, articles: list[Article], errors: list[FailedItem]) -> None:
    """A file_state row for each dropped file that failed, so that later passes skip it until
    it changes (landing records the files that gave an article)."""
    by_uri = {}
    for item in batch.items:
        by_uri[item.source_uri] = by_uri[printable_path(item.source_uri)] = item
    landed = {a.source_uri for a in articles}
    recorded = set()
    for error in errors:
        item = by_uri.get(error.source_uri)
        if item is None or item.path in recorded:
            continue
        if {item.source_uri, printable_path(item.source_uri)} & landed:
            continue
        recorded.add(item.path)
        batch.file_states.append(failed_state(item, error))


def failed_state(item: SourceItem, error: FailedItem) -> FileState:
    return FileState(
        printable_path(item.path), item.size, item.mtime_ns, error.raw_sha256 or "", None
    )


def subscriptions_and_feeds(
    items: list[SourceItem], sources: str | None, batch_size: int = BATCH_SIZE
) -> Iterator[Batch]:
    """Batches for dropped feed and OPML files: feed entries with text become articles, at
    most `batch_size` to a batch, built as they are landed; OPML outlines join the sources
    file. Each file, failed or not, gets its file_state row in the batch that lands its last
    entry (except an OPML file that failed for the sources file's fault: it is tried again)."""
    batch = Batch()
    for item in items:
        digest, error, retry = "", None, False
        try:
            data = read_regular_file(item.path, MAX_FEED_BYTES)
        except OSError as exc:
            error = FailedItem.of_file(item, "read", f"cannot read file: {exc.strerror or exc}")
            data = b""
        if error is None and len(data) > MAX_FEED_BYTES:
            error = FailedItem.of_file(
                item, "read", f"feed file too large: over {MAX_FEED_BYTES:,} bytes"
            )
        elif error is None:
            digest = sha256(data).hexdigest()
            if item.path.lower().endswith(OPML_SUFFIXES):
                error, retry = _import_opml(item, data, sources)
            else:
                error, entries, warning = _feed_entries(item, data)
                del data  # the parse holds what is needed now
                landed = 0
                for entry in entries:
                    uri = entry.link or f"{item.source_uri}#{entry.guid}"
                    hinted = SourceItem("inbox", uri, item.path, 0, 0, hints=entry)
                    article = article_from_feed(hinted)
                    if article is not None:
                        batch.articles.append(article)
                        landed += 1
                    if len(batch.articles) >= batch_size:
                        yield batch
                        batch = Batch()
                if error is None and warning:
                    error = FailedItem.of_file(
                        item, "extract", _left_out(warning, landed, len(entries))
                    )
                elif error is None and entries and not landed:
                    error = FailedItem.of_file(item, "extract", _headlines_only(len(entries)))
        batch.items.append(item)
        if error is not None:
            batch.errors.append(error)
        if not retry:
            batch.file_states.append(
                FileState(printable_path(item.path), item.size, item.mtime_ns, digest, None)
            )
    if batch.items or batch.articles:
        yield batch


def _import_opml(
    item: SourceItem, data: bytes, sources: str | None
) -> tuple[FailedItem | None, bool]:
    """The error, if any, and whether to try the file again on the next pass."""
    try:
        feeds = parse_opml(data)
    except RegistryError as exc:
        return FailedItem.of_file(item, "extract", str(exc), data), False
    try:
        append_feeds(sources, feeds)
    except (RegistryError, OSError) as exc:
        return FailedItem.of_file(
            item, "land", f"cannot add its feeds to the sources file: {exc}"
        ), True
    return None, False


def _feed_entries(
    item: SourceItem, data: bytes
) -> tuple[FailedItem | None, tuple[ListedItem, ...], str | None]:
    """The file's entries, or the error that refuses it, and what was wrong with a feed
    read leniently (a cut-off file)."""
    tags = len(_ENTRY_TAG.findall(data))
    if tags > MAX_FEED_ENTRIES:  # counted before parsing: feedparser holds the whole parse
        return FailedItem.of_file(item, "extract", _too_many(tags), data), (), None
    # No base URL: the file's own (file:///…) made a guid 'id-9' into 'file://tmp/…/id-9'.
    parsed = parse_feed(data, "")
    if parsed.error:
        return FailedItem.of_file(item, "extract", parsed.error, data), (), None
    if len(parsed.entries) > MAX_FEED_ENTRIES:
        error = FailedItem.of_file(item, "extract", _too_many(len(parsed.entries)), data)
        return error, (), None
    return None, parsed.entries, parsed.warning


def _left_out(warning: str, landed: int, entries: int) -> str:
    """A dropped feed read leniently (a cut-off file): one error row for the file, so that
    what could not be read is not lost in silence; the entries with their text still land
    (entries without text, as in a well-formed feed, land nothing: docs/running.md)."""
    return f"{warning}; {landed:,} of {entries:,} entries carry text of {MIN_WORDS} words or more"


def _headlines_only(entries: int) -> str:
    """A dropped feed none of whose entries carries its text (headlines and links, as most
    feeds are) lands nothing: one row says so, and how its pages are fetched instead (it was
    a pass with nothing to show for the file)."""
    return (
        f"none of its {entries:,} entries carries text of {MIN_WORDS} words or more: a feed "
        "of headlines and links is fetched from the web by `newsflow ingest feed URL` or as "
        "a [[feeds]] entry of the sources file"
    )


def _too_many(entries: int) -> str:
    return (
        f"feed file has {entries:,} entries, over the cap of {MAX_FEED_ENTRIES:,} for a "
        "dropped feed: split it into smaller files"
    )
