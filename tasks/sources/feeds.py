"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom bytes (fetched by us) to entries, with feedparser."""

from __future__ import annotations

import calendar
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser
import lxml.html

from tasks.extract.urls import canonicalize, is_http_url
from tasks.models import ListedItem, short_hash


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    entries: tuple[ListedItem, ...]
    error: str | None = None  # set when the body is not a usable feed
    warning: str | None = None  # set when the feed was malformed but still yielded entries


_BLOCK = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h[1-6]|/blockquote|/tr)\b[^>]*>")


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of an HTML fragment, one paragraph per line."""
    if not fragment or not fragment.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(_BLOCK.sub("\n", fragment), create_parent="div")
        text = root.text_content()
    except (ValueError, lxml.etree.ParserError):
        text = fragment
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line) or None


def _title(value: str | None, detail: dict | None) -> str | None:
    """A title as plain text. feedparser hands an HTML title (CDATA, escaped markup, Atom's
    type="html" and "xhtml") over as markup, entities escaped: 'AT&amp;T <b>deal</b>' landed
    as the article's title just so."""
    if value and "html" in (detail or {}).get("type", ""):
        value = html_to_text(value)
    return " ".join((value or "").split()) or None


def _page_link(entry: dict) -> str | None:
    """The entry's page. A FeedBurner feed links to its own redirector
    (feeds.feedburner.com/~r/…, feedproxy.google.com/~r/…, now mostly gone) and names the
    article in feedburner:origLink: the redirector's host fails a feed's `allow` (the entry
    was dropped without a word) and is no URL of the article."""
    original = entry.get("feedburner_origlink")
    if isinstance(original, str) and is_http_url(original.strip()):
        return original.strip()
    return entry.get("link")


def _when(entry: dict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:  # feedparser normalises to UTC struct_time
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None


def parse_feed(body: bytes, url: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    """Entries of a feed body. Never fetches anything: feedparser only sees our bytes."""
    # Without a Content-Type feedparser flags every document as suspect; XML is the fair guess.
    given = {k.lower(): v for k, v in (headers or {}).items()}
    given.setdefault("content-type", "application/xml")
    parsed = feedparser.parse(io.BytesIO(body), response_headers={**given, "content-location": url})
    reason = str(parsed.get("bozo_exception", "")) if parsed.get("bozo") else None
    if not parsed.entries:
        if parsed.get("version") and not reason:
            title = _title(parsed.feed.get("title"), parsed.feed.get("title_detail"))
            return ParsedFeed(title, ())  # a valid, empty feed
        head = body[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            return ParsedFeed(None, (), error="not a feed: the URL returned an HTML page")
        return ParsedFeed(None, (), error=f"malformed feed: {reason or 'no entries found'}")
    entries = []
    for e in parsed.entries:
        link = _page_link(e)
        contents = e.get("content") or []
        content = html_to_text(contents[0].get("value")) if contents else None
        # e.get("link"), not `link`: an entry without a GUID keeps the identity it had.
        fallback = short_hash(e.get("title", ""), str(e.get("published", "")))
        guid = e.get("id") or e.get("link") or fallback
        if not (link and is_http_url(link)):
            # 'javascript:…', a GUID taken for a link ('id-900001'), feedparser's '' for
            # 'http://[bad': the entry links to no page (its GUID stays as it was).
            link = None
        entries.append(
            ListedItem(
                guid=guid,
                link=link,
                url=canonicalize(link) if link else None,
                title=_title(e.get("title"), e.get("title_detail")),
                published_at=_when(e),
                author=e.get("author") or None,
                summary=html_to_text(e.get("summary")),
                content=content,
            )
        )
    warning = f"malformed feed, parsed leniently: {reason}" if reason else None
    title = _title(parsed.feed.get("title"), parsed.feed.get("title_detail"))
    return ParsedFeed(title, tuple(entries), warning=warning)
