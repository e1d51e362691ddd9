"""Progress reporting and cancellation shared by every long-running core call.

Core functions take an optional ``on_progress`` callback and a :class:`CancelToken`; they never
import Qt. The UI wraps them in worker threads that turn callbacks into signals, and the CLI
prints progress to stderr.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """One progress report: ``done`` of ``total`` units, with a short human message."""

    done: int
    total: int
    message: str = ""


ProgressCallback = Callable[[Progress], None]


class Cancelled(Exception):
    """Raised inside a core call when its :class:`CancelToken` was cancelled."""


class CancelToken:
    """A thread-safe flag a caller sets to ask a running core call to stop.

    Core loops call :meth:`raise_if_cancelled` between units of work, so a cancel never
    leaves a unit (a file, a test) half done.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next safe point."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` if the token was cancelled."""
        if self._event.is_set():
            raise Cancelled()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, waking early on cancel; return whether cancelled."""
        return self._event.wait(timeout)


def no_progress(_: Progress) -> None:
    """A progress callback that ignores every report."""
