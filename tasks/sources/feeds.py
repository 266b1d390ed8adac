"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom bytes (fetched by us) to entries, with feedparser;
JSON Feed (jsonfeed.org, 1.0 and 1.1), which feedparser does not read, here."""

from __future__ import annotations

import calendar
import io
import json
import re
import zlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
import lxml.html

from tasks.extract.dates import parse_datetime
from tasks.extract.read import MAX_BYTES, gunzip
from tasks.extract.urls import canonicalize, is_http_url
from tasks.models import ListedItem, short_hash


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    entries: tuple[ListedItem, ...]
    error: str | None = None  # set when the body is not a usable feed
    warning: str | None = None  # set when the feed was malformed but still yielded entries


# Items of a feed read, from the top (feeds list the newest first): 18 MB of '{},' in a
# JSON Feed were 6 million entries, 160 s and 1.7 GB, for the 50 newest a poll takes; an RSS
# file of 60,000 short items, 5.7 MB, took feedparser 10 s of CPU (600,000: 194 s).
MAX_FEED_ITEMS = 10_000
# The end of an RSS <item> or an Atom <entry> (RSS 1.0's, prefixed or not).
_ITEM_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>", re.I)

_BLOCK = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h[1-6]|/blockquote|/tr)\b[^>]*>")
# Elements whose content is no text of the entry (feedparser's sanitizer dropped them).
_NOT_TEXT = ("script", "style", "applet", "template")


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of an HTML fragment, one paragraph per line."""
    if not fragment or not fragment.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(_BLOCK.sub("\n", fragment), create_parent="div")
        for element in list(root.iter(*_NOT_TEXT)):
            element.drop_tree()
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
    if body[:2] == b"\x1f\x8b":
        # A feed.xml.gz served without a Content-Encoding, or a body gzipped twice (a server
        # compressing a file it keeps compressed): "malformed feed: not well-formed".
        try:
            body = gunzip(body, MAX_BYTES)
        except (EOFError, zlib.error, ValueError) as exc:
            return ParsedFeed(None, (), error=f"malformed feed: gzipped, but {exc}")
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        # feedparser took a JSON Feed for broken XML: "malformed feed: <unknown>:2:0: not
        # well-formed (invalid token)".
        return _json_feed(body, url)
    body, cut = _first_items(body)
    # Without a Content-Type feedparser flags every document as suspect; XML is the fair guess.
    given = {k.lower(): v for k, v in (headers or {}).items()}
    given.setdefault("content-type", "application/xml")
    # Without feedparser's HTML sanitizer and link resolver: they parse every entry's HTML
    # once more, tag by tag in Python, for markup html_to_text reads as text anyway (a feed
    # of 500 full-text entries, 2.7 MB: 11 s, now 1.2 s; 20 MB of bare tags: minutes).
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={**given, "content-location": url},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
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
    warnings = [f"malformed feed, parsed leniently: {reason}" if reason else None, cut]
    title = _title(parsed.feed.get("title"), parsed.feed.get("title_detail"))
    warning = "; ".join(w for w in warnings if w) or None
    return ParsedFeed(title, _distinct_guids(entries), warning=warning)


def _first_items(body: bytes) -> tuple[bytes, str | None]:
    """`body` without its items past MAX_FEED_ITEMS (what follows the last item, the
    channel's end, kept), and a warning saying so; as it was when it has no more."""
    ends = [m.end() for m in _ITEM_END.finditer(body)]
    if len(ends) <= MAX_FEED_ITEMS:
        return body, None
    cut = body[: ends[MAX_FEED_ITEMS - 1]] + body[ends[-1] :]
    return cut, _read_in_part(len(ends))


def _read_in_part(items: int) -> str:
    """The warning of a feed of more than MAX_FEED_ITEMS items, whatever its format."""
    return f"{items:,} items: the first {MAX_FEED_ITEMS:,} read"


def _distinct_guids(entries: list[ListedItem]) -> tuple[ListedItem, ...]:
    """`entries`, an entry whose GUID other entries with other links share known by its link
    instead. Some CMSs give every entry the site's address as its <guid>: once one entry was
    seen, so was every later one, and no new entry of the feed ever landed."""
    links: dict[str, set[str | None]] = {}
    for e in entries:
        links.setdefault(e.guid, set()).add(e.link)
    return tuple(
        replace(e, guid=e.link) if e.link and len(links[e.guid]) > 1 else e for e in entries
    )


def _json_feed(body: bytes, url: str) -> ParsedFeed:
    """Entries of a JSON Feed (https://www.jsonfeed.org/version/1.1/)."""
    try:
        feed = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return ParsedFeed(None, (), error=f"malformed feed: not valid JSON ({exc})")
    except RecursionError:  # '[[[[…' 100,000 deep: not a feed, and not the run's end
        return ParsedFeed(None, (), error="malformed feed: nested too deeply to be a JSON Feed")
    version = feed.get("version") if isinstance(feed, dict) else None
    if not (isinstance(version, str) and "jsonfeed.org/version/" in version):
        return ParsedFeed(None, (), error="not a feed: JSON, but not a JSON Feed (no version)")
    title = _text(feed.get("title"))
    items = feed.get("items")
    if not isinstance(items, list):
        return ParsedFeed(title, (), error="malformed feed: a JSON Feed without its items")
    warning = None
    if len(items) > MAX_FEED_ITEMS:
        warning = _read_in_part(len(items))
        items = items[:MAX_FEED_ITEMS]
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = _text(item.get("url")) or _text(item.get("external_url"))
        link = urljoin(url, link) if link and url else link
        if not (link and is_http_url(link)):
            link = None
        content = html_to_text(_text(item.get("content_html"))) or _text(item.get("content_text"))
        authors = item.get("authors") or [item.get("author")]  # 1.1, else 1.0's one author
        names = [_text(a.get("name")) for a in authors if isinstance(a, dict)]
        # 'id' is required, and may be a number ("convenient for some publishers").
        guid = _text(item.get("id")) or link or short_hash(str(item.get("title")), "")
        entries.append(
            ListedItem(
                guid=guid,
                link=link,
                url=canonicalize(link) if link else None,
                title=_title(_text(item.get("title")), None),
                published_at=parse_datetime(item.get("date_published"))
                or parse_datetime(item.get("date_modified")),
                author=", ".join(n for n in names if n) or None,
                summary=_text(item.get("summary")),
                content=content,
            )
        )
    return ParsedFeed(title, _distinct_guids(entries), warning=warning)


def _text(value: object) -> str | None:
    """A JSON value as a non-blank string (a number id as its digits), else None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value).strip() or None
