"""What politeness across machines costs (warehouse/hosts.py): PostgreSQL round trips per
fetch, and how close workers sharing one host come to its spacing.

    python bench/polite_shared.py [--rounds 500] [--pages 8]

Starts a throwaway PostgreSQL (tests/pg.py) and a local HTTP server (tests/webserver.py):

- one statement (pg_try_advisory_lock), a whole uncontended turn (take the slot, read the
  host's next start, record the turn, let go) and a robots.txt read, median and p95;
- one process fetching `pages` pages of one host with no spacing, with and without the
  shared state: the added time per fetch;
- three processes fetching `pages` pages each of one host, spaced 0.25 s, with answers
  faster and slower than the spacing: the span against the ideal (pages x spacing, or x
  the answer time when that is longer), i.e. what handing the slot over between processes
  (waiters poll every POLL_S) loses.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import statistics
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tasks.sources.http.fetch import Fetcher, FetchPolicy
from tasks.sources.http.netguard import NetPolicy
from tests.pg import LocalPostgres
from tests.webserver import LocalServer
from warehouse import hosts, sql
from warehouse import lake as lakes

POLICY = FetchPolicy(
    net=NetPolicy(allowed_hosts=frozenset({"127.0.0.1"})), respect_robots=False, timeout=10.0
)


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def round_trips(lake: str, rounds: int) -> None:
    with hosts.PostgresHosts(lakes.parse(lake)) as shared:
        con = shared._connection()
        lock, unlock = sql.load("sql/hosts/try_lock.sql"), sql.load("sql/hosts/unlock.sql")
        one = []
        for i in range(rounds):
            started = time.perf_counter()
            con.execute(lock, {"key": i, "host": "bench.example"}).fetchone()
            one.append(time.perf_counter() - started)
            con.execute(unlock, {"key": i})
        turns = []
        for _ in range(rounds):
            started = time.perf_counter()
            with shared.turn("bench.example", delay=0.0, timeout=10.0):
                pass
            turns.append(time.perf_counter() - started)
        shared.save_robots("http://bench.example:80", hosts.SharedRobots("User-agent: *", None, 60))
        reads = []
        for _ in range(rounds):
            started = time.perf_counter()
            shared.robots("http://bench.example:80")
            reads.append(time.perf_counter() - started)
    print(f"pg_try_advisory_lock and the host's next start, one round trip: {_ms(one)}")
    print(f"a whole uncontended turn (4 statements): {_ms(turns)}")
    print(f"a robots.txt read: {_ms(reads)}")


def one_process(lake: str, web: LocalServer, pages: int) -> None:
    urls = [web.add(f"/one/{i}", "x" * 2000) for i in range(pages)]
    spans = {}
    for name in ("local", "shared", "local again", "shared again"):
        with hosts.shared_for(lake if name.startswith("shared") else None) as shared:
            policy = replace(POLICY, per_host_delay=0.0)
            with Fetcher(policy, shared) as fetcher:
                started = time.perf_counter()
                for url in urls:
                    fetcher.fetch(url)
                spans[name] = time.perf_counter() - started
    for name, span in spans.items():
        print(f"one process, {pages} fetches in a row, {name}: {span / pages * 1000:.2f} ms each")


def _fetch_all(lake: str, urls: list[str], delay: float, ready, out) -> None:
    with (
        hosts.PostgresHosts(lakes.parse(lake)) as shared,
        Fetcher(replace(POLICY, per_host_delay=delay), shared) as fetcher,
    ):
        ready.wait()
        results = fetcher.fetch_many(urls, max_workers=4)
    out.put(sum(r.outcome == "ok" for r in results))


def three_processes(lake: str, web: LocalServer, pages: int, answer_s: float) -> None:
    delay, workers = 0.25, 3
    spawn = multiprocessing.get_context("spawn")
    ready, out = spawn.Barrier(workers), spawn.Queue()
    tag = uuid.uuid4().hex[:6]
    procs = [
        spawn.Process(
            target=_fetch_all,
            args=(
                lake,
                [web.add(f"/{tag}/{n}/{i}", "x", delay=answer_s) for i in range(pages)],
                delay,
                ready,
                out,
            ),
        )
        for n in range(workers)
    ]
    for proc in procs:
        proc.start()
    ok = sum(out.get(timeout=300) for _ in procs)
    for proc in procs:
        proc.join()
    starts = sorted(r.at for r in web.requests if r.path.startswith(f"/{tag}/"))
    span = starts[-1] - starts[0]
    ideal = (len(starts) - 1) * max(delay, answer_s)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    print(
        f"3 processes x {pages} pages, spacing {delay} s, answers in {answer_s} s: {ok} ok, "
        f"starts {span:.2f} s apart first to last, ideal {ideal:.2f} s "
        f"(+{(span - ideal) / (len(starts) - 1) * 1000:.0f} ms a turn); "
        f"gaps min {min(gaps):.3f} s, max {max(gaps):.3f} s; in flight at once: {web.max_active}"
    )
    web.max_active = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--pages", type=int, default=8)
    args = parser.parse_args()
    with LocalPostgres() as pg, LocalServer() as web:
        lake = "ducklake:postgres:" + pg.database("bench")
        round_trips(lake, args.rounds)
        one_process(lake, web, args.rounds // 5)
        three_processes(lake, web, args.pages, answer_s=0.02)
        three_processes(lake, web, args.pages, answer_s=0.4)


if __name__ == "__main__":
    main()
