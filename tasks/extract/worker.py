"""What runs inside an extraction worker process. Kept apart from pool.py, which imports
Prefect: a worker unpickles the function it is sent by importing that function's module,
and importing Prefect cost each worker 1.3 s of CPU (2 s on a busy machine) before its
first page."""

from __future__ import annotations

import signal

from tasks.extract.document import extract_item
from tasks.models import Article, FailedItem, SourceItem


def extract_chunk(items: list[SourceItem], max_bytes: int) -> list[Article | FailedItem]:
    return [extract_item(item, max_bytes) for item in items]


def ignore_ctrl_c() -> None:
    """Ctrl-C in a terminal reaches every process of its group: the command stops the pool
    and says so in one line; each worker's own KeyboardInterrupt traceback was noise."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
