"""Politeness shared by fetchers in several processes and machines: what a Fetcher is given
(`Fetcher(policy, shared)`) when many workers fetch for one warehouse.

Without it a Fetcher's per-host limits and its robots.txt cache hold within its process,
which is all one machine needs. With it, a host has one fetch slot for all of them, its next
start time (spacing, Retry-After) is kept in one place, and a robots.txt fetched by one is
read by all. warehouse/hosts.py keeps that state in a DuckLake's PostgreSQL.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from tasks.errors import NewsflowError


class SharedHostsError(NewsflowError):
    """The shared host state could not be read or a turn not had in time: the fetch fails
    (temporary) with this reason rather than go on without the other workers' limits."""


@dataclass(frozen=True, slots=True)
class SharedRobots:
    """A robots.txt as every worker uses it: `body` the file's text (None: no usable file,
    everything allowed), `unavailable` why the host is off limits for now (the file could
    not be had, RFC 9309 "unreachable"), `ttl` the seconds it stays valid."""

    body: str | None
    unavailable: str | None
    ttl: float


class HostTurn(Protocol):
    def hold(self, seconds: float) -> None:
        """No worker starts a request to the host for `seconds` (it sent Retry-After)."""


class SharedHosts(Protocol):
    def turn(self, host: str, delay: float, timeout: float) -> AbstractContextManager[HostTurn]:
        """The host's one fetch slot across every worker, had once no other worker holds
        it and the host's next start time (`delay` after the last start, or a Retry-After)
        has come; raises SharedHostsError after `timeout` seconds."""
        ...

    def robots(self, origin: str) -> SharedRobots | None:
        """The stored robots.txt of `origin` (scheme://host:port) while valid, else None."""
        ...

    def robots_turn(self, origin: str, timeout: float) -> AbstractContextManager[None]:
        """One worker at a time fetches the robots.txt of `origin`: the others wait, then
        read what it stored."""
        ...

    def save_robots(self, origin: str, robots: SharedRobots) -> None: ...
