"""The Sync action in the real window: two clones of a bare remote, sign-offs travelling by a click.

Real git (a bare remote in tmp_path, Ann's and Bob's clones, as in ``test_sync.py``), the real CLI
for Bob, real clicks for Ann: Sync brings Bob's sign-off into Ann's Checklist; an unreachable
remote is a status-bar message and a warning, never an ERROR; the interval from Preferences
syncs by itself; the status label counts the records waiting to be pushed. Also the two new
settings (``sync_remote``, ``sync_minutes``) and their tolerant loading.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from helpers import git
from mission_fixtures import SYNC_PLAN as PLAN
from mission_fixtures import two_leads
from PySide6 import QtCore, QtGui, QtWidgets

from mission_control import cli
from mission_control.services.settings import Settings, load_settings, settings_path
from mission_control.signoff import read_ledger

Qt = QtCore.Qt
Box = QtWidgets.QDialogButtonBox.StandardButton


@pytest.fixture
def leads(tmp_path: Path) -> tuple[Path, Path]:
    """Ann started the mission and synced; Bob cloned and synced: both have the same mission."""
    return two_leads(tmp_path)


@pytest.fixture
def window(leads, qtbot):
    """Ann's window, settled: the remote found, the Checklist read."""
    from mission_control.ui import create_window

    ann, _bob = leads
    win = create_window(ann)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.act_sync.isEnabled(), timeout=20_000)
    settle(qtbot, win)
    return win


def settle(qtbot, win) -> None:
    panel, control = win.panels["checklist_panel"], win.sync_control
    qtbot.waitUntil(lambda: not panel.busy and not control.running, timeout=30_000)
    control.wait_for_jobs()
    qtbot.waitUntil(lambda: control._pending_job is None and not control._pending_again, timeout=10_000)


def sync_button(win) -> QtWidgets.QToolButton:
    button = win.findChild(QtWidgets.QToolButton, "syncButton")
    assert button is not None and button.isVisible()
    return button


def signed_in_checklist(win, text: str) -> bool:
    return any(s.text == text and s.signed for s in win.panels["checklist_panel"].state.items)


def status_label(win) -> str:
    label = win.findChild(QtWidgets.QLabel, "syncStatus")
    assert label is not None and label.isVisible()
    return label.text()


def test_the_sync_action_is_in_the_toolbar_and_the_file_menu(window):
    action = window.findChild(QtGui.QAction, "syncAction")
    assert action is window.act_sync and action.shortcut().toString() == "Ctrl+Shift+Y"
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert action in file_menu.actions()
    assert sync_button(window).defaultAction() is action
    assert status_label(window) == "never synced"


def test_a_signoff_made_on_another_machine_appears_after_clicking_sync(window, leads, qtbot):
    _ann, bob = leads
    assert cli.run(["signoff", "Teams briefed", "--note", "Bob", "--repo", str(bob)]) == 0
    assert cli.run(["sync", "--repo", str(bob)]) == 0
    assert not signed_in_checklist(window, "Teams briefed")
    control = window.sync_control

    with qtbot.waitSignal(control.synced, timeout=30_000) as synced:
        qtbot.mouseClick(sync_button(window), Qt.MouseButton.LeftButton)
        assert not window.act_sync.isEnabled()  # busy: no second sync meanwhile
        assert status_label(window) == "syncing…"

    assert synced.args[0].merged
    assert "Synced with origin" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: signed_in_checklist(window, "Teams briefed"), timeout=30_000)
    settle(qtbot, window)
    assert window.act_sync.isEnabled()
    assert status_label(window).startswith("synced ") and "to push" not in status_label(window)


def test_an_unreachable_remote_is_a_status_message_and_no_error(window, leads, qtbot, caplog):
    ann, _bob = leads
    git(ann, "remote", "set-url", "origin", str(ann.parent / "gone.git"))
    caplog.set_level(logging.INFO, logger="mission_control")

    with qtbot.waitSignal(window.sync_control.failed, timeout=30_000):
        qtbot.mouseClick(sync_button(window), Qt.MouseButton.LeftButton)

    message = window.statusBar().currentMessage()
    assert "cannot fetch" in message and "local work continues" in message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(r.levelno == logging.WARNING and "cannot fetch" in r.getMessage() for r in caplog.records)
    settle(qtbot, window)
    assert status_label(window) == "sync failed"
    assert "cannot fetch" in window.findChild(QtWidgets.QLabel, "syncStatus").toolTip()
    assert window.act_sync.isEnabled()  # try again later; local work goes on
    assert cli.run(["signoff", "Backups verified", "--repo", str(ann)]) == 0


def test_no_remote_disables_sync(tmp_path, qtbot):
    from mission_control.ui import create_window

    repo = tmp_path / "alone"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "plan.md").write_text(PLAN)
    git(repo, "add", "plan.md")
    git(repo, "commit", "-qm", "plan")
    win = create_window(repo)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.sync_control.counted, timeout=20_000)
    settle(qtbot, win)
    assert not win.act_sync.isEnabled() and status_label(win) == "no remote"
    win.sync_control.on_interval()  # a timer tick without a remote does nothing
    assert not win.sync_control.running


def test_the_interval_from_preferences_syncs_by_itself_never_twice_at_once(window, leads, qtbot):
    _ann, bob = leads
    control = window.sync_control
    assert not control.timer.isActive()
    dialog = window.panels["preferences"]()
    qtbot.mouseClick(dialog.findChild(QtWidgets.QCheckBox, "syncScheduleEnabled"), Qt.MouseButton.LeftButton)
    dialog.findChild(QtWidgets.QSpinBox, "syncMinutes").setValue(5)
    qtbot.mouseClick(dialog.buttons.button(Box.Ok), Qt.MouseButton.LeftButton)
    assert window.settings.sync_minutes == 5 and load_settings().sync_minutes == 5
    assert control.timer.isActive() and control.timer.interval() == 5 * 60_000

    assert cli.run(["signoff", "Rollback tested", "--repo", str(bob)]) == 0
    assert cli.run(["sync", "--repo", str(bob)]) == 0
    with qtbot.waitSignal(control.synced, timeout=30_000):
        control.timer.timeout.emit()  # what the timer does every 5 minutes
        job = control._sync_job
        assert job is not None
        control.timer.timeout.emit()  # a tick while it runs is skipped
        assert control._sync_job is job
    qtbot.waitUntil(lambda: signed_in_checklist(window, "Rollback tested"), timeout=30_000)
    settle(qtbot, window)

    dialog = window.panels["preferences"]()
    qtbot.mouseClick(dialog.findChild(QtWidgets.QCheckBox, "syncScheduleEnabled"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.buttons.button(Box.Ok), Qt.MouseButton.LeftButton)
    assert window.settings.sync_minutes == 0 and not control.timer.isActive()


def test_the_label_counts_records_to_push_after_a_signoff_and_not_after_a_sync(window, leads, qtbot):
    ann, bob = leads
    panel = window.panels["checklist_panel"]
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        qtbot.mouseClick(panel.button_for("Backups verified"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "1 to push" in status_label(window), timeout=20_000)
    assert status_label(window) == "never synced · 1 to push"
    settle(qtbot, window)

    with qtbot.waitSignal(window.sync_control.synced, timeout=30_000):
        window.act_sync.trigger()
    qtbot.waitUntil(lambda: window.sync_control.waiting == 0, timeout=20_000)
    settle(qtbot, window)
    assert "to push" not in status_label(window) and status_label(window).startswith("synced ")
    assert cli.run(["sync", "--repo", str(bob)]) == 0
    assert [e.text for e in read_ledger(bob).entries] == ["Backups verified"]
    assert read_ledger(ann).entries == read_ledger(bob).entries


def test_a_remote_named_in_preferences_is_used(window, leads, qtbot):
    ann, _bob = leads
    dialog = window.panels["preferences"]()
    edit = dialog.findChild(QtWidgets.QLineEdit, "syncRemote")
    assert edit.text() == "origin"
    edit.setText("upstream")
    qtbot.mouseClick(dialog.buttons.button(Box.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.act_sync.isEnabled(), timeout=20_000)
    assert status_label(window) == "no remote"
    assert "upstream" in window.findChild(QtWidgets.QLabel, "syncStatus").toolTip()

    git(ann, "remote", "add", "upstream", git(ann, "remote", "get-url", "origin").strip())
    window.panels["preferences"].changed.emit(window.settings)  # as after Apply: look again
    qtbot.waitUntil(lambda: window.act_sync.isEnabled(), timeout=20_000)
    settle(qtbot, window)


def test_a_bad_remote_name_is_flagged_and_not_applied(window, qtbot):
    dialog = window.panels["preferences"]()
    dialog.findChild(QtWidgets.QLineEdit, "syncRemote").setText("--upload-pack=evil")
    assert dialog.findChild(QtWidgets.QLabel, "syncRemoteProblem").isVisible()
    qtbot.mouseClick(dialog.buttons.button(Box.Ok), Qt.MouseButton.LeftButton)
    assert window.settings.sync_remote == "origin"
    settle(qtbot, window)


def test_sync_settings_default_and_load_tolerantly():
    assert (Settings().sync_remote, Settings().sync_minutes) == ("origin", 0)
    path = settings_path()
    path.write_text(json.dumps({"version": 1, "snap_minutes": 30}))  # a file from before sync existed
    assert (load_settings().sync_remote, load_settings().sync_minutes) == ("origin", 0)
    path.write_text(json.dumps({"sync_remote": "upstream", "sync_minutes": 10}))
    assert (load_settings().sync_remote, load_settings().sync_minutes) == ("upstream", 10)
    for remote, minutes in (("", -1), ("two words", True), ("-x", "10"), (3, 2.5)):
        path.write_text(json.dumps({"sync_remote": remote, "sync_minutes": minutes}))
        assert (load_settings().sync_remote, load_settings().sync_minutes) == ("origin", 0)
