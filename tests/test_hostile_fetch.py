"""A hostile server that drips its answer: the fetcher's whole-response deadline holds.

The per-read timeout never fires against a server sending one byte every 0.5 s, so only the
deadline (FetchPolicy.max_time) can end these fetches. Each fetch runs under a guard: a
fetcher that ignores the deadline fails the test after GUARD seconds instead of hanging the
suite for the many minutes the drip would take.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from tasks.sources.http.fetch import Fetcher, FetchPolicy
from tasks.sources.http.netguard import NetPolicy
from tests.webserver import LocalServer

T = TypeVar("T")

LOCAL = NetPolicy(allowed_hosts=frozenset({"127.0.0.1"}))
# Reads time out after 1 s (the drip is faster), the whole response after 2 s.
POLICY = FetchPolicy(net=LOCAL, per_host_delay=0, timeout=1.0, backoff=0.05, max_time=2.0)
DRIP = 0.5  # seconds between bytes
LONG = b"x" * 1000  # 500 s at DRIP
GUARD = 10.0  # far below the drip's minutes, far above the 2 s deadline (and one retry's)
DEADLINE_ERROR = "response not complete within 2 s"


def guarded(fn: Callable[[], T]) -> T:
    """fn() in a thread; fail (not hang) if it is still running after GUARD seconds."""
    box: dict[str, T] = {}
    errors: list[BaseException] = []

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GUARD)
    assert not thread.is_alive(), f"still fetching after {GUARD:g} s: the deadline did not hold"
    if errors:
        raise errors[0]
    return box["value"]


def test_dripped_body_ends_at_the_deadline(web: LocalServer) -> None:
    url = web.drip("/drip-body", LONG, DRIP)
    with Fetcher(replace(POLICY, retries=2)) as f:
        result = guarded(lambda: f.fetch(url))
    assert (result.outcome, result.body, result.error_kind) == ("error", None, "temporary")
    assert result.error == DEADLINE_ERROR
    assert result.status == 200  # the headers came; the body did not
    # Not retried: a server that drips drips again, and retries would multiply the bound.
    assert result.attempts == 1
    assert len(web.hits("/drip-body")) == 1


def test_dripped_headers_end_at_the_deadline(web: LocalServer) -> None:
    url = web.drip("/drip-head", b"never", DRIP, headers=True, extra_headers={"X-Pad": "p" * 200})
    with Fetcher(POLICY) as f:
        result = guarded(lambda: f.fetch(url))
    assert (result.outcome, result.error_kind, result.attempts) == ("error", "temporary", 1)
    assert result.error == DEADLINE_ERROR
    assert result.status is None  # the headers never completed


def test_dripped_robots_txt_makes_its_host_temporarily_unavailable(web: LocalServer) -> None:
    web.drip("/robots.txt", b"User-agent: *\nAllow: /\n" * 50, DRIP)
    url = web.add("/page", "fine")
    with Fetcher(POLICY) as f:
        result = guarded(lambda: f.fetch(url))
    assert (result.outcome, result.error_kind) == ("error", "temporary")
    assert result.error == f"robots.txt unavailable ({DEADLINE_ERROR})"
    assert web.hits("/page") == []


def test_a_dripping_server_does_not_hold_up_the_rest_of_the_run(web: LocalServer) -> None:
    good = [web.add(f"/story{i}", f"story {i}") for i in range(4)]
    body = web.drip("/drip-body", LONG, DRIP)
    head = web.drip("/drip-head", b"never", DRIP, headers=True, extra_headers={"X-Pad": "p" * 99})
    urls = [body, good[0], head, *good[1:]]
    with Fetcher(POLICY) as f:
        results = guarded(lambda: f.fetch_many(urls))
    assert [r.url for r in results] == urls
    failed = {r.url: r.error for r in results if r.outcome == "error"}
    assert failed == {body: DEADLINE_ERROR, head: DEADLINE_ERROR}
    landed = [r.body for r in results if r.outcome == "ok"]
    assert landed == [f"story {i}".encode() for i in range(4)]


def test_a_slow_but_steady_server_within_the_deadline_still_lands(web: LocalServer) -> None:
    url = web.drip("/steady", b"12345", 0.1)  # about 0.5 s in all, well inside 2 s
    with Fetcher(POLICY) as f:
        result = guarded(lambda: f.fetch(url))
    assert (result.outcome, result.body, result.error) == ("ok", b"12345", None)
