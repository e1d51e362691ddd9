"""The Codemods dock in the real window: real clicks and keys, real libcst runs in workers, real git.

The demo mission's "one WebSocket emitter class" is done from the dock (its tests still pass),
its task bar shows it, and Undo puts every byte back. Files and hunks are rejected with the
keyboard, a long run is cancelled, and bad input becomes a message.
"""

from __future__ import annotations

import logging
from datetime import UTC
from pathlib import Path

import pytest
from helpers import SAMPLE_PLAN, git, tree_state, websocket_tests
from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.services.demo import create_demo
from mission_control.ui import codemods_panel, create_window

Qt = QtCore.Qt
TIMEOUT = 60_000
CANONICAL = "app.services.websocket_emitter.UserWebSocketEmitter"
DUPLICATES = ", ".join(
    f"{m}.UserWebSocketEmitter"
    for m in (
        "app.websocket_core.user_emitter",
        "app.websocket_core.unified_emitter",
        "app.agents.agent_websocket_emitter",
        "app.services.agent_websocket_bridge",
    )
)


def open_window(qtbot, repo: Path):
    win = create_window(repo)
    qtbot.addWidget(win)
    win.resize(1500, 950)
    win.show()
    win.findChild(QtWidgets.QDockWidget, "codemodsPanelDock").raise_()
    panel = win.findChild(QtWidgets.QWidget, "codemodsPanel")
    assert panel is win.panels["codemods_panel"]
    return win, panel


def click(qtbot, name: str, win) -> None:
    button = win.findChild(QtWidgets.QPushButton, name)
    assert button is not None and button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_idle(qtbot, panel) -> None:
    qtbot.waitUntil(lambda: not panel.busy, timeout=TIMEOUT)


def type_into(qtbot, win, name: str, text: str) -> None:
    edit = win.findChild(QtWidgets.QLineEdit, name)
    assert edit is not None, name
    edit.clear()
    qtbot.keyClicks(edit, text)


def choose(win, combo_name: str, data: str) -> None:
    combo = win.findChild(QtWidgets.QComboBox, combo_name)
    index = combo.findData(data)
    assert index >= 0, (combo_name, data)
    combo.setCurrentIndex(index)


def source_state(repo: Path) -> dict[str, tuple]:
    return {p: s for p, s in tree_state(repo).items() if "__pycache__" not in p and ".pytest_cache" not in p}


def test_demo_one_emitter_class_from_the_dock_tests_pass_bar_marked_undo_restores(qtbot, tmp_path, informed, caplog):
    caplog.set_level(logging.INFO, logger="mission_control")
    repo = create_demo(tmp_path / "demo")
    before = source_state(repo)
    win, panel = open_window(qtbot, repo)
    choose(win, "codemodChoice", "consolidate")
    type_into(qtbot, win, "codemodArg_canonical", CANONICAL)
    type_into(qtbot, win, "codemodArg_duplicates", DUPLICATES)
    win.select_task("alpha2")  # picked in the Gantt: the dock follows
    assert win.findChild(QtWidgets.QComboBox, "codemodTask").currentData() == "alpha2"

    click(qtbot, "codemodRun", win)
    qtbot.waitUntil(lambda: panel.run is not None, timeout=TIMEOUT)
    wait_idle(qtbot, panel)
    assert source_state(repo) == before  # a dry run writes nothing
    changed = {r.path: r for r in panel.run.changed}
    assert {p for p, r in changed.items() if r.deleted} == {
        "app/websocket_core/user_emitter.py",
        "app/websocket_core/unified_emitter.py",
        "app/agents/agent_websocket_emitter.py",
    }
    # Review: the diff of a file the codemod rewrote, coloured
    panel.files.setCurrentItem(panel.file_item("app/agents/supervisor_consolidated.py"))
    diff = win.findChild(QtWidgets.QPlainTextEdit, "codemodDiff")
    assert "+from app.services.websocket_emitter import UserWebSocketEmitter" in diff.toPlainText()
    added = next(b for b in _blocks(diff.document()) if b.text().startswith("+from"))
    assert added.layout().formats(), "added lines are coloured"
    apply_button = win.findChild(QtWidgets.QPushButton, "codemodApply")
    assert apply_button.text().replace("&", "") == f"Apply {len(changed)} of {len(changed)} files"

    click(qtbot, "codemodApply", win)
    qtbot.waitUntil(lambda: bool(panel.history) and not panel.busy, timeout=TIMEOUT)
    assert git(repo, "grep", "-l", "class UserWebSocketEmitter").split() == ["app/services/websocket_emitter.py"]
    assert websocket_tests(repo).returncode == 0
    assert "⚙ consolidate" in win.gantt.bars["alpha2"].marker
    history = win.findChild(QtWidgets.QListWidget, "codemodHistory")
    assert history.count() == 1 and "consolidate → alpha2" in history.item(0).text()
    assert not informed

    # The bar still says so in a new window (the record is in the repository)
    win2, _panel2 = open_window(qtbot, repo)
    qtbot.waitUntil(lambda: "⚙ consolidate" in win2.gantt.bars["alpha2"].marker, timeout=TIMEOUT)
    win2.close()

    click(qtbot, "codemodUndo", win)
    qtbot.waitUntil(lambda: bool(panel.history) and panel.history[0].undone and not panel.busy, timeout=TIMEOUT)
    assert source_state(repo) == before  # every byte back, deleted modules included
    assert "⚙" not in win.gantt.bars["alpha2"].marker
    assert "(undone)" in history.item(0).text()
    assert not win.findChild(QtWidgets.QPushButton, "codemodUndo").isEnabled()
    logged = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert any(m.startswith("codemod applied in ") and str(repo) in m for m in logged), logged  # the day's work
    assert any(m.startswith("codemod undone in ") for m in logged), logged


def _blocks(document: QtGui.QTextDocument):
    block = document.firstBlock()
    while block.isValid():
        yield block
        block = block.next()


def small_repo(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/new.py").write_text("class Thing:\n    pass\n")
    (root / "pkg/old.py").write_text("from pkg.new import Thing  # moved; the rename points its users there\n")
    filler = "".join(f"\ndef f{i}():\n    return {i}\n" for i in range(12))
    (root / "pkg/two.py").write_text("import pkg.old\n" + filler + "\nx = pkg.old.Thing()\n")
    (root / "pkg/one.py").write_text("from pkg.old import Thing\n\ny = Thing()\n")
    (root / "pkg/broken.py").write_text("from pkg.old import Thing\n\ndef (:\n")
    (root / "plan.md").write_text(SAMPLE_PLAN.read_text())
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "code")
    return root


def test_reject_a_file_and_a_hunk_with_the_keyboard_failed_files_listed(qtbot, tmp_path, informed):
    repo = small_repo(tmp_path / "r")
    win, panel = open_window(qtbot, repo)
    choose(win, "codemodChoice", "rename")
    type_into(qtbot, win, "codemodArg_old_name", "pkg.old.Thing")
    type_into(qtbot, win, "codemodArg_new_name", "pkg.new.Thing")
    click(qtbot, "codemodRun", win)
    qtbot.waitUntil(lambda: panel.run is not None and not panel.busy, timeout=TIMEOUT)
    assert [r.path for r in panel.run.changed] == ["pkg/one.py", "pkg/two.py"]
    tree = win.findChild(QtWidgets.QTreeWidget, "codemodFiles")
    failed_group = next(
        tree.topLevelItem(i)
        for i in range(tree.topLevelItemCount())
        if tree.topLevelItem(i).text(0).startswith("Failed to parse")
    )
    assert failed_group.child(0).text(0) == "pkg/broken.py:3"

    tree.setFocus()
    tree.setCurrentItem(panel.file_item("pkg/one.py"))
    qtbot.keyClick(tree, Qt.Key.Key_Space)  # reject the whole file
    two = panel.file_item("pkg/two.py")
    assert two.childCount() == 2
    tree.setCurrentItem(two.child(1))
    qtbot.keyClick(tree, Qt.Key.Key_Space)  # reject its second hunk (the use), keep the import's
    assert panel.accepted() == {"pkg/two.py": [0]}
    assert win.findChild(QtWidgets.QPushButton, "codemodApply").text().replace("&", "") == "Apply 1 of 2 files"

    click(qtbot, "codemodApply", win)
    qtbot.waitUntil(lambda: bool(panel.history) and not panel.busy, timeout=TIMEOUT)
    assert (repo / "pkg/one.py").read_text() == "from pkg.old import Thing\n\ny = Thing()\n"
    two_text = (repo / "pkg/two.py").read_text()
    assert two_text.startswith("import pkg.new\n") and two_text.endswith("\nx = pkg.old.Thing()\n")
    assert (repo / "pkg/broken.py").read_text() == "from pkg.old import Thing\n\ndef (:\n"
    assert not informed


def test_cancel_a_long_run_writes_nothing_and_cannot_be_applied(qtbot, tmp_path):
    repo = tmp_path / "big"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg/old.py").write_text("class Thing:\n    pass\n")
    body = "from pkg.old import Thing\n\n" + "".join(
        f"def f{i}(a, b):\n    return Thing(a + {i}, b)\n\n" for i in range(60)
    )
    for i in range(800):
        (repo / f"pkg/user_{i:03}.py").write_text(body)
    (repo / "plan.md").write_text(SAMPLE_PLAN.read_text())
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "code")
    before = source_state(repo)
    win, panel = open_window(qtbot, repo)
    choose(win, "codemodChoice", "rename")
    type_into(qtbot, win, "codemodArg_old_name", "pkg.old.Thing")
    type_into(qtbot, win, "codemodArg_new_name", "pkg.new.Thing")
    click(qtbot, "codemodRun", win)
    bar = win.findChild(QtWidgets.QProgressBar, "codemodProgress")
    qtbot.waitUntil(lambda: bar.isVisible() and bar.maximum() > 0 and bar.value() > 0, timeout=TIMEOUT)
    assert "left" in bar.format() or "files" in bar.format()  # libcst: n/N files, about s left
    click(qtbot, "codemodCancel", win)
    wait_idle(qtbot, panel)
    status = win.findChild(QtWidgets.QLabel, "codemodStatus").text()
    assert status.startswith("Cancelled"), status
    assert panel.run is None or panel.run.cancelled
    assert not win.findChild(QtWidgets.QPushButton, "codemodApply").isEnabled()
    assert source_state(repo) == before


def test_bad_input_is_a_message_never_a_traceback(qtbot, tmp_path, informed):
    repo = small_repo(tmp_path / "r")
    win, panel = open_window(qtbot, repo)
    choose(win, "codemodChoice", "rename")
    assert not win.findChild(QtWidgets.QPushButton, "codemodRun").isEnabled()  # arguments missing
    type_into(qtbot, win, "codemodArg_old_name", "pkg..Thing")
    type_into(qtbot, win, "codemodArg_new_name", "pkg.new.Thing")
    click(qtbot, "codemodRun", win)
    qtbot.waitUntil(lambda: bool(informed), timeout=TIMEOUT)
    wait_idle(qtbot, panel)
    _title, text = informed[0]
    assert "old_name='pkg..Thing' is not a dotted Python name" in text and "Traceback" not in text
    assert win.findChild(QtWidgets.QLabel, "codemodStatus").text() == text


@pytest.mark.qt_log_ignore("This plugin does not support")  # the completion popup, offscreen
def test_qualified_names_complete_single_and_comma_separated(qtbot, tmp_path):
    repo = create_demo(tmp_path / "demo")
    win, panel = open_window(qtbot, repo)
    qtbot.waitUntil(lambda: CANONICAL in panel._names_model.stringList(), timeout=TIMEOUT)
    choose(win, "codemodChoice", "consolidate")
    edit = win.findChild(QtWidgets.QLineEdit, "codemodArg_duplicates")
    edit.setFocus()
    qtbot.keyClicks(edit, "app.websocket_core.user_emitter.UserWeb")
    completer = edit.completer()
    qtbot.waitUntil(lambda: completer.completionCount() >= 1, timeout=5_000)
    assert completer.currentCompletion() == "app.websocket_core.user_emitter.UserWebSocketEmitter"
    edit.setText("app.a.X, unified_emitter.UserWeb")
    completer.setCompletionPrefix(completer.splitPath(edit.text())[0])
    # the earlier items stay; the last one is completed
    assert completer.currentCompletion() == "app.a.X, app.websocket_core.unified_emitter.UserWebSocketEmitter"


def test_task_markers_name_each_codemod_once_and_skip_undone():
    from datetime import datetime

    from mission_control.codemods import AppliedCodemod

    def applied(codemod, task, undone=False):
        return AppliedCodemod("id", codemod, {}, task, datetime.now(UTC), ("a.py",), undone)

    history = [
        applied("rename", "a1"),
        applied("consolidate", "a1"),
        applied("rename", "a1"),
        applied("remove-commented-code", "b1", undone=True),
        applied("rename", None),
    ]
    assert codemods_panel.task_markers(history) == {"a1": "⚙ rename, consolidate"}


@pytest.mark.qt_log_ignore("does not support grabbing the keyboard", "does not support raise")  # the offscreen popup
def test_enter_accepting_a_completion_is_not_a_run_and_fill_in_clears(qtbot, tmp_path):
    repo = small_repo(tmp_path / "r")
    win, panel = open_window(qtbot, repo)
    qtbot.waitUntil(lambda: "pkg.new.Thing" in panel._names_model.stringList(), timeout=TIMEOUT)
    choose(win, "codemodChoice", "rename")
    win.activateWindow()
    qtbot.waitActive(win)
    edit = win.findChild(QtWidgets.QLineEdit, "codemodArg_old_name")
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=5_000)
    qtbot.keyClicks(edit, "new.Thi")
    popup = edit.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=5_000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # accepts the completion
    assert edit.text() == "pkg.new.Thing"
    assert "Fill in" not in panel.status_label.text() and panel.run is None and not panel.busy
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # a real Enter: asks for what is missing
    assert panel.status_label.text() == "Fill in new_name first."
    type_into(qtbot, win, "codemodArg_new_name", "pkg.new.Thing")
    assert "Fill in" not in panel.status_label.text()  # filled in: the message goes


def test_review_problems_shown_in_red_apply_refused_apply_anyway_asks_first(qtbot, tmp_path, monkeypatch):
    from mission_control.ui import dialogs

    repo = tmp_path / "r"
    small_repo(repo)
    (repo / "pkg/star.py").write_text("from pkg.new import *\n\nprint(Thing)\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "star")
    win, panel = open_window(qtbot, repo)
    choose(win, "codemodChoice", "rename")
    type_into(qtbot, win, "codemodArg_old_name", "pkg.new.Thing")
    type_into(qtbot, win, "codemodArg_new_name", "pkg.new.Gadget")
    click(qtbot, "codemodRun", win)
    qtbot.waitUntil(lambda: panel.run is not None and not panel.busy, timeout=TIMEOUT)
    assert panel.run.changed and panel.run.problems

    label = win.findChild(QtWidgets.QLabel, "codemodProblems")
    assert label.isVisible() and label.text().startswith("Apply is refused: the review found 1 problem")
    tree = win.findChild(QtWidgets.QTreeWidget, "codemodFiles")
    group = tree.topLevelItem(0)
    assert group.text(0) == "Problems (1): Apply refused" and group.isExpanded()
    assert "pkg/star.py was skipped" in group.child(0).text(0) and "import *" in group.child(0).text(0)
    assert group.child(0).foreground(0).color().name() == "#c62828"
    assert "pkg/star.py was skipped" in win.findChild(QtWidgets.QPlainTextEdit, "codemodDiff").toPlainText()
    status = win.findChild(QtWidgets.QLabel, "codemodStatus").text()
    assert "found 1 problem" in status and "Apply is refused" in status
    apply_button = win.findChild(QtWidgets.QPushButton, "codemodApply")
    assert not apply_button.isEnabled() and "refused" in apply_button.toolTip()
    win.grab().save(str(tmp_path / "problems.png"))

    asked: list[str] = []
    no, yes = QtWidgets.QMessageBox.StandardButton.No, QtWidgets.QMessageBox.StandardButton.Yes
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: asked.append(a[2]) or no)
    click(qtbot, "codemodApplyAnyway", win)
    assert len(asked) == 1 and "pkg/star.py was skipped" in asked[0]
    assert git(repo, "status", "--porcelain") == "" and not panel.busy  # No: nothing written

    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: yes)
    click(qtbot, "codemodApplyAnyway", win)
    qtbot.waitUntil(lambda: bool(panel.history) and not panel.busy, timeout=TIMEOUT)
    assert "class Gadget:" in (repo / "pkg/new.py").read_text()
    assert not label.isVisible() and not win.findChild(QtWidgets.QPushButton, "codemodApplyAnyway").isVisible()


def test_also_mentions_listed_and_rewritten_when_the_box_is_checked(qtbot, tmp_path):
    repo = small_repo(tmp_path / "r")
    (repo / "pkg/test_patch.py").write_text(
        'from unittest import mock\n\n\ndef test_it():\n    with mock.patch("pkg.new.Thing"):\n        pass\n'
    )
    (repo / "pyproject.toml").write_text('[project.entry-points."pkg.plugins"]\nthing = "pkg.new:Thing"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "mentions")
    win, panel = open_window(qtbot, repo)
    choose(win, "codemodChoice", "rename")
    type_into(qtbot, win, "codemodArg_old_name", "pkg.new.Thing")
    type_into(qtbot, win, "codemodArg_new_name", "pkg.new.Gadget")
    click(qtbot, "codemodRun", win)
    qtbot.waitUntil(lambda: panel.run is not None and not panel.busy, timeout=TIMEOUT)
    rows = panel.files.mention_items()
    assert [r.text(0) for r in rows] == [
        'pkg/test_patch.py:5  with mock.patch("pkg.new.Thing"):',
        'pyproject.toml:2  thing = "pkg.new:Thing"',
    ]
    assert [r.text(1) for r in rows] == ["not rewritten", "not rewritten"]
    assert rows[0].parent().text(0) == "Also mentions (2): 2 not rewritten"
    assert "2 strings also mention it" in win.findChild(QtWidgets.QLabel, "codemodStatus").text()
    panel.files.setCurrentItem(rows[1])
    diff = win.findChild(QtWidgets.QPlainTextEdit, "codemodDiff")
    assert diff.toPlainText().startswith('pyproject.toml:2: thing = "pkg.new:Thing"\n\nnot rewritten.')
    assert diff.lineWrapMode() == QtWidgets.QPlainTextEdit.LineWrapMode.WidgetWidth

    box = win.findChild(QtWidgets.QCheckBox, "codemodArg_rewrite_mentions")
    box.click()
    assert panel.args()["rewrite_mentions"] == "true"
    click(qtbot, "codemodRun", win)
    qtbot.waitUntil(lambda: panel.run is not None and not panel.busy, timeout=TIMEOUT)
    assert [r.text(1) for r in panel.files.mention_items()] == ["rewritten", "rewritten"]
    click(qtbot, "codemodApply", win)
    qtbot.waitUntil(lambda: bool(panel.history) and not panel.busy, timeout=TIMEOUT)
    assert (repo / "pyproject.toml").read_text().endswith('thing = "pkg.new:Gadget"\n')
    assert 'mock.patch("pkg.new.Gadget")' in (repo / "pkg/test_patch.py").read_text()
