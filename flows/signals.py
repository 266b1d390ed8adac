"""SIGTERM (what systemd, Docker and `timeout` send) stops newsflow exactly as Ctrl-C does.

Without this, SIGTERM killed a command outright (its run left `running`) and, under
`newsflow serve`, went to Prefect's runner, whose handler stops the runner from inside the
signal handler and calls sys.exit(0) while its own shutdown is pausing the schedules: a
traceback, and some deployments left scheduled with nothing serving them (issue 10).
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

# Set while an event loop serves (flows/serve.py): how to stop it as asyncio's own Ctrl-C
# handler does, by cancelling its main task.
_loop_stopper: Callable[[], None] | None = None


# Set as `serve` stops. Its inbox watcher runs each pass on a thread of serve's own process,
# which neither a signal nor serve's runner (it kills only the flow runs it started) reaches:
# the pass ran on into the interpreter's exit, printing Prefect's logging tracebacks, and its
# run stayed `running` until a later run on this host swept it.
stopping = threading.Event()


def stop_point() -> None:
    """Between two batches: a run `serve` is stopping ends here, as Ctrl-C ends a command's
    (its run marked crashed, "interrupted")."""
    if stopping.is_set():
        raise KeyboardInterrupt


def stop_like_ctrl_c(signum: int, frame: FrameType | None) -> None:
    """A SIGTERM handler: whatever Ctrl-C does at this moment."""
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        # Python's raises KeyboardInterrupt; inside asyncio.run (Prefect's runner) asyncio's
        # cancels the main task first, so shutdown code (pausing schedules) runs to the end.
        handler(signal.SIGINT, frame)
    elif _loop_stopper is not None:
        # SIGINT ignored (`newsflow serve &` from a script), so asyncio installed no handler
        # of its own: a KeyboardInterrupt raised here, inside the loop's select, printed ~40
        # lines of Prefect's callbacks failing. Cancel the main task as asyncio would.
        _loop_stopper()
    else:  # SIGINT ignored (a script's background job): stop all the same
        raise KeyboardInterrupt


@contextmanager
def stoppable_loop(loop: asyncio.AbstractEventLoop, task: asyncio.Task) -> Iterator[None]:
    """While the block runs, SIGTERM with SIGINT ignored cancels `task` on `loop`."""
    global _loop_stopper
    _loop_stopper = lambda: loop.call_soon_threadsafe(task.cancel)  # noqa: E731
    try:
        yield
    finally:
        _loop_stopper = None


def interrupted(exc: BaseException) -> bool:
    """Whether `exc` is an interrupt, or was raised while one was being handled: Ctrl-C
    that lands while Prefect creates a task run comes back as its ValueError('Task run is
    not set'), the KeyboardInterrupt only in its context."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (KeyboardInterrupt, SystemExit)) or _stopped(current):
            return True
        seen.add(id(current))
        context = None if current.__suppress_context__ else current.__context__
        current = current.__cause__ or context
    return False


def _stopped(exc: BaseException) -> bool:
    """Prefect's TerminationSignal (its flow engine's SIGTERM handler raises it inside a
    flow run: the run was recorded `failed`), and DuckDB's error for a query a signal
    interrupted ('Query interrupted': a SIGTERM while a batch was written ended in exit 1)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ExternalSignal", "InterruptException"}) or (
        isinstance(exc, RuntimeError) and str(exc) == "Query interrupted"
    )


def install() -> None:
    """Route SIGTERM to `stop_like_ctrl_c` (signals can only be set from the main thread)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop_like_ctrl_c)


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C or SIGTERM inside the block takes effect at its end (a second one at once),
    for a step that must not be cut in half: a deployment registered with the server while
    the interrupt was unwinding would stay scheduled with nothing serving it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def defer(signum: int, frame: FrameType | None) -> None:
        if pending:
            raise KeyboardInterrupt
        pending.append(signum)

    watched = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        watched.append(signal.SIGINT)
    previous = {s: signal.signal(s, defer) for s in watched}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if pending:
        raise KeyboardInterrupt
