"""The fetcher against a real local HTTP server: outcomes, retries, guard, limits, robots."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import formatdate

import pytest

from tasks.sources.http.fetch import (
    FEED_ACCEPT,
    MAX_RETRY_AFTER,
    Fetcher,
    FetchPolicy,
    FetchRequest,
)
from tasks.sources.http.netguard import NetPolicy
from tests.webserver import LocalServer, Reply, Request

METADATA = "http://169.254.169.254/latest/meta-data/"
LOCAL = NetPolicy(allowed_hosts=frozenset({"127.0.0.1"}))
POLICY = FetchPolicy(net=LOCAL, per_host_delay=0, timeout=1.0, backoff=0.05)


def fetcher(**changes: object) -> Fetcher:
    return Fetcher(replace(POLICY, **changes))


def sequence(*replies: Reply) -> Callable[[Request], Reply]:
    """A handler answering with `replies` in turn, then repeating the last one."""
    lock = threading.Lock()
    remaining = list(replies)

    def handler(_request: Request) -> Reply:
        with lock:
            return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return handler


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- outcomes --------------------------------------------------------------------------------


def test_ok_carries_body_hash_type_charset_and_validators(web: LocalServer) -> None:
    body = "<html><body>Grüße</body></html>".encode()
    headers = {
        "Content-Type": 'Text/HTML; charset="ISO-8859-1"',
        "ETag": '"v1"',
        "Last-Modified": "Mon, 03 Nov 2025 10:00:00 GMT",
    }
    url = web.add("/page", body, headers=headers)
    with fetcher() as f:
        result = f.fetch(url)
    assert result.outcome == "ok", result.error
    assert (result.status, result.body, result.final_url, result.redirects) == (200, body, url, [])
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert (result.content_type, result.charset) == ("text/html", "iso-8859-1")
    assert (result.etag, result.last_modified) == ('"v1"', "Mon, 03 Nov 2025 10:00:00 GMT")
    assert result.headers["etag"] == '"v1"'
    assert (result.error, result.error_kind, result.attempts) == (None, None, 1)
    # An honest User-Agent on every request, robots.txt included.
    assert [r.path for r in web.requests] == ["/robots.txt", "/page"]
    for request in web.requests:
        assert request.headers["user-agent"] == POLICY.user_agent
        assert "gzip" in request.headers["accept-encoding"]


def test_accept_header_and_compressed_bodies(web: LocalServer) -> None:
    text = b"<p>story</p>" * 1000
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    bodies = {
        "gzip": (gzip.compress(text), "gzip"),
        "deflate": (zlib.compress(text), "deflate"),
        "raw-deflate": (raw.compress(text) + raw.flush(), "deflate"),  # common, and accepted
    }
    with fetcher() as f:
        for name, (data, encoding) in bodies.items():
            url = web.add(f"/{name}", data, headers={"Content-Encoding": encoding})
            result = f.fetch(FetchRequest(url, accept=FEED_ACCEPT))
            assert result.body == text, name
            assert result.sha256 == hashlib.sha256(text).hexdigest()
    assert web.hits("/gzip")[0].headers["accept"] == FEED_ACCEPT


def test_conditional_get_and_not_modified(web: LocalServer) -> None:
    def handler(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304)  # no validators repeated: the request's are carried forward
        return Reply(200, "news", {"ETag": '"v1"'})

    url = web.handle("/feed", handler)
    request = FetchRequest(url, etag='"v1"', last_modified="Mon, 03 Nov 2025 10:00:00 GMT")
    with fetcher() as f:
        result = f.fetch(request)
    sent = web.hits("/feed")[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 03 Nov 2025 10:00:00 GMT"
    assert (result.outcome, result.status, result.body) == ("not_modified", 304, None)
    assert (result.etag, result.last_modified) == (request.etag, request.last_modified)


def test_same_body_hash_is_unchanged(web: LocalServer) -> None:
    url = web.add("/page", "same text", headers={"ETag": '"v2"'})
    previous = hashlib.sha256(b"same text").hexdigest()
    with fetcher() as f:
        same = f.fetch(FetchRequest(url, previous_sha256=previous))
        changed = f.fetch(FetchRequest(url, previous_sha256=hashlib.sha256(b"old").hexdigest()))
    assert (same.outcome, same.body, same.sha256) == ("unchanged", None, previous)
    assert same.etag == '"v2"'  # so the caller can store the new validator
    assert (changed.outcome, changed.body) == ("ok", b"same text")


def test_client_errors_are_hard_and_an_empty_body_soft(web: LocalServer) -> None:
    with fetcher() as f:
        for status in (401, 403, 404, 410, 451, 418):
            result = f.fetch(web.add(f"/{status}", "no", status=status))
            assert (result.error_kind, result.status, result.attempts) == ("hard", status, 1)
            assert result.error.startswith(f"HTTP {status} ")
        empty = f.fetch(web.add("/empty", b""))
    assert (empty.outcome, empty.error_kind, empty.status) == ("error", "soft", 200)
    assert "empty body" in empty.error


# -- retries and timeouts --------------------------------------------------------------------


def test_429_with_retry_after_waits_then_succeeds(web: LocalServer) -> None:
    url = web.handle("/p", sequence(Reply(429, headers={"Retry-After": "1"}), Reply(200, "ok")))
    with fetcher() as f:
        result = f.fetch(url)
    assert (result.outcome, result.attempts) == ("ok", 2)
    first, second = web.hits("/p")
    assert second.at - first.at >= 0.95
    assert result.elapsed < 3


def test_long_retry_after_gives_up_at_once(web: LocalServer) -> None:
    in_an_hour = formatdate(time.time() + 3600, usegmt=True)
    date = datetime.fromtimestamp(int(time.time() + 3600), UTC).strftime("%Y-%m-%d %H:%M:%S")
    with fetcher() as f:
        for path, retry_after, asked in (
            ("/seconds", "3600", "after 3600 s"),
            ("/date", in_an_hour, f"after {date} UTC"),
        ):
            url = web.add(path, status=429, headers={"Retry-After": retry_after})
            result = f.fetch(url)
            assert (result.error_kind, result.status, result.attempts) == ("temporary", 429, 1)
            assert result.retry_after == pytest.approx(3600, abs=5)
            # The date as the server gave it, not the seconds left: those change every poll,
            # and each new message is another ingest_errors row for the same failure.
            assert result.error == (
                f"HTTP 429 Too Many Requests: asked to retry {asked} (over our 30 s limit)"
            )
            assert len(web.hits(path)) == 1
        # Further off than a week (or no date a datetime holds): a week.
        for path, retry_after in (("/years", "300000000000"), ("/digits", "9" * 400),
                                  ("/2099", "Fri, 31 Dec 2099 23:59:59 GMT")):  # fmt: skip
            result = f.fetch(web.add(path, status=503, headers={"Retry-After": retry_after}))
            assert result.error_kind == "temporary"
            assert result.retry_after == MAX_RETRY_AFTER


def test_server_errors_are_retried(web: LocalServer) -> None:
    failing = web.add("/500", status=500)
    recovering = web.handle("/503", sequence(Reply(503), Reply(200, "back")))
    with fetcher(retries=2) as f:
        failed = f.fetch(failing)
        recovered = f.fetch(recovering)
    assert (failed.error_kind, failed.status, failed.attempts) == ("temporary", 500, 3)
    assert failed.error == "HTTP 500 Internal Server Error after 3 attempts"
    assert len(web.hits("/500")) == 3
    assert (recovered.outcome, recovered.body, recovered.attempts) == ("ok", b"back", 2)


def test_slow_server_times_out(web: LocalServer) -> None:
    url = web.add("/slow", "late", delay=1.0)
    with fetcher(timeout=0.2, retries=0) as f:
        result = f.fetch(url)
    assert result.error_kind == "temporary"
    assert "timed out" in result.error
    assert result.elapsed < 0.9


def test_connection_refused_is_temporary() -> None:
    with fetcher(retries=1, respect_robots=False) as f:
        result = f.fetch(f"http://127.0.0.1:{closed_port()}/")
    assert (result.error_kind, result.attempts) == ("temporary", 2)
    assert "could not connect" in result.error


# -- redirects and the SSRF guard ------------------------------------------------------------


def test_relative_redirects_are_followed(web: LocalServer) -> None:
    web.add("/old", status=301, headers={"Location": "/mid?x=1"})
    web.add("/mid", status=302, headers={"Location": "new"})
    final = web.add("/new", "here")

    def cookie_check(request: Request) -> Reply:
        if "seen=1" in request.headers.get("cookie", ""):
            return Reply(200, "welcome")
        return Reply(302, headers={"Location": "/gate", "Set-Cookie": "seen=1; Path=/"})

    with fetcher() as f:
        result = f.fetch(web.url("/old"))
        # A redirect to itself that sets a cookie is a cookie check, not a loop.
        gate = f.fetch(web.handle("/gate", cookie_check))
    assert (result.outcome, result.body, result.final_url) == ("ok", b"here", final)
    assert result.redirects == [web.url("/mid?x=1"), final]
    assert (gate.outcome, gate.body) == ("ok", b"welcome")


def test_redirect_loop_and_too_many_redirects_are_hard(web: LocalServer) -> None:
    web.add("/a", status=302, headers={"Location": "/b"})
    web.add("/b", status=302, headers={"Location": "/a"})
    for i in range(5):
        web.add(f"/r{i}", status=307, headers={"Location": f"/r{i + 1}"})
    with fetcher(max_redirects=3) as f:
        loop = f.fetch(web.url("/a"))
        chain = f.fetch(web.url("/r0"))
    assert (loop.error_kind, loop.error.split(":")[0]) == ("hard", "redirect loop")
    assert chain.error_kind == "hard"
    assert chain.error.startswith("too many redirects")


def test_redirects_to_internal_addresses_are_refused(web: LocalServer) -> None:
    with socket.socket() as trap, fetcher() as f:
        trap.bind(("127.0.0.2", 0))  # loopback too, but not on the allow-list
        trap.listen()
        trap.setblocking(False)
        trap_url = f"http://127.0.0.2:{trap.getsockname()[1]}/"
        metadata = f.fetch(web.add("/meta", status=302, headers={"Location": METADATA}))
        other = f.fetch(web.add("/other", status=307, headers={"Location": trap_url}))
        with pytest.raises(BlockingIOError):
            trap.accept()  # nobody connected
    assert metadata.error_kind == "hard"
    assert metadata.error == "refused: 169.254.169.254 is a link-local address (SSRF guard)"
    assert (metadata.final_url, metadata.redirects) == (METADATA, [METADATA])
    assert other.error_kind == "hard"
    assert other.error == "refused: 127.0.0.2 is a loopback address (SSRF guard)"


def test_redirects_to_other_schemes_are_refused(web: LocalServer) -> None:
    with fetcher() as f:
        for i, location in enumerate(["file:///etc/passwd", "ftp://example.com/x"]):
            result = f.fetch(web.add(f"/go{i}", status=301, headers={"Location": location}))
            assert result.error_kind == "hard"
            assert result.error.startswith("refused redirect")


def test_a_redirect_httpx_cannot_build_a_request_for_is_refused_once(web: LocalServer) -> None:
    # httpx builds the next request of a redirect it does not follow: 'data:…' raised
    # InvalidURL out of fetch() (the whole run failed), '0177.0.0.1' was a network failure,
    # retried.
    locations = {
        "data:text/html,hi": "refused redirect to a 'data' URL: data:text/html,hi",
        "javascript:alert(1)": "refused redirect to a 'javascript' URL: javascript:alert(1)",
        "http://0177.0.0.1/": "invalid redirect Location 'http://0177.0.0.1/': Invalid IPv4 "
        "address: '0177.0.0.1'",
    }
    with fetcher() as f:
        for i, (location, error) in enumerate(locations.items()):
            result = f.fetch(web.add(f"/go{i}", status=302, headers={"Location": location}))
            assert (result.error_kind, result.error, result.attempts) == ("hard", error, 1)
            assert result.headers["location"] == location
            assert len(web.hits(f"/go{i}")) == 1


def test_loopback_is_refused_unless_allowed(web: LocalServer) -> None:
    page = web.add("/page", "secret")
    with Fetcher(replace(POLICY, net=NetPolicy())) as strict, fetcher() as f:
        literal = strict.fetch(page)
        # The allow-list names hosts: "localhost" is not "127.0.0.1".
        by_name = f.fetch(page.replace("127.0.0.1", "localhost"))
    assert literal.error_kind == "hard"
    assert literal.error == "refused: 127.0.0.1 is a loopback address (SSRF guard)"
    assert by_name.error_kind == "hard"
    assert "localhost resolves to 127.0.0.1, a loopback address" in by_name.error
    assert web.requests == []  # not even robots.txt


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "not a url"])
def test_other_schemes_are_refused(url: str) -> None:
    with fetcher() as f:
        result = f.fetch(url)
    assert (result.outcome, result.error_kind) == ("error", "hard")
    assert "unsupported URL scheme" in result.error


def test_connected_address_is_checked_against_dns_rebinding(
    web: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The name looked public when checked, then the connection went to loopback: the peer
    # check (httpx's network_stream server_addr) must refuse before the body is read.
    monkeypatch.setattr("tasks.sources.http.fetch.check_url", lambda url, policy: None)
    with Fetcher(replace(POLICY, net=NetPolicy(), respect_robots=False)) as f:
        result = f.fetch(web.add("/page", "secret"))
    assert (result.outcome, result.error_kind, result.body) == ("error", "hard", None)
    assert result.error == "refused: 127.0.0.1 is a loopback address (SSRF guard)"
    # Checked on connecting, before the request is sent: it reached the internal service.
    assert web.requests == []


# -- size caps -------------------------------------------------------------------------------


def test_body_too_large_is_soft_and_a_gzip_bomb_stays_small(web: LocalServer) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    bomb = b"".join(compressor.compress(zeros) for _ in range(200)) + compressor.flush()
    assert len(bomb) < 300_000  # 200 MB once decompressed
    url = web.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with fetcher(max_bytes=1_000_000) as f:
        big = f.fetch(web.add("/big", b"x" * 1_000_001))  # refused from Content-Length
        tracemalloc.start()
        try:
            result = f.fetch(url)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert (big.error_kind, big.body) == ("soft", None)
    assert big.error == "body too large: over 1000000 bytes (Content-Length: 1000001)"
    assert result.error_kind == "soft"
    assert result.error == "body too large: over 1000000 bytes"
    assert peak < 8_000_000


def test_a_request_may_raise_the_body_cap_for_itself(web: LocalServer) -> None:
    # Sitemaps may be 50 MB (the protocol's limit); a page may not. The raised cap holds
    # for that request alone, and still stops a body past it.
    url = web.add("/sitemap.xml", b"x" * 1_500_000)
    with fetcher(max_bytes=1_000_000) as f:
        page = f.fetch(url)
        sitemap = f.fetch(FetchRequest(url, max_bytes=2_000_000))
        smaller = f.fetch(FetchRequest(url, max_bytes=1_200_000))
        again = f.fetch(url)
    assert (page.error_kind, sitemap.outcome, len(sitemap.body)) == ("soft", "ok", 1_500_000)
    assert smaller.error == "body too large: over 1200000 bytes (Content-Length: 1500000)"
    assert (
        again.error == page.error == "body too large: over 1000000 bytes (Content-Length: 1500000)"
    )


# -- robots.txt ------------------------------------------------------------------------------


def test_robots_disallow_is_hard_and_never_requested(web: LocalServer) -> None:
    web.add("/robots.txt", "User-agent: newsflow\nDisallow: /private\n\nUser-agent: *\nAllow: /\n")
    web.add("/private/a", "secret")
    web.add("/public", "news")
    with fetcher() as f:
        blocked = f.fetch(web.url("/private/a"))
        allowed = f.fetch(web.url("/public"))
    assert (blocked.error_kind, blocked.error) == ("hard", "disallowed by robots.txt")
    assert allowed.outcome == "ok"
    assert web.hits("/private/a") == []
    assert len(web.hits("/robots.txt")) == 1  # cached per scheme, host and port


def test_robots_txt_is_read_to_its_first_500_kib(web: LocalServer) -> None:
    # A 20 MB robots.txt of a million rules: 8 s to parse, 0.18 s for every page checked.
    rules = "".join(f"Disallow: /section-{n}/\n" for n in range(24_000))
    assert 500 * 1024 < len(rules) < 600 * 1024
    web.add("/robots.txt", f"User-agent: *\nDisallow: /early/\n{rules}Disallow: /late/\n")
    web.add("/early/a", "news")
    web.add("/late/a", "news")
    with fetcher() as f:
        early = f.fetch(web.url("/early/a"))
        late = f.fetch(web.url("/late/a"))
    assert early.error == "disallowed by robots.txt"
    assert late.outcome == "ok"  # a rule past 500 KiB is not read, as Google does


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_robots_txt_over_the_body_cap_is_read_to_its_first_500_kib(
    web: LocalServer, gzipped: bool
) -> None:
    # Over the cap every body has, it was "unavailable": every path of the host allowed.
    rules = "User-agent: *\nDisallow: /early/\n" + "Disallow: /x/\n" * 100_000
    body = rules.encode()
    headers = {}
    if gzipped:
        body, headers = gzip.compress(body), {"Content-Encoding": "gzip"}
    web.add("/robots.txt", body, headers=headers)
    web.add("/early/a", "news")
    web.add("/page", "news")
    with fetcher(max_bytes=200_000, max_compressed_bytes=200_000) as f:
        early = f.fetch(web.url("/early/a"))
        page = f.fetch(web.url("/page"))
    assert len(rules) > 1_000_000
    assert early.error == "disallowed by robots.txt"
    assert page.outcome == "ok"


def test_robots_server_error_is_temporary(web: LocalServer) -> None:
    web.add("/robots.txt", "oops", status=500)
    web.add("/page", "news")
    with fetcher(retries=0) as f:
        result = f.fetch(web.url("/page"))
    assert result.error_kind == "temporary"
    assert result.error.startswith("robots.txt unavailable")
    assert web.hits("/page") == []


def test_crawl_delay_spaces_requests(web: LocalServer) -> None:
    web.add("/robots.txt", "User-agent: *\nCrawl-delay: 1\n")
    web.add("/a", "a")
    web.add("/b", "b")
    with fetcher() as f:
        results = f.fetch_many([web.url("/a"), web.url("/b")])
    assert [r.outcome for r in results] == ["ok", "ok"]
    starts = sorted(r.at for r in web.requests)
    assert all(later - earlier >= 0.95 for earlier, later in itertools.pairwise(starts))


# -- per-host limits and fetch_many ----------------------------------------------------------


def test_per_host_concurrency_is_bounded(web: LocalServer) -> None:
    urls = [web.add(f"/slow{i}", f"page {i}", delay=0.3) for i in range(6)]
    with fetcher(per_host_concurrency=2) as f:
        results = f.fetch_many(urls, max_workers=6)
    assert [r.body for r in results] == [f"page {i}".encode() for i in range(6)]
    assert web.max_active == 2
    assert len(web.hits("/robots.txt")) == 1  # one fetch, however many threads wanted it


def test_per_host_delay_spaces_request_starts(web: LocalServer) -> None:
    urls = [web.add(f"/p{i}", "x") for i in range(3)]
    with fetcher(per_host_delay=0.3, respect_robots=False) as f:
        f.fetch_many(urls)
    starts = sorted(r.at for r in web.requests)
    assert all(later - earlier >= 0.28 for earlier, later in itertools.pairwise(starts))


def test_different_hosts_proceed_in_parallel(web: LocalServer) -> None:
    net = NetPolicy(allowed_hosts=frozenset({"127.0.0.1", "localhost"}))
    slow = web.add("/slow", "x", delay=0.4)
    urls = [slow, slow.replace("127.0.0.1", "localhost")]
    with fetcher(per_host_concurrency=1, net=net, respect_robots=False) as f:
        results = f.fetch_many(urls)
    assert [r.outcome for r in results] == ["ok", "ok"]
    assert web.max_active == 2


def test_fetch_many_keeps_input_order(web: LocalServer) -> None:
    urls = [web.add(f"/o{i}", f"{i}", delay=0.05 * (5 - i)) for i in range(5)]
    with fetcher() as f:
        results = f.fetch_many([*urls, FetchRequest("ftp://x/")])
    assert [r.body for r in results[:5]] == [f"{i}".encode() for i in range(5)]
    assert [r.url for r in results] == [*urls, "ftp://x/"]
    assert results[5].error_kind == "hard"


def test_a_redirect_leaves_a_sources_allow_list_only_when_it_has_none(web: LocalServer) -> None:
    # A feed with allow = ["127.0.0.1"] linked to a page that redirected to another host
    # (allowed by [network]): the page landed from there.
    elsewhere = web.add("/there", "<html><body>elsewhere</body></html>")
    redirect = web.add(
        "/away", status=302, headers={"Location": elsewhere.replace("127.0.0.1", "localhost")}
    )
    both = NetPolicy(allowed_hosts=frozenset({"127.0.0.1", "localhost"}))
    with fetcher(net=both) as f:
        kept = f.fetch(FetchRequest(redirect, allow=("127.0.0.1",)))
        free = f.fetch(FetchRequest(redirect))
    assert (kept.outcome, kept.error_kind) == ("error", "hard")
    assert kept.error == "refused redirect to localhost: not in its `allow`"
    assert free.outcome == "ok" and free.final_url.startswith("http://localhost:")
    assert len(web.hits("/there")) == 1  # the refused hop was never requested


def test_a_url_with_a_user_name_or_password_is_refused_unsent(web: LocalServer) -> None:
    # httpx sent it as Basic authorization (to robots.txt too), and the URL with the password
    # landed in articles.source_uri, runs and the Parquet export.
    page = web.add("/private", "<html><body>private</body></html>")
    with fetcher() as f:
        result = f.fetch(page.replace("http://", "http://alice:s3cret@"))
    assert (result.outcome, result.error_kind) == ("error", "hard")
    assert result.error == "refused: the URL carries a user name or password"
    assert web.requests == []
