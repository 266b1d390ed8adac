"""Extraction: raw bytes to an Article, HTML through trafilatura, text through our cleaner.

Extraction is the CPU-bound stage, so a batch is spread over a process pool with one worker
per core. Each worker reads its own files: only paths go in and small records come out.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import datetime
from functools import partial

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.clean_text import clean_text
from tasks.decode import DecodeError, declared_charset, decode
from tasks.dedup import content_hash
from tasks.models import Article, IngestError, SourceItem, short_hash
from tasks.read import MAX_BYTES, RawDoc, make_error, read_item

# Chosen by measurement on 1,200 assembled pages (bench/extraction_options.py, README):
# comments are never article text, and the remaining defaults scored best.
TRAFILATURA_OPTIONS: dict[str, object] = {"include_comments": False}
# Fewer words than this is a menu, a caption or an error page, not an article.
MIN_WORDS = 15
# Below this many items a pool's start-up (~1 s to import trafilatura) costs more than it saves.
POOL_MIN_ITEMS = 24

_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([a-zA-Z]{2,3})\b", re.I)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)


def extract_item(item: SourceItem, max_bytes: int = MAX_BYTES) -> Article | IngestError:
    """Read, decode and extract one item. Never raises for bad input: returns an error."""
    raw = read_item(item, max_bytes)
    if isinstance(raw, IngestError):
        return raw
    try:
        return _extract(raw)
    except DecodeError as exc:
        return make_error(item, "decode", str(exc), raw.data)
    except Exception as exc:  # an extractor bug must cost one item, not the batch
        return make_error(item, "extract", f"{type(exc).__name__}: {exc}", raw.data)


def _extract(raw: RawDoc) -> Article | IngestError:
    item = raw.item
    if raw.kind == "html":
        text, encoding = decode(raw.data, declared_charset(raw.data))
        fields = _from_html(text, raw.data)
        extractor = "trafilatura"
    else:
        text, encoding = decode(raw.data)
        if raw.kind == "markdown":
            text = _MD_HEADING.sub("", text)
        cleaned = clean_text(text)
        fields = {
            "title": cleaned.title,
            "text": cleaned.text,
            "published_at": cleaned.published_at,
        }
        extractor = "text-cleaner"
    body = str(fields.get("text") or "")
    words = len(body.split())
    if words < MIN_WORDS:
        return make_error(
            item, "extract", f"no article text found by {extractor} ({words} words)", raw.data
        )
    digest = content_hash(body)
    return Article(
        article_id=short_hash(item.path, digest),
        source_kind=item.source_kind,
        source_uri=item.source_uri,
        url=fields.get("url"),
        title=fields.get("title"),
        text=body,
        published_at=fields.get("published_at"),
        language=fields.get("language"),
        author=fields.get("author"),
        site_name=fields.get("site_name"),
        description=fields.get("description"),
        content_hash=digest,
        raw_sha256=raw.raw_sha256,
        raw_size=raw.raw_size,
        encoding=encoding,
        extractor=extractor,
        word_count=words,
    )


def _from_html(html: str, data: bytes) -> dict[str, object]:
    import trafilatura  # heavy: imported where used, so the CLI starts fast

    doc = trafilatura.bare_extraction(html, with_metadata=True, **TRAFILATURA_OPTIONS)
    if doc is None:
        return {}
    title = (doc.title or "").strip() or None
    lines = (doc.text or "").split("\n")
    # trafilatura keeps an in-article <h1> as the first line; the title has its own column.
    if title and lines and lines[0].strip() == title:
        lines = lines[1:]
    lang = _HTML_LANG.search(data[:4096])
    return {
        "title": title,
        "text": "\n".join(lines).strip(),
        "url": doc.url,
        "author": doc.author,
        "site_name": doc.sitename,
        "description": doc.description,
        "published_at": _parse_date(doc.date),
        "language": lang.group(1).decode().lower() if lang else None,
    }


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def extract_batch(
    items: list[SourceItem], executor: Executor | None = None, max_bytes: int = MAX_BYTES
) -> tuple[list[Article], list[IngestError]]:
    """Extract a batch, in parallel when an executor is given; order is preserved."""
    work = partial(extract_item, max_bytes=max_bytes)
    if executor is None:
        results: Iterable[Article | IngestError] = map(work, items)
    else:
        chunk = max(1, len(items) // (4 * _workers()))
        results = executor.map(work, items, chunksize=chunk)
    articles: list[Article] = []
    errors: list[IngestError] = []
    for result in results:
        (articles if isinstance(result, Article) else errors).append(result)
    return articles, errors


def _workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def make_pool(n_items: int) -> ProcessPoolExecutor | None:
    """A pool with one worker per core, or None when the work is too small to pay for one."""
    workers = _workers()
    if workers < 2 or n_items < POOL_MIN_ITEMS:
        return None
    # forkserver: forking Prefect's threaded process is unsafe; the server preloads our
    # modules once so each worker starts warm.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tasks.extract", "trafilatura"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


@task(name="extract", cache_policy=NO_CACHE, task_run_name="extract-{label}")
def extract_task(
    items: list[SourceItem], label: str, executor: Executor | None = None
) -> tuple[list[Article], list[IngestError]]:
    return extract_batch(items, executor)
