"""Sitemap parsing: url sets, news sitemaps and sitemap indexes."""

from __future__ import annotations

from datetime import datetime

import pytest

from tasks.sources.sitemaps import parse_sitemap

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://n.example/a</loc>
    <news:news><news:publication><news:name>N</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2024-10-22T10:00:00+02:00</news:publication_date>
      <news:title>Story A</news:title></news:news></url>
  <url><loc>https://n.example/b</loc><lastmod>2024-10-20</lastmod></url>
</urlset>"""


def test_news_sitemap() -> None:
    sitemap = parse_sitemap(NEWS)
    assert sitemap.is_news and sitemap.children == ()
    a, b = sitemap.pages
    assert (a.url, a.title, a.published_at) == (
        "https://n.example/a",
        "Story A",
        datetime(2024, 10, 22, 8),
    )
    assert (b.url, b.published_at) == ("https://n.example/b", datetime(2024, 10, 20))


def test_sitemap_index() -> None:
    body = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://n.example/s1.xml</loc></sitemap>
      <sitemap><loc>https://n.example/s2.xml</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(body).children == ("https://n.example/s1.xml", "https://n.example/s2.xml")


@pytest.mark.parametrize("body", [b"<html><body>no</body></html>", b"", b"\x00garbage"])
def test_not_a_sitemap(body: bytes) -> None:
    with pytest.raises(ValueError, match="not a sitemap"):
        parse_sitemap(body)


def test_external_entities_are_not_resolved() -> None:
    body = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://n.example/&e;</loc></url></urlset>"""
    pages = parse_sitemap(body).pages
    assert all("root:" not in p.url for p in pages)


def test_a_gzipped_sitemap_is_read_and_a_gzip_bomb_stops_at_the_cap() -> None:
    import gzip

    assert parse_sitemap(gzip.compress(NEWS)) == parse_sitemap(NEWS)
    bomb = gzip.compress(b"<urlset>" + b" " * 60_000_000, compresslevel=9)  # ~60 KB
    with pytest.raises(ValueError, match="over 52,428,800 bytes gunzipped"):
        parse_sitemap(bomb)
    with pytest.raises(ValueError, match="corrupt gzip"):
        parse_sitemap(b"\x1f\x8b" + b"\x00" * 40)


def test_an_image_or_video_gives_the_page_neither_its_title_nor_its_date() -> None:
    # The first <title> and <publication_date> anywhere in an entry were taken: a photo's
    # caption was the page's title, a video's date the article's.
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:video="http://www.google.com/schemas/sitemap-video/1.1">
      <url><loc>https://n.example/a</loc>
        <image:image><image:loc>https://n.example/a.jpg</image:loc>
          <image:title>Photo: the harbour at dawn</image:title></image:image>
        <news:news><news:publication><news:name>N</news:name></news:publication>
          <news:publication_date>2024-10-22T10:00:00Z</news:publication_date>
          <news:title>Story A</news:title></news:news></url>
      <url><loc>https://n.example/b</loc><lastmod>2024-10-20</lastmod>
        <video:video><video:title>Clip</video:title>
          <video:publication_date>2019-01-01</video:publication_date></video:video></url>
    </urlset>"""
    sitemap = parse_sitemap(body)
    assert [(p.url, p.title, p.published_at) for p in sitemap.pages] == [
        ("https://n.example/a", "Story A", datetime(2024, 10, 22, 10)),
        ("https://n.example/b", None, datetime(2024, 10, 20)),
    ]
    assert sitemap.is_news


def test_relative_locations_are_read_against_the_sitemaps_url() -> None:
    # '/a/82.html' was fetched as it was: "unsupported URL scheme", with no host to tell where.
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>/news/a</loc></url><url><loc>https://other.example/b</loc></url></urlset>"""
    pages = parse_sitemap(body, "https://n.example/sitemaps/news.xml").pages
    assert [p.url for p in pages] == ["https://n.example/news/a", "https://other.example/b"]
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>part-2.xml</loc></sitemap></sitemapindex>"""
    children = parse_sitemap(index, "https://n.example/sitemaps/index.xml").children
    assert children == ("https://n.example/sitemaps/part-2.xml",)


def test_a_sitemap_is_read_to_the_protocols_50000_entries_and_says_it_was_cut() -> None:
    # 50 MB of one-line entries, gzipped to 2 MB, were 1.7 million pages, 43 s and 1 GB,
    # and each of an index's 25 sitemaps could be one.
    import gzip

    urls = b"".join(b"<url><loc>/p/%d</loc></url>" % n for n in range(60_000))
    body = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + b"</urlset>"
    sitemap = parse_sitemap(gzip.compress(body), "https://n.example/")
    assert sitemap.cut and len(sitemap.pages) == 50_000
    assert (sitemap.pages[0].url, sitemap.pages[-1].url) == (
        "https://n.example/p/0",
        "https://n.example/p/49999",
    )
    assert not parse_sitemap(NEWS).cut


def test_entries_after_a_recovered_error_are_read() -> None:
    # Read as a stream, everything after a bare '&' (a common slip) came only at the end,
    # and was lost: no pages at all.
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://n.example/a?x=1&y=2</loc></url>
      <url><loc>https://n.example/b</loc></url></urlset>"""
    assert [p.url for p in parse_sitemap(body).pages][-1:] == ["https://n.example/b"]
    unclosed = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://n.example/a</loc></url><url><loc>https://n.example/b</loc>"""
    assert [p.url for p in parse_sitemap(unclosed).pages] == [
        "https://n.example/a",
        "https://n.example/b",
    ]
