"""The Components dock in the real window: the demo mission broken, rolled back with one click, undone.

Real git repositories, real clicks, real worker threads, a real pytest subprocess.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from helpers import git, tree_state, websocket_tests
from PySide6 import QtCore, QtWidgets
from ui_helpers import button, click

from mission_control.services.demo import create_demo
from mission_control.ui import components_panel, create_window

Qt = QtCore.Qt
TIMEOUT = 60_000


def open_window(qtbot, repo: Path):
    win = create_window(repo)
    qtbot.addWidget(win)
    win.resize(1500, 950)
    panel = win.panels["components_panel"]
    wait_idle(qtbot, panel)
    return win, panel


def wait_idle(qtbot, panel) -> None:
    qtbot.waitUntil(lambda: not panel.busy_now and panel.status is not None, timeout=TIMEOUT)


def marker(win, key: str) -> str | None:
    """The Components dock's marker on a task bar (other docks mark bars too), checked on the bar."""
    text = win.gantt._markers.get(key, {}).get(components_panel.MARKER_SOURCE)
    assert text is None or text in win.gantt.bars[key].marker
    return text


def row_texts(panel, name: str) -> list[str]:
    names = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    row = names.index(name)
    return [panel.table.item(row, c).text() for c in range(4)]


def break_websocket(repo: Path) -> None:
    manager = repo / "app/websocket_core/manager.py"
    manager.write_text(manager.read_text() + "\nraise RuntimeError('broken by the refactoring')\n")
    (repo / "app/websocket_core/half_done.py").write_text("from app.nowhere import thing\n")
    config = repo / "app/core/config.py"
    config.write_text(config.read_text() + "\n# lead's edit\n")


def test_demo_break_rollback_with_one_click_tests_pass_undo(qtbot, tmp_path, informed, caplog):
    caplog.set_level(logging.INFO, logger="mission_control")
    repo = create_demo(tmp_path / "demo")
    break_websocket(repo)
    assert websocket_tests(repo).returncode != 0
    broken = tree_state(repo)
    win, panel = open_window(qtbot, repo)
    assert win.findChild(QtWidgets.QWidget, "componentsPanel") is panel
    assert "pre-ssot" in win.findChild(QtWidgets.QLabel, "baselineLabel").text()
    assert row_texts(panel, "websocket")[1:] == ["● 2 files changed", "alpha2, delta1", "+3 −0"]
    assert row_texts(panel, "factory")[1] == "✓ clean"
    assert marker(win, "alpha2") == "● 2 files" and marker(win, "delta1") == "● 2 files"

    click(qtbot, button(win, "rollbackButton_websocket"))
    qtbot.waitUntil(lambda: win.findChild(QtWidgets.QDialog, "rollbackConfirmDialog") is not None, timeout=TIMEOUT)
    dialog = win.findChild(QtWidgets.QDialog, "rollbackConfirmDialog")
    files = dialog.findChild(QtWidgets.QTreeWidget, "rollbackFiles")
    assert [files.topLevelItem(i).text(0) for i in range(files.topLevelItemCount())] == [
        "app/websocket_core/half_done.py",
        "app/websocket_core/manager.py",
    ]
    assert "2 files, +3 -0" in dialog.findChild(QtWidgets.QLabel, "rollbackSummary").text()
    with qtbot.waitSignal(panel.action_finished, timeout=TIMEOUT):
        click(qtbot, dialog.findChild(QtWidgets.QPushButton, "confirmRollbackButton"))
    wait_idle(qtbot, panel)

    assert not (repo / "app/websocket_core/half_done.py").exists()
    assert websocket_tests(repo).returncode == 0
    assert (repo / "app/core/config.py").read_text().endswith("# lead's edit\n"), "other components untouched"
    assert row_texts(panel, "websocket")[1] == "⟲ rolled back"
    assert marker(win, "alpha2") == "⟲ rolled back" and marker(win, "delta1") == "⟲ rolled back"
    assert panel.undo_bar.isVisible() and button(win, "statusUndoRollbackButton").isVisible()
    assert "websocket" in panel.undo_label.text()
    assert button(win, "undoButton_websocket").isVisible(), "the row offers Undo too (also after a restart)"

    with qtbot.waitSignal(panel.action_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "undoRollbackButton"))
    wait_idle(qtbot, panel)
    assert tree_state(repo) == broken
    assert not panel.undo_bar.isVisible() and not button(win, "statusUndoRollbackButton").isVisible()
    assert row_texts(panel, "websocket")[1] == "● 2 files changed"
    assert informed == []
    logged = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert any(m.startswith("rollback in ") for m in logged) and any(m.startswith("rollback undone") for m in logged)


def test_refusal_is_a_message_and_changes_nothing(qtbot, tmp_path, informed):
    repo = create_demo(tmp_path / "demo")
    break_websocket(repo)
    win, _panel = open_window(qtbot, repo)
    before = tree_state(repo)
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    click(qtbot, button(win, "rollbackButton_websocket"))
    qtbot.waitUntil(lambda: bool(informed), timeout=TIMEOUT)
    lock.unlink()
    title, text = informed[0]
    assert title == "Cannot roll back" and "index.lock" in text and "locked" in text
    assert win.findChild(QtWidgets.QDialog, "rollbackConfirmDialog") is None
    assert tree_state(repo) == before


def test_full_rollback_and_row_undo(qtbot, tmp_path, informed, monkeypatch):
    repo = create_demo(tmp_path / "demo")
    break_websocket(repo)
    (repo / "notes.txt").write_text("scratch\n")
    broken = tree_state(repo)
    win, panel = open_window(qtbot, repo)
    assert "1 changed file belongs to no component" in panel.notes.text()
    confirmed = []

    def auto_confirm(parent, plan, on_confirm):
        confirmed.append(plan)
        on_confirm()

    monkeypatch.setattr(components_panel, "confirm_rollback", auto_confirm)
    with qtbot.waitSignal(panel.action_finished, timeout=TIMEOUT, check_params_cb=lambda n: n == "rollback"):
        click(qtbot, button(win, "fullRollbackButton"))
    wait_idle(qtbot, panel)
    assert confirmed[0].component is None
    assert {f.path for f in confirmed[0].files} == {
        "app/websocket_core/half_done.py",
        "app/websocket_core/manager.py",
        "app/core/config.py",
        "notes.txt",
    }
    assert not (repo / "notes.txt").exists() and git(repo, "status", "--porcelain") == ""
    click(qtbot, panel.undo_bar.findChild(QtWidgets.QToolButton, "dismissUndoBarButton"))
    assert not panel.undo_bar.isVisible()
    with qtbot.waitSignal(panel.action_finished, timeout=TIMEOUT):  # the status bar still offers Undo
        click(qtbot, button(win, "statusUndoRollbackButton"))
    wait_idle(qtbot, panel)
    assert tree_state(repo) == broken
    assert not button(win, "statusUndoRollbackButton").isVisible()


def test_start_mission_records_the_baseline(qtbot, git_repo, sample_plan_path, informed):
    shutil.copyfile(sample_plan_path, git_repo / "plan.md")
    (git_repo / "app").mkdir()
    (git_repo / "app" / "ws.py").write_text("x = 1\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "plan")
    win, panel = open_window(qtbot, git_repo)
    assert win.findChild(QtWidgets.QLabel, "baselineLabel").text() == "Baseline: no baseline"
    assert not button(win, "fullRollbackButton").isEnabled()
    assert [row_texts(panel, n)[1] for n in ("factory", "websocket")] == ["○ no paths", "○ no paths"]
    assert "come from the plan's rollback commands" in panel.notes.text()
    with qtbot.waitSignal(panel.action_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "startMissionButton"))
    wait_idle(qtbot, panel)
    head = git(git_repo, "rev-parse", "HEAD").strip()
    assert git(git_repo, "rev-parse", "refs/mission-control/baseline").strip() == head
    assert win.findChild(QtWidgets.QLabel, "baselineLabel").text() == f"Baseline: mission start ({head[:7]})"
    assert not button(win, "startMissionButton").isVisible() and button(win, "fullRollbackButton").isEnabled()

    # a plan-only component gets its paths from a dialog, written to mission-control.toml
    click(qtbot, button(win, "addPathsButton_websocket"))
    qtbot.waitUntil(lambda: win.findChild(QtWidgets.QDialog, "addComponentPathsDialog") is not None)
    dialog = win.findChild(QtWidgets.QDialog, "addComponentPathsDialog")
    dialog.findChild(QtWidgets.QPlainTextEdit, "componentGlobs").setPlainText("app/ws.py\n")
    dialog.findChild(QtWidgets.QLineEdit, "componentTasks").setText("alpha2")
    dialog.accept()
    qtbot.waitUntil(
        lambda: (
            panel.status is not None
            and "websocket" in panel.status.components
            and panel.status.components["websocket"].has_paths
        ),
        timeout=TIMEOUT,
    )
    wait_idle(qtbot, panel)
    assert (git_repo / "mission-control.toml").read_text() == (
        '[components.websocket]\npaths = ["app/ws.py"]\ntasks = ["alpha2"]\n\n[components.factory]\n'
    )  # the plan's other component is kept (issue 17: it vanished)
    assert row_texts(panel, "factory")[1] == "○ no paths"
    (git_repo / "app" / "ws.py").write_text("x = 2\n")
    panel.request_refresh()
    qtbot.waitUntil(lambda: marker(win, "alpha2") == "● 1 file", timeout=TIMEOUT)
    assert informed == []


def test_refreshes_are_coalesced(qtbot, tmp_path):
    repo = create_demo(tmp_path / "demo")
    _win, panel = open_window(qtbot, repo)
    shown = []
    panel.status_refreshed.connect(shown.append)
    for _ in range(5):
        panel.request_refresh()  # one runs, the burst schedules exactly one more
    assert panel._refresh_job is not None and panel._refresh_again
    wait_idle(qtbot, panel)
    qtbot.waitUntil(lambda: len(shown) >= 2)
    qtbot.wait(50)  # let time pass: a third, uncoalesced refresh would show up here
    assert len(shown) == 2


def test_window_without_repository(qtbot, tmp_path, sample_plan_path):
    plan = tmp_path / "plan.md"
    shutil.copyfile(sample_plan_path, plan)
    win = create_window(None, plan)
    qtbot.addWidget(win)
    panel = win.panels["components_panel"]
    assert "not in a git repository" in panel.notes.text()
    assert panel.table.rowCount() == 0 and not panel.busy_now
    assert not button(win, "fullRollbackButton").isEnabled()
