"""Politeness across machines: workers of one DuckLake fetch a host one at a time, spaced,
wait out a Retry-After any of them was sent, and share one robots.txt (warehouse/hosts.py,
docs/scale-out.md). Real OS processes (spawned), each with its own Fetcher on the state in a
real PostgreSQL (tests/pg.py), against a real HTTP server on 127.0.0.1 (tests/webserver.py)
that records when each request arrived and how many were in flight.

Marked `lake`: skipped without PostgreSQL's server programs or psycopg, unless
NEWSFLOW_TEST_LAKE=required, where they fail.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from importlib import resources
from typing import Any

import pytest

from tasks.sources.http.fetch import Fetcher, FetchPolicy
from tasks.sources.http.netguard import NetPolicy
from tests.pg import LocalPostgres, server_bin
from tests.webserver import LocalServer, Reply, Request

pytestmark = pytest.mark.lake

POLICY = FetchPolicy(
    net=NetPolicy(allowed_hosts=frozenset({"127.0.0.1"})),
    per_host_delay=0.25,
    per_host_concurrency=2,  # within one process; across processes the host has one slot
    timeout=5.0,
    backoff=0.05,
)
WORKERS = 3
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def _unavailable(why: str) -> None:
    if os.environ.get("NEWSFLOW_TEST_LAKE") == "required":
        pytest.fail(f"lake tests required (NEWSFLOW_TEST_LAKE=required) but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def postgres() -> Iterator[LocalPostgres]:
    if server_bin() is None:
        _unavailable("PostgreSQL's server programs are missing (apt-get install postgresql)")
    try:
        resources.files("psycopg")
    except ModuleNotFoundError:
        _unavailable("psycopg is missing (pip install -e '.[lake]')")
    with LocalPostgres() as pg:
        yield pg


@pytest.fixture
def lake(postgres: LocalPostgres) -> str:
    """A lake's name on a database of its own (the shared state needs no DuckLake tables)."""
    return "ducklake:postgres:" + postgres.database(f"lake_{uuid.uuid4().hex[:12]}")


def _worker(lake_name: str | None, urls: list[str], delay: float, ready: Any, go: Any,
            out: Any) -> None:  # fmt: skip
    """One machine's fetcher (spawned): fetches `urls` once every worker is ready and `go`
    is set; puts (url, outcome, error) per URL on `out`. Without a lake: its own limits."""
    from warehouse import hosts
    from warehouse import lake as lakes

    shared = hosts.PostgresHosts(lakes.parse(lake_name)) if lake_name else None
    try:
        with Fetcher(replace(POLICY, per_host_delay=delay), shared) as fetcher:
            ready.wait()
            go.wait()
            results = fetcher.fetch_many(urls, max_workers=4)
        out.put([(r.url, r.outcome, r.error) for r in results])
    finally:
        if shared is not None:
            shared.close()


def _run_workers(lake_name: str | None, work: list[list[str]], delay: float,
                 go_when: threading.Event | None = None,
                 ) -> list[tuple[str, str, str | None]]:  # fmt: skip
    """`work[i]` fetched by worker process i, all starting together (or, for the workers
    after the first, once `go_when` is set); every result, from every worker."""
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Barrier(len(work) + 1)
    first_go, others_go = spawn.Event(), spawn.Event()
    out = spawn.Queue()
    procs = [
        spawn.Process(
            target=_worker,
            args=(lake_name, urls, delay, ready, first_go if n == 0 else others_go, out),
        )
        for n, urls in enumerate(work)
    ]
    for proc in procs:
        proc.start()
    try:
        ready.wait(timeout=60)
        first_go.set()
        if go_when is not None:
            assert go_when.wait(timeout=30)
        others_go.set()
        results = [row for _ in procs for row in out.get(timeout=60)]
        for proc in procs:
            proc.join(timeout=30)
        assert [proc.exitcode for proc in procs] == [0] * len(procs)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
                proc.join()
    return results


def _gaps(server: LocalServer, path_prefix: str = "/p") -> list[float]:
    starts = sorted(r.at for r in server.requests if r.path.startswith(path_prefix))
    return [later - earlier for earlier, later in itertools.pairwise(starts)]


def test_workers_take_turns_on_a_host_and_share_its_robots_txt(web: LocalServer, lake: str):
    web.add("/robots.txt", ROBOTS)
    # A slow answer: a second worker sending meanwhile would show as two requests in flight.
    work = [
        [web.add(f"/p{n}-{i}", f"page {n}-{i}", delay=0.1) for i in range(4)]
        + [web.url(f"/private/{n}")]
        for n in range(WORKERS)
    ]
    results = _run_workers(lake, work, delay=0.25)

    pages = [r for r in results if "/private/" not in r[0]]
    assert [outcome for _, outcome, _ in pages] == ["ok"] * 4 * WORKERS
    # The robots.txt one worker fetched is the one all used: its Disallow held everywhere.
    assert len(web.hits("/robots.txt")) == 1
    refused = [r for r in results if "/private/" in r[0]]
    assert [error for _, _, error in refused] == ["disallowed by robots.txt"] * WORKERS
    assert not [r for r in web.requests if r.path.startswith("/private/")]
    # One request at a time to the host, across every worker, starts spaced by the delay.
    assert web.max_active == 1
    gaps = _gaps(web)
    assert len(gaps) == 4 * WORKERS - 1
    # (Seen by the server: arrival times scatter by a few ms on a busy machine.)
    assert min(gaps) >= 0.25 - 0.05, gaps


def test_without_the_shared_state_workers_overlap_and_each_fetches_robots_txt(
    web: LocalServer,
) -> None:
    # What the test above would see without the shared state: each process its own limits.
    web.add("/robots.txt", ROBOTS)
    work = [[web.add(f"/p{n}-{i}", "x", delay=0.1) for i in range(4)] for n in range(WORKERS)]
    _run_workers(None, work, delay=0.25)
    assert len(web.hits("/robots.txt")) == WORKERS
    assert web.max_active > 1
    assert min(_gaps(web)) < 0.2


def test_a_retry_after_sent_to_one_worker_pauses_every_worker(web: LocalServer, lake: str):
    web.add("/robots.txt", status=404)  # no robots.txt: everything allowed
    limited = threading.Event()
    answered: list[float] = []

    def busy_once(request: Request) -> Reply:
        if not answered:
            answered.append(request.at)
            # The other workers start once this answer is on its way.
            threading.Timer(0.05, limited.set).start()
            return Reply(429, "slow down", {"Retry-After": "1"})
        return Reply(200, "at last")

    first = [web.handle("/p-limited", busy_once)]
    others = [[web.add(f"/p{n}", f"page {n}")] for n in (1, 2)]
    results = _run_workers(lake, [first, *others], delay=0.05, go_when=limited)

    assert [outcome for _, outcome, _ in results] == ["ok"] * 3
    after = [r.at for r in web.requests if r.path.startswith("/p") and r.at > answered[0]]
    assert len(after) == 3  # the retry of /p-limited, and /p1 and /p2 from the other workers
    assert min(after) - answered[0] >= 1.0 - 0.02, [t - answered[0] for t in after]
    assert web.max_active == 1


def test_a_stuck_holder_makes_the_fetch_fail_with_its_name_not_hang(
    web: LocalServer, lake: str
) -> None:
    from warehouse import hosts
    from warehouse import lake as lakes

    url = web.add("/page", "x")
    policy = replace(POLICY, respect_robots=False, max_time=0.2, max_retry_after=0.0)
    with (
        hosts.PostgresHosts(lakes.parse(lake)) as stuck,
        hosts.PostgresHosts(lakes.parse(lake)) as shared,
        Fetcher(policy, shared) as fetcher,
        stuck.turn("127.0.0.1", delay=0.0, timeout=1.0),
    ):
        result = fetcher.fetch(url)
    assert (result.outcome, result.error_kind) == ("error", "temporary")
    assert "waited too long for the fetch slot of 127.0.0.1" in result.error
    assert f"newsflow fetcher {socket.gethostname()}" in result.error
    assert web.requests == []


def test_ingest_flows_share_the_state_for_a_lake_only(
    lake: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.web import web_fetcher
    from tasks.sources.registry import load_registry
    from warehouse import hosts

    sources = tmp_path / "sources.toml"
    sources.write_text("")
    registry = load_registry(str(sources))
    monkeypatch.delenv("NEWSFLOW_SHARED_POLITENESS", raising=False)
    with web_fetcher(registry, lake) as fetcher:
        assert isinstance(fetcher.shared, hosts.PostgresHosts)
    with web_fetcher(registry, str(tmp_path / "newsflow.duckdb")) as fetcher:
        assert fetcher.shared is None
    monkeypatch.setenv("NEWSFLOW_SHARED_POLITENESS", "0")
    with web_fetcher(registry, lake) as fetcher:
        assert fetcher.shared is None


def test_an_unreachable_lake_database_is_one_clear_line(lake: str) -> None:
    from warehouse import hosts
    from warehouse import lake as lakes

    with pytest.raises(lakes.LakeError) as caught:
        hosts.PostgresHosts(lakes.parse("ducklake:postgres:host=127.0.0.1 port=1 user=x"))
    said = str(caught.value)
    assert said.startswith("cannot keep the shared host state in the lake's database")
    assert "\n" not in said
