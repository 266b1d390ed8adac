"""Page metadata: each field from the highest-priority source that has it, and never a crash."""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import datetime
from pathlib import Path

import pytest

from tasks.extract.dates import parse_datetime as parse_date
from tasks.extract.metadata import PageMeta, clean_authors, page_metadata, site_keys

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"
ALL_FIELDS = [
    f.name
    for f in fields(PageMeta)
    if f.name not in ("sources", "error", "published_offset", "descriptions")
]


def _fixture(name: str, url: str | None = None) -> PageMeta:
    return page_metadata((FIXTURES / name).read_text(encoding="utf-8"), url)


def _page(head: str = "", body: str = "", lang: str = "") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"<!doctype html><html{lang_attr}><head>{head}</head><body>{body}</body></html>"


def _ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


# ------------------------------------------------------------------------------- fixtures


def test_big_publisher_json_ld_graph_beats_disagreeing_open_graph_and_meta() -> None:
    meta = _fixture("big-publisher.html", "https://www.dailyplanet.example/x?utm_source=rss")
    assert meta == PageMeta(
        title="Harbour wind farm wins final approval after decade-long fight",
        published_at=datetime(2024, 10, 22, 5, 30),  # 06:30+01:00; OG says 21 Oct 23:59
        modified_at=datetime(2024, 10, 22, 8, 15),  # written +0100
        author="Amira Okafor, Tom Reyes",
        authors=("Amira Okafor", "Tom Reyes"),
        site_name="The Daily Planet",  # publisher.name, not OG's nor the WebSite node's
        canonical_url="https://www.dailyplanet.example/news/2024/oct/22/harbour-wind-farm-approval",
        description="Ministers have approved the 1.2GW Harbour wind farm, ending a ten-year "
        "planning battle.",
        language="en",  # en-GB; OG says en_US
        image="https://i.dailyplanet.example/16x9/harbour.jpg",
        section="Environment",
        keywords=("Wind power", "Energy", "Harbour"),  # split, stripped, de-duplicated
        sources=dict.fromkeys(ALL_FIELDS, "json-ld"),
    )


def test_wordpress_yoast_graph_resolves_id_references() -> None:
    meta = _fixture("wordpress-yoast.html")
    assert meta.title == "Council approves ‘lean’ budget for 2024"  # &#8216; unescaped
    assert meta.author == "Dana Whitfield"  # author is {"@id": ...#/schema/person/...}
    assert meta.site_name == "Riverside Gazette"  # publisher {"@id": ...#organization}
    assert meta.image == "https://riverside.example/wp-content/uploads/2024/03/council-chamber.jpg"
    assert meta.canonical_url == "https://riverside.example/2024/03/council-approves-lean-budget/"
    assert meta.published_at == datetime(2024, 3, 5, 14, 2, 11)
    assert meta.modified_at == datetime(2024, 3, 6, 8, 30)
    assert meta.language == "en"
    assert meta.section == "Local News"
    assert meta.keywords == ("budget", "council tax", "Riverside Council")
    # Yoast's Article has no description: the WebPage node's is used, still from JSON-LD.
    assert meta.description == (
        "Riverside council passed its 2024 budget on Tuesday night after a four-hour debate."
    )
    assert meta.sources == dict.fromkeys(ALL_FIELDS, "json-ld")


def test_open_graph_only_page() -> None:
    url = "https://www.courrier-sud.example/2024/05/17/alerte-orange-orages/?utm_source=rss"
    meta = _fixture("opengraph-only.html", url)
    assert meta.title == "Alerte orange aux orages dans le Sud-Ouest"
    assert meta.site_name == "Le Courrier du Sud"
    # relative og:url resolved against the page URL, then canonicalised (utm_* dropped)
    assert meta.canonical_url == "https://www.courrier-sud.example/2024/05/17/alerte-orange-orages/"
    assert meta.image == "https://www.courrier-sud.example/images/2024/05/orages.jpg"
    assert meta.published_at == datetime(2024, 5, 17, 6, 0)
    assert meta.modified_at == datetime(2024, 5, 17, 8, 45)
    assert meta.author == "Claire Martin, Luc Bernard"  # the facebook.com profile URL is skipped
    assert meta.language == "fr"
    assert meta.section == "Météo"
    assert meta.keywords == ("orages", "vigilance orange", "Météo-France")
    assert meta.description is not None and meta.description.startswith("Météo-France place")
    assert meta.sources == dict.fromkeys(ALL_FIELDS, "opengraph")


@pytest.mark.parametrize(
    ("main_entity", "expected"),
    [
        # outdoor-magazin.com, womenshealth.de and fem.com (real pages, fetched): every article
        # became '…/Article' or '…/true', and the site's articles copies of each other by URL.
        ('"Article"', "https://www.outdoor-magazin.com/outdoor-szene/vanlife-in-schweden/"),
        ('"true"', "https://www.outdoor-magazin.com/outdoor-szene/vanlife-in-schweden/"),
        ('"/reise/vanlife/"', "https://www.outdoor-magazin.com/reise/vanlife/"),
    ],
)
def test_json_ld_urls_are_absolute_or_from_the_site_root(main_entity: str, expected: str) -> None:
    ld = (
        '{"@type": "Article", "headline": "Vanlife in Schweden", "mainEntityOfPage": '
        + main_entity
        + "}"
    )
    head = _ld(ld) + (
        '<link rel="canonical" href="https://www.outdoor-magazin.com/outdoor-szene/'
        'vanlife-in-schweden/">'
    )
    url = "https://www.outdoor-magazin.com/outdoor-szene/vanlife-in-schweden/"
    assert page_metadata(_page(head), url).canonical_url == expected


def test_open_graph_only_page_without_url_drops_relative_links() -> None:
    meta = _fixture("opengraph-only.html")
    assert meta.canonical_url is None
    assert meta.image is None
    assert "canonical_url" not in meta.sources


def test_meta_and_title_only_page() -> None:
    url = "https://lakesidetribune.example/news/2024/02/29/library-branch-opens?ref=home"
    meta = _fixture("meta-only.html", url)
    assert meta.title == "Council opens new library branch"  # " | Lakeside Tribune" removed
    assert meta.site_name == "Lakeside Tribune"  # application-name
    assert meta.author == "Maria Gonzalez"
    # pubdate "not a date" is skipped; parsely-pub-date is used; the <time> in <article> loses
    assert meta.published_at == datetime(2024, 2, 29, 22, 45)
    assert meta.canonical_url == (
        "https://lakesidetribune.example/news/2024/02/29/library-branch-opens"
    )
    assert meta.language == "en"
    assert meta.keywords == ("library", "council", "Eastside")
    assert meta.section == "Local"
    assert meta.sources == {
        "title": "html",
        "site_name": "meta",
        "author": "meta",
        "authors": "meta",
        "published_at": "meta",
        "canonical_url": "html",
        "description": "meta",
        "language": "html",
        "section": "meta",
        "keywords": "meta",
    }


def test_broken_json_ld_block_is_skipped_and_the_next_one_used() -> None:
    meta = _fixture("broken-jsonld.html")
    assert meta.title == "Rail strike called off after late-night talks"
    assert meta.published_at == datetime(2024, 6, 11, 23, 40)
    assert meta.author == "Helen Cho"
    assert meta.site_name == "Northern Courier"
    assert meta.sources["title"] == "json-ld"
    assert meta.sources["language"] == "html"


def test_author_lists_and_top_level_json_ld_list() -> None:
    meta = _fixture("author-lists.html")
    # Person objects, a "By ..." string, given/family names, a case-insensitive duplicate,
    # an Organization, and a Person with no name at all.
    assert meta.author == "Priya Nair, Sam Lee, Jo Park, Reuters"
    assert meta.sources["author"] == "json-ld"
    assert meta.title == "Flood defences: what the new map shows"  # @type is a list
    assert meta.published_at == datetime(2024, 7, 9, 7, 0)  # RFC 2822
    assert meta.canonical_url == "https://coastline.example/analysis/flood-map"  # "url"
    assert meta.image == "https://coastline.example/img/flood-map-16x9.jpg"  # first of a list
    assert meta.keywords == ("flooding", "climate", "coast")
    assert meta.language == "en"  # {"@type": "Language", "alternateName": "en"}


# --------------------------------------------------------------------- priority, per field


def test_each_tier_falls_through_to_the_next() -> None:
    og = '<meta property="og:title" content="OG title">'
    tw = '<meta name="twitter:title" content="Twitter title">'
    title = "<title>HTML title</title>"
    ld = _ld('{"@type": "NewsArticle", "headline": "LD title"}')
    cases = [
        (ld + og + tw + title, "LD title", "json-ld"),
        (og + tw + title, "OG title", "opengraph"),
        (tw + title, "Twitter title", "meta"),
        (title, "HTML title", "html"),
    ]
    for head, expected, source in cases:
        meta = page_metadata(_page(head))
        assert (meta.title, meta.sources["title"]) == (expected, source)


def test_web_page_node_is_a_last_resort_after_the_article_node() -> None:
    graph = """{"@graph": [
        {"@type": "WebPage", "name": "Page name", "datePublished": "2024-01-02",
         "url": "https://example.com/page"},
        {"@type": "NewsArticle", "headline": "Article headline"}
    ]}"""
    meta = page_metadata(_page(_ld(graph)))
    assert meta.title == "Article headline"
    assert meta.published_at == datetime(2024, 1, 2)  # only the WebPage has it
    assert meta.canonical_url == "https://example.com/page"
    assert page_metadata(_page(_ld('{"@type": "WebPage", "name": "Only"}'))).title == "Only"


def test_json_ld_without_an_article_or_page_gives_only_the_site_name() -> None:
    org = '{"@context": "https://schema.org", "@type": "Organization", "name": "Acme News"}'
    meta = page_metadata(_page(_ld(org) + "<title>Story | Acme News</title>"))
    assert meta.site_name == "Acme News"
    assert meta.title == "Story"
    assert meta.sources == {"site_name": "json-ld", "title": "html"}


def test_a_declared_title_that_is_the_site_name_gives_way_to_the_next() -> None:
    # sports.fr: the WebPage's JSON-LD "name" is the site's; og:title is the match.
    site = '{"@context": "https://schema.org", "@type": "WebPage", "name": "Sports.fr"}'
    og = '<meta property="og:site_name" content="Sports.fr">'
    meta = page_metadata(
        _page(
            _ld(site) + og + '<meta property="og:title" content="Lorient vs '
            'Olympique Lyonnais"><title>Lorient vs Olympique Lyonnais</title>'
        )
    )
    assert (meta.title, meta.sources["title"]) == ("Lorient vs Olympique Lyonnais", "opengraph")
    # ... unless every other names the site too: 'ICON • ICON Magazine' is no better.
    meta = page_metadata(
        _page(
            '<meta property="og:site_name" content="ICON Magazine">'
            '<meta property="og:title" content="ICON Magazine">'
            "<title>ICON • ICON Magazine</title>"
        )
    )
    assert meta.title == "ICON Magazine"


def test_article_under_web_page_main_entity_and_prefixed_types() -> None:
    doc = """{"@context": "https://schema.org", "@type": "WebPage",
        "mainEntity": {"@type": "schema:ReportageNews", "headline": "Nested",
                       "author": "Ana Lima"}}"""
    meta = page_metadata(_page(_ld(doc)))
    assert (meta.title, meta.author) == ("Nested", "Ana Lima")


def test_an_unparseable_date_falls_through_to_the_next_source() -> None:
    head = _ld('{"@type": "Article", "datePublished": "TBC"}') + (
        '<meta property="article:published_time" content="2024-05-01T10:00:00-04:00">'
    )
    meta = page_metadata(_page(head))
    assert meta.published_at == datetime(2024, 5, 1, 14, 0)
    assert meta.sources["published_at"] == "opengraph"


@pytest.mark.parametrize(
    "tag",
    [
        '<meta itemprop="datePublished" content="2024-04-03T09:00:00Z">',
        '<time itemprop="datePublished" datetime="2024-04-03T09:00:00Z">3 April</time>',
        '<meta name="pubdate" content="2024-04-03T09:00:00Z">',
        '<meta name="publish-date" content="2024-04-03T09:00:00Z">',
        '<meta name="date" content="2024-04-03T09:00:00Z">',
        '<meta name="DC.date.issued" content="2024-04-03T09:00:00Z">',
        '<meta name="dc.date" content="2024-04-03T09:00:00Z">',
        '<meta name="parsely-pub-date" content="2024-04-03T09:00:00Z">',
        '<meta name="sailthru.date" content="Wed, 03 Apr 2024 09:00:00 +0000">',
    ],
)
def test_meta_date_tags(tag: str) -> None:
    meta = page_metadata(_page(tag))
    assert meta.published_at == datetime(2024, 4, 3, 9, 0)
    assert meta.sources["published_at"] == "meta"


def test_time_in_article_is_used_only_when_nothing_else_dates_the_page() -> None:
    body = '<header><time datetime="2030-01-01">clock</time></header>'
    body += '<article><p><time datetime="2024-02-28T10:00:00+01:00">x</time></p></article>'
    meta = page_metadata(_page(body=body))
    assert meta.published_at == datetime(2024, 2, 28, 9, 0)
    assert meta.sources["published_at"] == "html"
    outside = page_metadata(_page(body='<div><time datetime="2024-02-28">x</time></div>'))
    assert outside.published_at is None


@pytest.mark.parametrize(
    ("h1", "wins"),
    [
        ("Finanzierung Ihres Autos", True),  # the page's headline
        ("Aktuelle Artikel", False),  # two words: a label
        ("Liebe geht durch den Magen", False),  # the <title>'s tagline
        ("Der Nesselsetzer Blog", False),  # the site's name in it
        ("OutdoorNews | Eintrag", False),  # in parts: a label
        # A headline with a dash in it (haustiermagazin.com, careelite.de)
        ("Kaufratgeber: elektronisches Katzenspielzeug – sorgt ganz automatisch", True),
    ],
)
def test_the_one_h1_is_the_title_unless_it_is_a_label_tagline_or_the_site(
    h1: str, wins: bool
) -> None:
    head = "<title>Autokredit oder doch besser Leasing? | Liebe geht durch den Magen</title>"
    url = "https://nesselsetzer.example/autokredit"
    declared = page_metadata(_page(head), url).title
    found = page_metadata(_page(head, f"<h1>{h1}</h1>"), url)
    assert found.title == (h1 if wins else declared)


def test_soft_hyphens_leave_titles_and_descriptions() -> None:
    # BMZ's og:title: 'Schulze: Deutsch&shy;land steht fest an der Seite des Welt&shy;...'
    head = (
        '<meta property="og:title" content="Deutsch&shy;land steht fest">'
        '<meta name="description" content="Anfor\u00adderungen an Nachweise">'
    )
    found = page_metadata(_page(head))
    assert (found.title, found.description) == (
        "Deutschland steht fest",
        "Anforderungen an Nachweise",
    )


def test_title_site_suffix_and_prefix_are_removed_only_for_the_site_name() -> None:
    site = '<meta property="og:site_name" content="The Courier">'
    for title in (
        "Budget passed | The Courier",
        "Budget passed - the courier",
        "Budget passed — The Courier",
        "The Courier | Budget passed",
    ):
        assert page_metadata(_page(site + f"<title>{title}</title>")).title == "Budget passed"
    kept = page_metadata(_page(site + "<title>Budget passed | Other Site</title>"))
    assert kept.title == "Budget passed | Other Site"
    only_site = page_metadata(_page(site + "<title>The Courier</title>"))
    assert only_site.title == "The Courier"


@pytest.mark.parametrize(
    ("head", "lang", "expected"),
    [
        ("", "en-GB", "en"),
        ("", "EN", "en"),
        ("", "zh-Hant-TW", "zh"),
        ("", "english", None),
        ('<meta property="og:locale" content="pt_BR">', "en", "pt"),
        ('<meta http-equiv="content-language" content="de-AT">', "", "de"),
        (_ld('{"@type": "Article", "inLanguage": "es-MX"}'), "en", "es"),
    ],
)
def test_language_is_the_primary_subtag(head: str, lang: str, expected: str | None) -> None:
    assert page_metadata(_page(head, lang=lang)).language == expected


def test_relative_urls_resolve_against_the_page_url_and_base_href() -> None:
    head = '<link rel="canonical" href="../story?utm_medium=x"><meta property="og:image" '
    head += 'content="//cdn.example.com/i.jpg">'
    meta = page_metadata(_page(head), "https://example.com/news/x/page.html")
    assert meta.canonical_url == "https://example.com/news/story"
    assert meta.image == "https://cdn.example.com/i.jpg"
    based = page_metadata(_page('<base href="https://other.example/a/">' + head))
    assert based.canonical_url == "https://other.example/story"


def test_a_canonical_pointing_at_the_home_page_is_ignored_on_an_article() -> None:
    # A template default (og:url = home page) would merge every article of the site.
    head = '<meta property="og:url" content="https://example.com/">'
    head += '<link rel="canonical" href="https://example.com/news/story">'
    meta = page_metadata(_page(head), "https://example.com/news/story?x=1")
    assert meta.canonical_url == "https://example.com/news/story"
    assert meta.sources["canonical_url"] == "html"
    home = page_metadata(_page('<link rel="canonical" href="/">'), "https://example.com/")
    assert home.canonical_url == "https://example.com/"


def test_non_http_canonical_is_ignored() -> None:
    meta = page_metadata(_page('<link rel="canonical" href="javascript:void(0)">'), None)
    assert meta.canonical_url is None


def test_json_ld_keywords_image_and_section_shapes() -> None:
    doc = """{"@type": "BlogPosting", "keywords": "a, b,a", "articleSection": ["S1", "S2"],
              "image": {"@type": "ImageObject", "contentUrl": "/img.png"}}"""
    meta = page_metadata(_page(_ld(doc)), "https://blog.example/p/1")
    assert meta.keywords == ("a", "b")
    assert meta.section == "S1"
    assert meta.image == "https://blog.example/img.png"


def test_an_inline_svg_title_is_not_the_page_title() -> None:
    svg = "<svg><g><title>Share on X</title></g></svg>"
    assert page_metadata(_page(body=svg)).title is None
    assert page_metadata(_page("<title>Real</title>", body=svg)).title == "Real"


def test_open_graph_tags_written_with_name_instead_of_property_still_count() -> None:
    meta = page_metadata(_page('<meta name="og:title" content="Misfiled">'))
    assert (meta.title, meta.sources["title"]) == ("Misfiled", "opengraph")


# ---------------------------------------------------------------------- broken JSON-LD


@pytest.mark.parametrize(
    "block",
    [
        '<!-- {"@type": "NewsArticle", "headline": "Fixed"} -->',
        '/*<![CDATA[*/{"@type": "NewsArticle", "headline": "Fixed"}/*]]>*/',
        '{"@type": "NewsArticle", "headline": "Fixed",}',
        '{"@type": "NewsArticle", "keywords": ["x",], "headline": "Fixed"}',
        '{"@type": "NewsArticle", "headline": "Fixed", "description": "two\nlines\t"}',
    ],
)
def test_common_json_ld_mistakes_are_repaired(block: str) -> None:
    assert page_metadata(_page(_ld(block))).title == "Fixed"


@pytest.mark.parametrize(
    "block",
    [
        '{"@type": "NewsArticle", "headline": "Lost"',
        "{'@type': 'NewsArticle', 'headline': 'Lost'}",
        "",
        "null",
        '"just a string"',
        "[1, 2, [3]]",
        '{"@type": 5, "headline": {"nested": true}, "author": [null, 3]}',
        "[" * 5000 + "]" * 5000,  # deep enough to hit the recursion limit
        '{"@graph": {"@type": "NewsArticle"}}',
    ],
)
def test_unusable_json_ld_is_skipped(block: str) -> None:
    meta = page_metadata(_page(_ld(block) + "<title>Fallback</title>"))
    assert meta.title == "Fallback"


# ------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-10-22T10:30:00Z", datetime(2024, 10, 22, 10, 30)),
        ("2024-10-22T10:30:00+01:00", datetime(2024, 10, 22, 9, 30)),
        ("2024-10-22T10:30:00+0100", datetime(2024, 10, 22, 9, 30)),
        ("2024-10-22T10:30:00.250-05:00", datetime(2024, 10, 22, 15, 30, 0, 250000)),
        ("2024-10-22T10:30:00", datetime(2024, 10, 22, 10, 30)),  # naive: taken as UTC
        ("2024-10-22", datetime(2024, 10, 22)),
        ("20241022T103000Z", datetime(2024, 10, 22, 10, 30)),
        ("Tue, 22 Oct 2024 10:30:00 +0100", datetime(2024, 10, 22, 9, 30)),
        ("Tue, 22 Oct 2024 10:30:00 GMT", datetime(2024, 10, 22, 10, 30)),
        ("22 Oct 2024 10:30 EDT", datetime(2024, 10, 22, 14, 30)),
        ("October 22, 2024 10:30 AM EDT", datetime(2024, 10, 22, 14, 30)),
        ("22 October 2024", datetime(2024, 10, 22)),
        ("2024/10/22 10:30", datetime(2024, 10, 22, 10, 30)),
        ("1729592400", datetime(2024, 10, 22, 10, 20)),
        ("1729592400000", datetime(2024, 10, 22, 10, 20)),
        (" 2024-10-22 ", datetime(2024, 10, 22)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "nonsense", "Invalid Date", "NaN", "10", "Monday", "TBC",
        "0000-00-00 00:00:00", "2024-13-45", "2024-10-22T25:00:00", "9999-12-31",
        "1970-01-01T00:00:00Z", "1899-12-31", "2024-10-22" + "x" * 200, "{{ post.date }}",
    ],
)  # fmt: skip
def test_parse_date_nonsense_is_none(text: str) -> None:
    assert parse_date(text) is None


def test_parse_date_ignores_non_strings() -> None:
    assert parse_date(None) is None
    assert parse_date(20241022) is None


# -------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        b"",
        b"\x00\x00\x00",
        "<",
        "<html",
        "<<<>>>",
        "just text, no markup",
        "<html><head><title></title></head></html>",
        '<?xml version="1.0" encoding="iso-8859-1"?><html><head></head></html>',
        "<svg><title>An icon</title></svg>",
        bytes(random.Random(7).randrange(256) for _ in range(20_000)),
        bytes(random.Random(8).randrange(256) for _ in range(20_000)).decode("latin-1"),
        "\ud800 lone surrogate <title>x</title>",
    ],
)
def test_never_raises(html: str | bytes) -> None:
    meta = page_metadata(html, "https://example.com/a")
    assert isinstance(meta, PageMeta)
    assert meta.keywords == () or all(meta.keywords)


def test_empty_input_gives_an_empty_page_meta() -> None:
    assert page_metadata("") == PageMeta()
    assert page_metadata(b"") == PageMeta()


def test_bad_url_argument_is_ignored() -> None:
    meta = page_metadata(_page('<link rel="canonical" href="/a">'), "not a url")
    assert meta.canonical_url is None


def test_bytes_use_the_declared_charset_when_not_utf8() -> None:
    html = '<html><head><meta charset="windows-1252"><title>Café – “news”</title></head></html>'
    assert page_metadata(html.encode("cp1252")).title == "Café – “news”"
    assert page_metadata(html.encode("utf-8")).title == "Café – “news”"


def test_text_input_ignores_a_stale_charset_declaration() -> None:
    html = '<html><head><meta charset="iso-8859-1"><title>Café</title></head></html>'
    assert page_metadata(html).title == "Café"


def test_page_meta_is_hashable_and_frozen() -> None:
    meta = _fixture("broken-jsonld.html")
    assert hash(meta) == hash(_fixture("broken-jsonld.html"))
    with pytest.raises(AttributeError):
        meta.title = "x"  # type: ignore[misc]


def test_large_page() -> None:
    page = (FIXTURES / "big-publisher.html").read_text(encoding="utf-8")
    filler = "<div><p>" + "word " * 200 + "</p><a href='/x'>link</a></div>\n"
    big = page.replace("<main>", "<main>" + filler * (5_000_000 // len(filler)))
    assert len(big) > 5_000_000
    meta = page_metadata(big)
    assert meta.title == "Harbour wind farm wins final approval after decade-long fight"


def test_a_metadata_failure_is_recorded_not_swallowed(monkeypatch) -> None:
    """A page whose metadata reader fails still lands (trafilatura's metadata), and the
    failure is in metadata_sources; before, it vanished without a trace."""
    import json
    import os

    from tasks.extract import document, metadata
    from tasks.models import Article, SourceItem
    from tests.conftest import FIXTURES

    def broken(self):
        raise KeyError("og:title")

    monkeypatch.setattr(metadata._Page, "metadata", broken)
    path = FIXTURES / "pages" / "harbour-wind-farm.html"
    st = os.stat(path)
    article = document.extract_item(
        SourceItem("file", str(path), str(path), st.st_size, st.st_mtime_ns)
    )
    assert isinstance(article, Article) and article.title
    assert json.loads(article.metadata_sources)["metadata_error"] == "KeyError: 'og:title'"


@pytest.mark.parametrize(
    ("site", "kept"),
    [
        ("Andreas Kalt", True),  # a blog named after its author
        ("The Economist", False),
        ("Das Mitternachtskabinett", False),
        ("RTL Online", False),
        ("Miami Today", True),  # an outlet named like a person: kept, as the gold keeps it
    ],
)
def test_the_site_name_as_author_is_kept_only_where_it_is_a_persons_name(
    site: str, kept: bool
) -> None:
    head = f'<meta property="og:site_name" content="{site}"><meta name="author" content="{site}">'
    assert page_metadata(_page(head)).authors == ((site,) if kept else ())


@pytest.mark.parametrize(
    ("value", "names"),
    [
        # What bylines and author fields held on dev pages of bench/extraction_real.py.
        ("Art Edwards says", ()),  # a commenter
        ("Posted on September 3, 2020", ()),
        ("On August 3", ()),
        ("Text und Interview: Harald Willenbrock", ("Harald Willenbrock",)),
        ("red, wien.ORF.at/Agenturen", ()),  # a desk and the outlet
        ("Hecho en Bolivia con Drupal por Smartica", ()),  # a sentence
        ("Autorin: Uta Staschewski, Projektleiterin der HSS in Tunesien", ("Uta Staschewski",)),
        (
            "Michael L. Anderson, PhD; Carlos Dobkin, PhD; Devon Gorry, PhD",
            ("Michael L. Anderson", "Carlos Dobkin", "Devon Gorry"),
        ),
        ("Follow", ()),
        # Labels a theme prints around the name (all dev and held-out pages' values).
        ("View all posts by Daniel Lemire", ("Daniel Lemire",)),
        ("Zeige alle Beiträge von Petra Ruland", ("Petra Ruland",)),
        ("Eingestellt von Weinlachgummi", ("Weinlachgummi",)),
        ("vom Support Team", ("Support Team",)),
        ("Auteur Anna Kubišta", ("Anna Kubišta",)),
        ("Article by", ()),
        ("Sara Zinnecker Stand", ("Sara Zinnecker",)),  # 'Stand: <date>', cut at the date
        ("Jil Schuller Alle Artikel Kontakt", ("Jil Schuller",)),
        ("Zum Profil von jesusfreak jesusfreak", ("jesusfreak",)),  # printed twice
        ("Publié par Unknown", ()),
        ("View my complete profile", ()),
        ("Ursula von der Leyen", ("Ursula von der Leyen",)),  # 'von' inside a name stays
        ("Birgit Posselt | Über", ("Birgit Posselt",)),
        ("Jane Roe Staff", ("Jane Roe",)),
        ("Rasender Reporter", ("Rasender Reporter",)),  # a pen name, not a role
        ("CSP; International; Photovoltaik; Speicher; Top Solar News", ()),  # categories
        # CMSs' placeholders, a date label, a date and a photo credit beside the name (real
        # pages: bmel.de, infobae.com, 100noticias.com, mdr.de, brand eins).
        ("publisher", ()),
        ("anónimo", ()),
        ("Cortesía", ()),
        ("Stand", ()),
        ("Dezember", ()),
        ("3 de Mayo de", ()),
        ("29.12.10 CatfiSh", ()),
        ("freeman1984", ("freeman1984",)),  # a login keeps its digits
        ("Reporter 4", ("Reporter 4",)),  # so does a name: only a date comes first
        ("Jens Bergmann Foto: Michael Hudler", ("Jens Bergmann",)),
        # An image's credit, an abbreviated desk, Wikipedia's contributors (real pages:
        # football.ua, menway.interia.pl, wiadomosci.gazeta.pl, en.wikipedia.org).
        ("Фото из Инстаграма Лукаша Подольски", ()),
        ("Domena Publiczna", ()),
        ("red.", ()),
        ("Contributors to Wikimedia projects", ()),
        ("Fred Redford", ("Fred Redford",)),
        # A one-word dateline between two names (NZZ's JSON-LD author).
        (
            "Markus M. Haefliger, London, Beat Bumbacher",
            ("Markus M. Haefliger", "Beat Bumbacher"),
        ),
        # The German gender forms of 'Autor:' (ndr.de) and an outlet's host of any domain or
        # its team beside it (stol.it via the Internet Archive, wpolityce.pl).
        ("Autor/in: Korinna Hennig", ("Korinna Hennig",)),
        ("Autor*in: Korinna Hennig", ("Korinna Hennig",)),
        ("Autor:in: Korinna Hennig", ("Korinna Hennig",)),
        ("stol.it / Suedtirol Online", ("Suedtirol Online",)),
        ("Zespół wPolityce.pl", ()),
    ],
)
def test_clean_authors_drops_what_is_not_a_name(value: str, names: tuple[str, ...]) -> None:
    assert clean_authors([value]) == names


def test_a_byline_label_names_the_text_after_it_up_to_the_line_break() -> None:
    # livenet.ch and bos-fahrzeuge.info print the label in its own element.
    body = (
        "<div><span>Datum:</span> 19.11.2021<br><span>Autor:</span> Fritz Imhof<br>"
        "<span>Quelle:</span> Livenet<br></div>"
        "<p><strong>Text:</strong> Klausmartin Friedrich</p>"
    )
    assert page_metadata(_page(body=body)).authors == ("Fritz Imhof", "Klausmartin Friedrich")


def test_a_byline_that_prints_the_date_first_names_who_follows_by() -> None:
    body = (
        "<article><h1>Items</h1><div class='gallery--page-meta--author'>Posted on September"
        " 21, 2020 by Adi Tzlil</div><p>Text.</p></article>"
    )
    assert page_metadata(_page(body=body)).authors == ("Adi Tzlil",)


def test_a_paragraph_that_starts_like_a_byline_is_not_one() -> None:
    body = "<p>Von Anna Meier, Hans Huber und vielen anderen " + "Namen, " * 50_000 + "</p>"
    assert page_metadata(_page(body=body)).authors == ()
    assert page_metadata(_page(body="<p>Von Anna Meier, Reporterin</p>")).authors == ("Anna Meier",)


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        # Real pages' printed bylines (tagesschau.de, bbc.com, propellets.at): the names run
        # up to a comma followed by no name or by the outlet.
        (
            "Von Volkmar Kabisch, Jan Lukas Strozyk und Benedikt Strunz, NDR",
            ("Volkmar Kabisch", "Jan Lukas Strozyk", "Benedikt Strunz"),
        ),
        ("By Nada Tawfik, BBC News, New York", ("Nada Tawfik",)),
        ("Autorin: Sylvia Grossgasteiger, IFZ, Oktober 2008", ("Sylvia Grossgasteiger",)),
    ],
)
def test_a_printed_byline_names_everyone_before_the_outlet_or_the_place(
    byline: str, names: tuple[str, ...]
) -> None:
    head = '<meta property="og:site_name" content="BBC News">'
    body = f"<article><h1>Headline</h1><p><strong>{byline}</strong></p><p>Text.</p></article>"
    assert page_metadata(_page(head, body)).authors == names


def test_a_tagline_glued_to_the_title_is_not_the_headline() -> None:
    head = (
        "<title>Truckwash A31Das etwas andere Branchenbuch | Das etwas andere Branchenbuch</title>"
    )
    body = "<h1>Das etwas andere Branchenbuch</h1><article><h1>Truckwash A31</h1><p>x</p></article>"
    assert page_metadata(_page(head, body)).title == "Truckwash A31"


def test_the_outlet_before_a_role_is_cut_with_it() -> None:
    sites = site_keys("PhillyVoice", "https://www.phillyvoice.com/sixers")
    assert clean_authors(["Adam Aaronson PhillyVoice Staff"], sites) == ("Adam Aaronson",)


def test_a_name_that_ends_in_the_site_s_is_the_outlet_unless_a_person_bears_it() -> None:
    sites = site_keys(None, "https://volksblatt.at/chronik/oesterreich/alkohol-822151/")
    assert clean_authors(["OÖ Volksblatt"], sites) == ()
    lemire = site_keys("Daniel Lemire's blog", "https://lemire.me/blog/2019/08/02/json/")
    assert clean_authors(["Daniel Lemire"], lemire) == ("Daniel Lemire",)  # a given name


def test_a_site_name_that_holds_the_title_still_names_the_outlet() -> None:
    # furche.at's og:site_name is the page's title; its <meta name="author"> the outlet.
    sites = site_keys("Achtsam durch die Krise | Die FURCHE", None)
    assert clean_authors(["Die FURCHE"], sites) == ()
    assert clean_authors(["Ursula Baatz"], sites) == ("Ursula Baatz",)


def test_a_host_in_the_title_of_a_page_without_url_names_the_outlet() -> None:
    # ndr.de saved to a file: no URL, canonical or og:site_name; <meta name="author">
    # is the broadcaster, the byline the podcast's host.
    head = (
        "<title>(16) Coronavirus-Update: Brauchen Abkürzungen | NDR.de - Nachrichten</title>"
        '<meta name="author" content="NDR">'
    )
    body = '<h1>Brauchen Abkürzungen</h1><span itemprop="author">Autor/in: Korinna Hennig</span>'
    assert page_metadata(_page(head, body)).authors == ("Korinna Hennig",)
    # With a URL its host names the site; the title's host is not looked for.
    meta = page_metadata(_page(head, body), "https://www.ndr.de/nachrichten/info/x.html")
    assert meta.authors == ("Korinna Hennig",)


def test_an_archived_page_is_its_original_site() -> None:
    url = "https://web.archive.org/web/20080731095558/http://www.dimido.de/2008/07/29/was-ist"
    assert "dimido" in site_keys(None, url)
    assert "bundeskanzleramt" in site_keys(None, "https://www.bundeskanzleramt.gv.at/x.html")
    assert "nestlefamilyme" in site_keys("Nestlé Family ME", None)  # accents as hosts spell them


def test_full_names_takes_a_surname_only_from_where_the_page_names_its_author() -> None:
    from tasks.extract.metadata import _parse, full_names

    root = _parse(
        "<html><head><title>Zeitphilosophie – Dr. Alexander Klier</title></head><body>"
        "<div class='author-box'><p>Stefanus Stahl - Maschinenbauer, Abenteurer</p>"
        "<a>Karsten More Posts</a></div><p>Todd Bates said so.</p>"
        "<p class='byline'>Anna Roe</p><p class='byline'>Anna Poe</p></body></html>"
    )
    assert root is not None
    got = full_names(["Alexander", "Stefanus", "Todd", "Karsten", "Anna", "tlow", "Jane Roe"], root)
    # Todd's surname is in the text, not where the page names an author; Karsten's 'More
    # Posts' is a label; Anna has two.
    assert got == [
        "Alexander Klier",
        "Stefanus Stahl",
        "Todd",
        "Karsten",
        "Anna",
        "tlow",
        "Jane Roe",
    ]
