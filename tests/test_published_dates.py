"""A published date in the future or before the date in the page's URL is not trusted."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from tasks.extract.dates import parse_datetime, parse_local, plausible_published, url_date
from tasks.extract.document import extract_item
from tasks.extract.metadata import page_metadata
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


def test_numeric_dates_read_day_first_with_dots_and_dashes_month_first_with_slashes() -> None:
    # As real pages of the dev split write them (bench/extraction_real.py --metadata):
    # exxpress.at <time datetime="01-11-2023 10:29"> prints '1. November 2023';
    # simmeltalzeitung.ch <meta name="date" content="11/01/2023 12:43:42"> prints
    # 'Erstellt am: 01.11.2023'.
    assert parse_datetime("01-11-2023 10:29") == datetime(2023, 11, 1, 10, 29)
    assert parse_datetime("11/01/2023 12:43:42") == datetime(2023, 11, 1, 12, 43, 42)
    assert parse_datetime("01.11.2023") == datetime(2023, 11, 1)
    assert parse_datetime("Monday, 2022-01-03") == datetime(2022, 1, 3)  # ISO order stays


def test_a_slashed_date_that_month_first_puts_after_the_last_change_is_read_day_first() -> None:
    # eluniversal.com (dev split): datePublished '10/05/2022 05:22 pm', dateModified
    # '2022/05/10 17:36:11'. Month first, it was published five months after its last change.
    assert parse_local("10/05/2022 05:22 pm", dayfirst=True) == (
        datetime(2022, 5, 10, 17, 22),
        None,
    )
    ld = {
        "@type": "NewsArticle",
        "headline": "Harbour plan",
        "datePublished": "10/05/2022 05:22 pm",
        "dateModified": "2022/05/10 17:36:11",
    }
    page = f"""<html><head><script type="application/ld+json">{json.dumps(ld)}</script>
</head><body><article><h1>Harbour plan</h1><p>{BODY}</p></article></body></html>"""
    meta = page_metadata(page, None)
    assert meta.published_at == datetime(2022, 5, 10, 17, 22)
    assert meta.modified_at == datetime(2022, 5, 10, 17, 36, 11)
    # Where month first is before the change, it stands.
    meta = page_metadata(page.replace("2022/05/10 17:36:11", "2022/10/06 09:00:00"), None)
    assert meta.published_at == datetime(2022, 10, 5, 17, 22)


def test_weekday_names_and_javascript_dates_are_read() -> None:
    # jagderleben.de article:published_time; wevolver.com article:published_time.
    assert parse_datetime("Di., 25.01.2022 - 14:45") == datetime(2022, 1, 25, 14, 45)
    assert parse_datetime(
        "Tue Feb 20 2018 01:00:00 GMT+0100 (Central European Standard Time)"
    ) == datetime(2018, 2, 20, 0, 0)


def test_the_offset_a_date_was_written_in_is_kept_beside_the_utc_time() -> None:
    # clarin.com: published at 22:46 on 3 May in Buenos Aires, 4 May in UTC.
    assert parse_local("2022-05-03T22:46:08-03:00") == (
        datetime(2022, 5, 4, 1, 46, 8),
        timedelta(hours=-3),
    )
    assert parse_local("2022-05-03") == (datetime(2022, 5, 3), None)


def test_url_days_without_leading_zeros_and_dates_weeks_after_them() -> None:
    url = "https://www.befifty.de/home/2017/7/12/unter-uns-montauk"
    assert url_date(url) == datetime(2017, 7, 12)
    assert plausible_published(datetime(2017, 7, 13, 9), url)
    assert not plausible_published(datetime(2019, 6, 17, 16, 28), url)
    # A month alone says nothing about the day: a month later is still that month's article.
    assert plausible_published(datetime(2021, 11, 10), "https://x.example/2021/10/meldung")


def test_printed_dates_are_read_with_their_time_and_months_are_not_days() -> None:
    from tasks.extract.dates import printed_date

    now = datetime(2026, 1, 1)
    assert printed_date("Veröffentlicht am 16.08.2019", now) == (datetime(2019, 8, 16), False)
    assert printed_date("07 Dezember, 2022", now) == (datetime(2022, 12, 7), False)
    assert printed_date("November 8, 2023 at 11:30 p.m.", now) == (
        datetime(2023, 11, 8, 23, 30),
        True,
    )
    assert printed_date("Publicado el 03/05/2022 a las 22h03", now) == (
        datetime(2022, 5, 3, 22, 3),
        True,
    )
    assert printed_date("1. Januar 2019", now) == (datetime(2019, 1, 1), False)
    # A magazine's issue names a month: htmldate reads it as the 1st, which is no day.
    assert printed_date("Heft 1/2019", now) is None
    assert printed_date("Nr. 48/22", now) is None
    assert printed_date("2027-03-01", now) is None  # after now


def test_a_feed_entrys_own_date_is_held_to_the_same_rule() -> None:
    # An entry whose text comes from the feed itself landed with its feed's 2035 date.
    from tasks.extract.document import article_from_feed
    from tasks.models import ListedItem, SourceItem

    def landed(url: str | None, when: datetime) -> datetime | None:
        entry = ListedItem("g", url, url, "Harbour plan", when, None, None, BODY)
        article = article_from_feed(SourceItem("feed", "https://news.example/f", "", 0, 0,
                                               hints=entry))  # fmt: skip
        assert article is not None
        return article.published_at

    assert landed(None, datetime(2035, 1, 1)) is None
    assert landed("https://news.example/2024/03/05/plan", datetime(2035, 1, 1)) == datetime(
        2024, 3, 5
    )
    assert landed(None, datetime(2024, 3, 5, 9, 30)) == datetime(2024, 3, 5, 9, 30)
