"""The Checklist and Runbook docks in the real window: clicks sign, revoke, start the mission, run and stop."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import git
from PySide6 import QtCore, QtWidgets

from mission_control.plan.document import LineEdit
from mission_control.signoff import read_ledger, read_mission
from mission_control.ui import dialogs

PLAN = """# Plan

```mermaid
gantt
    dateFormat HH:mm
    section A
    Factory Consolidation :a1, 00:00, 8h
    WebSocket Unification :a2, 08:00, 4h
```

## Rollback Strategy:
```bash
echo start; sleep 300
```

## Final Checklist
### Pre-Execution (Hour -1):
- [ ] All teams briefed on tasks
- [ ] Tests passing 100%
"""
Yes, No = QtWidgets.QMessageBox.StandardButton.Yes, QtWidgets.QMessageBox.StandardButton.No
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def window(git_repo: Path, qtbot):
    from mission_control.ui import create_window

    (git_repo / "plan.md").write_text(PLAN)
    git(git_repo, "add", "plan.md")
    git(git_repo, "commit", "-q", "-m", "plan")
    win = create_window(git_repo)
    qtbot.addWidget(win)
    panel = win.panels["checklist_panel"]
    _settle(qtbot, panel)
    yield win
    panel.cleanup()
    win.panels["runbook_panel"].cleanup()


def _settle(qtbot, panel) -> None:
    qtbot.waitUntil(lambda: not panel.busy, timeout=20_000)


def _click(qtbot, button) -> None:
    assert button is not None and button.isEnabled()
    qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)


def test_sign_and_revoke_with_clicks(window, qtbot, monkeypatch, caplog) -> None:
    caplog.set_level(logging.INFO, logger="mission_control")
    panel, repo = window.panels["checklist_panel"], window.project.repo
    assert panel.objectName() == "checklistPanel"
    before = (repo / "plan.md").read_bytes()
    panel.note_edit.setText("briefed at stand-up")
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        _click(qtbot, panel.button_for("All teams briefed on tasks"))
    _settle(qtbot, panel)
    after = (repo / "plan.md").read_bytes()
    diff = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert diff == [(b"- [ ] All teams briefed on tasks", b"- [x] All teams briefed on tasks")]
    (entry,) = read_ledger(repo).entries
    assert (entry.kind, entry.who, entry.email, entry.note) == (
        "signoff",
        "Test Lead",
        "lead@example.com",
        "briefed at stand-up",
    )
    assert entry.heading == ("Final Checklist", "Pre-Execution (Hour -1):") and entry.commit
    row = next(r for r in panel._item_rows() if r.text(0) == "All teams briefed on tasks")
    assert row.text(1).startswith("Test Lead")
    panel.tree.setCurrentItem(row)
    assert "briefed at stand-up" in panel.history.toPlainText()
    # revoking needs a reason: the sign-off flow refuses, the dock shows its message
    shown = []
    monkeypatch.setattr(dialogs, "inform", lambda _parent, title, text, warning=False: shown.append(text))
    _click(qtbot, panel.button_for("All teams briefed on tasks"))
    assert len(read_ledger(repo).entries) == 1 and not window.project.modified
    assert len(shown) == 1 and "'All teams briefed on tasks' needs a reason" in shown[0]
    panel.note_edit.setText("half the team was out")
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        _click(qtbot, panel.button_for("All teams briefed on tasks"))
    _settle(qtbot, panel)
    assert (repo / "plan.md").read_bytes() == before
    assert [e.kind for e in read_ledger(repo).entries] == ["signoff", "revoke"]
    assert read_ledger(repo).entries[-1].reason == "half the team was out"
    assert panel.button_for("All teams briefed on tasks").text() == "Sign off"
    logged = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert any(m.startswith("plan saved: ") and "plan.md" in m for m in logged), logged  # a day's work in the log
    assert any(m.startswith("ledger: signoff of 'All teams briefed on tasks' by Test Lead") for m in logged)
    assert any(m.startswith("ledger: revoke of") and "half the team was out" in m for m in logged)


def test_undo_and_redo_of_a_revoke_keep_plan_and_ledger_in_step(window, qtbot) -> None:
    panel, repo = window.panels["checklist_panel"], window.project.repo
    item = "All teams briefed on tasks"

    def ticked() -> bool:
        return f"- [x] {item}" in window.project.plan_file.document.text

    def last_kind() -> str:
        return [e.kind for e in read_ledger(repo).entries if e.text == item][-1]

    with qtbot.waitSignal(panel.signed, timeout=10_000):
        _click(qtbot, panel.button_for(item))
    _settle(qtbot, panel)
    panel.note_edit.setText("half the team was out")
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        _click(qtbot, panel.button_for(item))
    _settle(qtbot, panel)
    assert not ticked() and last_kind() == "revoke"
    assert window.act_undo.isEnabled()
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        window.act_undo.trigger()  # Edit › Undo of the revoke
    _settle(qtbot, panel)
    assert ticked() and last_kind() == "signoff"
    assert f"- [x] {item}" in (repo / "plan.md").read_text() and not window.project.modified
    assert panel.button_for(item).text() == "Revoke…"
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        window.act_redo.trigger()  # Edit › Redo: revoked again
    _settle(qtbot, panel)
    assert not ticked() and last_kind() == "revoke"
    assert [e.kind for e in read_ledger(repo).entries] == ["signoff", "revoke", "signoff", "revoke"]
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        window.act_undo.trigger()
    _settle(qtbot, panel)
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        window.act_undo.trigger()  # undo of the first sign-off: a revocation with a reason
    _settle(qtbot, panel)
    assert not ticked() and last_kind() == "revoke" and read_ledger(repo).entries[-1].reason


def test_evidence_against_an_item_warns_before_signing(window, qtbot, monkeypatch) -> None:
    from mission_control.history import open_history

    panel, repo = window.panels["checklist_panel"], window.project.repo
    with open_history(repo) as history:
        history.record_test_run(
            selection="all", exit_code=1, duration=1.0, totals={"passed": 3, "failed": 1}, outcomes={"t::a": "failed"}
        )
    panel.reload()
    _settle(qtbot, panel)
    row = next(r for r in panel._item_rows() if r.text(0) == "Tests passing 100%")
    assert "1 failed of 4" in row.text(2)
    questions = []
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: questions.append(a[2]) or No)
    _click(qtbot, panel.button_for("Tests passing 100%"))
    assert questions and "1 failed" in questions[0]
    assert read_ledger(repo).entries == () and not window.project.modified
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: Yes)
    with qtbot.waitSignal(panel.signed, timeout=10_000):
        _click(qtbot, panel.button_for("Tests passing 100%"))
    _settle(qtbot, panel)
    assert read_ledger(repo).entries[0].tests["failed"] == 1


def test_start_mission_marks_tasks_and_mark_done_writes_the_tag(window, qtbot) -> None:
    panel, repo = window.panels["checklist_panel"], window.project.repo
    panel.clock = lambda: T0 + timedelta(hours=9) if read_mission(repo) else T0
    _click(qtbot, panel.findChild(QtWidgets.QPushButton, "startMissionButton"))
    qtbot.waitUntil(lambda: panel.mission is not None, timeout=10_000)
    _settle(qtbot, panel)
    assert read_mission(repo).started_at == T0
    assert panel.task_status["a1"].state == "late" and panel.task_status["a2"].state == "active"
    assert "late" in window.gantt._markers["a1"]["status"]
    window.select_task("a1")
    qtbot.waitUntil(panel.done_button.isEnabled)
    _click(qtbot, panel.done_button)
    assert "done, a1" in window.project.plan_file.document.text
    assert panel.task_status["a1"].state == "done" and "status" in window.gantt._markers["a1"]
    window.undo_stack.undo()
    assert panel.task_status["a1"].state == "late"


def test_runbook_runs_only_after_yes_and_stops(window, qtbot, monkeypatch) -> None:
    runbook, repo = window.panels["runbook_panel"], window.project.repo
    assert runbook.objectName() == "runbookPanel" and len(runbook.blocks) == 1
    asked = []
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: asked.append(a[2]) or No)
    _click(qtbot, runbook.run_button)
    assert "sleep 300" in asked[0] and runbook.job is None
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: Yes)
    _click(qtbot, runbook.run_button)
    qtbot.waitUntil(lambda: "start" in runbook.output.toPlainText(), timeout=10_000)
    assert runbook.stop_button.isEnabled()
    with qtbot.waitSignal(runbook.run_finished, timeout=20_000):
        _click(qtbot, runbook.stop_button)
    assert runbook.last_result.stopped and "stopped" in runbook.status_label.text()
    assert "stopped" in runbook.list.topLevelItem(0).text(1)
    (entry,) = read_ledger(repo).entries
    assert entry.kind == "run" and entry.extra["stopped"] and entry.extra["output_tail"] == ["start"]
    qtbot.waitUntil(lambda: runbook.run_button.isEnabled(), timeout=5_000)


def test_a_reschedule_keeps_the_tree_while_markers_follow_and_an_item_edit_shows(window, qtbot) -> None:
    """A drop changes no checklist item: the tree is kept (not rebuilt) but the task states and the
    Gantt markers follow the new times; an edit of an item's text shows in the tree (and its undo)."""
    panel, repo = window.panels["checklist_panel"], window.project.repo
    panel.clock = lambda: T0 + timedelta(hours=9) if read_mission(repo) else T0
    _click(qtbot, panel.findChild(QtWidgets.QPushButton, "startMissionButton"))
    qtbot.waitUntil(lambda: panel.mission is not None, timeout=10_000)
    _settle(qtbot, panel)
    assert panel.task_status["a1"].state == "late"
    kept = QtCore.Qt.ItemDataRole.UserRole + 77
    next(r for r in panel._item_rows() if r.text(0) == "Tests passing 100%").setData(0, kept, "same row")
    project = window.project
    window.edit_plan(
        "Move a1", lambda: project.reschedule("a1", start=datetime(1970, 1, 1, 2), duration=timedelta(hours=8)).edits
    )
    assert panel.task_status["a1"].state == "active"  # 02:00–10:00 holds the clock's 09:00
    assert window.gantt._markers["a1"]["status"] == "▶ active" and "active" in window.gantt.bars["a1"].marker
    assert next(r for r in panel._item_rows() if r.text(0) == "Tests passing 100%").data(0, kept) == "same row"
    window.undo_stack.undo()
    assert panel.task_status["a1"].state == "late" and "late" in window.gantt.bars["a1"].marker

    lines = project.plan_file.document.text.splitlines()
    index = lines.index("- [ ] Tests passing 100%")
    edit = LineEdit(index, lines[index], "- [ ] Tests passing 100% on CI")
    window.edit_plan("Rename an item", lambda: (project.apply([edit]), [edit])[1])
    assert panel.button_for("Tests passing 100% on CI") is not None and panel.button_for("Tests passing 100%") is None
    window.undo_stack.undo()
    assert panel.button_for("Tests passing 100%") is not None and panel.button_for("Tests passing 100% on CI") is None
