"""Feed parsing from bytes: RSS 2.0, Atom, RSS 1.0, wrong charsets, malformed input."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tasks.sources.feeds import html_to_text, parse_feed
from tests.conftest import FIXTURES

BASE = "http://news.example"


def feed(name: str) -> bytes:
    return (FIXTURES / "feeds" / name).read_bytes().replace(b"{base}", BASE.encode())


def test_rss2_entries_with_canonical_links_dates_and_content() -> None:
    parsed = parse_feed(feed("rss2.xml"), f"{BASE}/rss2.xml")
    assert parsed.title == "Korea Desk" and parsed.error is None and parsed.warning is None
    first, _, gone = parsed.entries
    assert first.guid == "korea-desk-001"
    assert first.link == f"{BASE}/articles/001.html?utm_source=rss&utm_medium=feed"
    assert first.url == f"{BASE}/articles/001.html"  # tracking parameters dropped
    assert first.published_at == datetime(2024, 10, 25, 9, 0)
    assert first.author == "Desk Reporter"
    assert first.summary == "Seoul is alarmed."
    assert gone.content and gone.content.startswith("The full text of this story")
    assert gone.content.count("\n") == 1  # two paragraphs


def test_atom_dates_are_converted_to_utc() -> None:
    parsed = parse_feed(feed("atom.xml"), f"{BASE}/atom.xml")
    assert [e.guid for e in parsed.entries] == [
        "tag:peninsula.example,2024:004", "tag:peninsula.example,2024:003",
    ]  # fmt: skip
    assert parsed.entries[0].published_at == datetime(2024, 10, 28, 23, 15)  # +09:00 -> UTC
    assert parsed.entries[0].author == "Atom Author"


def test_rss1_rdf() -> None:
    (entry,) = parse_feed(feed("rss1.rdf"), f"{BASE}/rss1.rdf").entries
    assert entry.title.startswith("Tensions soar")
    assert entry.published_at == datetime(2024, 10, 23, 10, 0)


def test_wrong_charset_declaration_is_survived() -> None:
    parsed = parse_feed(feed("wrong-charset.xml"), f"{BASE}/wrong-charset.xml")
    assert parsed.entries[0].title == "Crème brûlée wins the débat"
    assert "windows-1252" in (parsed.warning or "")


def test_header_charset_is_used() -> None:
    body = feed("wrong-charset.xml").replace(b'encoding="utf-8"', b"")
    parsed = parse_feed(body, BASE, {"Content-Type": "application/rss+xml; charset=windows-1252"})
    assert parsed.entries[0].title == "Crème brûlée wins the débat"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (feed("malformed.xml"), "malformed feed"),
        (b"<!DOCTYPE html><html><body>Just a page</body></html>", "not a feed"),
        (b"\x00\x01\x02 binary", "malformed feed"),
        (b"", "malformed feed"),
    ],
)
def test_unusable_bodies_get_a_reason(body: bytes, reason: str) -> None:
    parsed = parse_feed(body, BASE)
    assert parsed.entries == ()
    assert parsed.error and parsed.error.startswith(reason)


def test_an_empty_valid_feed_is_not_an_error() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    parsed = parse_feed(body, BASE)
    assert (parsed.title, parsed.entries, parsed.error) == ("Quiet", (), None)


def test_parse_feed_never_fetches_a_url_given_as_body() -> None:
    parsed = parse_feed(b"http://127.0.0.1:9/feed.xml", BASE)
    assert parsed.error  # treated as (bad) content, not as a URL to open


def test_html_to_text_keeps_paragraphs() -> None:
    assert (
        html_to_text("<p>One <b>bold</b> line.</p><p>Two</p>x<br>y") == "One bold line.\nTwo\nx\ny"
    )
    assert html_to_text("  ") is None


def test_an_entry_linking_to_no_web_page_has_no_link_and_keeps_its_guid() -> None:
    rss = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<item><guid isPermaLink='false'>js-1</guid><link>javascript:alert(1)</link></item>"
        b"<item><guid isPermaLink='false'>v6-1</guid><link>http://[bad</link></item>"
        b"<item><link>javascript:void(0)</link><title>No GUID</title></item>"
        b"</channel></rss>"
    )
    entries = parse_feed(rss, "https://feeds.example/rss.xml").entries
    assert [(e.link, e.url) for e in entries] == [(None, None)] * 3
    assert [e.guid for e in entries][:2] == ["js-1", "v6-1"]
    assert entries[2].guid == "javascript:void(0)"  # as before: feed_items know it by this


def test_html_titles_become_plain_text() -> None:
    # feedparser hands HTML titles over as markup: 'AT&amp;T <b>deal</b>' was the title.
    rss = (
        b'<rss version="2.0"><channel><title>Q &amp;amp; A</title>'
        b"<item><guid>c</guid><title><![CDATA[AT&T &amp; Verizon <b>deal</b>]]></title></item>"
        b"<item><guid>e</guid><title>Tom &amp;amp; Jerry&#8217;s caf&#233;</title></item>"
        b"<item><guid>p</guid><title>5 &lt; 6, and  spaced </title></item>"
        b"</channel></rss>"
    )
    parsed = parse_feed(rss, BASE)
    assert [e.title for e in parsed.entries] == [
        "AT&T & Verizon deal", "Tom & Jerry\u2019s caf\u00e9", "5 < 6, and spaced",
    ]  # fmt: skip
    assert parsed.title == "Q & A"
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b'<entry><id>h</id><title type="html">A &amp;amp; B &lt;i&gt;x&lt;/i&gt;</title></entry>'
        b'<entry><id>t</id><title type="text">A &amp; B &lt;i&gt;</title></entry>'
        b'<entry><id>x</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        b"X <b>y</b> &amp; z</div></title></entry></feed>"
    )
    titles = [e.title for e in parse_feed(atom, BASE).entries]
    assert titles == ["A & B x", "A & B <i>", "X y & z"]


def test_a_feedburner_entry_links_to_its_original_page() -> None:
    # Its <link> is FeedBurner's redirector: a feed's `allow` dropped the entry unseen.
    rss = (
        b'<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
        b"<channel><title>T</title><item><title>FB</title>"
        b"<link>http://feedproxy.google.com/~r/desk/~3/abc/story</link>"
        b"<feedburner:origLink>https://desk.example/story?utm_source=feedburner"
        b"</feedburner:origLink></item></channel></rss>"
    )
    (entry,) = parse_feed(rss, BASE).entries
    assert entry.link == "https://desk.example/story?utm_source=feedburner"
    assert entry.url == "https://desk.example/story"
    assert entry.guid == "http://feedproxy.google.com/~r/desk/~3/abc/story"  # as before


def test_json_feed() -> None:
    # feedparser reads no JSON Feed: "malformed feed: <unknown>:2:0: not well-formed".
    body = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "JF",
        "items": [
            {"id": 1, "url": "/posts/1?utm_source=jf", "title": "One & all",
             "date_published": "2024-10-21T12:00:00+02:00",
             "authors": [{"name": "Ann Lee"}, {"name": "Bo Kim"}],
             "content_html": "<p>First.</p><p>Second.</p>", "summary": "Short."},
            {"id": "t2", "content_text": "No page, text only.", "author": {"name": "Cy"}},
            "not an item",
        ],
    }).encode()  # fmt: skip
    parsed = parse_feed(b"\xef\xbb\xbf" + body, f"{BASE}/feed.json")
    assert (parsed.title, parsed.error) == ("JF", None)
    one, two = parsed.entries
    assert (one.guid, one.link, one.url) == (
        "1", f"{BASE}/posts/1?utm_source=jf", f"{BASE}/posts/1",
    )  # fmt: skip
    assert (one.title, one.published_at, one.author) == (
        "One & all", datetime(2024, 10, 21, 10), "Ann Lee, Bo Kim",
    )  # fmt: skip
    assert (one.summary, one.content) == ("Short.", "First.\nSecond.")
    assert (two.guid, two.link, two.content, two.author) == (
        "t2",
        None,
        "No page, text only.",
        "Cy",
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"items": []}', "not a feed: JSON, but not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": {}}', "malformed feed"),
        (b'{"version": ', "malformed feed: not valid JSON"),
        # A RecursionError from json failed the whole feeds run, every feed with it.
        (b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "malformed feed: nested too"),
    ],
)
def test_json_that_is_no_json_feed_says_so(body: bytes, reason: str) -> None:
    parsed = parse_feed(body, BASE)
    assert parsed.entries == () and parsed.error and parsed.error.startswith(reason)


@pytest.mark.parametrize(
    ("root", "item", "end"),
    [
        ('<rss version="2.0"><channel><title>Big</title>', "<item><guid>{n}</guid>"
         "<link>https://example.com/{n}</link></item>", "</channel></rss>"),
        ('<feed xmlns="http://www.w3.org/2005/Atom"><title>Big</title>', "<entry><id>{n}</id>"
         '<link href="https://example.com/{n}"/></entry>', "</feed>"),
    ],
)  # fmt: skip
def test_an_xml_feed_is_read_to_its_first_10000_items(root: str, item: str, end: str) -> None:
    # 60,000 short items (5.7 MB) took feedparser 10 s of CPU, 600,000 took 194 s.
    items = "".join(item.format(n=n) for n in range(10_050))
    parsed = parse_feed(f"{root}{items}{end}".encode(), BASE)
    assert parsed.title == "Big"
    assert len(parsed.entries) == 10_000
    assert parsed.entries[-1].link == "https://example.com/9999"
    assert parsed.warning == "10,050 items: the first 10,000 read"


def test_a_json_feed_is_read_to_its_first_10000_items() -> None:
    # 18 MB of '{},' were 6 million entries: 160 s and 1.7 GB.
    items = [{"id": n, "content_text": f"Item {n}."} for n in range(10_050)]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
    parsed = parse_feed(body.encode(), BASE)
    assert len(parsed.entries) == 10_000 and parsed.entries[-1].guid == "9999"
    assert parsed.warning == "10,050 items: the first 10,000 read"


def test_a_gzipped_feed_body_is_read() -> None:
    # feed.xml.gz served without a Content-Encoding, or gzipped twice: "malformed feed".
    import gzip

    body = feed("rss2.xml")
    assert parse_feed(gzip.compress(body), BASE) == parse_feed(body, BASE)
    parsed = parse_feed(gzip.compress(body)[:-12], BASE)
    assert parsed.error and parsed.error.startswith("malformed feed: gzipped, but ")
    bomb = parse_feed(gzip.compress(b"<rss>" + b" " * 21_000_000, compresslevel=9), BASE)
    assert (
        bomb.error == "malformed feed: gzipped, but decompressed content too large: "
        "over 20,000,000 bytes"
    )


def test_a_full_text_feeds_scripts_and_styles_are_no_text() -> None:
    # Parsed without feedparser's sanitizer (it parsed every entry's HTML again, tag by tag
    # in Python: 600 entries of 40 paragraphs, 3.3 MB, took 11 s, now 1.3 s), so the
    # conversion to text drops what the sanitizer dropped.
    paragraphs = "".join(
        f"<p>Paragraph {n} with <a href='/x'>a link</a> and <b>bold</b> words.</p>"
        for n in range(3)
    )
    items = "".join(
        f"<item><title>Story {n}</title><link>{BASE}/{n}</link><content:encoded><![CDATA["
        f"{paragraphs}<script>track({n})</script><style>p {{}}</style>"
        "<template>unused</template><applet>applet-code</applet>]]></content:encoded></item>"
        for n in range(2)
    )
    body = (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"{items}</channel></rss>"
    ).encode()
    parsed = parse_feed(body, BASE)
    assert len(parsed.entries) == 2
    content = parsed.entries[0].content or ""
    assert content.startswith("Paragraph 0 with a link and bold words.\nParagraph 1")
    for hidden in ("track", "p {}", "unused", "applet-code"):
        assert hidden not in content
