"""Web ingest end to end against a real HTTP server on 127.0.0.1: feeds, pages, the fetcher's
politeness and safety rules, feed state, and reprocessing from the raw store."""

from __future__ import annotations

import gzip
import html
import json
import logging
from pathlib import Path

import pytest

from flows.reprocess import reprocess
from flows.web import ingest_feeds, ingest_sitemap, ingest_urls
from tasks.extract.clean_text import clean_text
from tests.conftest import FIXTURES, SEEDS, rows
from tests.webserver import LocalServer, Reply, Request

pytestmark = pytest.mark.usefixtures("prefect_server")

SEED_FILES = sorted(SEEDS.glob("*.txt"))
DATES = ["2024-10-23T10:00:00Z", "2024-10-25T09:00:00Z", "2024-10-22T07:30:00Z",
         "2024-10-24T06:00:00Z", "2024-10-29T08:15:00+09:00"]  # fmt: skip


def article_page(n: int) -> str:
    """A seed article as a news site would serve it: JSON-LD, Open Graph, chrome around it."""
    cleaned = clean_text(SEED_FILES[n].read_text(encoding="utf-8"))
    title = html.escape(cleaned.title or "")
    body = "".join(f"<p>{html.escape(p)}</p>" for p in cleaned.text.split("\n"))
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": cleaned.title,
          "datePublished": DATES[n], "author": {"@type": "Person", "name": f"Reporter {n}"},
          "publisher": {"@type": "Organization", "name": "Seed News"}}  # fmt: skip
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Seed News'
        f'</title><meta property="og:site_name" content="Seed News">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script></head><body>'
        '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        "<aside><h3>Most read</h3><ul><li><a href='/x'>Cricket captain named</a></li></ul>"
        "</aside><footer>© Seed News. All rights reserved.</footer></body></html>"
    )


HTML_UTF8 = {"Content-Type": "text/html; charset=utf-8"}


def conditional(body: bytes, etag: str, content_type: str = "application/rss+xml") -> callable:
    """A feed endpoint that honours If-None-Match, as a good server does."""

    def answer(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(200, body, {"ETag": etag, "Content-Type": content_type})

    return answer


def feed_bytes(name: str, base: str) -> bytes:
    return (FIXTURES / "feeds" / name).read_bytes().replace(b"{base}", base.encode())


@pytest.fixture
def site(web: LocalServer) -> LocalServer:
    for n in range(5):
        web.add(
            f"/articles/00{n}.html",
            article_page(n),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
    latin = article_page(1).replace("South Korea Alarmed", "Crème brûlée Alarmed")
    web.add("/articles/latin.html", latin.replace('<meta charset="utf-8">', "").encode("cp1252"),
            headers={"Content-Type": "text/html; charset=windows-1252"})  # fmt: skip
    for name in ("rss2.xml", "atom.xml", "rss1.rdf", "wrong-charset.xml", "malformed.xml"):
        web.handle(f"/feeds/{name}", conditional(feed_bytes(name, web.base_url), f'"{name}-v1"'))
    web.add("/feeds/huge.xml", b"<rss><channel>" + b"<item><title>x</title></item>" * 120_000)
    web.add("/feeds/loop.xml", status=302, headers={"Location": "/feeds/loop2.xml"})
    web.add("/feeds/loop2.xml", status=302, headers={"Location": "/feeds/loop.xml"})
    web.add("/feeds/limited.xml", status=429, headers={"Retry-After": "3600"})
    # Once an OverflowError that failed the whole run, every run after it.
    web.add("/feeds/forever.xml", status=503, headers={"Retry-After": "300000000000"})
    web.add("/feeds/broken.xml", status=500, body="oops")
    web.add("/feeds/slow.xml", feed_bytes("atom.xml", web.base_url), delay=3)
    web.add("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    return web


def sources_file(tmp_path: Path, server: LocalServer, feeds: list[str], **network) -> str:
    net = {"allowed_hosts": ["127.0.0.1"], "per_host_delay": 0, "timeout": 1.0,
           "max_bytes": 2_000_000, **network}  # fmt: skip
    lines = ["[network]"] + [f"{k} = {json.dumps(v)}" for k, v in net.items()]
    for name in feeds:
        lines += ["[[feeds]]", f'name = "{name}"', f'url = "{server.url("/feeds/" + name)}"']
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


GOOD = ["rss2.xml", "atom.xml", "rss1.rdf", "wrong-charset.xml"]
BAD = ["malformed.xml", "huge.xml", "loop.xml", "limited.xml", "broken.xml", "slow.xml",
       "forever.xml"]  # fmt: skip


def test_feeds_land_new_items_and_bad_feeds_are_recorded(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    sources = sources_file(tmp_path, site, GOOD + BAD)
    first = ingest_feeds(sources=sources, warehouse=warehouse)

    landed = rows(
        warehouse,
        "SELECT source_uri, url, title, published_at, extractor, text, author FROM articles "
        "ORDER BY source_uri",
    )
    by_path = {uri.split(site.base_url)[1]: rest for uri, *rest in landed}
    assert sorted(by_path) == [
        "/articles/000.html", "/articles/001.html?utm_source=rss&utm_medium=feed",
        "/articles/002.html", "/articles/003.html", "/articles/004.html",
        "/articles/gone.html", "/articles/latin.html",
    ]  # fmt: skip
    url, _, published, extractor, text, author = by_path["/articles/004.html"]
    assert url == site.url("/articles/004.html")
    assert extractor == "trafilatura" and author == "Reporter 4"
    assert str(published) == "2024-10-28 23:15:00"  # JSON-LD, converted to UTC
    for chrome in ("Most read", "Cricket captain", "All rights reserved", "Home World Sport"):
        assert chrome not in text
    # The tracking parameters are gone from the canonical URL, not from source_uri.
    assert by_path["/articles/001.html?utm_source=rss&utm_medium=feed"][0] == site.url(
        "/articles/001.html"
    )
    # A page that is gone: the feed's own text stands in, marked as such.
    assert by_path["/articles/gone.html"][3] == "feed-content"
    assert "carried inside the feed itself" in by_path["/articles/gone.html"][4]
    assert "Crème brûlée Alarmed" in by_path["/articles/latin.html"][1]

    errors = dict(
        rows(warehouse, "SELECT regexp_extract(source_uri, '[^/]+$'), error FROM ingest_errors")
    )
    assert errors["malformed.xml"].startswith("malformed feed")
    assert "too large" in errors["huge.xml"]
    assert "redirect" in errors["loop.xml"]
    assert "429" in errors["limited.xml"]
    assert "500" in errors["broken.xml"]
    assert "timed out" in errors["slow.xml"]
    assert "404" in errors["gone.html"]
    assert "503" in errors["forever.xml"]
    assert (first.new_articles, first.errors) == (7, 8)

    health = dict(rows(warehouse, "SELECT name, last_error_kind FROM sources"))
    assert {k: health[k] for k in GOOD} == dict.fromkeys(GOOD)
    assert health["malformed.xml"] == "soft" and health["loop.xml"] == "hard"
    assert health["limited.xml"] == "temporary" and health["slow.xml"] == "temporary"
    ((next_poll_hours,),) = rows(
        warehouse,
        "SELECT date_diff('minute', last_polled_at, next_poll_at) / 60 FROM sources "
        "WHERE name = 'limited.xml'",
    )
    assert next_poll_hours >= 1  # Retry-After: 3600 is respected
    # Retry-After: 300000000000 is read as a week, the longest a source waits.
    assert rows(
        warehouse,
        "SELECT date_diff('hour', last_polled_at, next_poll_at) FROM sources "
        "WHERE name = 'forever.xml'",
    ) == [(7 * 24,)]


def test_second_poll_is_conditional_and_lands_nothing(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    sources = sources_file(tmp_path, site, GOOD)
    ingest_feeds(sources=sources, warehouse=warehouse)
    pages_before = len([r for r in site.requests if r.path.startswith("/articles/")])
    again = ingest_feeds(sources=sources, warehouse=warehouse, force=True)
    assert (again.new_articles, again.items_read) == (0, 0)
    last = site.hits("/feeds/rss2.xml")[-1]
    assert last.headers.get("if-none-match") == '"rss2.xml-v1"'
    assert len([r for r in site.requests if r.path.startswith("/articles/")]) == pages_before
    assert rows(warehouse, "SELECT DISTINCT last_outcome FROM sources") == [("not_modified",)]


def test_not_due_feeds_are_not_polled(site: LocalServer, tmp_path: Path, warehouse: str) -> None:
    sources = sources_file(tmp_path, site, ["rss2.xml"])
    ingest_feeds(sources=sources, warehouse=warehouse)
    ingest_feeds(sources=sources, warehouse=warehouse)  # due again in 10 minutes
    assert len(site.hits("/feeds/rss2.xml")) == 1


def test_entries_already_seen_by_url_are_not_fetched_again(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    ingest_urls(urls=[site.url("/articles/002.html")], sources=sources_file(tmp_path, site, []),
                warehouse=warehouse)  # fmt: skip
    ingest_feeds(urls=[site.url("/feeds/rss2.xml")], sources=sources_file(tmp_path, site, []),
                 warehouse=warehouse)  # fmt: skip
    assert len(site.hits("/articles/002.html")) == 1


def test_one_page_or_feed_written_several_ways_is_fetched_once(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # Fetched three times (and counted 7 read, 4 new); a feed three times, two sources rows.
    page = site.url("/articles/002.html")
    sources = sources_file(tmp_path, site, [])
    urls = [page, page, page + "#top", page + "?utm_source=x"]
    summary = ingest_urls(urls=urls, sources=sources, warehouse=warehouse)
    assert (summary.items_seen, summary.items_read, summary.new_articles) == (1, 1, 1)
    assert len(site.hits("/articles/002.html")) == 1
    feed = site.url("/feeds/rss2.xml")
    ingest_feeds(urls=[feed, feed, feed + "#x"], sources=sources, warehouse=warehouse)
    assert len(site.hits("/feeds/rss2.xml")) == 1
    assert rows(warehouse, "SELECT count(*) FROM sources") == [(1,)]


def test_ssrf_guard_refuses_links_to_private_addresses(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    port = site.base_url.rsplit(":", 1)[1]
    evil = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Evil</title>
      <item><title>Metadata</title><link>http://169.254.169.254/latest/meta-data/</link></item>
      <item><title>Loopback</title><link>http://127.0.0.1:{port}/articles/000.html</link></item>
    </channel></rss>"""
    site.add("/feeds/evil.xml", evil, headers={"Content-Type": "application/rss+xml"})
    # Only the name "localhost" is allowed: the feed itself is fetched, its links are not.
    sources = sources_file(tmp_path, site, [], allowed_hosts=["localhost"])
    summary = ingest_feeds(urls=[f"http://localhost:{port}/feeds/evil.xml"], sources=sources,
                           warehouse=warehouse)  # fmt: skip
    assert summary.new_articles == 0
    errors = [e for (e,) in rows(warehouse, "SELECT error FROM ingest_errors ORDER BY error")]
    assert len(errors) == 2
    assert "127.0.0.1" in errors[0] and "loopback" in errors[0]
    assert "169.254.169.254" in errors[1] and "link-local" in errors[1]
    assert site.hits("/articles/000.html") == []


def test_robots_txt_is_honoured(site: LocalServer, tmp_path: Path, warehouse: str) -> None:
    site.add("/private/secret.html", article_page(0))
    ingest_urls(urls=[site.url("/private/secret.html")], sources=sources_file(tmp_path, site, []),
                warehouse=warehouse)  # fmt: skip
    assert site.hits("/private/secret.html") == []
    assert rows(warehouse, "SELECT error FROM ingest_errors") == [("disallowed by robots.txt",)]


def test_sitemap_discovery(site: LocalServer, tmp_path: Path, warehouse: str) -> None:
    site.add("/robots.txt", f"User-agent: *\nSitemap: {site.url('/sitemap_index.xml')}\n")
    site.add(
        "/sitemap_index.xml",
        f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{site.url("/news-sitemap.xml")}</loc></sitemap></sitemapindex>""",
    )
    site.add("/news-sitemap.xml", f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>{site.url('/articles/003.html')}</loc><news:news>
        <news:publication_date>2024-10-24T06:00:00Z</news:publication_date></news:news></url>
      <url><loc>{site.url('/articles/004.html')}</loc><news:news>
        <news:publication_date>2024-10-29T00:00:00Z</news:publication_date></news:news></url>
      <url><loc>{site.url('/articles/000.html')}</loc><news:news>
        <news:publication_date>2024-10-01T00:00:00Z</news:publication_date></news:news></url>
    </urlset>""")  # fmt: skip
    sources = sources_file(tmp_path, site, [])
    summary = ingest_sitemap(
        url=site.base_url + "/", max_items=2, sources=sources, warehouse=warehouse
    )
    assert summary.new_articles == 2  # the two newest
    uris = [u for (u,) in rows(warehouse, "SELECT source_uri FROM articles ORDER BY 1")]
    assert uris == [site.url("/articles/003.html"), site.url("/articles/004.html")]
    # One robots.txt request serves both the Sitemap: lines and the robots checks.
    assert len(site.hits("/robots.txt")) == 1


def test_a_sitemap_named_anyhow_and_gzipped_is_read(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # A path not ending in .xml was taken for a site and never fetched; a gzipped sitemap
    # served as application/x-gzip (no Content-Encoding) was "not a sitemap".
    urlset = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>{site.url("/articles/002.html")}</loc></url></urlset>"""
    site.add("/news-sitemap", gzip.compress(urlset.encode()),
             headers={"Content-Type": "application/x-gzip"})  # fmt: skip
    sources = sources_file(tmp_path, site, [])
    summary = ingest_sitemap(url=site.url("/news-sitemap"), sources=sources, warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (1, 0)
    assert len(site.hits("/news-sitemap")) == 1


def test_a_sitemap_over_a_pages_cap_is_read(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # The protocol allows 50 MB; 50,000 entries with news or image tags pass 10 MB, and
    # were "body too large: over 10000000 bytes" under the cap for pages.
    padding = "<!-- " + "x" * 12_000_000 + " -->"
    urlset = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{padding}
      <url><loc>{site.url("/articles/002.html")}</loc></url></urlset>"""
    site.add("/big-sitemap.xml", urlset.encode())
    sources = sources_file(tmp_path, site, [])
    summary = ingest_sitemap(url=site.url("/big-sitemap.xml"), sources=sources, warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (1, 0)


def test_a_sitemap_past_the_protocols_entries_is_read_that_far_and_says_so(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    entries = [site.url("/articles/002.html")] + [f"/gone/{n}" for n in range(50_000)]
    locs = "".join(f"<url><loc>{loc}</loc></url>" for loc in entries)
    site.add("/huge.xml", f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}')
    sources = sources_file(tmp_path, site, [])
    summary = ingest_sitemap(
        url=site.url("/huge.xml"), max_items=1, sources=sources, warehouse=warehouse
    )
    assert summary.new_articles == 1
    assert rows(warehouse, "SELECT source_uri, stage, error FROM ingest_errors") == [
        (
            site.url("/huge.xml"),
            "parse",
            "over 50,000 entries, the sitemap protocol's limit: the first 50,000 read",
        )
    ]


def test_a_sites_allow_holds_for_the_sitemaps_it_lists(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # Only its pages were held to it: the sitemaps a robots.txt, an index or a redirect
    # named were fetched from any host.
    with LocalServer("127.0.0.2") as other:
        elsewhere = other.add("/sitemap.xml", "<urlset/>")
        moved = other.add("/moved.xml", "<urlset/>")
        site.add("/robots.txt", f"User-agent: *\nSitemap: {site.url('/index.xml')}\n")
        site.add("/index.xml", f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <sitemap><loc>{elsewhere}</loc></sitemap>
          <sitemap><loc>{site.url("/redirect.xml")}</loc></sitemap>
          <sitemap><loc>{site.url("/own.xml")}</loc></sitemap></sitemapindex>""")  # fmt: skip
        site.add("/redirect.xml", status=301, headers={"Location": moved})
        site.add("/own.xml", f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <url><loc>{site.url("/articles/002.html")}</loc></url></urlset>""")  # fmt: skip
        sources = Path(sources_file(tmp_path, site, [], allowed_hosts=["127.0.0.1", "127.0.0.2"]))
        with sources.open("a") as toml:
            toml.write(f'[[sites]]\nurl = "{site.base_url}/"\nallow = ["127.0.0.1"]\n')
        summary = ingest_sitemap(sources=str(sources), warehouse=warehouse)
        assert other.requests == []
    assert summary.new_articles == 1
    assert dict(rows(warehouse, "SELECT source_uri, error FROM ingest_errors")) == {
        elsewhere: "refused: 127.0.0.2 is not in the site's `allow`",
        site.url("/redirect.xml"): "refused redirect to 127.0.0.2: not in its `allow`",
    }


def test_a_sitemap_index_too_long_or_of_itself_says_so(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    def index(locs: list[str]) -> str:
        children = "".join(f"<sitemap><loc>{site.url(loc)}</loc></sitemap>" for loc in locs)
        return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}'

    site.add("/self.xml", index(["/self.xml"]) + "</sitemapindex>")
    site.add("/many.xml", index([f"/s{n}.xml" for n in range(30)]) + "</sitemapindex>")
    for n in range(30):
        site.add(f"/s{n}.xml", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')
    sources = sources_file(tmp_path, site, [])
    for name in ("self.xml", "many.xml"):
        ingest_sitemap(url=site.url(f"/{name}"), sources=sources, warehouse=warehouse)
    errors = dict(rows(warehouse, "SELECT source_uri, error FROM ingest_errors"))
    assert errors == {
        site.url("/self.xml"): "no pages in the sitemaps read (1)",
        site.url("/many.xml"): "6 more sitemaps listed than the 25 read",
    }


def test_reprocess_rebuilds_the_same_articles_offline(tmp_path: Path, warehouse: str) -> None:
    query = "SELECT article_id, title, text, published_at, url FROM articles ORDER BY 1"
    with LocalServer() as server:
        for n in range(5):
            server.add(
                f"/articles/00{n}.html", article_page(n), headers={"Content-Type": "text/html"}
            )
        server.handle("/feeds/atom.xml", conditional(feed_bytes("atom.xml", server.base_url), "v1"))
        sources = sources_file(tmp_path, server, ["atom.xml"])
        ingest_feeds(sources=sources, warehouse=warehouse)
        ingest_urls(urls=[server.url("/articles/000.html")], sources=sources, warehouse=warehouse)
    before = rows(warehouse, query)
    assert len(before) == 3
    summary = reprocess(warehouse=warehouse)  # the server is gone: no network to use
    assert (summary.items_read, summary.unchanged, summary.errors) == (3, 3, 0)
    assert rows(warehouse, query) == before
    raw_files = list((Path(warehouse).parent / "raw").rglob("*.gz"))
    assert len(raw_files) == 4  # three pages and the feed, each stored once


def test_reprocess_keeps_an_article_whose_stored_page_cannot_be_read(
    tmp_path: Path, warehouse: str
) -> None:
    # A page gone from the raw store and one damaged: each was deleted with its article,
    # and a second reprocess found nothing to say it had been there.
    with LocalServer() as server:
        urls = []
        for n in range(3):
            urls.append(server.add(f"/a/{n}.html", article_page(n), headers=HTML_UTF8))
        ingest_urls(urls=urls, sources=sources_file(tmp_path, server, []), warehouse=warehouse)
    query = "SELECT source_uri, title, text FROM articles ORDER BY 1"
    before = rows(warehouse, query)
    raw = {
        uri: Path(warehouse).parent / "raw" / path
        for uri, path in rows(
            warehouse,
            "SELECT a.source_uri, r.path FROM articles a "
            "JOIN raw_pages r ON r.sha256 = a.raw_sha256",
        )
    }
    raw[urls[0]].unlink()
    raw[urls[1]].write_bytes(b"\x1f\x8b not gzip at all")
    for _ in range(2):
        summary = reprocess(warehouse=warehouse)
        assert (summary.items_read, summary.unchanged, summary.errors) == (3, 1, 2)
        assert rows(warehouse, query) == before
    reasons = dict(rows(warehouse, "SELECT source_uri, error FROM ingest_errors"))
    assert set(reasons) == {urls[0], urls[1]}


def test_reprocess_replaces_the_articles_a_batch_at_a_time(
    tmp_path: Path, warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every stored page was re-extracted into one list and replaced in one transaction: at
    # 60,000 fetched pages, every article with its signature and term vector in memory at once.
    import flows.reprocess

    with LocalServer() as server:
        urls = [server.add(f"/a/{n}.html", article_page(n), headers=HTML_UTF8) for n in range(5)]
        ingest_urls(urls=urls, sources=sources_file(tmp_path, server, []), warehouse=warehouse)
    query = "SELECT article_id, title, text, published_at, duplicate_of FROM articles ORDER BY 1"
    before = rows(warehouse, query)
    assert len(before) == 5
    replaced: list[int] = []
    replace = flows.reprocess.replace_articles

    def counting(warehouse, run_id, old_ids, batch):
        replaced.append(len(batch.articles))
        return replace(warehouse, run_id, old_ids, batch)

    monkeypatch.setattr(flows.reprocess, "replace_articles", counting)
    summary = reprocess(warehouse=warehouse, batch_size=2)
    assert replaced == [2, 2, 1]
    assert (summary.items_read, summary.unchanged, summary.errors) == (5, 5, 0)
    assert rows(warehouse, query) == before


def test_feed_entries_without_a_page_land_the_feeds_own_text(
    tmp_path: Path, warehouse: str
) -> None:
    # Entries with no link, or a link that is no web page ('javascript:…'): they were dropped
    # without a word (no link), or landed with the script as their URL.
    text = " ".join(f"Harbour council item {n} was discussed at length today." for n in range(8))
    unlinked = '<item><guid isPermaLink="false">'
    items = [
        f"{unlinked}text-1</guid><title>Text only</title>"
        f"<content:encoded>{text}</content:encoded></item>",
        f"{unlinked}short-1</guid><title>Short</title><description>Two words</description></item>",
        f"{unlinked}js-1</guid><link>javascript:alert(1)</link><title>Script</title>"
        f"<description>{text} Again.</description></item>",
        # A link feedparser reads as '' was dropped without a word.
        f"{unlinked}v6-1</guid><link>http://[bad</link><title>Bad link</title>"
        f"<description>{text} Once more.</description></item>",
    ]
    later = f"{unlinked}text-2</guid><title>Later</title><description>{text}</description></item>"
    head = (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
    )
    polls = iter([head + "".join(items), head + later + "".join(items)])
    rss = {"Content-Type": "application/rss+xml"}
    with LocalServer() as server:
        url = server.handle(
            "/feeds/pageless.xml", lambda _: Reply(200, next(polls) + "</channel></rss>", rss)
        )
        sources = sources_file(tmp_path, server, ["pageless.xml"])
        first = ingest_feeds(sources=sources, warehouse=warehouse)
        again = ingest_feeds(sources=sources, warehouse=warehouse, force=True)
    landed = rows(
        warehouse, "SELECT source_uri, url, extractor, title FROM articles ORDER BY source_uri"
    )
    assert landed == [
        (f"{url}#js-1", None, "feed-content", "Script"),
        (f"{url}#text-1", None, "feed-content", "Text only"),
        (f"{url}#text-2", None, "feed-content", "Later"),
        (f"{url}#v6-1", None, "feed-content", "Bad link"),
    ]
    errors = rows(warehouse, "SELECT source_uri, error FROM ingest_errors")
    assert errors == [(f"{url}#short-1", "no link to a page, and too little text in the feed")]
    assert (first.items_seen, first.new_articles, first.errors) == (4, 3, 1)
    # The next poll: the new entry only; the others were seen, by their feed's GUIDs.
    assert (again.items_seen, again.unchanged, again.new_articles, again.errors) == (5, 4, 1, 0)


def test_a_feed_read_in_part_says_so_in_the_runs_log(
    tmp_path: Path, warehouse: str, caplog: pytest.LogCaptureFixture
) -> None:
    with LocalServer() as server:
        items = "".join(
            f"<item><guid>{n}</guid><link>{server.url(f'/gone/{n}')}</link></item>"
            for n in range(10_001)
        )
        body = f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
        server.add("/feeds/big.xml", body, headers={"Content-Type": "application/rss+xml"})
        sources = sources_file(tmp_path, server, ["big.xml"])
        with caplog.at_level(logging.WARNING):
            ingest_feeds(sources=sources, warehouse=warehouse)
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("big.xml: 10,001 items: the first 10,000 read" in m for m in said), said


def test_reprocess_reads_a_page_first_fetched_as_a_feed(tmp_path: Path, warehouse: str) -> None:
    # `ingest feed` given a page by mistake ("not a feed"), then `ingest urls` on it: the raw
    # store's index kept the feed's row (.xml.gz), and reprocess read the page as XML.
    with LocalServer() as server:
        page = server.add("/a/0.html", article_page(0), headers=HTML_UTF8)
        sources = sources_file(tmp_path, server, [])
        ingest_feeds(urls=[page], sources=sources, warehouse=warehouse)
        ingest_urls(urls=[page], sources=sources, warehouse=warehouse)
    before = rows(warehouse, "SELECT article_id, title, text FROM articles")
    assert len(before) == 1
    summary = reprocess(warehouse=warehouse)
    assert (summary.items_read, summary.unchanged, summary.errors) == (1, 1, 0)
    assert rows(warehouse, "SELECT article_id, title, text FROM articles") == before


def test_a_url_urlsplit_cannot_read_is_one_error_row(tmp_path: Path, warehouse: str) -> None:
    # It failed the whole run: ValueError: Invalid IPv6 URL, from the host interleaving.
    with LocalServer() as server:
        page = server.add("/a/0.html", article_page(0), headers=HTML_UTF8)
        summary = ingest_urls(
            urls=["http://[bad", page], sources=sources_file(tmp_path, server, []),
            warehouse=warehouse,
        )  # fmt: skip
    assert (summary.new_articles, summary.errors) == (1, 1)
    assert rows(warehouse, "SELECT source_uri FROM ingest_errors") == [("http://[bad",)]


def test_a_site_whose_url_httpx_cannot_read_is_one_error_row(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # InvalidURL from the robots.txt lookup failed the run of every site: urlsplit reads
    # 'http://0177.0.0.1/', httpx refuses the octal form.
    site.add("/robots.txt", f"User-agent: *\nSitemap: {site.url('/sitemap.xml')}\n")
    site.add("/sitemap.xml", f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>{site.url("/articles/002.html")}</loc></url></urlset>""")  # fmt: skip
    sources = Path(sources_file(tmp_path, site, []))
    with sources.open("a") as toml:
        for url in ("http://0177.0.0.1/", site.base_url + "/"):
            toml.write(f'[[sites]]\nurl = "{url}"\n')
    summary = ingest_sitemap(sources=str(sources), warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (1, 1)
    assert rows(warehouse, "SELECT source_uri, stage, error FROM ingest_errors") == [
        ("http://0177.0.0.1/", "discover", "invalid URL: Invalid IPv4 address: '0177.0.0.1'")
    ]


def test_a_feed_due_a_moment_after_the_scheduled_run_starts_is_polled(
    site: LocalServer, tmp_path: Path, warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under `serve`, the 10-minute schedule starts each run a second or so earlier or later
    # than the last (a new process each time): a feed polled at 10:00:07.4 was due at
    # 10:10:07.4 and the run that started at 10:10:06.9 skipped it, so it was polled every
    # 20 minutes, not 10 (seen with a 60 s schedule and poll_minutes = 1: every other run).
    from datetime import timedelta

    import warehouse.store as store

    sources = sources_file(tmp_path, site, ["rss2.xml"])
    ingest_feeds(sources=sources, warehouse=warehouse)
    first = store.utcnow()
    monkeypatch.setattr(store, "utcnow", lambda: first + timedelta(minutes=10, seconds=-2))
    ingest_feeds(sources=sources, warehouse=warehouse)
    assert len(site.hits("/feeds/rss2.xml")) == 2


def test_a_feed_listing_its_oldest_entry_first_lands_its_newest(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # max_items took the first entries of the document: in an oldest-first feed, the same
    # oldest ones every poll, and nothing newer ever landed.
    items = "".join(
        f"<item><guid>o{n}</guid><title>Entry {n}</title>"
        f"<link>{site.url(f'/articles/00{n}.html')}</link>"
        f"<pubDate>Mon, 2{n} Oct 2024 10:00:00 GMT</pubDate></item>"
        for n in range(5)
    )
    site.add("/feeds/oldest.xml", f'<rss version="2.0"><channel><title>O</title>{items}'
             "</channel></rss>", headers={"Content-Type": "application/rss+xml"})  # fmt: skip
    sources = sources_file(tmp_path, site, ["oldest.xml"])
    Path(sources).write_text(Path(sources).read_text() + "max_items = 2\n")
    summary = ingest_feeds(sources=sources, warehouse=warehouse)
    assert summary.items_seen == 2
    fetched = sorted(r.path for r in site.requests if r.path.startswith("/articles/"))
    assert fetched == ["/articles/003.html", "/articles/004.html"]


def test_a_site_without_a_news_sitemap_is_no_error(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # robots.txt names no sitemap, so /news-sitemap.xml and /sitemap.xml are guessed: the
    # first one's 404 was an error row, and exit 3, on every run of a site with the second.
    sources = sources_file(tmp_path, site, [])
    site.add("/sitemap.xml", f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>{site.url("/articles/002.html")}</loc></url></urlset>""")  # fmt: skip
    summary = ingest_sitemap(url=site.url("/"), sources=sources, warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (1, 0)
    assert len(site.hits("/news-sitemap.xml")) == 1
    # A site with neither (or a "not found" page served with a 200): one row saying so.
    site.add("/sitemap.xml", "<html><body>Page not found</body></html>")
    summary = ingest_sitemap(url=site.url("/"), sources=sources, warehouse=warehouse)
    assert rows(warehouse, "SELECT source_uri, stage, error FROM ingest_errors") == [
        (site.url("/"), "discover",
         "no sitemap found: robots.txt names none, and /news-sitemap.xml and /sitemap.xml "
         "are not there"),
    ]  # fmt: skip


def test_a_sitemap_page_declaring_another_url_is_not_fetched_again(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # Known by neither a feed GUID nor its URL (the page's own canonical one), it was fetched
    # again, and read again, on every run of its sitemap.
    page = article_page(2).replace("<head>", '<head><link rel="canonical" '
                                   'href="https://www.seed.example/story-2">')  # fmt: skip
    site.add("/moved/2.html", page, headers=HTML_UTF8)
    site.add("/sitemap.xml", f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>{site.url("/moved/2.html")}</loc></url></urlset>""")  # fmt: skip
    sources = sources_file(tmp_path, site, [])
    first = ingest_sitemap(url=site.url("/sitemap.xml"), sources=sources, warehouse=warehouse)
    again = ingest_sitemap(url=site.url("/sitemap.xml"), sources=sources, warehouse=warehouse)
    assert rows(warehouse, "SELECT url FROM articles") == [("https://www.seed.example/story-2",)]
    assert (first.new_articles, again.unchanged, again.items_read) == (1, 1, 0)
    assert len(site.hits("/moved/2.html")) == 1


def test_entries_sharing_one_guid_are_told_apart_by_their_links(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # A CMS that gives every entry the site's address as its <guid>: after the first poll,
    # every new entry was "seen" by that GUID and none landed again.
    def feed(count: int) -> str:
        items = "".join(
            f"<item><title>Entry {n}</title><guid>{site.url('/')}</guid>"
            f"<link>{site.url(f'/articles/00{n}.html')}</link></item>"
            for n in range(count)
        )
        return f'<rss version="2.0"><channel><title>G</title>{items}</channel></rss>'

    polls = iter([feed(2), feed(3)])
    rss = {"Content-Type": "application/rss+xml"}
    site.handle("/feeds/oneguid.xml", lambda _: Reply(200, next(polls), rss))
    sources = sources_file(tmp_path, site, ["oneguid.xml"])
    first = ingest_feeds(sources=sources, warehouse=warehouse)
    again = ingest_feeds(sources=sources, warehouse=warehouse, force=True)
    assert (first.new_articles, again.new_articles, again.unchanged) == (2, 1, 2)
    assert len(site.hits("/articles/002.html")) == 1


def test_a_sitemap_index_listing_its_oldest_sitemap_first_is_read_newest_first(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # Only MAX_SITEMAPS (25) of an index are read: in the order listed, a site that lists its
    # monthly sitemaps oldest first had only its oldest pages read, never this month's.
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    children = "".join(
        f"<sitemap><loc>{site.url(f'/s{n}.xml')}</loc><lastmod>2024-01-{n + 1:02d}</lastmod>"
        "</sitemap>"
        for n in range(30)
    )
    site.add("/index.xml", f"<sitemapindex {ns}>{children}</sitemapindex>")
    for n in range(30):
        site.add(f"/s{n}.xml", f"<urlset {ns}><url><loc>{site.url(f'/articles/p{n}.html')}"
                 f"</loc><lastmod>2024-01-{n + 1:02d}</lastmod></url></urlset>")  # fmt: skip
    sources = sources_file(tmp_path, site, [])
    ingest_sitemap(url=site.url("/index.xml"), max_items=1, sources=sources, warehouse=warehouse)
    assert [r.path for r in site.requests if r.path.startswith("/articles/")] == [
        "/articles/p29.html"
    ]
    assert site.hits("/s0.xml") == [] and len(site.hits("/s29.xml")) == 1


def test_a_scheduled_poll_skips_while_an_earlier_one_is_still_running(
    site: LocalServer, tmp_path: Path, warehouse: str
) -> None:
    # Under `serve`, a poll still fetching from a slow host when the next was due was joined
    # by that one, which fetched the same pages again, and by the next: runs piled up.
    from datetime import timedelta

    from flows.runs import this_process
    from warehouse import store

    sources = sources_file(tmp_path, site, ["rss2.xml"])
    scheduled = {"urls": None, "sources": sources, "force": False}

    def earlier_poll(run_id: str, process: tuple, age: timedelta) -> None:
        with store.connect(warehouse) as con:
            store.start_run(con, run_id, "ingest-feeds", scheduled, process)
            con.execute(
                "UPDATE runs SET started_at = started_at - ? WHERE run_id = ?", [age, run_id]
            )

    earlier_poll("live-poll", this_process(), timedelta(minutes=1))  # this process: alive
    skipped = ingest_feeds(sources=sources, warehouse=warehouse)
    assert (skipped.items_seen, len(site.hits("/feeds/rss2.xml"))) == (0, 0)

    # Once it ended the next poll polls, also with a run of another machine left running for
    # longer than POLL_RUN_MAX_AGE (that machine died: its own next run would mark it).
    with store.connect(warehouse) as con:
        con.execute("UPDATE runs SET status = 'completed' WHERE run_id = 'live-poll'")
    earlier_poll("lost-poll", ("elsewhere", 1, None), timedelta(hours=3))
    polled = ingest_feeds(sources=sources, warehouse=warehouse)
    assert polled.items_seen > 0 and len(site.hits("/feeds/rss2.xml")) == 1

    # A feed asked for by URL is polled whatever else is running.
    earlier_poll("live-poll-2", this_process(), timedelta(minutes=1))
    ingest_feeds(urls=[site.url("/feeds/rss2.xml")], sources=sources, warehouse=warehouse)
    assert len(site.hits("/feeds/rss2.xml")) == 2
