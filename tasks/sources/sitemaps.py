"""Sitemaps and news sitemaps: page URLs (with dates) and child sitemaps from sitemap XML."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree

from tasks.extract.dates import parse_datetime


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    published_at: datetime | None  # news:publication_date, else lastmod
    title: str | None  # news:title


@dataclass(frozen=True, slots=True)
class Sitemap:
    pages: tuple[SitemapEntry, ...]
    children: tuple[str, ...]  # sitemaps listed by a sitemap index, newest first
    is_news: bool
    # Entries past MAX_SITEMAP_ENTRIES, not read: only that there were more is known.
    cut: bool = False


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


# The sitemap protocol's own limits on a sitemap: uncompressed size, and entries.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_SITEMAP_ENTRIES = 50_000
_FEED_BYTES = 1024 * 1024


def parse_sitemap(body: bytes, base: str = "") -> Sitemap:
    """Parse a <urlset> or <sitemapindex>, gzipped or not (sitemap.xml.gz served without a
    Content-Encoding); raises ValueError when it is neither. A relative <loc> is read against
    `base`, the sitemap's URL (the protocol wants them absolute; not every site obeys).

    Read as a stream, and no further than MAX_SITEMAP_ENTRIES entries (`cut` says so): 50 MB
    of one-line entries, gzipped to 2 MB, were 1.7 million pages, 43 s and 1 GB each, and an
    index of 25 of them held them all at once."""
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        recover=True,
        huge_tree=False,
    )
    data = _inflated(body)
    root: etree._Element | None = None
    pages: list[SitemapEntry] = []
    children: list[tuple[datetime, str]] = []
    is_news = False
    cut = False
    read = 0  # entries, with a <loc> or not
    try:
        for event, node in _events(parser, data):
            if root is None:
                root = node
                if _local(root.tag) not in ("urlset", "sitemapindex"):
                    raise ValueError("not a sitemap: no <urlset> or <sitemapindex>")
            if event != "end" or node.getparent() is not root:
                continue
            if read >= MAX_SITEMAP_ENTRIES:
                cut = True
                break
            read += 1
            # <loc> and <lastmod> are the entry's own; the title and date are those of
            # its <news:news>. An <image:image> or <video:video> has a <loc>, a <title>
            # and a <publication_date> of its own: a photo's caption was the page's title.
            fields = _texts(node)
            for child in node:
                if _local(child.tag) == "news":
                    news = _texts(child, deep=True)
                    fields.update({k: news[k] for k in ("title", "publication_date") if k in news})
            # The entry is read: free it, and the ones before it, as the stream goes.
            node.clear()
            while node.getprevious() is not None:
                del root[0]
            if "loc" not in fields:
                continue
            loc = urljoin(base, fields["loc"]) if base else fields["loc"]
            if _local(root.tag) == "sitemapindex":
                lastmod = parse_datetime(fields.get("lastmod")) or datetime.min
                children.append((lastmod, loc))
                continue
            is_news = is_news or "publication_date" in fields
            when = parse_datetime(fields.get("publication_date") or fields.get("lastmod"))
            pages.append(SitemapEntry(loc, when, fields.get("title")))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not a sitemap: {exc}") from exc
    if root is None:
        raise ValueError("not a sitemap: no <urlset> or <sitemapindex>")
    # Newest first (a stable sort: undated ones last, in their order): only so many sitemaps
    # are read, and an index that lists its monthly sitemaps oldest first had only its
    # oldest pages read.
    children.sort(key=lambda child: child[0], reverse=True)
    return Sitemap(tuple(pages), tuple(loc for _, loc in children), is_news, cut)


def _events(parser: etree.XMLPullParser, data: bytes) -> Iterator[tuple[str, etree._Element]]:
    """The parser's events over `data`, fed a chunk at a time, and those its end brings (a
    recovering parser holds back what follows an error, a bare '&' say, until then)."""
    for at in range(0, len(data), _FEED_BYTES):
        parser.feed(data[at : at + _FEED_BYTES])
        yield from parser.read_events()
    parser.close()
    yield from parser.read_events()


def _texts(node: etree._Element, deep: bool = False) -> dict[str, str]:
    """The first non-blank text of each element name under `node`: its children's, or with
    `deep` all its descendants'."""
    texts: dict[str, str] = {}
    for child in node.iter() if deep else node:
        name = _local(child.tag)
        if child.text and child.text.strip() and name not in texts:
            texts[name] = child.text.strip()
    return texts


def _inflated(body: bytes) -> bytes:
    """`body`, gunzipped if it is gzip, to at most MAX_SITEMAP_BYTES (a gzip bomb stops
    there, not after inflating)."""
    if body[:2] != b"\x1f\x8b":
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, MAX_SITEMAP_BYTES + 1)
    except zlib.error as exc:
        raise ValueError(f"not a sitemap: corrupt gzip ({exc})") from exc
    if len(data) > MAX_SITEMAP_BYTES:
        raise ValueError(f"not a sitemap: over {MAX_SITEMAP_BYTES:,} bytes gunzipped")
    return data
