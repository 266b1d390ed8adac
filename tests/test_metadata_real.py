"""Title, author and date rules on real pages (tests/fixtures/real/, from the dev split of
bench/extraction_real.py --metadata: md5(url) even)."""

from __future__ import annotations

from tasks.metadata import PageMeta, page_metadata
from tests.conftest import FIXTURES

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
