"""Title, author and date rules on real pages (tests/fixtures/real/, from the dev split of
bench/extraction_real.py --metadata: md5(url) even)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from tasks.extract.metadata import PageMeta, page_metadata
from tasks.extract.pool import extract_batch
from tasks.land import Batch, land_batch
from tasks.sources.files import discover
from tests.conftest import FIXTURES, rows

REAL = FIXTURES / "real"


def _meta(name: str, url: str | None) -> PageMeta:
    return page_metadata((REAL / name).read_bytes(), url)


def test_a_site_name_after_a_colon_ends_the_title() -> None:
    # <title> 'Das vermutlich schwulste Musikvideo der Welt : Krimiblog-Archiv | Ermittlungen
    # zum Verfall eines Genres | Gegründet 2005 | 6. Jahrgang': the site (archiv.krimiblog.de)
    # and its tagline after ' : '.
    meta = _meta("archiv.krimiblog.de.2895.html", "http://archiv.krimiblog.de/?p=2895")
    assert meta.title == "Das vermutlich schwulste Musikvideo der Welt"


def test_site_suffixed_title_is_cleaned_by_host() -> None:
    # <title> 'Vegetarier zu sein. Bedarf, Trend oder eigene Entscheidung? | Ethify': the page
    # names no site (no og:site_name), so the suffix is known as the site by its host; the
    # page's <h1> is the logo 'Ethify', which must not win either.
    meta = _meta(
        "ethify.org.vegetarier.html",
        "https://ethify.org/content/vegetarier-zu-sein-bedarf-trend-oder-eigene-entscheidung",
    )
    assert meta.title == "Vegetarier zu sein. Bedarf, Trend oder eigene Entscheidung?"


def test_a_title_that_is_only_the_site_name_gives_way_to_the_printed_headline() -> None:
    # og:title and <title> are both the site's og:site_name ('.:: NMB-MEDIA ::. eBay-
    # Templates, ...'); the post's <h1> is its headline.
    meta = _meta(
        "nmb-media.de.ebay.html",
        "https://shop.nmb-media.de/eBay-Template-Datenschutz-Google-Fonts-Fontawesome",
    )
    assert meta.title == "Datenschutztechnische Anpassung der eBay-Verkaufsvorlagen"
    assert meta.sources["title"] == "html-h1"


def test_the_title_part_the_url_slug_spells_is_the_headline() -> None:
    # <title> 'Rinderleber-Geschnetzeltes mit Apfel und Zwiebel | Liebe geht durch den Magen':
    # the suffix is the blog's tagline (also its <h1>), named by no site key. The saved file
    # has no URL of its own; its canonical link's slug spells the first part only.
    items, _ = discover([str(REAL / "der-erfolg-gibt-recht.de.rinderleber.html")], "file")
    articles, errors = extract_batch(items)
    assert not errors
    assert articles[0].title == "Rinderleber-Geschnetzeltes mit Apfel und Zwiebel"


def test_a_title_part_printed_as_the_headline_is_the_title() -> None:
    # <title> 'www.bundespraesident.de: Der Bundespräsident / Reden / Rede von …': site,
    # section and headline; the speech's <h1> prints the last part (the first <h1> is
    # 'Navigation und Service'). The slug (/Johannes-Rau/) spells no other part better.
    meta = _meta(
        "bundespraesident.de-rau.html",
        "https://www.bundespraesident.de/SharedDocs/Reden/DE/Johannes-Rau/Reden/2003/03/"
        "20030331_Rede2.html",
    )
    assert meta.title == (
        "Rede von Bundespräsident Johannes Rau beim Föderalismuskonvent der deutschen "
        "Landesparlamente"
    )
    # Where the slug spells another part, the printed part is the blog's name or tagline
    # ('Liebe geht durch den Magen' in the masthead): see the test above.


def test_a_page_with_no_h1_prints_its_headline_as_an_h2() -> None:
    # villacc.de has no <h1>: <title> 'Villa Galaxy - Ferienvilla in Florida' and the <h2>
    # 'Villa Galaxy' over the villa's details.
    meta = _meta("villacc.de.galaxy.html", "http://www.villacc.de/ferienvilla/119/Villa-Galaxy")
    assert meta.title == "Villa Galaxy"
    assert meta.sources["title"] == "html-h2"


def test_a_saved_page_names_its_site_by_where_it_was_saved_from() -> None:
    # An Internet Archive copy of dimido.de, ingested as a file: no URL of its own and none
    # declared, but the archive's 'WB_wombat_Init(..., "www.dimido.de:80")' names the host,
    # so the '| DimidoBlog' suffix of its <title> is the site's.
    items, _ = discover([str(REAL / "archive.org.dimido.de.marketing.html")], "file")
    articles, errors = extract_batch(items)
    assert not errors
    assert articles[0].title == "Was ist Virales Marketing?"


def test_saved_from_reads_a_browser_s_and_the_internet_archive_s_mark() -> None:
    from tasks.extract.document import saved_from

    browser = (
        b"<!DOCTYPE html>\n<!-- saved from url=(0036)https://www.example.com/a/b.html -->\n<html>"
    )
    archive = b'<script>WB_wombat_Init("https://web.archive.org/web/", "2008", "www.dimido.de:80");'
    assert saved_from(browser) == "https://www.example.com/a/b.html"
    assert saved_from(archive) == "http://www.dimido.de/"
    assert saved_from(b"<html><!-- saved from nowhere --></html>") is None
    assert saved_from(b" " * 5000 + browser) is None  # only the first kilobytes are read


def test_a_printed_headline_inside_a_one_part_title_wins_over_its_seo_words() -> None:
    # <title> 'Roasted Chicken with Oriental Rice Recipe | Nestlé Family ME', no <article>:
    # the <h1> is the title without the word added for search engines.
    meta = _meta(
        "nestle-family-com-chicken.html",
        "https://www.nestle-family.com/en/recipes/roasted-chicken-oriental-rice",
    )
    assert meta.title == "Roasted Chicken with Oriental Rice"
    assert meta.sources["title"] == "html-h1"


def test_a_short_kicker_printed_before_the_headline_is_not_the_title() -> None:
    # <h1><span class="h1small">Initiative EnergieEffizienz</span> Kostenloser Stromcheck für
    # private Haushalte</h1>; <title> 'Initiative EnergieEffizienz - kostenloser Stromcheck |
    # Ökologisch Bauen'.
    meta = _meta(
        "oekologisch-bauen.info.energieeffizienz.html",
        "https://www.oekologisch-bauen.info/haustechnik/elektro-fotovoltaik/"
        "initiative-energieeffizienz/",
    )
    assert meta.title == "Kostenloser Stromcheck für private Haushalte"
    # The <h1>'s line, kicker and all, is the headline, not the article's first paragraph.
    items, _ = discover([str(REAL / "oekologisch-bauen.info.energieeffizienz.html")], "file")
    articles, _ = extract_batch(items)
    assert articles[0].text.startswith("Mit der Initiative EnergieEffizienz können")


def test_author_email_is_dropped_and_the_name_kept() -> None:
    # <meta name="author" content="L&uuml;der Hoppe info@buero-hoppe.de">
    meta = _meta("buero-hoppe.de.baumgutachten.html", "http://www.buero-hoppe.de/baumgutachten.htm")
    assert meta.author == "Lüder Hoppe"
    assert meta.authors == ("Lüder Hoppe",)


def test_a_byline_printed_as_plain_text_names_the_authors() -> None:
    # No author markup, meta tag or JSON-LD: a paragraph 'Autoren Jelko Djuren und Jutta
    # Klaukien'. The photo credits '© Jelko Djuren' in <figcaption> are not bylines.
    meta = _meta(
        "duengebehoerde-niedersachsen.de-Sperrfristen.html",
        "https://www.duengebehoerde-niedersachsen.de/duengebehoerde/news/38853_Sperrfristende_01._"
        "Februar_-_Rechtliche_Hinweise_zur_N-D%C3%BCngung",
    )
    assert meta.authors == ("Jelko Djuren", "Jutta Klaukien")
    assert meta.sources["authors"] == "html"


def test_an_organisation_as_author_gives_way_to_the_person_the_page_prints() -> None:
    # <meta name="author" content="Hanns-Seidel-Stiftung e.V.">, the CMS's default; the page
    # prints 'Autorin: Uta Staschewski, Projektleiterin der HSS in Tunesien.'
    meta = _meta(
        "hss.de-Regierung.html",
        "https://www.hss.de/news/detail/grosse-aufgaben-fuer-die-neue-regierung-news8123/",
    )
    assert meta.authors == ("Uta Staschewski",)
    assert meta.sources["authors"] == "html"


def test_an_outlet_slogan_as_author_gives_way_to_the_person_the_page_prints() -> None:
    # <meta name="author" content="L-MAG – Das Magazin für Lesben">: the magazine and its
    # slogan, no person's name (no URL, so no site key knows it); the page prints 'Von
    # Claudia Lindner'.
    meta = _meta("l-mag.de-Holocaust-Gedenken.html", None)
    assert meta.authors == ("Claudia Lindner",)
    assert meta.sources["authors"] == "html"


def test_a_printed_byline_ends_at_its_line_break() -> None:
    # <p>Von <a>Roland Brockmann</a> und <a>Sebastian Drescher</a><br>...<br>Kakuma /Kenia</p>:
    # the dateline on the next line is no part of the second name.
    meta = _meta("aussengedanken.de.feuerholz.html", None)
    assert meta.authors == ("Roland Brockmann", "Sebastian Drescher")
    assert meta.sources["authors"] == "html"


def test_a_blog_named_after_its_author_keeps_its_author() -> None:
    # JSON-LD names the site 'Andreas Kalt' and the post's author 'Andreas Kalt': the site's
    # name, dropped as an outlet's own, is here a person's.
    meta = _meta("rete-mirabile.net.15jahre.html", None)
    assert meta.authors == ("Andreas Kalt",)


def test_a_person_whose_host_bears_their_name_is_the_author() -> None:
    # An Internet Archive copy of juergenheitmann.com (og:site_name 'so gesehen'):
    # <meta name="author" content="Jürgen Heitmann"> is the host's name and a person's.
    meta = _meta("archive.org.juergenheitmann.com.aggression.html", None)
    assert meta.authors == ("Jürgen Heitmann",)


def test_a_byline_word_in_its_own_element_names_who_follows_it() -> None:
    # <span class="screen-reader-text">| By </span> <span>Cara Stiles</span> | <time>...: no
    # markup or metadata names the author.
    meta = _meta("chocolate.com.pregnant.html", None)
    assert meta.authors == ("Cara Stiles",)
    assert meta.sources["authors"] == "html"


def test_ein_artikel_von_introduces_the_author() -> None:
    # <div class="metaInfo">Ein Artikel von <strong>Pamela Sladky</strong> | 27.01.2022 ...
    meta = _meta("pferderevue.at-uebung.html", None)
    assert meta.authors == ("Pamela Sladky",)


def test_a_name_alone_on_the_texts_last_line_signs_it() -> None:
    # No author in the metadata or a byline; the report ends <p><b><i>Stefan
    # Wasmer</i></b></p>.
    items, _ = discover([str(REAL / "eishockeynews.de-halbfinale.html")], "file")
    articles, errors = extract_batch(items)
    assert not errors
    assert articles[0].authors == ["Stefan Wasmer"]
    assert json.loads(articles[0].metadata_sources)["authors"] == "text"


def test_the_fuller_declared_author_list_wins() -> None:
    # JSON-LD's "author" is the first of two; <meta property="author"> names both.
    meta = _meta("refinery29.com.single.html", None)
    assert meta.authors == ("Sadhbh O'Sullivan", "Elisabeth Kochan")
    assert meta.sources["authors"] == "meta"


def test_a_first_name_alone_becomes_the_full_name_the_author_box_prints() -> None:
    # Rutgers: JSON-LD's author is 'Todd'; the sidebar's author box prints 'Todd Bates'.
    items, _ = discover([str(REAL / "rutgers.edu.robot.html")], "file")
    articles, errors = extract_batch(items)
    assert not errors
    assert articles[0].authors == ["Todd Bates"]


def test_several_authors_land_as_a_list(warehouse: str) -> None:
    # Two JSON-LD authors: the `authors` column holds them apart, `author` joined.
    items, _ = discover([str(REAL / "theintercept.com-Gaza.html")], "file")
    articles, errors = extract_batch(items)
    assert not errors
    assert articles[0].authors == ["Ibtisam Mahdi", "Ruwaida Kamal Amer"]
    land_batch(warehouse, "run-1", Batch(items=items, articles=articles))
    landed = rows(warehouse, "SELECT author, authors, metadata_sources FROM articles")
    assert landed[0][:2] == (
        "Ibtisam Mahdi, Ruwaida Kamal Amer",
        ["Ibtisam Mahdi", "Ruwaida Kamal Amer"],
    )
    assert json.loads(landed[0][2])["authors"] == "json-ld"


def test_site_name_cut_by_the_host_under_a_two_part_suffix() -> None:
    # og:title and <title> end in ' - Bundeskanzleramt Österreich' and no og:site_name says
    # so: the host bundeskanzleramt.gv.at names the site (the label before 'gv.at'). The <h1>
    # prints the day in one span and the headline in another: the headline is the title.
    meta = _meta("bundeskanzleramt.gv.at-bundesminsterin.html", None)
    assert meta.title == (
        "Bundesministerin Raab: Mit Ländern und Unternehmen frauen- und familienfreundliche "
        "Rahmenbedingungen gestalten"
    )
    assert meta.sources["title"] == "html-h1"


def test_a_kicker_printed_in_the_h1_is_not_part_of_the_title() -> None:
    # <h1><span>Interne Unterlagen im Netz</span><span>Daten von Rheinmetall gehackt</span>;
    # og:title 'Daten von Rheinmetall gehackt - Interne Unterlagen im Netz' puts the headline
    # first and the kicker behind it.
    meta = _meta(
        "tagesschau.de.rheinmetall.html",
        "https://www.tagesschau.de/investigativ/ndr/rheinmetall-datenleck-101.html",
    )
    assert meta.title == "Daten von Rheinmetall gehackt"


def test_the_one_printed_headline_wins_over_a_search_engine_title() -> None:
    # <title> 'Autofinanzierung – Autokredit oder doch besser Leasing?' and the page's one
    # <h1> 'Finanzierung Ihres Autos': no declared title agrees with it, and it is no label,
    # no part of the <title> and not the site's name.
    meta = _meta("comparis.ch.autofinanzierung.html", None)
    assert meta.title == "Finanzierung Ihres Autos"
    assert meta.sources["title"] == "html-h1"


def test_the_byline_names_the_author_when_no_metadata_does() -> None:
    # No author in the metadata; the post's footer has
    # <span class="author"><span class="vcard">Günter W. Kienitz</span> at 12:00 ...
    meta = _meta("archive.peptalks.de.schulnoten.html", None)
    assert meta.authors == ("Günter W. Kienitz",)
    assert meta.sources["authors"] == "html"


def test_a_link_to_the_author_page_names_the_author_when_nothing_else_does() -> None:
    # No author in the metadata and no element marked as a byline: the post prints
    # <address>By <a href=".../author/tanderson/"> Tim Anderson </a></address>; the
    # commenters' links (to their own sites) are not authors.
    meta = _meta(
        "thenervousbreakdown.com.loneliest.html",
        "http://thenervousbreakdown.com/tanderson/2011/07/"
        "the-loneliest-woman-in-the-world-an-appreciation-of-hearts-alone/",
    )
    assert meta.authors == ("Tim Anderson",)
    assert meta.sources["authors"] == "html"


def test_the_authors_of_teaser_cards_inside_the_article_are_not_its_authors() -> None:
    # The post's <article> holds three cards for other posts (<article class="m-post-card">),
    # each with its author's byline; the post's own byline names Jake Goulding.
    meta = _meta(
        "stackoverflow.blog.rust.html",
        "https://stackoverflow.blog/2020/01/20/what-is-rust-and-why-is-it-so-popular/",
    )
    assert meta.authors == ("Jake Goulding",)
    assert meta.sources["authors"] == "html"


def test_a_declared_login_is_spelt_out_as_the_byline_prints_it() -> None:
    # JSON-LD author {"name": "arianschlichenmayer"}; the byline prints 'Arian Schlichenmayer'.
    meta = _meta(
        "baumeister.de.sportzentrum.html",
        "https://www.baumeister.de/sportzentrum-kerenzerberg-filzbach/",
    )
    assert meta.authors == ("Arian Schlichenmayer",)


GOATS = "nationalgeographic.co.uk.goats.html"
GOATS_URL = (
    "https://www.nationalgeographic.co.uk/environment-and-conservation/2020/01/"
    "ravenous-wild-goats-ruled-island-over-century-now-its-being"
)


def test_modified_and_published_dates_are_kept_apart() -> None:
    # JSON-LD datePublished 2020-01-03T09:48:24Z, dateModified 2020-01-06T09:22:36Z.
    meta = _meta(GOATS, GOATS_URL)
    assert meta.published_at == datetime(2020, 1, 3, 9, 48, 24)
    assert meta.modified_at == datetime(2020, 1, 6, 9, 22, 36)
    assert meta.sources["modified_at"] == "json-ld"


def test_modified_and_published_dates_both_land(warehouse: str) -> None:
    items, _ = discover([str(REAL / GOATS)], "file")
    articles, errors = extract_batch(items)
    assert not errors
    land_batch(warehouse, "run-1", Batch(items=items, articles=articles))
    landed = rows(warehouse, "SELECT published_at, modified_at FROM articles")
    assert landed == [(datetime(2020, 1, 3, 9, 48, 24), datetime(2020, 1, 6, 9, 22, 36))]


def test_the_extraction_carries_the_modified_date() -> None:
    items, _ = discover([str(REAL / GOATS)], "file")
    articles, _ = extract_batch(items)
    assert articles[0].modified_at == datetime(2020, 1, 6, 9, 22, 36)


def test_a_modified_date_in_the_future_is_distrusted(tmp_path: Path) -> None:
    # The same page with a mistyped year in JSON-LD's dateModified: Open Graph's
    # article:modified_time (the next source) is believed instead.
    html = (REAL / GOATS).read_text(encoding="utf-8")
    typo = html.replace(
        '"dateModified":"2020-01-06T09:22:36Z"', '"dateModified":"2094-01-06T09:22:36Z"'
    )
    assert typo != html
    meta = page_metadata(typo, GOATS_URL)
    assert meta.modified_at == datetime(2020, 1, 6, 9, 22, 36)
    assert meta.sources["modified_at"] == "opengraph"


def test_a_published_date_years_after_the_day_in_the_url_is_distrusted() -> None:
    # Squarespace URL /home/2017/7/12/unter-uns-montauk (the gold's day); JSON-LD and
    # microdata say 2019-06-17, when the blog was moved.
    meta = _meta("befifty.montauk.html", None)
    assert meta.published_at is None
    items, _ = discover([str(REAL / "befifty.montauk.html")], "file")
    articles, errors = extract_batch(items)
    assert not errors
    assert articles[0].published_at is not None
    assert articles[0].published_at.date() == date(2017, 7, 12)


def _landed(name: str) -> tuple[datetime | None, str | None]:
    items, _ = discover([str(REAL / name)], "file")
    articles, errors = extract_batch(items)
    assert not errors
    return articles[0].published_at, json.loads(articles[0].metadata_sources).get("published_at")


def test_with_no_date_declared_the_one_printed_under_the_headline_beats_htmldate() -> None:
    # Nothing declares a date; htmldate's search of the whole page says 2020-09-22. The byline
    # under the headline prints 'von Marianne1 am 20.09.2020' (the gold's day).
    assert _landed("kochbar.de.schneiden.html") == (datetime(2020, 9, 20), "html")


def test_a_declared_date_on_another_day_than_the_printed_one_gives_way() -> None:
    # <meta name="date"> 2021-12-20T10:02:44; the news item prints 27.01.2022 (the gold's).
    meta = _meta("deutscheweine.de-riesling.html", None)
    assert meta.published_at == datetime(2022, 1, 27)
    assert meta.sources["published_at"] == "html"
    # <meta name="date"> 2020-04-29T11:52:23 (no zone) is 18 hours from the printed 'Stand:
    # 28.04.2020 18:00 Uhr': no time zone makes them one moment.
    meta = _meta("tagesschau.de.rheinmetall.html", None)
    assert meta.published_at == datetime(2020, 4, 28, 18, 0)


def test_a_printed_time_gives_a_declared_utc_date_its_zone() -> None:
    # JSON-LD 2023-11-09T05:30:59Z, printed 'November 8, 2023 at 11:30 p.m.' in Minnesota:
    # the same moment, six hours behind UTC. The declared instant stands, on the printed day.
    meta = _meta("twincities.com-mayor.html", None)
    assert meta.published_at == datetime(2023, 11, 9, 5, 30, 59)
    assert meta.published_offset == timedelta(hours=-6)
    assert meta.sources["published_at"] == "json-ld"


def test_a_date_deep_in_the_text_is_not_the_page_s() -> None:
    # Paragraphs into the text, 'Im Auftaktvideo blickt sie am <strong>Mittwoch, 13.10.2021
    # </strong> auf 50 Jahre ...' tells of an event; htmldate finds the page's day (2021-10-11,
    # the gold's).
    assert _landed("thw.de-frauen.html") == (datetime(2021, 10, 11), "trafilatura")


def test_every_name_the_site_declares_is_the_outlet_not_an_author() -> None:
    # og:site_name 'Technology Review' (the section's magazine); <meta name="application-name">
    # and <meta name="DC.creator"> 'heise online', which the author tags' fuller list took
    # for a second author. Saved without its URL, whose host would have named it.
    meta = _meta("heise.de.lithium.html", None)
    assert meta.site_name == "Technology Review"
    assert meta.authors == ("Denis Dilba",)


def test_a_quotations_credit_is_not_the_pages_author() -> None:
    # No author declared or printed; a box of quotations holds '<blockquote>„…“ <span
    # class="zitat-author">Jan Fleischhauer, deutscher Journalist, Kolumnist und
    # Autor</span>', which trafilatura's byline search returns.
    items, _ = discover([str(REAL / "ostbelgiendirekt.be.loriot.html")], "file")
    articles, errors = extract_batch(items)
    assert not errors
    assert articles[0].authors == []
    assert "Loriot" in articles[0].title
