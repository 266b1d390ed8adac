"""A published date in the future or before the date in the page's URL is not trusted."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tasks.extract.dates import url_date
from tasks.extract.document import extract_item
from tasks.models import Article
from tasks.sources.files import discover

BODY = " ".join(["The council met on Tuesday and voted on the harbour plan."] * 20)


def _article(tmp_path: Path, url: str, json_ld_date: str, og_date: str) -> Article:
    ld = {"@type": "NewsArticle", "headline": "Harbour plan", "datePublished": json_ld_date}
    page = f"""<html><head><title>Harbour plan</title>
<script type="application/ld+json">{json.dumps(ld)}</script>
<meta property="article:published_time" content="{og_date}">
<link rel="canonical" href="{url}"></head>
<body><article><h1>Harbour plan</h1><p>{BODY}</p></article></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    items, _ = discover([str(path)], "file")
    article = extract_item(items[0])
    assert isinstance(article, Article)
    return article


def test_a_future_date_gives_way_to_the_next_plausible_one(tmp_path: Path) -> None:
    article = _article(
        tmp_path,
        "https://news.example/harbour-plan",
        "2094-05-01T10:00:00Z",
        "2024-03-05T09:30:00Z",
    )
    assert article.published_at == datetime(2024, 3, 5, 9, 30)
    assert json.loads(article.metadata_sources or "{}")["published_at"] == "opengraph"


def test_a_date_before_the_url_date_gives_way_to_the_url_date(tmp_path: Path) -> None:
    # A template's copyright date in JSON-LD and Open Graph, the real day in the URL.
    article = _article(
        tmp_path, "https://news.example/2024/03/05/harbour-plan", "2016-01-01", "2016-01-01"
    )
    assert article.published_at == datetime(2024, 3, 5)
    # htmldate (trafilatura) reads the URL too, once no declared date is left.
    assert json.loads(article.metadata_sources or "{}")["published_at"] in {"trafilatura", "url"}


def test_url_date_reads_days_and_months_not_ids() -> None:
    assert url_date("https://lemire.me/blog/2019/08/02/json-parsing/") == datetime(2019, 8, 2)
    assert url_date("https://x.example/news/2020-04-29-storm") == datetime(2020, 4, 29)
    assert url_date("https://x.example/2019/08/storm") == datetime(2019, 8, 1)
    assert url_date("https://x.example/a/12345678") is None
    assert url_date("https://x2019.example/news/storm") is None
