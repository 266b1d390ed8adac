"""Inputs for the many-workers test: BBC articles written as dated .txt files, copies and
near-copies among them (some dated before their original, so a later landing must take the
original's place), and RSS feeds on a real HTTP server on 127.0.0.1 whose pages are more BBC
articles and copies of some of the files.

A group of copies has as original its earliest published member, and among equally dated
members the first landed (docs/duplicates-and-stories.md). So every article here has its own
date, except one exact copy dated as its original (`Corpus.tied`): which of those two is the
original depends on which landed first, by design.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from bench.pages import load_corpus
from tests.webserver import LocalServer

START = datetime(2005, 1, 1)
# A day apart: the text cleaner keeps a .txt's date to the day (no time), and two articles of
# one day are equally dated. A week (the stories' window) holds seven: BBC follow-ups, a few
# numbers apart in the corpus, still form stories.
STEP = timedelta(days=1)
BOILERPLATE = "Share this article\nFollow us on social media for more news like this."


@dataclass(frozen=True)
class Corpus:
    files: list[Path]  # every .txt written
    halves: tuple[list[Path], list[Path]]  # overlapping: together they are `files`
    feed_urls: list[str]
    sources: Path  # a sources file allowing 127.0.0.1 (the SSRF guard refuses loopback)
    copies: int  # copies and near-copies among files and feeds
    tied: tuple[Path, Path]  # an original and its exact copy, equally dated, in either half


def _stamp(n: int) -> datetime:
    return START + n * STEP


def _txt(title: str, paragraphs: list[str], when: datetime) -> str:
    return f"{title}\nPublished: {when:%Y-%m-%d}\n\n" + "\n\n".join(paragraphs) + "\n"


def _near(paragraphs: tuple[str, ...]) -> list[str]:
    """A re-post: the last sentence of the second paragraph dropped, boilerplate added."""
    edited = list(paragraphs)
    if len(edited) > 1 and edited[1].count(". ") >= 1:
        edited[1] = edited[1].rsplit(". ", 1)[0] + "."
    return [*edited, BOILERPLATE]


def _page(title: str, paragraphs: list[str], when: datetime, outlet: str) -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
          "publisher": {"@type": "Organization", "name": outlet}}  # fmt: skip
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
        f"{html.escape(title)} | {outlet}</title>"
        f'<script type="application/ld+json">{json.dumps(ld)}</script></head><body>'
        f"<nav><a href='/'>Home</a></nav><article><h1>{html.escape(title)}</h1>{body}</article>"
        f"<footer>© {outlet}</footer></body></html>"
    )


def _rss(server: LocalServer, name: str, items: list[tuple[str, str, datetime]]) -> str:
    entries = "".join(
        f"<item><title>{html.escape(title)}</title><link>{server.url(path)}</link>"
        f"<guid>{server.url(path)}</guid><pubDate>{format_datetime(when)} GMT</pubDate></item>"
        for title, path, when in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name}'
        f"</title><link>{server.base_url}</link>{entries}</channel></rss>"
    )


def build(folder: Path, server: LocalServer, n_files: int, n_feed: int, feeds: int) -> Corpus:
    """`n_files` BBC articles as files under `folder`, plus copies; `feeds` feeds on `server`
    holding `n_feed` further BBC articles between them, plus copies of files."""
    corpus = load_corpus()
    # Every 4th article from the start: all five sections, and some BBC follow-ups (the
    # corpus is in section, then number, order, and neighbours are often the same story).
    picked = corpus[: 4 * (n_files + n_feed) : 4]
    assert len(picked) == n_files + n_feed
    files_part, feed_part = picked[:n_files], picked[n_files:]
    out = folder / "bbc"
    out.mkdir(parents=True)
    written = []
    for n, a in enumerate(files_part):
        path = out / f"{n:04d}.txt"
        path.write_text(_txt(a.title, list(a.paragraphs), _stamp(n)), encoding="utf-8")
        written.append(path)
    half = len(written) // 2
    quarter = len(written) // 4
    # Copies among the files, each in the half its original is not in (or in both, for an
    # original in the overlap), so workers may land either first: (original, exact?, days
    # from the original). Negative: the copy is the earlier, and becomes the original.
    copy_specs = [(5, True, 2), (12, False, -2), (20, False, 3), (quarter * 3, True, -3),
                  (half + 3, False, -1), (half + 9, True, 1), (1, False, 4),
                  (quarter * 3 + 1, False, -4), (quarter, True, 0)]  # fmt: skip
    copies_a, copies_b, tied = [], [], []
    for k, (i, exact, days) in enumerate(copy_specs):
        a = files_part[i]
        paragraphs = list(a.paragraphs) if exact else _near(a.paragraphs)
        path = out / f"copy-{k:02d}-of-{i:04d}.txt"
        path.write_text(_txt(a.title, paragraphs, _stamp(i + days)), encoding="utf-8")
        (copies_b if i < half else copies_a).append(path)
        if days == 0:
            tied = [written[i], path]
    # Overlapping halves: the first 60% and the last 60% (the middle fifth in both).
    cut_a, cut_b = int(len(written) * 0.6), int(len(written) * 0.4)
    halves = (written[:cut_a] + copies_a, written[cut_b:] + copies_b)

    # Feeds: the rest of the picked articles, and near-copies of a few files (two dated
    # before their file), spread over `feeds` feeds; pages carry a time as well as a date.
    items: list[list[tuple[str, str, datetime]]] = [[] for _ in range(feeds)]
    for n, a in enumerate(feed_part):
        path = f"/news/{n:03d}.html"
        when = _stamp(n_files + n)
        server.add(path, _page(a.title, list(a.paragraphs), when, "Feed News"),
                   headers={"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
        items[n % feeds].append((a.title, path, when))
    feed_copies = [(2, -20), (half, 20), (len(written) - 2, -40)]
    for k, (i, hours) in enumerate(feed_copies):
        a = files_part[i]
        path = f"/reposts/{k}.html"
        when = _stamp(i) + timedelta(hours=hours)
        server.add(path, _page(a.title, _near(a.paragraphs), when, "Repost Daily"),
                   headers={"Content-Type": "text/html; charset=utf-8"})  # fmt: skip
        items[k % feeds].append((a.title, path, when))
    urls = []
    for f in range(feeds):
        path = f"/feeds/{f}.xml"
        server.add(path, _rss(server, f"feed {f}", items[f]),
                   headers={"Content-Type": "application/rss+xml"})  # fmt: skip
        urls.append(server.url(path))
    net = {"allowed_hosts": ["127.0.0.1"], "per_host_delay": 0, "timeout": 5.0}
    lines = ["[network]"] + [f"{k} = {json.dumps(v)}" for k, v in net.items()]
    for f, url in enumerate(urls):
        lines += ["[[feeds]]", f'name = "feed {f}"', f'url = "{url}"']
    sources = folder / "sources.toml"
    sources.write_text("\n".join(lines) + "\n")
    return Corpus(
        files=sorted(written + copies_a + copies_b),
        halves=halves,
        feed_urls=urls,
        sources=sources,
        copies=len(copy_specs) + len(feed_copies),
        tied=(tied[0], tied[1]),
    )
