"""An optional Prefect global concurrency limit on landing: NEWSFLOW_WAREHOUSE_LIMIT=1.

Writers already queue on DuckDB's file lock (warehouse/store.py: a second process waits for
it rather than failing), so this adds no safety; it makes the queue visible in Prefect's UI
(the Concurrency page, and land tasks waiting for a slot). It is off by default because on
Prefect 3.8's SQLite-backed server an acquisition measured 2 s, once 62 s, under load: more
than the landing it guards. With a PostgreSQL-backed server it costs milliseconds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from tasks.settings import settings

WAREHOUSE = "newsflow-warehouse"
_created: set[str] = set()
_lock = threading.Lock()


def enabled() -> bool:
    return settings().warehouse_limit


def ensure(name: str, limit: int) -> None:
    """Create the global concurrency limit unless it exists (Prefect 3 does not create
    limits itself: a missing one is skipped with a warning). An existing one keeps the
    settings an operator gave it in the UI."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with _lock:
        if name in _created:
            return
        with get_client(sync_client=True) as client:
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                with suppress(ObjectAlreadyExists):  # another process created it first
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=name, limit=limit)
                    )
        _created.add(name)


@contextmanager
def warehouse_writer() -> Iterator[None]:
    """Hold the warehouse's writer slot for the block when enabled; wait for it."""
    if not enabled():
        yield
        return
    from prefect.concurrency.sync import concurrency

    ensure(WAREHOUSE, 1)
    with concurrency(WAREHOUSE, occupy=1, strict=True):
        yield
