"""Sitemaps and news sitemaps: page URLs (with dates) and child sitemaps from sitemap XML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    children: tuple[str, ...]  # sitemaps listed by a sitemap index
    is_news: bool


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(body: bytes) -> Sitemap:
    """Parse a <urlset> or <sitemapindex>; raises ValueError when it is neither."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not a sitemap: {exc}") from exc
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise ValueError("not a sitemap: no <urlset> or <sitemapindex>")
    pages, children, is_news = [], [], False
    for node in root:
        fields: dict[str, str] = {}
        for child in node.iter():
            name = _local(child.tag)
            if child.text and child.text.strip() and name not in fields:
                fields[name] = child.text.strip()
        if "loc" not in fields:
            continue
        if _local(root.tag) == "sitemapindex":
            children.append(fields["loc"])
            continue
        is_news = is_news or "publication_date" in fields
        when = parse_datetime(fields.get("publication_date") or fields.get("lastmod"))
        pages.append(SitemapEntry(fields["loc"], when, fields.get("title")))
    return Sitemap(tuple(pages), tuple(children), is_news)
