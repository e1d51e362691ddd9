"""Background jobs: callbacks (even lambdas) run on the GUI thread; cancel and errors arrive as messages."""

from __future__ import annotations

import threading

from PySide6 import QtWidgets

from mission_control.progress import Progress
from mission_control.ui.workers import run_in_thread


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
    job = run_in_thread(widget, work, on_result=result.append, on_event=record("events"), on_progress=record("progress"))
    qtbot.waitUntil(lambda: bool(result), timeout=10_000)
    assert result[0] != gui  # the work ran elsewhere
    assert seen["threads"] == {gui}  # every callback on the GUI thread
    assert seen["events"] == list(range(2000))
    assert job.wait(5000)


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
    qtbot.wait(50)  # the deferred releases run; a crash would end the process here
    assert done == [1] * 20
