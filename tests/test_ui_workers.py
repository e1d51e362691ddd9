"""Background jobs: callbacks (even lambdas) run on the GUI thread; cancel and errors arrive as messages."""

from __future__ import annotations

import threading

import pytest
from PySide6 import QtWidgets

from mission_control.ui.workers import run_in_thread
from mission_control.util.progress import Progress


def test_callbacks_run_on_the_gui_thread_and_results_arrive(qtbot):
    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    gui = threading.get_ident()
    seen = {"threads": set(), "events": [], "progress": []}

    def work(progress, event, cancel):
        for number in range(2000):
            event(number)
        progress(Progress(1, 1, "done"))
        return threading.get_ident()

    def record(kind):
        return lambda value: (seen["threads"].add(threading.get_ident()), seen[kind].append(value))

    result = []
    job = run_in_thread(
        widget, work, on_result=result.append, on_event=record("events"), on_progress=record("progress")
    )
    qtbot.waitUntil(lambda: bool(result), timeout=10_000)
    assert result[0] != gui  # the work ran elsewhere
    assert seen["threads"] == {gui}  # every callback on the GUI thread
    assert seen["events"] == list(range(2000))
    assert job.wait(5000)


@pytest.mark.allow_log_errors(match="^background job failed$")  # a job raising on purpose is logged
def test_cancel_and_failures_are_messages(qtbot):
    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    errors = []

    def slow(progress, event, cancel):
        while not cancel.wait(0.01):
            pass
        cancel.raise_if_cancelled()

    job = run_in_thread(widget, slow, on_error=errors.append)
    job.cancel()
    qtbot.waitUntil(lambda: errors == ["cancelled"], timeout=10_000)

    def broken(progress, event, cancel):
        raise ValueError("plan.md:3: bad line")

    run_in_thread(widget, broken, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=10_000)
    assert errors[1] == "plan.md:3: bad line"


def test_a_job_holding_the_last_reference_to_its_owner_ends_cleanly(qtbot):
    """Regression: the job's teardown released its owner, whose 'destroyed' called back into the dying job
    (a segfault in CI). Now the owner dies with the job's callbacks, and the job outlives nothing."""
    from mission_control.ui import workers

    done = []
    for _ in range(20):
        owner = QtWidgets.QWidget()  # only the job's callbacks keep it
        run_in_thread(owner, lambda progress, event, cancel: 1, on_result=lambda r, o=owner: done.append(r))
        del owner
    qtbot.waitUntil(lambda: len(done) == 20 and not workers._RUNNING, timeout=10_000)
    qtbot.wait(50)  # let time pass: deferred deletions run; a crash would end the process here
    assert done == [1] * 20


def test_reference_cycles_are_collected_on_the_gui_thread_only(qtbot):
    """Regression (a CI deadlock): the cyclic collector ran inside a worker and destroyed a QObject there."""
    import gc
    import weakref

    from mission_control.ui.workers import ensure_gui_garbage_collection

    ensure_gui_garbage_collection()
    assert not gc.isenabled()  # no collection in whatever thread allocates

    class Node(QtWidgets.QWidget):
        pass

    threads = []

    def in_worker(progress, event, cancel):
        junk = [[object()] for _ in range(50_000)]  # allocations that would trigger a collection here
        threads.append(threading.get_ident())
        return len(junk)

    widget = Node()
    widget.me = widget  # a cycle holding a QObject
    alive = weakref.ref(widget)
    del widget
    cycles = []
    for _ in range(2_000):  # enough garbage for the timer's threshold
        cycle = []
        cycle.append(cycle)
        cycles.append(cycle)
    del cycles, cycle
    done = []
    run_in_thread(QtWidgets.QApplication.instance(), in_worker, on_result=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    qtbot.waitUntil(lambda: alive() is None, timeout=5_000)  # the GUI-thread timer collected it


def test_the_cores_own_errors_are_expected_anything_else_is_a_bug():
    from mission_control.codemods import CodemodError
    from mission_control.ui.workers import is_expected
    from mission_control.util.git import RepoError

    assert is_expected(CodemodError("bad argument")) and is_expected(RepoError("not a repository"))
    assert not is_expected(ValueError("a bug")) and not is_expected(KeyError("x"))


def test_held_jobs_start_after_the_windows_first_paint(qtbot):
    """At start-up the docks' first jobs wait for the first paint instead of slowing it down."""
    from mission_control.ui import workers

    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    painted, order = [], []
    workers.on_first_paint(window, lambda: painted.append(True))
    workers.hold_jobs()
    try:
        job = run_in_thread(window, lambda progress, event, cancel: order.append("work") or 42, on_result=order.append)
        qtbot.wait(100)
        assert order == [] and not job.qthread.isRunning()  # held: not started
        workers.release_jobs_when_painted(window, fallback_ms=60_000)
        window.show()
        qtbot.waitUntil(lambda: order == ["work", 42], timeout=10_000)
        assert painted  # released by the paint, not by the fallback timer
        assert job.wait(5000)
        later = run_in_thread(window, lambda progress, event, cancel: 7, on_result=order.append)
        qtbot.waitUntil(lambda: order[-1:] == [7], timeout=10_000)  # no longer holding
        assert later.wait(5000)
    finally:
        workers.release_jobs()


def test_held_jobs_of_a_window_never_shown_start_after_the_fallback(qtbot):
    from mission_control.ui import workers

    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    results = []
    workers.hold_jobs()
    try:
        job = run_in_thread(window, lambda progress, event, cancel: 1, on_result=results.append)
        workers.release_jobs_when_painted(window, fallback_ms=200)
        qtbot.waitUntil(lambda: results == [1], timeout=10_000)
        assert job.wait(5000)
    finally:
        workers.release_jobs()


def test_low_priority_jobs_wait_for_the_urgent_ones_even_when_asked_for_first(qtbot):
    """A dock's read of a change set waits for the Dashboard's audit of it, whatever the order of the asks."""
    from mission_control.ui.workers import LOW, URGENT

    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    order: list[str] = []
    release = threading.Event()

    def urgent(progress, event, cancel):
        order.append("urgent started")
        release.wait(10)
        order.append("urgent done")
        return "urgent"

    low = run_in_thread(widget, lambda progress, event, cancel: order.append("low ran"), priority=LOW)
    audit = run_in_thread(widget, urgent, priority=URGENT)  # asked for after the low one, same turn
    qtbot.waitUntil(lambda: order == ["urgent started"], timeout=10_000)
    qtbot.wait(100)
    assert order == ["urgent started"] and not low.qthread.isRunning()  # still waiting
    release.set()
    qtbot.waitUntil(lambda: order == ["urgent started", "urgent done", "low ran"], timeout=10_000)
    assert audit.wait(5000) and low.wait(5000)
    alone = []
    later = run_in_thread(widget, lambda progress, event, cancel: 1, on_result=alone.append, priority=LOW)
    qtbot.waitUntil(lambda: alone == [1], timeout=10_000)  # no urgent job: a low one just runs
    assert later.wait(5000)


def test_a_waiting_low_job_cancelled_ends_without_running_and_one_waited_for_runs(qtbot):
    from mission_control.ui.workers import LOW, URGENT

    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    release = threading.Event()
    ran, errors, results = [], [], []
    audit = run_in_thread(widget, lambda progress, event, cancel: release.wait(10), priority=URGENT)
    cancelled = run_in_thread(
        widget, lambda progress, event, cancel: ran.append("cancelled one"), on_error=errors.append, priority=LOW
    )
    waited = run_in_thread(widget, lambda progress, event, cancel: 5, on_result=results.append, priority=LOW)
    qtbot.wait(50)
    cancelled.cancel()
    assert cancelled.wait(5000) and waited.wait(5000)  # both ended while the urgent job still runs
    assert audit.running
    qtbot.waitUntil(lambda: errors == ["cancelled"] and results == [5], timeout=10_000)
    assert ran == []
    release.set()
    assert audit.wait(5000)
