"""Run a core call off the GUI thread and get its callbacks back as Qt signals.

    job = run_in_thread(self, lambda progress, event, cancel: core_call(on_progress=progress,
                                                                        on_event=event, cancel=cancel),
                        on_result=..., on_error=..., on_progress=..., on_event=...)
    job.cancel()

The core call runs in a QThread; its ``progress``/``event`` callbacks emit signals that Qt
delivers, queued, on the GUI thread, so the event loop never waits for the work. ``on_error``
gets a one-line message: an unexpected exception is logged with its traceback, never shown raw.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6 import QtCore

from mission_control.progress import CancelToken, Cancelled, Progress

log = logging.getLogger(__name__)
Work = Callable[[Callable[[Progress], None], Callable[[Any], None], CancelToken], Any]


class Worker(QtCore.QObject):
    """Runs one call in its thread.

    Signals:
        progressed(object): a :class:`~mission_control.progress.Progress`.
        evented(object): an item the call streamed (a test result, a file done...).
        succeeded(object): the call's return value.
        failed(str): why it failed (``"cancelled"`` when cancelled).
        ended(): always, last.
    """

    progressed = QtCore.Signal(object)
    evented = QtCore.Signal(object)
    succeeded = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    ended = QtCore.Signal()

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.work = work
        self.token = CancelToken()

    @QtCore.Slot()
    def run(self) -> None:
        try:
            result = self.work(self.progressed.emit, self.evented.emit, self.token)
        except Cancelled:
            self.failed.emit("cancelled")
        except Exception as exc:  # noqa: BLE001 — reported as a message, logged with traceback
            log.exception("background job failed")
            self.failed.emit(str(exc) or type(exc).__name__)
        else:
            self.succeeded.emit(result)
        finally:
            self.ended.emit()


class Job(QtCore.QObject):
    """A running background call: cancel it, wait for it, ask if it runs."""

    def __init__(self, parent: QtCore.QObject, worker: Worker) -> None:
        super().__init__(parent)
        self.worker = worker
        self.thread = QtCore.QThread(self)
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        worker.ended.connect(self.thread.quit)
        self.thread.finished.connect(self._cleanup)
        self._running = True

    def cancel(self) -> None:
        """Ask the call to stop at its next safe point."""
        self.worker.token.cancel()

    @property
    def running(self) -> bool:
        return self._running

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the thread ends (tests, shutdown); True if it did."""
        return self.thread.wait(ms)

    def _cleanup(self) -> None:
        self._running = False
        self.worker.deleteLater()
        self.deleteLater()


def run_in_thread(parent: QtCore.QObject, work: Work, *, on_result: Callable[[Any], None] | None = None,
                  on_error: Callable[[str], None] | None = None,
                  on_progress: Callable[[Progress], None] | None = None,
                  on_event: Callable[[Any], None] | None = None,
                  on_end: Callable[[], None] | None = None) -> Job:
    """Start ``work(progress, event, cancel)`` in a new thread; callbacks run on the GUI thread."""
    worker = Worker(work)
    job = Job(parent, worker)
    receiver = parent  # queued to the GUI thread because ``parent`` lives there
    for signal, slot in ((worker.succeeded, on_result), (worker.failed, on_error),
                         (worker.progressed, on_progress), (worker.evented, on_event), (worker.ended, on_end)):
        if slot is not None:
            signal.connect(slot, QtCore.Qt.ConnectionType.QueuedConnection)
    del receiver
    job.thread.start()
    return job
