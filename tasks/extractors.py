"""One document to one Article: HTML through trafilatura, plain text through our cleaner.

This module runs inside extraction worker processes, so it imports nothing heavy it does
not use (no Prefect): a worker starts in a fraction of a second.
"""

from __future__ import annotations

import re
from datetime import datetime

from tasks.clean_text import clean_text
from tasks.decode import DecodeError, declared_charset, decode
from tasks.dedup import content_hash
from tasks.models import Article, IngestError, SourceItem, short_hash
from tasks.read import MAX_BYTES, RawDoc, make_error, read_item

# Chosen by measurement on assembled pages (bench/extraction_options.py; README "Extraction"):
# comments and sidebar tables (market data, league tables) were the main leaks into the body,
# F1 0.951 -> 0.995. fast=True was 30% faster at equal quality there, but it switches off the
# fallback extractors that rescue badly structured real pages, so we keep them.
TRAFILATURA_OPTIONS: dict[str, object] = {"include_comments": False, "include_tables": False}
# Fewer words than this is a menu, a caption or an error page, not an article.
MIN_WORDS = 15

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
    except ImportError:  # a broken installation, not a bad page: fail the run loudly
        raise
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
