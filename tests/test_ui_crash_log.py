"""Unexpected errors and the log: the crash dialog, the rotating log file, the Log dock.

Exceptions are raised for real — in a slot run by the Qt event loop and in a worker thread — with
pytest-qt's own exception capture switched off, so they reach the installed hook as in the app.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading

import pytest
import shiboken6
from PySide6 import QtCore, QtWidgets

from mission_control.ui import crash, create_window
from mission_control.ui.log_panel import LogPanel
from mission_control.util import logsetup

Qt = QtCore.Qt
log = logging.getLogger("mission_control.tests.crashlog")


@pytest.fixture
def logging_set_up(tmp_path):
    ring = logsetup.setup_logging("INFO", tmp_path / "logs" / "mission-control.log")
    yield ring
    logsetup.shutdown_logging()


@pytest.fixture
def hook(qapp, logging_set_up):
    handler = crash.install_excepthook(qapp)
    yield handler
    handler.uninstall()
    if handler.dialog is not None:
        handler.dialog.close()
    handler.deleteLater()


@pytest.fixture
def with_dialogs(monkeypatch):
    monkeypatch.setenv("MISSION_CONTROL_NO_DIALOGS", "0")


def raise_in_slot(message: str) -> None:
    def boom():
        raise ValueError(message)

    QtCore.QTimer.singleShot(0, boom)


@pytest.mark.allow_log_errors(match="^Unhandled ")  # the crash handler logs what it catches, CRITICAL
@pytest.mark.qt_no_exception_capture
def test_slot_exception_shows_dialog_logs_it_and_app_keeps_running(qtbot, hook, with_dialogs, logging_set_up):
    raise_in_slot("the plan exploded")
    qtbot.waitUntil(lambda: hook.dialog is not None and hook.dialog.isVisible(), timeout=5000)
    dialog = QtWidgets.QApplication.activeModalWidget() or hook.dialog
    assert dialog.objectName() == "crashDialog"
    assert "ValueError: the plan exploded" in dialog.findChild(QtWidgets.QLabel, "crashMessage").text()
    details = dialog.findChild(QtWidgets.QPlainTextEdit, "crashDetails").toPlainText()
    assert "Traceback" in details and "in boom" in details and "Mission Control 0.1.0" in details
    qtbot.mouseClick(dialog.findChild(QtWidgets.QPushButton, "copyReportButton"), Qt.MouseButton.LeftButton)
    assert QtWidgets.QApplication.clipboard().text() == dialog.report
    logged = logsetup.log_file_path().read_text(encoding="utf-8")
    assert "CRITICAL" in logged and "ValueError: the plan exploded" in logged and "Traceback" in logged
    qtbot.mouseClick(dialog.findChild(QtWidgets.QPushButton, "closeCrashButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hook.dialog is None)
    ran = []
    QtCore.QTimer.singleShot(0, lambda: ran.append(True))
    qtbot.waitUntil(lambda: ran == [True])  # the event loop is still alive


@pytest.mark.allow_log_errors(match="^Unhandled ")  # the crash handler logs what it catches, CRITICAL
@pytest.mark.qt_no_exception_capture
def test_repeated_errors_reuse_one_dialog(qtbot, hook, with_dialogs):
    raise_in_slot("first")
    qtbot.waitUntil(lambda: hook.dialog is not None and hook.dialog.isVisible(), timeout=5000)
    first = hook.dialog
    raise_in_slot("second")
    qtbot.waitUntil(lambda: first.count == 2, timeout=5000)
    assert hook.dialog is first and "happened 2 times" in first.message_label.text()
    assert "ValueError: second" in first.details.toPlainText()
    assert (
        len([w for w in QtWidgets.QApplication.topLevelWidgets() if w.objectName() == "crashDialog" and w.isVisible()])
        == 1
    )


@pytest.mark.allow_log_errors(match="^Unhandled ")  # the crash handler logs what it catches, CRITICAL
@pytest.mark.qt_no_exception_capture
def test_worker_thread_exception_reaches_the_gui_thread_dialog(qtbot, hook, with_dialogs):
    thread = threading.Thread(target=lambda: 1 / 0, name="audit-worker")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: hook.dialog is not None and hook.dialog.isVisible(), timeout=5000)
    assert hook.dialog.thread() is QtWidgets.QApplication.instance().thread()
    assert "ZeroDivisionError" in hook.dialog.message and "Thread: audit-worker" in hook.dialog.report


@pytest.mark.allow_log_errors(match="^Unhandled ")  # the crash handler logs what it catches, CRITICAL
@pytest.mark.qt_no_exception_capture
def test_headless_only_logs(qtbot, hook, logging_set_up):
    raise_in_slot("quiet failure")
    qtbot.waitUntil(lambda: any("quiet failure" in r.getMessage() for r in logging_set_up.records()), timeout=5000)
    QtWidgets.QApplication.processEvents()
    assert hook.dialog is None
    assert not [w for w in QtWidgets.QApplication.topLevelWidgets() if w.objectName() == "crashDialog"]


def test_log_file_rotates(tmp_path, monkeypatch):
    monkeypatch.setattr(logsetup, "MAX_BYTES", 2000)
    path = tmp_path / "rot" / "mission-control.log"
    logsetup.setup_logging("INFO", path)
    try:
        for number in range(200):
            log.info("line %d %s", number, "x" * 40)
    finally:
        logsetup.shutdown_logging()
    assert path.with_name("mission-control.log.1").is_file() and path.stat().st_size <= 2000
    assert len(list(path.parent.iterdir())) == 1 + logsetup.BACKUP_COUNT


def test_levels_filter_what_is_recorded_and_setup_is_idempotent(tmp_path):
    ring = logsetup.setup_logging("WARNING", tmp_path / "a.log")
    try:
        assert logsetup.setup_logging("WARNING", tmp_path / "a.log") is ring
        assert logging.getLogger().handlers.count(ring) == 1
        log.info("not kept")
        log.warning("kept")
        logsetup.set_level("debug")
        log.debug("now kept")
        messages = [r.getMessage() for r in ring.records()]
        assert "not kept" not in messages and {"kept", "now kept"} <= set(messages)
    finally:
        logsetup.shutdown_logging()


@pytest.fixture
def window(qtbot, tmp_path, sample_plan_path):
    plan = shutil.copyfile(sample_plan_path, tmp_path / "plan.md")
    win = create_window(None, plan)
    qtbot.addWidget(win)
    return win


@pytest.mark.allow_log_errors(match="error from a worker")  # the dock must show a live ERROR record
def test_log_dock_shows_earlier_and_live_records_with_a_level_filter(qtbot, window, logging_set_up):
    panel = window.panels["log_panel"]
    assert isinstance(panel, LogPanel) and panel.objectName() == "logPanel"
    log.warning("before the rebuild: disk nearly full")
    panel.rebuild()
    assert "disk nearly full" in panel.shown_text()
    log.info("live info from the GUI thread")
    worker = threading.Thread(target=lambda: log.error("live error from a worker"))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "live error from a worker" in panel.shown_text(), timeout=3000)
    assert "live info from the GUI thread" in panel.shown_text()
    combo = panel.findChild(QtWidgets.QComboBox, "logLevelFilter")
    combo.setCurrentIndex(combo.findText("Error"))
    assert "live error from a worker" in panel.shown_text() and "live info" not in panel.shown_text()
    combo.setCurrentIndex(combo.findText("Info"))
    panel.findChild(QtWidgets.QLineEdit, "logFilterText").setText("worker")
    assert panel.shown_text().count("\n") == 0 and "worker" in panel.shown_text()
    assert str(logsetup.log_file_path()) in panel.findChild(QtWidgets.QLabel, "logFileLabel").text()


def test_log_dock_is_in_the_view_menu_and_clear_empties_it(qtbot, window, logging_set_up):
    dock = window.panels["log_panel"].dock
    assert dock.objectName() == "logPanelDock" and dock.isHidden()
    assert dock.toggleViewAction() in window.view_menu.actions()
    dock.toggleViewAction().trigger()
    assert dock.isVisible()
    log.warning("something to clear")
    panel = window.panels["log_panel"]
    qtbot.waitUntil(lambda: "something to clear" in panel.shown_text(), timeout=3000)
    qtbot.mouseClick(panel.findChild(QtWidgets.QPushButton, "logClearButton"), Qt.MouseButton.LeftButton)
    assert panel.shown_text() == ""


def test_a_closed_log_dock_stops_listening(qtbot, logging_set_up):
    panel = LogPanel()
    listeners_before = len(logging_set_up._listeners)
    panel.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(panel), timeout=3000)
    log.warning("nobody listens, nothing breaks")  # the dead listener is dropped on this record
    assert len(logging_set_up._listeners) == listeners_before - 1


def test_app_start_writes_the_log_file(tmp_path):
    home = tmp_path / "home"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MISSION_CONTROL_HOME=str(home))
    result = subprocess.run(
        [sys.executable, "-m", "mission_control", "--exit-after", "200"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Mission Control 0.1.0 starting" in (home / "log" / "mission-control.log").read_text(encoding="utf-8")
