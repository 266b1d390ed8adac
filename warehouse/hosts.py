"""Politeness across machines: the host limits and robots.txt every worker of a DuckLake
warehouse shares, kept in the lake's PostgreSQL (docs/scale-out.md).

A host has one fetch slot for all workers: a PostgreSQL session advisory lock keyed by the
host name, held for one exchange. Its next start time (the last start plus the spacing, and
any Retry-After) is a row of `newsflow_hosts.hosts`; an origin's robots.txt a row of
`newsflow_hosts.robots`, fetched by one worker (an advisory lock keyed by the origin) and read
by all while valid. Times are the database's clock, so the workers' clocks need not agree.
The fetcher (tasks/sources/http/fetch.py) is given this as its `shared` state; a DuckDB file
warehouse gives it nothing and keeps each process's own limits.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tasks.errors import first_line
from tasks.settings import settings
from tasks.sources.http.shared import SharedHostsError, SharedRobots
from warehouse import lake as lakes
from warehouse import sql

log = logging.getLogger(__name__)

# A waiter asks again this often whether a busy slot is free (pg_try_advisory_lock: one
# round trip, 0.17 ms median on loopback here). A blocking pg_advisory_lock would need a
# connection per waiting thread; polling shares one per process. A waiter first sleeps until
# the holder's turn cannot have ended (its start plus the spacing), so it polls only while a
# host answers slower than the spacing; then each handover lost 41 ms on average (3 workers,
# 0.4 s answers, bench/polite_shared.py). Jittered so waiters do not ask in step.
POLL_S = 0.05


@dataclass
class _Turn:
    held_s: float = 0.0  # the Retry-After seen during the turn

    def hold(self, seconds: float) -> None:
        self.held_s = max(self.held_s, seconds)


class PostgresHosts:
    """The shared state of one lake's workers, over one psycopg connection per process
    (psycopg's connections are thread-safe; every statement here is one short round trip).
    Implements tasks.sources.http.shared.SharedHosts."""

    def __init__(self, lake: lakes.Lake) -> None:
        try:
            import psycopg
        except ModuleNotFoundError as exc:
            raise lakes.LakeError(
                "politeness across a lake's workers needs psycopg: install newsflow[lake]"
            ) from exc
        self._psycopg = psycopg
        self._dsn = lake.catalog.removeprefix("postgres:")
        self._name = f"newsflow fetcher {socket.gethostname()} pid {os.getpid()}"
        self._lock = threading.Lock()
        self._con: Any = None
        try:
            self._con = self._connect()
            if not self._con.execute(sql.load("sql/hosts/exists.sql")).fetchone()[0]:
                self._con.execute(sql.load("sql/hosts/schema.sql"))  # one implicit transaction
        except psycopg.Error as exc:
            if self._con is not None:
                self._con.close()
            raise lakes.LakeError(
                f"cannot keep the shared host state in the lake's database: {first_line(exc)}"
            ) from exc

    def __enter__(self) -> PostgresHosts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._con.close()  # ends the session: any slot still held goes with it

    # -- a host's fetch slot ----------------------------------------------------------------

    @contextmanager
    def turn(self, host: str, delay: float, timeout: float) -> Iterator[_Turn]:
        key = _key("host", host)
        deadline = time.monotonic() + timeout
        while True:
            con = self._take(key, deadline, f"the fetch slot of {host}", host, delay)
            wait = self._one(con, "sql/hosts/host_wait.sql", {"host": host}, unlock=key)
            if wait is None or wait <= 0:
                break
            self._unlock(con, key)
            if time.monotonic() + wait > deadline:
                raise SharedHostsError(
                    f"{host} may not be asked for another {wait:.0f} s (spacing, Retry-After)"
                )
            # Not holding the slot while waiting: every waiter gets the same chance at it.
            time.sleep(wait)
        turn = _Turn()
        started = time.monotonic()
        try:
            yield turn
        finally:
            elapsed = time.monotonic() - started
            params = {"host": host, "delay": delay, "elapsed": elapsed, "hold": turn.held_s}
            try:
                con.execute(sql.load("sql/hosts/host_done.sql"), params)
            except self._psycopg.Error as exc:
                log.warning("could not record the turn on %s: %s", host, first_line(exc))
            self._unlock(con, key)

    # -- robots.txt ---------------------------------------------------------------------------

    def robots(self, origin: str) -> SharedRobots | None:
        row = self._row(self._connection(), "sql/hosts/robots_get.sql", {"origin": origin})
        if row is None:
            return None
        body, unavailable, ttl = row
        return SharedRobots(body, unavailable, float(ttl))

    @contextmanager
    def robots_turn(self, origin: str, timeout: float) -> Iterator[None]:
        key = _key("robots", origin)
        con = self._take(key, time.monotonic() + timeout, f"the robots.txt of {origin}")
        try:
            yield
        finally:
            self._unlock(con, key)

    def save_robots(self, origin: str, robots: SharedRobots) -> None:
        # PostgreSQL's text holds no NUL; robots.txt has no use for one.
        body = robots.body.replace("\x00", "") if robots.body is not None else None
        params = {"origin": origin, "body": body, "unavailable": robots.unavailable,
                  "ttl": robots.ttl}  # fmt: skip
        con = self._connection()
        try:
            con.execute(sql.load("sql/hosts/robots_put.sql"), params)
        except self._psycopg.Error as exc:
            raise self._failed(con, exc) from exc

    # -- the connection -------------------------------------------------------------------------

    def _connect(self) -> Any:  # a psycopg.Connection (the lake extra's)
        return self._psycopg.connect(self._dsn, autocommit=True, application_name=self._name)

    def _connection(self) -> Any:
        """The session, opened again if it broke (the slots it held went with it)."""
        with self._lock:
            if self._con.closed or self._con.broken:
                try:
                    self._con = self._connect()
                except self._psycopg.Error as exc:
                    raise SharedHostsError(
                        f"the lake's database is unreachable: {first_line(exc)}"
                    ) from exc
            return self._con

    def _failed(self, con: Any, exc: Exception) -> SharedHostsError:
        if not con.broken:
            log.warning("shared host state: %s", first_line(exc))
        return SharedHostsError(f"the lake's database: {first_line(exc)}")

    def _take(
        self, key: int, deadline: float, what: str, host: str | None = None, delay: float = 0.0
    ) -> Any:
        """Hold the advisory lock `key`, polling until `deadline`; the session holding it.
        For a host's slot, `host` and `delay` say how long the holder's turn lasts at least."""
        while True:
            con = self._connection()
            got, ready = self._row(con, "sql/hosts/try_lock.sql", {"key": key, "host": host})
            if got:
                return con
            now = time.monotonic()
            if now >= deadline:
                holder = self._row(con, "sql/lake/pg_lock_holder.sql", {"key": key})
                by = holder[0] if holder else "a worker that has just let go"
                raise SharedHostsError(f"waited too long for {what}, held by {by}")
            # The holder started no earlier than the host's next start it found, and the next
            # start after it is no earlier than that plus the spacing.
            until_free = float(ready) + delay if ready is not None else 0.0
            pause = max(until_free, POLL_S * random.uniform(0.5, 1.5))
            time.sleep(min(pause, max(deadline - now, 0.0)))

    def _unlock(self, con: Any, key: int) -> None:
        try:
            con.execute(sql.load("sql/hosts/unlock.sql"), {"key": key})
        except self._psycopg.Error as exc:
            # A broken session has let go already; the lock cannot outlive it.
            log.warning("could not let go of a host slot: %s", first_line(exc))

    def _row(self, con: Any, name: str, params: dict[str, Any]) -> Any:
        try:
            return con.execute(sql.load(name), params).fetchone()
        except self._psycopg.Error as exc:
            raise self._failed(con, exc) from exc

    def _one(self, con: Any, name: str, params: dict[str, Any], unlock: int) -> float | None:
        """The one value of statement `name`; on failure, the slot `unlock` is let go."""
        try:
            row = self._row(con, name, params)
        except SharedHostsError:
            self._unlock(con, unlock)
            raise
        return None if row is None or row[0] is None else float(row[0])


def _key(*parts: str) -> int:
    """An advisory lock key: 64 bits of a hash, apart from the lake's writer lock's."""
    digest = hashlib.sha256(" ".join(("newsflow", *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def shared_for(warehouse: str | os.PathLike[str] | None) -> Iterator[PostgresHosts | None]:
    """The state a fetcher shares with the other workers of `warehouse`: for a lake, kept in
    its PostgreSQL, unless NEWSFLOW_SHARED_POLITENESS=0; for a DuckDB file, None (one
    machine: each fetcher's own limits are the host's)."""
    if not (lakes.is_lake(warehouse) and settings().shared_politeness):
        yield None
        return
    hosts = PostgresHosts(lakes.parse(str(warehouse)))
    try:
        yield hosts
    finally:
        hosts.close()
