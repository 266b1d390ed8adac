"""Web ingest flows: RSS/Atom feeds, article URLs and sitemaps, fetched politely and safely.

poll feeds (conditional GET) -> parse -> only entries not seen before -> fetch pages -> raw
store -> extract -> land -> record each feed's health and next poll. Every HTTP request goes
through tasks/sources/http/fetch.py (robots.txt, per-host limits, SSRF guard, size caps, retries).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urldefrag, urljoin, urlsplit

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from flows.runs import RunSummary, extract_and_land, land_and_count, recorded_run
from tasks.extract.document import article_from_feed
from tasks.extract.urls import canonicalize, host_of
from tasks.land import Batch
from tasks.models import (
    POLL_SCHEMA,
    Article,
    FailedItem,
    FeedItem,
    ListedItem,
    RawPage,
    SourceItem,
)
from tasks.sources.feeds import ParsedFeed, parse_feed
from tasks.sources.http.fetch import FEED_ACCEPT, Fetcher, FetchPolicy, FetchRequest, FetchResult
from tasks.sources.http.netguard import NetPolicy
from tasks.sources.registry import Registry, Source, allows_link, load_registry, next_poll
from tasks.sources.sitemaps import (
    MAX_SITEMAP_BYTES,
    MAX_SITEMAP_ENTRIES,
    SitemapEntry,
    parse_sitemap,
)
from warehouse import hosts, rawstore, store

# Pages fetched, then extracted and landed, a batch at a time: fetching is the slow part, and a
# batch's pages are extracted only once all of them are fetched.
FETCH_BATCH = 200
# A healthy feed is due this share of its poll interval early (see _due).
DUE_SLACK = 0.1
# A scheduled poll that starts while an earlier one is still running skips (see
# ingest_feeds); a run of another machine that died stays `running` until that machine's next
# run, so past this age it no longer holds the polls back. A choice: a poll of 50 pages on
# one slow host (2 at a time, up to max_time = 120 s each) takes under an hour.
POLL_RUN_MAX_AGE = timedelta(hours=2)

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
MAX_SITEMAPS = 25
# Where a site whose robots.txt names no sitemap is looked for.
GUESSED_SITEMAPS = ("news-sitemap.xml", "sitemap.xml")


@dataclass(frozen=True, slots=True)
class Target:
    """A page to fetch, and what we know of it before fetching."""

    source_kind: str  # feed | url | sitemap
    link: str  # a feed entry without a page: the feed's URL and '#' and the entry's GUID
    entry: ListedItem | None = None
    source_id: str | None = None
    has_page: bool = True
    allow: tuple[str, ...] = ()  # its source's `allow`: where a redirect may lead


def fetch_policy(registry: Registry) -> FetchPolicy:
    """The fetcher's settings from the sources file's [network] section."""
    net = registry.network
    policy = FetchPolicy(
        net=NetPolicy(
            allow_private=bool(net.get("allow_private", False)),
            allowed_hosts=frozenset(str(h).lower() for h in net.get("allowed_hosts", ())),
        )
    )
    overrides = {
        k: net[k]
        for k in ("user_agent", "per_host_delay", "per_host_concurrency", "timeout",
                  "respect_robots", "max_bytes", "max_time")
        if k in net
    }  # fmt: skip
    return replace(policy, **overrides)


@contextmanager
def web_fetcher(registry: Registry, warehouse: str) -> Iterator[Fetcher]:
    """The fetcher of a run landing into `warehouse`: for a lake, its host limits, Retry-After
    pauses and robots.txt are shared with every other worker of the lake."""
    with hosts.shared_for(warehouse) as shared, Fetcher(fetch_policy(registry), shared) as f:
        yield f


# The fetcher retries each request itself (Retry-After, back-off) and turns failures into
# results; these retries are for the task failing as a whole (e.g. the raw store's disk).
@task(
    name="fetch", cache_policy=NO_CACHE, task_run_name="fetch-{label}", retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=2), retry_jitter_factor=0.5,
)  # fmt: skip
def fetch_task(fetcher: Fetcher, requests: list[FetchRequest], label: str) -> list[FetchResult]:
    return fetcher.fetch_many(requests)


@task(name="parse-feeds", cache_policy=NO_CACHE, task_run_name="parse-feeds")
def parse_feeds_task(results: list[FetchResult]) -> list[ParsedFeed | None]:
    return [
        parse_feed(r.body, r.final_url, r.headers) if r.outcome == "ok" and r.body else None
        for r in results
    ]


# -- feeds ---------------------------------------------------------------------------------


@flow(name="ingest-feeds")
def ingest_feeds(
    urls: list[str] | None = None,
    sources: str | None = None,
    warehouse: str | None = None,
    force: bool = False,
    batch_size: int = FETCH_BATCH,
) -> RunSummary:
    """Poll feeds (all configured ones that are due, or the given URLs) and land new items."""
    registry = load_registry(sources)
    if urls:  # one feed once, however it is written ('…/feed.xml', '…/feed.xml#x')
        urls = list(dict.fromkeys(urldefrag(u).url for u in urls))
    feeds = (
        [registry.find("feed", u) or Source("feed", u) for u in urls] if urls else registry.feeds()
    )
    params = {"urls": urls, "sources": registry.path, "force": force}
    with (
        recorded_run(warehouse, params) as summary,
        web_fetcher(registry, summary.warehouse) as fetcher,
    ):
        raw_root = rawstore.root_for(summary.warehouse)
        now = store.utcnow()
        with store.connect(summary.warehouse) as con:
            store.run_sql(con, "sql/sync_sources.sql", {"configured": _sources_table(feeds)})
            states = {
                row["source_id"]: row
                for row in store.run_sql(
                    con, "sql/source_states.sql", {"wanted": _sources_table(feeds)}
                )
            }
            # A feed's state says it polled only once its run ends: a scheduled poll that
            # came while an earlier one was still fetching from a slow host fetched the same
            # pages again, and so did the next; under `serve` (60 s schedule, pages taking
            # 100 s each) 5 runs piled up, 2.4 GB, and Prefect's runner, at its limit of 5,
            # started no other deployment's runs. One poll at a time: this one skips.
            earlier = (
                []
                if urls or force
                else store.run_sql(
                    con,
                    "sql/polls_in_progress.sql",
                    params={"run_id": summary.run_id, "since": now - POLL_RUN_MAX_AGE},
                )
            )
        if earlier:
            get_run_logger().warning(
                "skipped: feed poll %s (started %s UTC, process %s on %s) is still running",
                earlier[0]["run_id"], f"{earlier[0]['started_at']:%H:%M:%S}",
                earlier[0]["pid"], earlier[0]["host"],
            )  # fmt: skip
        due = [
            f for f in feeds if not earlier and (force or urls or _due(f, states[f.source_id], now))
        ]
        requests = [
            FetchRequest(
                f.url,
                etag=states[f.source_id]["etag"],
                last_modified=states[f.source_id]["last_modified"],
                previous_sha256=states[f.source_id]["body_sha256"],
                accept=FEED_ACCEPT,
            )
            for f in due
        ]
        results = fetch_task(fetcher, quote(requests), "feeds") if requests else []
        parsed = parse_feeds_task(quote(results)) if results else []

        feed_batch = Batch()
        targets: list[Target] = []
        polls: dict[str, dict] = {}
        for feed, result, feed_parsed in zip(due, results, parsed, strict=True):
            poll = _poll_row(feed, result, states[feed.source_id], now)
            polls[feed.source_id] = poll
            if result.outcome == "ok" and result.body:
                feed_batch.raw_pages.append(_keep_raw(raw_root, result, "xml"))
            if result.outcome == "error":
                feed_batch.errors.append(
                    FailedItem.of_url("feed", feed.url, "fetch", result.error or "fetch failed")
                )
            elif feed_parsed is not None and feed_parsed.error:
                _fail(poll, states[feed.source_id], feed, now, "soft", feed_parsed.error)
                feed_batch.errors.append(
                    FailedItem.of_url("feed", feed.url, "parse", feed_parsed.error, result.body)
                )
            elif feed_parsed is not None:
                if feed_parsed.warning:  # read, but not all of it, or leniently: say so
                    get_run_logger().warning("feed %s: %s", feed.url, feed_parsed.warning)
                entries = newest(feed_parsed.entries, feed.max_items)
                poll["items_seen"] = len(entries)
                for entry in entries:
                    if entry.link is None:  # no page (feeds.parse_feed)
                        uri = f"{feed.url}#{entry.guid}"
                        targets.append(Target("feed", uri, entry, feed.source_id, False))
                    elif feed.allows(entry.link):
                        targets.append(
                            Target("feed", entry.link, entry, feed.source_id, allow=feed.allow)
                        )
        summary.items_seen = len(targets)
        new = _unseen(summary.warehouse, targets)
        summary.unchanged = len(targets) - len(new)
        pageless = [t for t in new if not t.has_page]
        landed = _from_feed_alone(feed_batch, pageless)
        if feed_batch.errors or feed_batch.raw_pages or feed_batch.articles:
            land_and_count(summary, feed_batch, "feeds")
        pages = [t for t in new if t.has_page]
        for feed_id, count in _ingest_pages(
            summary, fetcher, pages, raw_root, "feed", batch_size
        ).items():
            landed[feed_id] = landed.get(feed_id, 0) + count
        for feed_id, count in landed.items():
            if feed_id in polls:
                polls[feed_id]["articles_landed"] = count
        # Only now, with its items landed, does a feed's new ETag/hash count as processed.
        if polls:
            with store.connect(summary.warehouse) as con:
                store.run_sql(
                    con, "sql/update_sources.sql", {"polls": _polls_table(list(polls.values()))}
                )
    return summary


def newest(entries: tuple[ListedItem, ...], count: int) -> list[ListedItem]:
    """The `count` newest entries. Feeds that list their oldest entry first exist (podcasts,
    archives, some CMSs): the first `count` in the document were its oldest, the same ones
    every poll, and nothing newer ever landed. Undated entries come last, in their order."""
    return sorted(entries, key=lambda e: e.published_at or datetime.min, reverse=True)[:count]


def _due(feed: Source, state: dict, now: datetime) -> bool:
    """Whether a feed is to be polled now. A healthy feed is due a tenth of its interval
    early: each scheduled run starts a moment earlier or later than the last (a process
    started per run), and one due at 10:10:07.4 was skipped by the run that started at
    10:10:06.9, so the default 10-minute feed was polled every 20 minutes. A failing feed
    waits its full back-off (and Retry-After)."""
    when = state["next_poll_at"]
    if not when:
        return True
    if state["consecutive_failures"]:
        return when <= now
    return when <= now + timedelta(minutes=feed.poll_minutes) * DUE_SLACK


def _from_feed_alone(batch: Batch, targets: list[Target]) -> dict[str, int]:
    """Feed entries without a page, into `batch`: the feed's own text as the article (as for
    a page that cannot be fetched), else an error row; articles per feed source_id."""
    landed: dict[str, int] = {}
    for target in targets:
        assert target.entry is not None and target.source_id is not None
        item = SourceItem("feed", target.link, "", 0, 0, hints=target.entry)
        article = article_from_feed(item)
        if article is None:
            batch.errors.append(
                FailedItem.of_url("feed", target.link, "extract",
                                  "no link to a page, and too little text in the feed")
            )  # fmt: skip
        else:
            batch.articles.append(article)
            landed[target.source_id] = landed.get(target.source_id, 0) + 1
        batch.feed_items.append(_feed_item(target, article))
    return landed


def _poll_row(feed: Source, result: FetchResult, state: dict, now: datetime) -> dict:
    failed = result.outcome == "error"
    failures = state["consecutive_failures"] + 1 if failed else 0
    return {
        "source_id": feed.source_id,
        "polled_at": now,
        "status": result.status,
        "outcome": result.outcome,
        "error": result.error if failed else None,
        "error_kind": result.error_kind if failed else None,
        "etag": result.etag,
        "last_modified": result.last_modified,
        "body_sha256": result.sha256,
        "consecutive_failures": failures,
        "next_poll_at": next_poll(
            feed, now, result.error_kind if failed else None, failures, result.retry_after
        ),
        "items_seen": 0,
        "articles_landed": 0,
    }


def _fail(poll: dict, state: dict, feed: Source, now: datetime, kind: str, error: str) -> None:
    failures = state["consecutive_failures"] + 1
    poll.update(
        error=error,
        error_kind=kind,
        outcome="error",
        consecutive_failures=failures,
        next_poll_at=next_poll(feed, now, kind, failures),
        etag=None,
        last_modified=None,
        body_sha256=None,
    )


def _sources_table(feeds: list[Source]) -> pa.Table:
    return pa.table(
        {
            "source_id": pa.array([f.source_id for f in feeds], pa.string()),
            "kind": pa.array([f.kind for f in feeds], pa.string()),
            "name": pa.array([f.name for f in feeds], pa.string()),
            "url": pa.array([f.url for f in feeds], pa.string()),
            "poll_minutes": pa.array([f.poll_minutes for f in feeds], pa.int32()),
            "max_items": pa.array([f.max_items for f in feeds], pa.int32()),
        }
    )


def _polls_table(polls: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(polls, schema=POLL_SCHEMA)


def _one_each(targets: list[Target]) -> list[Target]:
    """The first target of each page, however its link is written ('…/61', '…/61#top',
    '…/61?utm_source=x'); a feed entry without a page is its own."""
    unique: dict[str, Target] = {}
    for t in targets:
        unique.setdefault(canonicalize(t.link) if t.has_page else t.link, t)
    return list(unique.values())


def _unseen(warehouse: str, targets: list[Target]) -> list[Target]:
    """Targets whose entry was not seen before (by feed GUID, canonical URL, or the link an
    article was fetched from); one per URL."""
    targets = _one_each(targets)
    if not targets:
        return []
    entries = pa.table(
        {
            "source_id": pa.array([t.source_id or "" for t in targets], pa.string()),
            "guid": pa.array([t.entry.guid if t.entry else t.link for t in targets], pa.string()),
            "url": pa.array(
                [canonicalize(t.link) if t.has_page else None for t in targets], pa.string()
            ),
            "link": pa.array([t.link if t.has_page else None for t in targets], pa.string()),
        }
    )
    with store.connect(warehouse) as con:
        seen = {
            (r["source_id"], r["guid"])
            for r in store.run_sql(con, "sql/seen_entries.sql", {"entries": entries})
        }
    return [
        t for t in targets if (t.source_id or "", t.entry.guid if t.entry else t.link) not in seen
    ]


# -- pages ---------------------------------------------------------------------------------


def _keep_raw(raw_root: rawstore.Root, result: FetchResult, kind: str) -> RawPage:
    assert result.body is not None
    sha, rel = rawstore.put(raw_root, result.body, kind, result.sha256)
    return RawPage(
        sha, len(result.body), result.content_type, result.charset, result.final_url, rel
    )


def interleave_hosts(targets: list[Target]) -> list[Target]:
    """Round-robin over hosts, so every batch spreads over as many hosts as there are and the
    per-host limits cost the least (a feed's links mostly share one host)."""
    by_host: dict[str, list[Target]] = {}
    for t in targets:
        by_host.setdefault(host_of(t.link), []).append(t)
    queues = list(by_host.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def _page_batches(
    fetcher: Fetcher, targets: list[Target], raw_root: rawstore.Root, label: str, batch_size: int
) -> Iterator[Batch]:
    """Fetch targets a batch at a time; each batch holds the pages to extract and, for pages
    that failed, the error and (when the feed carries the text) an article from the feed."""
    targets = interleave_hosts(targets)
    for n, start in enumerate(range(0, len(targets), batch_size), start=1):
        chunk = targets[start : start + batch_size]
        requests = [FetchRequest(t.link, allow=t.allow) for t in chunk]
        results = fetch_task(fetcher, quote(requests), f"{label}-{n:04d}")
        batch = Batch()
        for target, result in zip(chunk, results, strict=True):
            problem = result.error if result.outcome == "error" else None
            if (
                not problem
                and result.content_type
                and not result.content_type.startswith(_HTML_TYPES)
            ):
                problem = f"not an HTML page ({result.content_type})"
            if problem is None and result.body:
                page = _keep_raw(raw_root, result, "html")
                batch.raw_pages.append(page)
                batch.items.append(
                    SourceItem(
                        target.source_kind,
                        target.link,
                        rawstore.local_path(raw_root, page.path),
                        page.size,
                        0,
                        url=result.final_url,
                        charset=result.charset,
                        hints=target.entry,
                    )
                )
                continue
            batch.errors.append(
                FailedItem.of_url(target.source_kind, target.link, "fetch", problem or "empty body")
            )
            item = SourceItem(target.source_kind, target.link, "", 0, 0, hints=target.entry)
            fallback = article_from_feed(item)
            if fallback is not None:
                batch.articles.append(fallback)
            if target.source_id and (fallback or result.error_kind != "temporary"):
                batch.feed_items.append(_feed_item(target, fallback))
        yield batch


def _feed_item(target: Target, article: Article | None) -> FeedItem:
    entry = target.entry
    assert entry is not None and target.source_id is not None
    return FeedItem(
        source_id=target.source_id,
        guid=entry.guid,
        url=entry.url,
        title=entry.title,
        published_at=entry.published_at,
        article_id=article.article_id if article else None,
    )


def _ingest_pages(
    summary: RunSummary,
    fetcher: Fetcher,
    targets: list[Target],
    raw_root: rawstore.Root,
    label: str,
    batch_size: int,
) -> dict[str, int]:
    """Fetch, extract and land `targets`; return articles landed per feed source_id."""
    by_link = {t.link: t for t in targets}
    landed: dict[str, int] = {}

    def link_feed_items(batch: Batch, articles: list[Article], errors: list[FailedItem]) -> None:
        for article in articles:
            target = by_link.get(article.source_uri)
            if target and target.source_id:
                batch.feed_items.append(_feed_item(target, article))
                landed[target.source_id] = landed.get(target.source_id, 0) + 1
        for error in errors:  # extraction failures are final: do not fetch again
            target = by_link.get(error.source_uri)
            if target and target.source_id:
                batch.feed_items.append(_feed_item(target, None))

    extract_and_land(
        summary,
        _page_batches(fetcher, targets, raw_root, label, batch_size),
        len(targets),
        label,
        before_land=link_feed_items,
    )
    return landed


# -- article URLs and sitemaps -------------------------------------------------------------


@flow(name="ingest-urls")
def ingest_urls(
    urls: list[str], sources: str | None = None, warehouse: str | None = None
) -> RunSummary:
    """Article pages by URL."""
    registry = load_registry(sources)
    with (
        recorded_run(warehouse, {"urls": urls}) as summary,
        web_fetcher(registry, summary.warehouse) as fetcher,
    ):
        targets = _one_each([Target("url", u) for u in urls])
        summary.items_seen = len(targets)
        _ingest_pages(
            summary, fetcher, targets, rawstore.root_for(summary.warehouse), "url", FETCH_BATCH
        )
    return summary


@flow(name="ingest-sitemap")
def ingest_sitemap(
    url: str | None = None,
    max_items: int | None = None,
    sources: str | None = None,
    warehouse: str | None = None,
) -> RunSummary:
    """Sites' newest pages from their (news) sitemaps: robots.txt `Sitemap:` lines, else the
    usual locations. `url` may be a site or a sitemap; without it, every configured site."""
    registry = load_registry(sources)
    sites = (
        [registry.find("site", url) or Source("site", url)]
        if url
        else [s for s in registry.sources if s.kind == "site"]
    )
    with (
        recorded_run(warehouse, {"url": url, "max_items": max_items}) as summary,
        web_fetcher(registry, summary.warehouse) as fetcher,
    ):
        targets: list[Target] = []
        for site in sites:
            pages, errors = _discover_sitemap_pages(fetcher, site.url, site.allow)
            if errors:
                land_and_count(summary, Batch(errors=errors), "sitemaps")
            # Newest first (news sitemaps date every entry); undated pages last.
            pages.sort(key=lambda p: p.published_at or datetime.min, reverse=True)
            targets += [
                Target("sitemap", p.url, ListedItem(p.url, p.url, canonicalize(p.url), p.title,
                                                  p.published_at, None, None, None),
                       allow=site.allow)
                for p in pages[: max_items or site.max_items]
                if site.allows(p.url)
            ]  # fmt: skip
        summary.items_seen = len(targets)
        new = _unseen(summary.warehouse, targets)
        summary.unchanged = len(targets) - len(new)
        _ingest_pages(
            summary, fetcher, new, rawstore.root_for(summary.warehouse), "sitemap", FETCH_BATCH
        )
    return summary


def _discover_sitemap_pages(
    fetcher: Fetcher, url: str, allow: tuple[str, ...] = ()
) -> tuple[list[SitemapEntry], list[FailedItem]]:
    """The pages of a site's sitemaps. With `allow`, the site's, a sitemap (an index's, a
    robots.txt's `Sitemap:` line, a redirect's) is fetched only from its hosts, as a page is."""
    parts = urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc}/"
    queue: list[str] = []
    guessed: set[str] = set()
    # A site is its root or a folder ('…/news/'); any other path names a sitemap, whatever
    # its name ('/news-sitemap', '/sitemap.php?type=news').
    if parts.query or (parts.path and not parts.path.endswith("/")):
        queue.append(url)
    else:
        try:
            queue.extend(fetcher.sitemaps(root))
        except ValueError as exc:  # one site's URL must not end the run of every site
            return [], [FailedItem.of_url("sitemap", url, "discover", str(exc))]
        if not queue:
            queue = [urljoin(root, p) for p in GUESSED_SITEMAPS]
            guessed.update(queue)
    pages: dict[str, SitemapEntry] = {}
    errors: list[FailedItem] = []
    seen: set[str] = set()
    missing: set[str] = set()  # guessed locations the site does not have
    while queue and len(seen) < MAX_SITEMAPS:
        sitemap_url = queue.pop(0)
        if sitemap_url in seen:
            continue
        seen.add(sitemap_url)
        if not allows_link(sitemap_url, allow):
            host = host_of(sitemap_url) or sitemap_url
            errors.append(
                FailedItem.of_url("sitemap", sitemap_url, "fetch",
                                  f"refused: {host} is not in the site's `allow`")
            )  # fmt: skip
            continue
        result = fetcher.fetch(
            FetchRequest(
                sitemap_url,
                accept="application/xml, text/xml",
                allow=allow,
                max_bytes=MAX_SITEMAP_BYTES,
            )
        )
        if sitemap_url in guessed and result.status in (404, 410):
            # Only a guess: a site with /sitemap.xml alone was an error row, and exit 3, on
            # every run. None of the guesses there is "no sitemap found", below.
            missing.add(sitemap_url)
            continue
        if result.outcome != "ok" or not result.body:
            errors.append(
                FailedItem.of_url("sitemap", sitemap_url, "fetch", result.error or "empty")
            )
            continue
        try:
            sitemap = parse_sitemap(result.body, result.final_url)
        except ValueError as exc:
            if sitemap_url in guessed:  # a site's "page not found" page, served with a 200
                missing.add(sitemap_url)
                continue
            errors.append(FailedItem.of_url("sitemap", sitemap_url, "parse", str(exc), result.body))
            continue
        if sitemap.cut:
            errors.append(
                FailedItem.of_url("sitemap", sitemap_url, "parse",
                                  f"over {MAX_SITEMAP_ENTRIES:,} entries, the sitemap protocol's "
                                  f"limit: the first {MAX_SITEMAP_ENTRIES:,} read")
            )  # fmt: skip
        queue.extend(sitemap.children)
        for page in sitemap.pages:
            pages.setdefault(page.url, page)
    if left := len(set(queue) - seen):
        errors.append(
            FailedItem.of_url("sitemap", url, "discover",
                              f"{left} more sitemaps listed than the {MAX_SITEMAPS} read")
        )  # fmt: skip
    if not pages and not errors:
        if found := seen - missing:
            reason = f"no pages in the sitemaps read ({len(found)})"
        elif missing:  # every guess, so robots.txt named none
            where = " and ".join(f"/{p}" for p in GUESSED_SITEMAPS)
            reason = f"no sitemap found: robots.txt names none, and {where} are not there"
        else:
            reason = "no sitemap found"
        errors.append(FailedItem.of_url("sitemap", url, "discover", reason))
    return list(pages.values()), errors
