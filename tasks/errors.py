"""newsflow's errors, in one small hierarchy.

A ConfigError is the user's setup (a sources, topics or gazetteer file, a setting, an
unusable warehouse path): it stops a run before any item is read, with one line. A bad
*input* is no exception at all once it leaves its stage: it becomes a FailedItem, one
`ingest_errors` row, and the run goes on.
"""

from __future__ import annotations


class NewsflowError(Exception):
    """Something newsflow can explain in one line."""


class ConfigError(NewsflowError, ValueError):
    """The configuration cannot be used: the message names the file or setting and why."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, else its type's name: what a one-line
    error or log line shows of it."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
