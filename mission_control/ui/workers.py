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

import atexit
import functools
import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6 import QtCore, QtWidgets

from mission_control.util.progress import Cancelled, CancelToken, Progress

log = logging.getLogger(__name__)
Work = Callable[[Callable[[Progress], None], Callable[[Any], None], CancelToken], Any]


def is_expected(exc: BaseException) -> bool:
    """Whether ``exc`` is one of Mission Control's own error types (bad input, a refusal, a missing
    file: told to the user as a message) rather than an unexpected failure (logged with a traceback)."""
    return type(exc).__module__.startswith("mission_control.")


class Worker(QtCore.QObject):
    """Runs one call in its thread.

    Signals:
        progressed(object): a :class:`~mission_control.util.progress.Progress`.
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
            self.token.raise_if_cancelled()  # cancelled before it started (held, waiting): nothing to do
            result = self.work(self.progressed.emit, self.evented.emit, self.token)
        except Cancelled:
            self.failed.emit("cancelled")
        except Exception as exc:
            if is_expected(exc):  # the core's own error: a message for the user, not a bug
                log.info("background job refused: %s", exc)
            else:
                log.exception("background job failed")
            self.failed.emit(str(exc) or type(exc).__name__)
        else:
            self.succeeded.emit(result)
        finally:
            self.ended.emit()


class Job(QtCore.QObject):
    """A running background call: cancel it, wait for it, ask if it runs.

    The Job lives on the GUI thread; the worker's signals reach its slots queued, and only
    there are the caller's callbacks invoked — so plain functions and lambdas passed as
    callbacks run on the GUI thread too.
    """

    def __init__(self, owner: QtCore.QObject, worker: Worker, callbacks: dict[str, Callable | None]) -> None:
        # No Qt parent: deleting the owner must never destroy a running QThread (Qt aborts).
        # The registry keeps the job alive until its thread has ended.
        # No strong reference to the owner either: releasing the last one from the job's own
        # deletion would destroy the owner mid-teardown and call back into a half-dead job.
        super().__init__(None)
        self._owner_alive = True
        _RUNNING.add(self)
        owner.destroyed.connect(self._on_owner_gone)
        self.worker = worker
        self.callbacks = callbacks
        self.qthread = QtCore.QThread()
        worker.moveToThread(self.qthread)
        self.qthread.started.connect(worker.run)
        queued = QtCore.Qt.ConnectionType.QueuedConnection
        worker.succeeded.connect(self._on_succeeded, queued)
        worker.failed.connect(self._on_failed, queued)
        worker.progressed.connect(self._on_progressed, queued)
        worker.evented.connect(self._on_evented, queued)
        worker.ended.connect(self._on_ended, queued)
        # Direct: quit() is thread-safe, and a queued quit would need the GUI loop that wait() blocks.
        worker.ended.connect(self.qthread.quit, QtCore.Qt.ConnectionType.DirectConnection)
        self.qthread.finished.connect(self._on_thread_finished)
        self._running = True
        self._finished = False

    def cancel(self) -> None:
        """Ask the call to stop at its next safe point (one still waiting to start ends at once)."""
        self.worker.token.cancel()
        _start_now_if_waiting(self)

    @property
    def running(self) -> bool:
        return self._running

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the thread ends (tests, shutdown); True if it did."""
        if self._finished:
            return True  # the thread object may already be deleted
        _start_now_if_waiting(self)  # waited for: it runs now, whatever it was waiting for
        return self.qthread.wait(ms)

    @QtCore.Slot()
    def _on_owner_gone(self) -> None:
        self._owner_alive = False
        self.cancel()

    def _call(self, name: str, *args: Any) -> None:
        callback = self.callbacks.get(name)
        if callback is None or not self._owner_alive:
            return  # the panel that asked is gone: nobody to tell
        callback(*args)

    @QtCore.Slot(object)
    def _on_succeeded(self, result: Any) -> None:
        self._call("on_result", result)

    @QtCore.Slot(str)
    def _on_failed(self, message: str) -> None:
        self._call("on_error", message)

    @QtCore.Slot(object)
    def _on_progressed(self, progress: Progress) -> None:
        self._call("on_progress", progress)

    @QtCore.Slot(object)
    def _on_evented(self, item: Any) -> None:
        self._call("on_event", item)

    @QtCore.Slot()
    def _on_ended(self) -> None:
        self._running = False
        if self in _URGENT:
            _URGENT.discard(self)
            QtCore.QTimer.singleShot(0, _start_waiting)
        self._call("on_end")

    def _on_thread_finished(self) -> None:
        self._running = False
        self._finished = True
        self.qthread.wait()  # 'finished' comes from the thread itself: let it return first
        self.callbacks = {}  # the callbacks' closures may hold widgets: release them now
        # Python owns the job, its worker and thread; the last reference goes from a timer,
        # never from inside one of the job's own slots.
        QtCore.QTimer.singleShot(0, functools.partial(_RUNNING.discard, self))


_RUNNING: set[Job] = set()

#: Priorities of :func:`run_in_thread`.
URGENT, NORMAL, LOW = "urgent", "normal", "low"
#: Urgent jobs not yet ended, and low ones waiting for them.
_URGENT: set[Job] = set()
_WAITING: list[Job] = []
_GC = None


def ensure_gui_garbage_collection() -> None:
    """Collect reference cycles only on the GUI thread (pyqtgraph's GarbageCollector, on a timer).

    Python's cyclic collector runs in whichever thread happens to allocate; when that is a
    worker and the garbage holds a QObject, the QObject is destroyed there, takes Qt's
    connection lock and waits for the GIL, while the GUI thread holds the GIL and waits for
    that lock: a deadlock (seen in CI). Automatic collection is switched off and a timer on
    the GUI thread collects instead. Idempotent; needs the QApplication.
    """
    global _GC
    if _GC is None and QtCore.QCoreApplication.instance() is not None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _GC = GarbageCollector(interval=0.25)


def shutdown_all(timeout_ms: int = 10_000) -> None:
    """Cancel every running job and wait for its thread (application quit, interpreter exit)."""
    for job in list(_RUNNING):
        if not shiboken6.isValid(job) or job._finished:
            continue
        job.cancel()
        if shiboken6.isValid(job.qthread):
            job.qthread.quit()
            job.qthread.wait(timeout_ms)


atexit.register(shutdown_all)


def run_in_thread(
    parent: QtCore.QObject,
    work: Work,
    *,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_event: Callable[[Any], None] | None = None,
    on_end: Callable[[], None] | None = None,
    priority: str = NORMAL,
) -> Job:
    """Start ``work(progress, event, cancel)`` in a new thread; callbacks run on the GUI thread.

    ``parent`` (the owner, on the GUI thread) receives the callbacks; if it is destroyed first,
    the job is cancelled and its callbacks are skipped. ``priority``: :data:`URGENT` for what the
    lead waits on (the Dashboard's audit of a change), :data:`LOW` for reads that can come after it
    (a dock catching up with the same change): a low job starts once no urgent job runs. Python runs
    one thread at a time, so a low job started beside an urgent one only makes it wait.
    """
    ensure_gui_garbage_collection()
    worker = Worker(work)
    job = Job(
        parent,
        worker,
        {
            "on_result": on_result,
            "on_error": on_error,
            "on_progress": on_progress,
            "on_event": on_event,
            "on_end": on_end,
        },
    )
    if priority == URGENT:
        _URGENT.add(job)
    if _HELD is not None:
        _HELD.append(job)  # started once the window has been painted (hold_jobs)
    elif priority == LOW:
        _WAITING.append(job)
        # Decided on the next turn of the event loop: an urgent job asked for by the same event
        # (the same change set reaching another dock a moment later) is then known.
        QtCore.QTimer.singleShot(0, _start_waiting)
    else:
        job.qthread.start()
    return job


def _start_waiting() -> None:
    """Start the low-priority jobs, unless an urgent one is running (its end calls this again)."""
    if _URGENT:
        return
    waiting, _WAITING[:] = list(_WAITING), []
    for job in waiting:
        if shiboken6.isValid(job) and shiboken6.isValid(job.qthread) and not job._finished:
            job.qthread.start()


def _start_now_if_waiting(job: Job) -> None:
    """A waiting job that is cancelled or waited for starts at once (a cancelled one ends at once)."""
    if job in _WAITING:
        _WAITING.remove(job)
        if shiboken6.isValid(job.qthread):
            job.qthread.start()


#: Jobs asked for while the app's window is being built and first drawn (None: not holding).
_HELD: list[Job] | None = None


def hold_jobs() -> None:
    """Start no worker thread until :func:`release_jobs` (the app calls this before building the window).

    At start-up every dock asks for its first data in a worker; their threads compete with the
    GUI thread for the interpreter while it builds and draws the window (measured on the demo:
    the first paint came 0.4-0.7 s later). Held jobs start, in order, right after the first paint.
    """
    global _HELD
    if _HELD is None:
        _HELD = []


def release_jobs() -> None:
    """Start the held jobs, and every later one at once (idempotent)."""
    global _HELD
    held, _HELD = _HELD or [], None
    for job in held:
        if shiboken6.isValid(job) and shiboken6.isValid(job.qthread) and not job._finished:
            job.qthread.start()  # a job cancelled meanwhile starts, sees its token and ends


def release_jobs_when_painted(window: QtWidgets.QWidget, fallback_ms: int = 3000) -> None:
    """:func:`release_jobs` once ``window`` has been painted, or after ``fallback_ms`` (never shown)."""
    on_first_paint(window, release_jobs)
    QtCore.QTimer.singleShot(fallback_ms, release_jobs)


def on_first_paint(window: QtWidgets.QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` on the GUI thread just after ``window``'s first paint pass has finished."""

    class FirstPaint(QtCore.QObject):
        def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
            if event.type() == QtCore.QEvent.Type.Paint and watched is window:
                window.removeEventFilter(self)
                QtCore.QTimer.singleShot(0, callback)  # after the paint pass, not inside it
            return False

    window.installEventFilter(FirstPaint(window))
