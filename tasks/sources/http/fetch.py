"""HTTP for every source: one guarded, polite, bounded client.

Every request goes through the SSRF guard (before sending and again on the connected
address), robots.txt, per-host concurrency and spacing, size caps that hold for compressed
bodies, and retries for temporary failures. Problems never raise: they come back as a
FetchResult with a readable reason and a kind ("hard", "soft", "temporary").
"""

from __future__ import annotations

import hashlib
import random
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, TypeVar
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from tasks.extract.read import MAX_BYTES
from tasks.sources.http.netguard import (
    BlockedAddress,
    NetPolicy,
    ResolveError,
    check_peer,
    check_url,
)
from tasks.sources.http.shared import SharedHosts, SharedHostsError, SharedRobots
from tasks.sources.registry import allowed_host

ROBOTS_AGENT = "newsflow"  # the token robots.txt groups are matched against
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_MAX_CRAWL_DELAY = 30.0
_ROBOTS_TTL = 24 * 3600.0  # RFC 9309: a cached robots.txt should not be used for longer
_ROBOTS_RETRY_AFTER = 60.0  # an unreachable robots.txt blocks its host this long, then re-ask
# What of a robots.txt is read (RFC 9309 asks for at least 500 KiB; Google reads no more).
# Every check goes through every rule: a 20 MB robots.txt of a million rules took 8 s to
# parse and 0.18 s a page to check, and was kept (by every worker) for a day.
MAX_ROBOTS_BYTES = 500 * 1024
_CHUNK = 64 * 1024
# A Retry-After further off than this is read as this: one reply of 300,000,000,000 seconds
# (or a date in 2099) must not stop a source for good, nor overflow the next poll's date
# (it failed the whole feeds run). A week is also the longest a failing source waits.
MAX_RETRY_AFTER = 7 * 24 * 3600.0

_T = TypeVar("_T")


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow/newsflow; news ingestion bot)"
    timeout: float = 15.0  # connect and read timeout, seconds
    max_bytes: int = MAX_BYTES  # decompressed body cap: extraction reads no more than this
    max_compressed_bytes: int = 10_000_000  # bytes on the wire cap
    max_redirects: int = 5
    retries: int = 2  # extra attempts on temporary failures
    backoff: float = 0.5  # first retry delay, doubled each time (with jitter)
    max_retry_after: float = 30.0  # a longer Retry-After gives up at once, reporting it
    per_host_concurrency: int = 2
    per_host_delay: float = 0.5  # minimum seconds between request starts to the same host
    respect_robots: bool = True
    net: NetPolicy = field(default_factory=NetPolicy)
    # The read timeout is per read: a server dripping a byte every few seconds would hold a
    # worker for hours. This bounds one whole exchange (one attempt: connect, request,
    # headers, body), seconds; every socket operation is cut off when it passes.
    max_time: float = 120.0


@dataclass(frozen=True)
class FetchRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    previous_sha256: str | None = None  # body hash from the last successful fetch
    accept: str | None = None  # e.g. FEED_ACCEPT
    # A feed's `allow` list: the hosts (and their subdomains) a redirect may lead to.
    allow: tuple[str, ...] = ()
    # A larger body cap than the policy's, for a body allowed to be larger than a page: the
    # sitemap protocol allows 50 MB, and a sitemap of 50,000 news or image entries is 12 MB.
    max_bytes: int | None = None
    # Read no more than this many (decompressed) bytes and keep them, where a larger body
    # would fail as too large: RFC 9309 has a robots.txt read to its first 500 KiB, and one
    # over the wire cap was "unavailable", every path of its host allowed.
    keep_first: int | None = None


@dataclass
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    outcome: str  # "ok" | "not_modified" | "unchanged" | "error"
    status: int | None
    body: bytes | None  # decompressed; None unless outcome == "ok"
    sha256: str | None  # of body (also set for "unchanged")
    content_type: str | None  # media type without parameters, lower-case
    charset: str | None  # from Content-Type, lower-case
    etag: str | None
    last_modified: str | None
    headers: dict[str, str]  # response headers, lower-case names
    redirects: list[str]  # the redirect targets followed, in order (not the request URL)
    error: str | None  # a clear, human-readable reason
    error_kind: str | None  # "hard" | "soft" | "temporary"
    retry_after: float | None  # seconds the server asked us to wait, when it did
    attempts: int
    elapsed: float


class _Failure(Exception):
    """Why one attempt failed; turned into an error FetchResult, never seen by callers."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry: bool = False,
        retry_after: float | None = None,
        asked: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry = retry
        self.retry_after = retry_after
        self.asked = asked  # the Retry-After as given: "after 3600 s", "after <date> UTC"


@dataclass
class _Trace:
    """What one attempt got to, so an error result still says where and what it saw."""

    final_url: str
    redirects: list[str] = field(default_factory=list)
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Reply:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes | None  # read for 2xx only


@dataclass
class _Robots:
    parser: RobotFileParser | None  # None: everything allowed
    unavailable: str | None  # why the host is temporarily off limits
    expires: float


class _HostGate:
    """At most `concurrency` requests in flight to one host, starts at least `delay` apart.

    With `shared` (several workers), one request in flight per process, and each turn is also
    the host's one slot across every worker, spaced from the last start of any of them."""

    def __init__(
        self,
        concurrency: int,
        delay: float,
        host: str = "",
        shared: SharedHosts | None = None,
        shared_wait: float = 0.0,
    ) -> None:
        # Session locks are per process, not per thread: two threads of one process would
        # both "hold" the host's shared slot, so within a process they take turns first.
        self._slots = threading.BoundedSemaphore(1 if shared else max(1, concurrency))
        self._lock = threading.Lock()
        self.delay = delay
        self._last_start = float("-inf")
        self._host = host
        self._shared = shared
        self._shared_wait = shared_wait

    @contextmanager
    def turn(self) -> Iterator[Callable[[float], None]]:
        """A turn to send one request; yields `hold(seconds)` for a Retry-After, so that it
        is recorded before the turn passes to anyone else."""
        with self._slots:
            # Reserve a start time under the lock, sleep outside it: waiters queue up in order.
            with self._lock:
                now = time.monotonic()
                start = max(now, self._last_start + self.delay)
                self._last_start = start
            if start > now:
                time.sleep(start - now)
            if self._shared is None:
                yield self.hold
                return
            with ExitStack() as held:
                try:
                    shared = held.enter_context(
                        self._shared.turn(self._host, self.delay, self._shared_wait)
                    )
                except SharedHostsError as exc:
                    raise _Failure("temporary", f"no turn for {self._host}: {exc}") from exc

                def hold(seconds: float) -> None:
                    self.hold(seconds)
                    shared.hold(seconds)

                yield hold

    def slow_down(self, delay: float) -> None:
        with self._lock:
            self.delay = max(self.delay, delay)

    def hold(self, seconds: float) -> None:
        """No new request starts for `seconds` (the host sent Retry-After)."""
        with self._lock:
            self._last_start = max(self._last_start, time.monotonic() + seconds - self.delay)


class Fetcher:
    """Fetches URLs politely and safely. Thread-safe; close it (or use `with`) when done."""

    def __init__(
        self, policy: FetchPolicy = FetchPolicy(), shared: SharedHosts | None = None
    ) -> None:
        """`shared`: the host limits and robots.txt of every worker fetching for the same
        warehouse (warehouse/hosts.py); without it, this fetcher's own."""
        self.policy = policy
        self.shared = shared
        # Cookies live for one fetch (its redirect chain) only, so results do not depend
        # on what was fetched before: the shared jar refuses everything.
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        self._backend = _DeadlineBackend(policy.net)
        self._client = httpx.Client(
            transport=_transport(self._backend),
            follow_redirects=False,
            timeout=httpx.Timeout(policy.timeout),
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            cookies=httpx.Cookies(no_cookies),
            # Environment proxies would make every peer the proxy and bypass the guard.
            trust_env=False,
            event_hooks={"response": [_hide_location]},
        )
        self._lock = threading.Lock()
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, request: FetchRequest | str) -> FetchResult:
        if isinstance(request, str):
            request = FetchRequest(request)
        return self._fetch(request, for_robots=False)

    def fetch_many(
        self, requests: Sequence[FetchRequest | str], max_workers: int = 16
    ) -> list[FetchResult]:
        """Fetch in parallel (per-host limits still hold); results in input order."""
        if not requests:
            return []
        workers = max(1, min(max_workers, len(requests)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            return list(pool.map(self.fetch, requests))

    # -- one fetch: attempts and retries ----------------------------------------------------

    def _fetch(self, request: FetchRequest, for_robots: bool) -> FetchResult:
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            trace = _Trace(final_url=request.url)
            try:
                reply = self._follow(request, trace, for_robots)
                return self._success(request, reply, trace, for_robots, attempts, started)
            except _Failure as failure:
                last = failure
            retry_after = last.retry_after
            if retry_after is not None and retry_after > self.policy.max_retry_after:
                message = (
                    f"{last.message}: asked to retry {last.asked} "
                    f"(over our {self.policy.max_retry_after:.0f} s limit)"
                )
                return self._failed(request, last, message, trace, attempts, started)
            if not last.retry or attempts > self.policy.retries:
                message = last.message
                if attempts > 1:
                    message += f" after {attempts} attempts"
                return self._failed(request, last, message, trace, attempts, started)
            if retry_after is None:
                retry_after = self.policy.backoff * 2 ** (attempts - 1) * random.uniform(1, 1.25)
            time.sleep(retry_after)

    def _follow(self, request: FetchRequest, trace: _Trace, for_robots: bool) -> _Reply:
        """One attempt: the request and its redirects, each hop guarded and robots-checked."""
        headers: dict[str, str] = {}
        if request.accept:
            headers["Accept"] = request.accept
        if request.etag and not for_robots:
            headers["If-None-Match"] = request.etag
        if request.last_modified and not for_robots:
            headers["If-Modified-Since"] = request.last_modified
        jar = httpx.Cookies()
        url = self._guard(request.url)
        seen = {(str(url), _cookie_state(jar))}
        while True:
            if self.policy.respect_robots and not for_robots:
                self._check_robots(url)
            reply = self._exchange(url, headers, jar, trace, request.max_bytes, request.keep_first)
            failure = _status_failure(reply)
            if failure:
                raise failure
            if reply.status not in _REDIRECTS:
                return reply
            location = reply.headers.get("location", "").strip()
            if not location:
                raise _Failure(
                    "hard",
                    f"HTTP {reply.status} redirect without a Location header",
                    status=reply.status,
                )
            try:
                target = url.join(location)
            except httpx.InvalidURL as exc:
                raise _Failure("hard", f"invalid redirect Location {location!r}: {exc}") from exc
            trace.final_url = str(target)
            trace.redirects.append(str(target))
            if target.scheme not in ("http", "https"):
                raise _Failure("hard", f"refused redirect to a {target.scheme!r} URL: {target}")
            if request.allow and not allowed_host(target.host, request.allow):
                raise _Failure("hard", f"refused redirect to {target.host}: not in its `allow`")
            key = (str(target), _cookie_state(jar))
            if key in seen:
                chain = " -> ".join([request.url, *trace.redirects])
                raise _Failure("hard", f"redirect loop: {chain}", status=reply.status)
            if len(trace.redirects) > self.policy.max_redirects:
                raise _Failure(
                    "hard",
                    f"too many redirects (over {self.policy.max_redirects})",
                    status=reply.status,
                )
            seen.add(key)
            url = self._guard(str(target))

    def _guard(self, url: str) -> httpx.URL:
        """Parse `url` the way httpx will, and refuse it unless the SSRF guard allows it."""
        try:
            parsed = httpx.URL(url.strip())
        except httpx.InvalidURL as exc:
            raise _Failure("hard", f"invalid URL: {exc}") from exc
        if parsed.userinfo:
            # httpx would send it as a password, and the URL would land in the tables.
            raise _Failure("hard", "refused: the URL carries a user name or password")
        try:
            check_url(str(parsed), self.policy.net)
        except BlockedAddress as exc:
            raise _Failure("hard", f"refused: {exc} (SSRF guard)") from exc
        except ResolveError as exc:
            kind = "temporary" if exc.temporary else "hard"
            raise _Failure(kind, f"DNS: {exc}", retry=exc.temporary) from exc
        except ValueError as exc:
            raise _Failure("hard", f"invalid URL {url!r}: {exc}") from exc
        return parsed

    def _exchange(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        jar: httpx.Cookies,
        trace: _Trace,
        max_bytes: int | None = None,
        keep_first: int | None = None,
    ) -> _Reply:
        """One HTTP request, streamed: the peer is checked before any body byte is read."""
        with self._gate(url.host).turn() as hold, self._backend.deadline(self.policy.max_time):
            try:
                request = self._client.build_request("GET", url, headers=headers)
                jar.set_cookie_header(request)
                response = self._client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise self._network_failure(exc, url, trace) from exc
            except BlockedAddress as exc:  # from _DeadlineBackend.connect_tcp
                raise _Failure("hard", f"refused: {exc} (SSRF guard)") from exc
            for value in response.headers.get_list(_LOCATION):
                response.headers["location"] = value
            response.headers.pop(_LOCATION, None)
            try:
                self._check_peer(response, url.host)
                jar.extract_cookies(response)
                trace.status = response.status_code
                trace.headers = dict(response.headers.items())
                body = None
                if 200 <= response.status_code < 300:
                    body = (
                        _read_first(response, keep_first)
                        if keep_first is not None
                        else self._read_body(response, max_bytes)
                    )
                reply = _Reply(response.status_code, _reason(response), trace.headers, body)
                pause = _status_failure(reply)
                pause_s = pause.retry_after if pause else None
                if pause_s is not None and pause_s <= self.policy.max_retry_after:
                    hold(pause_s)  # before the next turn is had, by this worker or another
                return reply
            except httpx.HTTPError as exc:
                raise self._network_failure(exc, url, trace) from exc
            finally:
                response.close()

    def _network_failure(self, exc: httpx.HTTPError, url: httpx.URL, trace: _Trace) -> _Failure:
        if not self._backend.expired():
            return _network_failure(exc, url)
        # Not retried: a server that drips will drip again, and each retry would add a
        # whole max_time to the bound the deadline is there to give.
        return _Failure(
            "temporary",
            f"response not complete within {self.policy.max_time:g} s",
            status=trace.status,
        )

    def _check_peer(self, response: httpx.Response, host: str) -> None:
        if self.policy.net.allows_host(host):
            return
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if not peer:  # fail closed: an unverified connection may be the rebinding case
            raise _Failure("hard", f"refused: could not verify the address of {host} (SSRF guard)")
        try:
            check_peer(peer[0], host, self.policy.net)
        except BlockedAddress as exc:
            raise _Failure("hard", f"refused: {exc} (SSRF guard)") from exc

    def _read_body(self, response: httpx.Response, max_bytes: int | None = None) -> bytes:
        """The decompressed body, stopping as soon as either size cap is passed (`max_bytes`
        raises both for this request)."""
        cap, wire = self.policy.max_bytes, self.policy.max_compressed_bytes
        if max_bytes is not None:
            cap, wire = max(cap, max_bytes), max(wire, max_bytes)
        encoding = response.headers.get("content-encoding", "").strip().lower()
        length = response.headers.get("content-length", "").strip()
        if length.isdigit():
            limit = wire
            if encoding in ("", "identity"):
                limit = min(limit, cap)
            if int(length) > limit:
                raise _Failure(
                    "soft",
                    f"body too large: over {limit} bytes (Content-Length: {length})",
                    status=response.status_code,
                )
        inflater = _inflater(response)
        body = bytearray()
        try:
            for chunk in response.iter_raw(_CHUNK):
                if response.num_bytes_downloaded > wire:
                    raise _Failure(
                        "soft",
                        f"body too large: over {wire} bytes on the wire",
                        status=response.status_code,
                    )
                body += inflater.feed(chunk, cap - len(body))
            body += inflater.flush(cap - len(body))
        except _TooLarge as exc:
            raise _Failure(
                "soft",
                f"body too large: over {cap} bytes",
                status=response.status_code,
            ) from exc
        except zlib.error as exc:
            raise _corrupt(response, exc) from exc
        return bytes(body)

    # -- results ------------------------------------------------------------------------------

    def _success(
        self,
        request: FetchRequest,
        reply: _Reply,
        trace: _Trace,
        for_robots: bool,
        attempts: int,
        started: float,
    ) -> FetchResult:
        content_type, charset = _media_type(reply.headers.get("content-type"))
        result = FetchResult(
            url=request.url,
            final_url=trace.final_url,
            outcome="ok",
            status=reply.status,
            body=None,
            sha256=None,
            content_type=content_type,
            charset=charset,
            etag=reply.headers.get("etag"),
            last_modified=reply.headers.get("last-modified"),
            headers=reply.headers,
            redirects=trace.redirects,
            error=None,
            error_kind=None,
            retry_after=None,
            attempts=attempts,
            elapsed=time.monotonic() - started,
        )
        if reply.status == 304:
            # A 304 need not repeat the validators: keep the ones we sent.
            result.outcome = "not_modified"
            result.etag = result.etag or request.etag
            result.last_modified = result.last_modified or request.last_modified
            return result
        body = reply.body or b""
        if not body and not for_robots:  # an empty robots.txt is valid: allow everything
            result.outcome = "error"
            result.error = f"empty body (HTTP {reply.status})"
            result.error_kind = "soft"
            return result
        result.sha256 = hashlib.sha256(body).hexdigest()
        previous = (request.previous_sha256 or "").lower()
        if previous and previous == result.sha256:
            result.outcome = "unchanged"
        else:
            result.body = body
        return result

    def _failed(
        self,
        request: FetchRequest,
        failure: _Failure,
        message: str,
        trace: _Trace,
        attempts: int,
        started: float,
    ) -> FetchResult:
        return FetchResult(
            url=request.url,
            final_url=trace.final_url,
            outcome="error",
            status=failure.status if failure.status is not None else trace.status,
            body=None,
            sha256=None,
            content_type=None,
            charset=None,
            etag=None,
            last_modified=None,
            headers=trace.headers,
            redirects=trace.redirects,
            error=message,
            error_kind=failure.kind,
            retry_after=failure.retry_after,
            attempts=attempts,
            elapsed=time.monotonic() - started,
        )

    # -- hosts and robots.txt -------------------------------------------------------------------

    def _gate(self, host: str) -> _HostGate:
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                policy = self.policy
                gate = _HostGate(
                    policy.per_host_concurrency,
                    policy.per_host_delay,
                    host,
                    self.shared,
                    self._shared_wait(),
                )
                self._gates[host] = gate
            return gate

    def _shared_wait(self) -> float:
        """How long to wait for a turn the other workers hold: one holds a host for one
        exchange (max_time at most), a host asks for a pause of max_retry_after at most;
        twice both is a stuck worker, not a queue."""
        return 2 * (self.policy.max_time + self.policy.max_retry_after)

    def _check_robots(self, url: httpx.URL) -> None:
        robots = self._robots_for(url)
        if robots.unavailable:
            raise _Failure("temporary", f"robots.txt unavailable ({robots.unavailable})")
        if robots.parser is not None and not robots.parser.can_fetch(ROBOTS_AGENT, str(url)):
            raise _Failure("hard", "disallowed by robots.txt")

    def sitemaps(self, url: str) -> list[str]:
        """The `Sitemap:` lines of the robots.txt of `url`'s host, from the same cached copy
        the robots checks use (so it is fetched once). ValueError: a URL httpx cannot read
        ('http://0177.0.0.1/', which urlsplit reads)."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise ValueError(f"invalid URL: {exc}") from exc
        robots = self._robots_for(parsed)
        found = robots.parser.site_maps() if robots.parser is not None else None
        return [urljoin(url, s.strip()) for s in found or []]

    def _robots_for(self, url: httpx.URL) -> _Robots:
        port = url.port or (443 if url.scheme == "https" else 80)
        key = f"{url.scheme}://{url.raw_host.decode('ascii')}:{port}"
        with self._lock:
            lock = self._robots_locks.setdefault(key, threading.Lock())
        # One fetch per host: other threads wanting the same robots.txt wait for it.
        with lock:
            with self._lock:
                robots = self._robots.get(key)
            if robots is None or robots.expires < time.monotonic():
                robots_url = url.copy_with(path="/robots.txt", query=None)
                if self.shared is None:
                    robots = self._parsed_robots(robots_url, self._load_robots(robots_url))
                else:
                    robots = self._shared_robots(key, robots_url, self.shared)
                with self._lock:
                    self._robots[key] = robots
            return robots

    def _shared_robots(self, key: str, url: httpx.URL, shared: SharedHosts) -> _Robots:
        """The robots.txt every worker uses: the stored copy, else fetched by one worker (the
        others wait for it) and stored for all."""
        try:
            stored = shared.robots(key)
            if stored is None:
                with shared.robots_turn(key, self._shared_wait()):
                    stored = shared.robots(key)  # another worker may have just fetched it
                    if stored is None:
                        stored = self._load_robots(url)
                        shared.save_robots(key, stored)
        except SharedHostsError as exc:
            # Not kept: the next request asks the shared state again.
            return _Robots(None, f"shared host state: {exc}", float("-inf"))
        return self._parsed_robots(url, stored)

    def _load_robots(self, url: httpx.URL) -> SharedRobots:
        # One byte past the limit read, to know where the file was cut.
        request = FetchRequest(str(url), keep_first=MAX_ROBOTS_BYTES + 1)
        result = self._fetch(request, for_robots=True)
        if result.outcome == "error":
            if result.error_kind == "temporary":  # RFC 9309 "unreachable": assume disallowed
                return SharedRobots(None, result.error, _ROBOTS_RETRY_AFTER)
            # 4xx, too many redirects, refused: "unavailable", everything allowed.
            return SharedRobots(None, None, _ROBOTS_TTL)
        body = result.body or b""
        if len(body) > MAX_ROBOTS_BYTES:  # up to its last whole line within the limit
            body = body[: body.rfind(b"\n", 0, MAX_ROBOTS_BYTES + 1) + 1]
        return SharedRobots(body.decode("utf-8", "replace"), None, _ROBOTS_TTL)

    def _parsed_robots(self, url: httpx.URL, robots: SharedRobots) -> _Robots:
        expires = time.monotonic() + robots.ttl
        if robots.body is None:
            return _Robots(None, robots.unavailable, expires)
        parser = RobotFileParser()
        parser.parse(robots.body.splitlines())
        delay = parser.crawl_delay(ROBOTS_AGENT) or 0
        rate = parser.request_rate(ROBOTS_AGENT)
        if rate and rate.requests > 0:
            delay = max(delay, rate.seconds / rate.requests)
        if delay:
            self._gate(url.host).slow_down(min(float(delay), _MAX_CRAWL_DELAY))
        return _Robots(parser, None, expires)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, with every operation of an exchange cut off at its deadline.

    httpx has no total timeout: its timeouts are per socket operation, and both the header
    parser and the body reader keep reading while bytes trickle in, so a server sending a
    byte every few seconds never trips one (measured: a fetch held 400 s by a dripped body,
    421 s by dripped headers, until the server gave up). Here each connect, read and write
    gets at most the time left, so the whole exchange ends by its deadline whatever the
    server does. The deadline is per thread: the sync client runs an exchange entirely in
    the calling thread, and fetch_many's workers each run their own.
    """

    def __init__(self, net: NetPolicy | None = None) -> None:
        self._inner = httpcore.SyncBackend()
        self._local = threading.local()
        self._net = net

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        outer = getattr(self._local, "at", None)  # an exchange inside another keeps both
        at = time.monotonic() + seconds
        self._local.at = at if outer is None else min(at, outer)
        self._local.expired = False
        try:
            yield
        finally:
            self._local.at = outer

    def expired(self) -> bool:
        """Whether the current exchange failed because its deadline passed."""
        return bool(getattr(self._local, "expired", False))

    def bounded(self, operation: Callable[[float | None], _T], timeout: float | None) -> _T:
        """operation(timeout), with the timeout cut to the time left before the deadline."""
        at = getattr(self._local, "at", None)
        if at is None:
            return operation(timeout)
        left = at - time.monotonic()
        if left <= 0:
            self._local.expired = True
            raise httpcore.ReadTimeout("deadline passed")
        if timeout is not None and timeout < left:
            return operation(timeout)
        try:
            return operation(left)
        except httpcore.TimeoutException:
            self._local.expired = True
            raise

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self.bounded(
            lambda t: self._inner.connect_tcp(host, port, t, local_address, socket_options),
            timeout,
        )
        if self._net is not None and not self._net.allows_host(host):
            # The address connected to, checked before a byte is sent: a name that resolved
            # to a public address for check_url and to an internal one now (DNS rebinding)
            # had the request sent, and only its body left unread.
            # (No address to check: Fetcher._check_peer refuses the response, failing closed.)
            try:
                peer = stream.get_extra_info("server_addr")
                if peer:
                    check_peer(peer[0], host, self._net)
            except BaseException:
                stream.close()
                raise
        return _DeadlineStream(stream, self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self.bounded(
            lambda t: self._inner.connect_unix_socket(path, t, socket_options), timeout
        )
        return _DeadlineStream(stream, self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: _DeadlineBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._backend.bounded(lambda t: self._inner.read(max_bytes, t), timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._backend.bounded(lambda t: self._inner.write(buffer, t), timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.bounded(
            lambda t: self._inner.start_tls(ssl_context, server_hostname, t), timeout
        )
        return _DeadlineStream(stream, self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _transport(backend: _DeadlineBackend) -> httpx.HTTPTransport:
    """httpx's transport on `backend` (httpx takes no network backend, httpcore does)."""
    transport = httpx.HTTPTransport(trust_env=False)
    if not isinstance(getattr(transport, "_pool", None), httpcore.ConnectionPool):
        raise RuntimeError("httpx.HTTPTransport changed: cannot install the fetch deadline")
    # httpx's defaults (DEFAULT_LIMITS), as the transport would have had them.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=backend,
    )
    return transport


class _TooLarge(Exception):
    pass


def _inflater(response: httpx.Response) -> _Inflater:
    """The response's decoder; an encoding there is none for fails the fetch."""
    try:
        return _Inflater(response.headers.get("content-encoding", "").strip().lower())
    except ValueError as exc:
        raise _Failure("soft", str(exc), status=response.status_code) from exc


def _corrupt(response: httpx.Response, exc: zlib.error) -> _Failure:
    encoding = response.headers.get("content-encoding", "").strip().lower()
    return _Failure("soft", f"corrupt {encoding} body: {exc}", status=response.status_code)


def _read_first(response: httpx.Response, limit: int) -> bytes:
    """The first `limit` decompressed bytes of the body (all of it if shorter); the rest is
    never read."""
    inflater = _inflater(response)
    body = bytearray()
    try:
        for chunk in response.iter_raw(_CHUNK):
            body += inflater.feed(chunk, limit - len(body), cut=True)
            if len(body) >= limit:
                return bytes(body)
        body += inflater.flush(limit - len(body))
    except _TooLarge:  # the flush's tail, past the limit
        pass
    except zlib.error as exc:
        raise _corrupt(response, exc) from exc
    return bytes(body)


class _Inflater:
    """Bounded decompression: never produces more than the room it is given, so a small
    gzip bomb cannot expand to gigabytes in memory (httpx's own decoder has no bound)."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._first = True
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise ValueError(f"unsupported Content-Encoding: {encoding}")

    def feed(self, data: bytes, room: int, cut: bool = False) -> bytes:
        """Up to `room` bytes of output; more raises _TooLarge, or with `cut` is dropped."""
        if self._zlib is None:
            out = data
        else:
            try:
                # room + 1: producing more than `room` is how we know it is too large; below
                # the limit, zlib consumed all the input.
                out = self._zlib.decompress(data, room + 1)
            except zlib.error:
                if not (self._first and self._encoding == "deflate"):
                    raise
                # Many servers send raw deflate under "deflate"; browsers accept both.
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self._zlib.decompress(data, room + 1)
        self._first = False
        if len(out) > room:
            if cut:
                return out[:room]
            raise _TooLarge
        return out

    def flush(self, room: int) -> bytes:
        out = self._zlib.flush() if self._zlib is not None else b""
        if len(out) > room:
            raise _TooLarge
        return out


# Where a response's Location waits while httpx handles the response (see _hide_location).
_LOCATION = "x-newsflow-location"


def _hide_location(response: httpx.Response) -> None:
    """Move the Location header out of httpx's sight; _exchange puts it back. httpx builds the
    next request of every redirect, even one it does not follow, and raised for a Location it
    could not build one for: InvalidURL ('data:text/html,hi', 'javascript:…') out of fetch()
    and the whole run, or a RemoteProtocolError ('http://0177.0.0.1/') taken for a network
    failure and retried. _follow reads the Location, and refuses it with a reason."""
    values = response.headers.get_list("location")
    if values:
        del response.headers["location"]
        for value in values:
            response.headers[_LOCATION] = value


def _status_failure(reply: _Reply) -> _Failure | None:
    """The failure an HTTP status means, or None for success, 304 and redirects."""
    status = reply.status
    if 200 <= status < 300 or status == 304 or status in _REDIRECTS:
        return None
    message = f"HTTP {status} {reply.reason}".rstrip()
    if status in _RETRY_STATUSES or status >= 500:
        retry_after, asked = _retry_after(reply.headers.get("retry-after"))
        retry = status in _RETRY_STATUSES
        return _Failure(
            "temporary",
            message,
            status=status,
            retry=retry,
            retry_after=retry_after,
            asked=asked,
        )
    if status < 200 or 300 <= status < 400:
        return _Failure("hard", f"{message} (unexpected status)", status=status)
    return _Failure("hard", message, status=status)


def _network_failure(exc: httpx.HTTPError, url: httpx.URL) -> _Failure:
    where = url.netloc.decode("ascii", "replace").rsplit("@", 1)[-1]
    if isinstance(exc, httpx.ConnectTimeout):
        return _Failure("temporary", f"timed out connecting to {where}", retry=True)
    if isinstance(exc, httpx.TimeoutException):
        return _Failure("temporary", f"timed out waiting for {where}", retry=True)
    if isinstance(exc, httpx.ConnectError):
        return _Failure("temporary", f"could not connect to {where}: {exc}", retry=True)
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return _Failure("temporary", f"connection to {where} failed: {exc}", retry=True)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError | httpx.InvalidURL):
        return _Failure("hard", f"invalid request to {url}: {exc}")
    return _Failure("temporary", f"HTTP error from {where}: {exc}", retry=True)


def _reason(response: httpx.Response) -> str:
    if response.reason_phrase:
        return response.reason_phrase
    try:
        return HTTPStatus(response.status_code).phrase
    except ValueError:
        return ""


def _media_type(value: str | None) -> tuple[str | None, str | None]:
    """("text/html", "utf-8") from 'text/html; charset="UTF-8"'."""
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip().lower() or None
    return media.strip().lower() or None, charset


def _retry_after(value: str | None) -> tuple[float | None, str | None]:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), at most
    MAX_RETRY_AFTER, and the wait as the server gave it, for the error message: that stays
    the same while the server says the same, where the seconds left until its date shrink
    poll after poll and each new message would be another ingest_errors row."""
    if not value:
        return None, None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = min(float(value[:20]), MAX_RETRY_AFTER)
        return seconds, f"after {seconds:.0f} s"
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None, None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    seconds = min(max(0.0, (when - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER)
    return seconds, f"after {when:%Y-%m-%d %H:%M:%S} UTC"


def _cookie_state(jar: httpx.Cookies) -> tuple[tuple[str, str, str, str | None], ...]:
    # A redirect back to the same URL with a new cookie is a cookie check, not a loop.
    return tuple(sorted((c.domain, c.path, c.name, c.value) for c in jar.jar))
