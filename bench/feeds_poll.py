"""Feed ingestion end to end against local servers, and the cost of a poll when nothing changed.

    python bench/feeds_poll.py [--feeds 50] [--items 40] [--hosts 10]

Serves N feeds x M items (pages built from the BBC corpus by bench/pages.py) from HOSTS
loopback addresses (127.0.0.1, 127.0.0.2, ...), so the fetcher's per-host limits apply as on
the web: at most 2 requests in flight per host and a minimum gap between them. Measures the
`ingest-feeds` flow inside the flow run (Prefect's start-up excluded):

- first poll: everything new (feeds, pages, extraction, landing);
- second poll, forced, nothing changed: conditional GETs answered 304.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsflow-bench-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from bench.pages import build_pages
from bench.report import print_rows
from tests.webserver import LocalServer, Reply, Request

PER_HOST_DELAY = 0.02
PER_HOST_CONCURRENCY = 2


def rss(base: str, feed_no: int, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {feed_no}-{i}</title><link>{link}</link>"
        f"<guid isPermaLink='false'>f{feed_no}-{i}</guid>"
        f"<pubDate>Mon, 0{1 + i % 9} Nov 2026 10:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed_no}</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    ).encode()


def conditional(body: bytes, etag: str):
    def answer(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(200, body, {"ETag": etag, "Content-Type": "application/rss+xml"})

    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--hosts", type=int, default=10)
    args = parser.parse_args()

    from prefect.testing.utilities import prefect_test_harness

    from flows.web import ingest_feeds

    with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as tmp:
        pages = build_pages(Path(tmp) / "pages", n=args.feeds * args.items)
        servers = [LocalServer(host=f"127.0.0.{h + 1}") for h in range(args.hosts)]
        for s in servers:
            s.__enter__()
        try:
            feed_lines = []
            for f in range(args.feeds):
                server = servers[f % args.hosts]
                links = []
                for i in range(args.items):
                    page = pages[f * args.items + i]
                    path = f"/f{f}/{page.path.name}"
                    server.add(path, page.path.read_bytes(), headers={"Content-Type": "text/html"})
                    links.append(server.url(path))
                url = server.handle(
                    f"/feeds/{f}.xml", conditional(rss(server.base_url, f, links), f'"v{f}"')
                )
                feed_lines += ["[[feeds]]", f'url = "{url}"']
            sources = Path(tmp) / "sources.toml"
            network = [
                "[network]",
                "allow_private = true",  # the loopback hosts; never the default
                f"per_host_delay = {PER_HOST_DELAY}",
                f"per_host_concurrency = {PER_HOST_CONCURRENCY}",
                "[defaults]",
                f"max_items = {args.items}",
            ]
            sources.write_text("\n".join(network + feed_lines) + "\n")
            warehouse = str(Path(tmp) / "wh" / "bench.duckdb")
            with prefect_test_harness(server_startup_timeout=120):
                wall = time.perf_counter()
                first = ingest_feeds(sources=str(sources), warehouse=warehouse)
                first_wall = time.perf_counter() - wall
                wall = time.perf_counter()
                second = ingest_feeds(sources=str(sources), warehouse=warehouse, force=True)
                second_wall = time.perf_counter() - wall
        finally:
            for s in servers:
                s.__exit__(None, None, None)
        requests = sum(len(s.requests) for s in servers)
        worst = max(s.max_active for s in servers)

    f, g = first, second
    rows = [
        ("feeds x items, hosts", f"{args.feeds} x {args.items}, {args.hosts} loopback hosts"),
        ("per-host limits", f"{PER_HOST_CONCURRENCY} in flight, {PER_HOST_DELAY} s apart"),
        ("first poll: landed / errors", f"{f.new_articles} / {f.errors}"),
        ("first poll: in-flow / wall", f"{f.seconds:.2f} s / {first_wall:.2f} s"),
        ("  end-to-end items/s (in-flow)", f"{f.new_articles / f.seconds:.1f}"),
        ("second poll, nothing changed: in-flow", f"{g.seconds:.2f} s (target < 2 s)"),
        ("second poll: wall, incl. Prefect", f"{second_wall:.2f} s"),
        ("second poll: new / pages fetched", f"{g.new_articles} / {g.items_read}"),
        ("requests served, most in flight on one host", f"{requests}, {worst}"),
    ]
    print_rows(rows)


if __name__ == "__main__":
    main()
