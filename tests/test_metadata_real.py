"""Title, author and date rules on real pages (tests/fixtures/real/, from the dev split of
bench/extraction_real.py --metadata: md5(url) even)."""

from __future__ import annotations

import json

from tasks.extract.metadata import PageMeta, page_metadata
from tasks.extract.pool import extract_batch
from tasks.land import Batch, land_batch
from tasks.sources.files import discover
from tests.conftest import FIXTURES, rows

REAL = FIXTURES / "real"


def _meta(name: str, url: str) -> PageMeta:
    return page_metadata((REAL / name).read_bytes(), url)


def test_site_suffixed_title_is_cleaned_by_host() -> None:
    # <title> 'Vegetarier zu sein. Bedarf, Trend oder eigene Entscheidung? | Ethify': the page
    # names no site (no og:site_name), so the suffix is known as the site by its host; the
    # page's <h1> is the logo 'Ethify', which must not win either.
    meta = _meta(
        "ethify.org.vegetarier.html",
        "https://ethify.org/content/vegetarier-zu-sein-bedarf-trend-oder-eigene-entscheidung",
    )
    assert meta.title == "Vegetarier zu sein. Bedarf, Trend oder eigene Entscheidung?"


def test_author_email_is_dropped_and_the_name_kept() -> None:
    # <meta name="author" content="L&uuml;der Hoppe info@buero-hoppe.de">
    meta = _meta("buero-hoppe.de.baumgutachten.html", "http://www.buero-hoppe.de/baumgutachten.htm")
    assert meta.author == "Lüder Hoppe"
    assert meta.authors == ("Lüder Hoppe",)


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
