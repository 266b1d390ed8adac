"""Progress of a long run: a Prefect progress artifact for the UI, a hook for the CLI's bar."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from prefect.artifacts import create_progress_artifact, update_progress_artifact

# (done, total) -> None; set by the CLI while it runs a flow in this process.
Listener = Callable[[int, int], None]
_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    _listeners.remove(listener)


class Progress:
    """Reports `done` of `total` items; the artifact appears only for runs worth watching."""

    MIN_ITEMS_FOR_ARTIFACT = 100

    def __init__(self, total: int, key: str, description: str) -> None:
        self.total = total
        self.done = 0
        self._artifact: UUID | None = None
        if total >= self.MIN_ITEMS_FOR_ARTIFACT:
            self._artifact = create_progress_artifact(0.0, key=key, description=description)
        self._notify()

    def advance(self, n: int) -> None:
        self.done += n
        if self._artifact is not None:
            update_progress_artifact(self._artifact, 100.0 * self.done / max(self.total, 1))
        self._notify()

    def _notify(self) -> None:
        for listener in list(_listeners):
            listener(self.done, self.total)
