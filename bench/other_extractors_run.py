"""One other extractor over saved pages, run inside that extractor's own virtualenv.

    <venv>/bin/python bench/other_extractors_run.py TOOL pages.json out.jsonl

Started by bench/other_extractors.py, which scores what this writes. Standard library and the
tool only: newsflow is not installed in these virtualenvs (mediacloud-metadata pins another
trafilatura). pages.json is a list of {"url", "given" (the URL to give the tool), "path", "day"
(published, for Fundus's choice of parser)};
out.jsonl gets one line a page: url, text, title, authors (list), date (ISO, as the tool
gives it), seconds, error; or unsupported (Fundus: no parser for the page's publisher).

Each tool is called as its README shows for HTML one already has, with image fetching off
(nothing here may touch the network).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import warnings
from collections.abc import Callable
from datetime import date

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


def decode(raw: bytes) -> str:
    """UTF-8, else the charset the page declares, else cp1252: the same text for every tool."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if m := _CHARSET.search(raw[:4096]):
        try:
            return raw.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return raw.decode("cp1252", errors="replace")


def _iso(value: object) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def newspaper4k() -> Callable[[str, str], dict]:
    import newspaper

    def run(url: str, html: str) -> dict:
        article = newspaper.Article(url, fetch_images=False)
        article.download(input_html=html)
        article.parse()
        return {
            "text": article.text,
            "title": article.title,
            "authors": list(article.authors),
            "date": _iso(article.publish_date),
        }

    return run


def news_please() -> Callable[[str, str], dict]:
    from newsplease import NewsPlease

    def run(url: str, html: str) -> dict:
        article = NewsPlease.from_html(html, url=url, fetch_images=False)
        return {
            "text": article.maintext,
            "title": article.title,
            "authors": list(article.authors or []),
            "date": _iso(article.date_publish),
        }

    return run


def goose3() -> Callable[[str, str], dict]:
    from goose3 import Goose

    goose = Goose({"enable_image_fetching": False})

    def run(url: str, html: str) -> dict:
        article = goose.extract(url=url, raw_html=html)
        return {
            "text": article.cleaned_text,
            "title": article.title,
            "authors": list(article.authors or []),
            "date": _iso(article.publish_date),
        }

    return run


def mediacloud_metadata() -> Callable[[str, str], dict]:
    import mcmetadata

    def run(url: str, html: str) -> dict:
        found = mcmetadata.extract(url, html_text=html)
        return {
            "text": found.get("text_content"),
            "title": found.get("article_title"),
            "authors": [],  # it extracts none
            "date": _iso(found.get("publication_date")),
        }

    return run


def fundus() -> Callable[[str, str], dict]:
    from urllib.parse import urlsplit

    from fundus import PublisherCollection

    def host(url: str) -> str:
        return (urlsplit(url.strip()).hostname or "").removeprefix("www.")

    parsers = {host(p.domain): p.parser for p in PublisherCollection}

    def run(url: str, html: str, day: str | None = None) -> dict:
        proxy = parsers.get(host(url))
        if proxy is None:  # Fundus parses only the publishers it has a parser for
            return {"unsupported": True}
        # Its parser for the layout the site had on that day, as Fundus's crawler picks one.
        try:
            crawled = date.fromisoformat(day) if day else None
        except ValueError:  # a gold date that is no date ('2022-25-10')
            crawled = None
        found = proxy(crawled).parse(html, error_handling="suppress")
        body = found.get("body")
        return {
            "text": str(body) if body else None,
            "title": found.get("title"),
            "authors": list(found.get("authors") or []),
            "date": _iso(found.get("publishing_date")),
        }

    return run


TOOLS: dict[str, Callable[[], Callable[[str, str], dict]]] = {
    "newspaper4k": newspaper4k,
    "news-please": news_please,
    "goose3": goose3,
    "mediacloud-metadata": mediacloud_metadata,
    "fundus": fundus,
}


def main() -> None:
    tool, pages_json, out_path = sys.argv[1:4]
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)  # their warnings about odd pages; the scores say enough
    extract = TOOLS[tool]()
    with open(pages_json, encoding="utf-8") as fh:
        pages = json.load(fh)
    with open(out_path, "w", encoding="utf-8") as out:
        for page in pages:
            with open(page["path"], "rb") as fh:
                html = decode(fh.read())
            started = time.process_time()  # CPU: the machine may be busy
            try:
                row = extract(
                    page["given"], html, **({"day": page["day"]} if tool == "fundus" else {})
                )
            except Exception as exc:  # scored as nothing found, as the tool would leave it
                row = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            row["seconds"] = time.process_time() - started
            row["url"] = page["url"]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
