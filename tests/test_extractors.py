"""One document to one Article: metadata priority and the fast path for declared metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tasks.extract.document import extract_item
from tasks.models import ListedItem, SourceItem
from tests.conftest import FIXTURES

PAGE = (FIXTURES / "pages" / "harbour-wind-farm.html").read_text(encoding="utf-8")


def item(tmp_path: Path, html: str, hints: ListedItem | None = None) -> SourceItem:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    st = path.stat()
    return SourceItem("file", str(path), str(path), st.st_size, st.st_mtime_ns, hints=hints)


def test_declared_metadata_wins_and_is_attributed(tmp_path: Path) -> None:
    article = extract_item(item(tmp_path, PAGE))
    sources = json.loads(article.metadata_sources)
    assert sources["title"] == "json-ld" and sources["published_at"] == "json-ld"
    assert str(article.published_at) == "2024-03-14 08:30:00"  # with its time, from JSON-LD


def test_without_declared_metadata_trafilatura_finds_the_date(tmp_path: Path) -> None:
    bare = re.sub(r"<script type=\"application/ld\+json\">.*?</script>", "", PAGE, flags=re.S)
    bare = re.sub(r"<meta [^>]*>|<link [^>]*>|<time[^>]*>.*?</time>", "", bare)
    bare = bare.replace("Morag Lindsay</a> ·", "Morag Lindsay</a> · Published 14 March 2024")
    article = extract_item(item(tmp_path, bare))
    sources = json.loads(article.metadata_sources)
    assert str(article.published_at)[:10] == "2024-03-14"
    assert sources["published_at"] == "trafilatura"
    assert article.text.startswith("Councillors have approved plans")


def test_feed_entry_fills_what_the_page_lacks(tmp_path: Path) -> None:
    bare = re.sub(r"<script type=\"application/ld\+json\">.*?</script>", "", PAGE, flags=re.S)
    bare = re.sub(r"<meta [^>]*>|<link [^>]*>|<time[^>]*>.*?</time>|<title>.*?</title>", "", bare)
    bare = bare.replace("<h1>Harbour wind farm approved after three-year fight</h1>", "")
    entry = ListedItem("g1", None, None, "Wind farm approved", None, "Feed Author", None, None)
    article = extract_item(item(tmp_path, bare, entry))
    sources = json.loads(article.metadata_sources)
    assert article.title == "Wind farm approved" and sources["title"] == "feed"
