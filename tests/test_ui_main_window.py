"""The main window driven like a user would: real mouse drags on the Gantt, clicks on the graph."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtTest import QTest

from mission_control.ui import create_window, dialogs

Qt = QtCore.Qt


@pytest.fixture
def window(qtbot, plan_copy):
    win = create_window(None, plan_copy)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    qtbot.waitExposed(win)
    QtWidgets.QApplication.processEvents()
    return win


def drag(
    qtbot, widget, start: QtCore.QPoint, end: QtCore.QPoint, modifier=Qt.KeyboardModifier.NoModifier, steps: int = 8
) -> None:
    """A real press-move-release drag in ``widget``'s coordinates."""
    target = widget.viewport() if hasattr(widget, "viewport") else widget
    QTest.mouseMove(target, start)
    QTest.mousePress(target, Qt.MouseButton.LeftButton, modifier, start)
    for step in range(1, steps + 1):
        point = start + (end - start) * step / steps
        QTest.mouseMove(target, QtCore.QPoint(round(point.x()), round(point.y())))
    QTest.mouseRelease(target, Qt.MouseButton.LeftButton, modifier, end)
    QtWidgets.QApplication.processEvents()


def px_per_hour(window) -> float:
    rect = window.gantt.task_rect("alpha2")  # a 6 h bar
    return rect.width() / 6


def test_sample_plan_is_shown_with_its_conflict(window):
    plan = window.project.plan
    assert len(window.gantt.bars) == 20
    assert window.objectName() == "mainWindow"
    assert window.findChild(QtWidgets.QWidget, "ganttView") is window.gantt
    assert window.findChild(QtWidgets.QWidget, "dependencyGraph") is window.graph
    assert window.findChild(QtWidgets.QWidget, "taskDetails") is window.details
    assert next(iter(plan.sections)) == "Team Alpha (Critical Path)"
    conflict_bar = window.gantt.bars["delta1"]
    assert conflict_bar.conflicts and "WebSocket Emitter Unification" in conflict_bar.conflicts[0]
    assert "must finish first" in window.gantt.tooltip_for(conflict_bar)
    assert "1 conflict" in window.conflict_label.text()
    assert window.graph.nodes["K"].conflict and not window.graph.nodes["A"].conflict


def test_drag_moves_by_snapped_amount_and_save_changes_only_that_line(qtbot, window, plan_copy):
    before = plan_copy.read_bytes()
    rect = window.gantt.task_rect("alpha2")
    start = QtCore.QPoint(rect.left() + rect.width() // 3, rect.center().y())
    end = start + QtCore.QPoint(round(px_per_hour(window) * 1.1), 0)  # 66 min → snaps to 60
    drag(qtbot, window.gantt, start, end)
    task = window.project.plan.task("alpha2")
    assert (task.start, task.end) == (datetime(1970, 1, 1, 9), datetime(1970, 1, 1, 15))
    assert window.isWindowModified()
    assert window.save()
    after = plan_copy.read_bytes()
    old_lines, new_lines = before.split(b"\n"), after.split(b"\n")
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    assert changed == [17]
    assert new_lines[17] == b"    WebSocket Emitter Unification   :crit, alpha2, 09:00, 6h"
    assert not window.isWindowModified()


def test_alt_drag_does_not_snap(qtbot, window):
    rect = window.gantt.task_rect("alpha2")
    start = QtCore.QPoint(rect.left() + rect.width() // 3, rect.center().y())
    end = start + QtCore.QPoint(round(px_per_hour(window) * (7 / 60)), 0)  # 7 minutes
    drag(qtbot, window.gantt, start, end, Qt.KeyboardModifier.AltModifier)
    moved = window.project.plan.task("alpha2").start - datetime(1970, 1, 1, 8)
    assert 4 * 60 <= moved.total_seconds() <= 10 * 60  # not 0 and not 15 minutes: unsnapped


def test_right_edge_drag_changes_duration(qtbot, window):
    rect = window.gantt.task_rect("alpha2")
    start = QtCore.QPoint(rect.right() - 2, rect.center().y())
    end = start + QtCore.QPoint(round(px_per_hour(window) * 2), 0)
    drag(qtbot, window.gantt, start, end)
    task = window.project.plan.task("alpha2")
    assert task.start == datetime(1970, 1, 1, 8)
    assert task.end == datetime(1970, 1, 1, 16)
    assert "alpha2, 08:00, 8h" in window.project.plan_file.document.lines[17]


def test_undo_redo_restore_each_drag(qtbot, window):
    rect = window.gantt.task_rect("bravo3")
    start = QtCore.QPoint(rect.left() + 10, rect.center().y())
    drag(qtbot, window.gantt, start, start + QtCore.QPoint(round(px_per_hour(window) * 2), 0))
    assert window.project.plan.task("bravo3").start == datetime(1970, 1, 1, 10)
    window.act_undo.trigger()
    assert window.project.plan.task("bravo3").start == datetime(1970, 1, 1, 8)
    assert not window.project.modified
    window.act_redo.trigger()
    assert window.project.plan.task("bravo3").start == datetime(1970, 1, 1, 10)
    assert window.undo_stack.count() == 1


def test_cascade_moves_dependents(qtbot, window):
    window.act_cascade.setChecked(True)
    rect = window.gantt.task_rect("alpha1")
    start = QtCore.QPoint(rect.left() + 20, rect.center().y())
    drag(qtbot, window.gantt, start, start + QtCore.QPoint(round(px_per_hour(window)), 0))
    plan = window.project.plan
    assert plan.task("alpha1").start == datetime(1970, 1, 1, 1)
    assert plan.task("alpha2").start == datetime(1970, 1, 1, 9)
    assert plan.task("bravo3").start == datetime(1970, 1, 1, 9)
    assert plan.task("alpha4").start == datetime(1970, 1, 1, 19)
    assert plan.task("delta1").start == datetime(1970, 1, 1, 15)
    assert not window.project.analysis.conflicts
    window.act_undo.trigger()  # the whole cascade is one undo step
    assert window.project.plan.task("alpha2").start == datetime(1970, 1, 1, 8)
    assert window.project.plan.task("delta1").start == datetime(1970, 1, 1, 0)


def test_arrow_keys_nudge_and_merge_into_one_undo_step(qtbot, window):
    window.select_task("alpha3")
    window.gantt.setFocus()
    QTest.keyClick(window.gantt, Qt.Key.Key_Right)
    QTest.keyClick(window.gantt, Qt.Key.Key_Right)
    assert window.project.plan.task("alpha3").start == datetime(1970, 1, 1, 14, 30)
    assert window.undo_stack.count() == 1
    window.act_undo.trigger()
    assert window.project.plan.task("alpha3").start == datetime(1970, 1, 1, 14)


def test_clicking_a_graph_node_selects_the_task_everywhere(qtbot, window):
    rect = window.graph.node_rect("B")
    QTest.mouseClick(window.graph.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert window.selected == "alpha2"
    assert window.gantt.bars["alpha2"].selected
    assert window.details.title.text() == "WebSocket Emitter Unification"
    assert "Factory Consolidation" in window.details.fields["Depends on"].text()


def test_clicking_a_bar_selects_its_graph_node(qtbot, window):
    rect = window.gantt.task_rect("charlie2")
    QTest.mouseClick(window.gantt.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert window.selected == "charlie2"
    assert window.graph.nodes["I"].selected_task


def test_close_with_unsaved_edits_asks(qtbot, window, monkeypatch):
    window.project.reschedule("alpha3", start=datetime(1970, 1, 1, 15))
    window.refresh()
    asked = []
    monkeypatch.setattr(
        dialogs, "ask", lambda *a, **k: asked.append(a[2]) or QtWidgets.QMessageBox.StandardButton.Cancel
    )
    assert not window.close()
    assert asked and "Save your changes" in asked[0]
    assert window.isVisible()


def test_save_refuses_to_clobber_a_file_changed_on_disk(qtbot, window, plan_copy):
    window.project.reschedule("alpha3", start=datetime(1970, 1, 1, 15))
    plan_copy.write_bytes(plan_copy.read_bytes() + b"\n<!-- edited elsewhere -->\n")
    assert not window.save()  # headless answer: Cancel
    assert plan_copy.read_bytes().endswith(b"<!-- edited elsewhere -->\n")


def test_export_png_and_svg(qtbot, window, tmp_path):
    png = window.export_gantt(tmp_path / "gantt.png")
    svg = window.export_graph(tmp_path / "graph.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert b"<svg" in svg.read_bytes()


def test_thousands_of_signal_emits_do_not_crash(qtbot, window):
    """PySide6 6.12.0 on CPython 3.11 aborts after ~580 emits; the pin keeps us off it."""
    seen = []
    window.gantt.task_selected.connect(seen.append)
    for number in range(5000):
        window.gantt.task_selected.emit("alpha1" if number % 2 else "alpha2")
    assert len(seen) == 5000


def test_window_layout_and_recent_projects_are_remembered(qtbot, window, plan_copy):
    from mission_control.services.settings import load_settings

    window.close()
    settings = load_settings()
    assert settings.window_state and settings.window_geometry
    assert settings.recent[0].plan == str(plan_copy.resolve())


def test_shortcuts_and_about_dialogs(qtbot, window):
    window.show_shortcuts()
    dialog = window.findChild(QtWidgets.QDialog, "shortcutsDialog")
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert {"Save", "Undo", "Redo", "Zoom In", "Zoom to Fit"} <= set(names)
    dialog.close()
    window.show_about()
    about = window.findChild(QtWidgets.QMessageBox, "aboutDialog")
    assert "PySide6" in about.informativeText()
    about.close()


def test_plan_edited_elsewhere_is_reloaded_by_the_watcher(qtbot, plan_copy):
    import subprocess

    repo = plan_copy.parent
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    win = create_window(repo, plan_copy)
    qtbot.addWidget(win)
    assert win.watch is not None and win.watch_label.text().startswith("Watching")
    text = plan_copy.read_bytes().replace(b":crit, alpha3, 14:00, 4h", b":crit, alpha3, 14:30, 4h")
    plan_copy.write_bytes(text)
    qtbot.waitUntil(lambda: win.project.plan.task("alpha3").start == datetime(1970, 1, 1, 14, 30), timeout=10_000)
    assert not win.project.modified
    win.close()


def test_external_edit_with_unsaved_edits_asks_and_keeps_them_by_default(qtbot, plan_copy, monkeypatch):
    import subprocess

    repo = plan_copy.parent
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    win = create_window(repo, plan_copy)
    qtbot.addWidget(win)
    win.project.reschedule("alpha4", start=datetime(1970, 1, 1, 19))
    asked = []
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: asked.append(a[1]) or QtWidgets.QMessageBox.StandardButton.No)
    plan_copy.write_bytes(plan_copy.read_bytes() + b"\n")
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert win.project.plan.task("alpha4").start == datetime(1970, 1, 1, 19)  # the lead's edit survives
    win.close()


def test_undo_redo_buttons_keep_their_text_and_width_and_cascade_shows_its_state(qtbot, window):
    undo = window.findChild(QtWidgets.QToolButton, "undoButton")
    redo = window.findChild(QtWidgets.QToolButton, "redoButton")
    assert undo is not None and redo is not None and not undo.isEnabled()
    widths = (undo.width(), redo.width())
    rect = window.gantt.task_rect("bravo3")
    start = QtCore.QPoint(rect.left() + 10, rect.center().y())
    drag(qtbot, window.gantt, start, start + QtCore.QPoint(round(px_per_hour(window) * 2), 0))
    QtWidgets.QApplication.processEvents()
    name = window.project.plan.task("bravo3").name
    assert (undo.text(), undo.isEnabled()) == ("Undo", True)
    assert f"Move {name}" in undo.toolTip() and (undo.width(), redo.width()) == widths
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)  # the button undoes, like Edit › Undo
    assert window.project.plan.task("bravo3").start == datetime(1970, 1, 1, 8)
    assert redo.text() == "Redo" and redo.isEnabled() and f"Move {name}" in redo.toolTip()
    assert (undo.width(), redo.width()) == widths
    cascade = window.findChild(QtWidgets.QToolButton, "cascadeButton")
    window.act_cascade.setChecked(False)
    off, off_width = cascade.grab().toImage(), cascade.width()
    window.act_cascade.setChecked(True)
    on = cascade.grab().toImage()
    assert cascade.width() == off_width and "ON" in window.act_cascade.toolTip()
    centre = QtCore.QPoint(3, on.height() // 2)  # the background, beside the text
    a, b = off.pixelColor(centre), on.pixelColor(centre)
    assert abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) > 40


def test_alt_drag_shows_and_stores_only_what_the_date_format_holds(qtbot, window):
    """dateFormat HH:mm cannot store seconds: the drag label never shows them and the bar lands on a minute."""
    rect = window.gantt.task_rect("alpha2")
    start = QtCore.QPoint(rect.left() + rect.width() // 3, rect.center().y())
    target = window.gantt.viewport()
    alt = Qt.KeyboardModifier.AltModifier
    QTest.mouseMove(target, start)
    QTest.mousePress(target, Qt.MouseButton.LeftButton, alt, start)
    labels = []
    for step in range(1, 30):  # pixel steps: unsnapped positions fall between minutes
        point = QtCore.QPointF(start + QtCore.QPoint(step, 0))
        move = QtGui.QMouseEvent(
            QtCore.QEvent.Type.MouseMove,
            point,
            QtCore.QPointF(target.mapToGlobal(point.toPoint())),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            alt,  # QTest.mouseMove carries no modifiers: Alt held during the drag
        )
        QtWidgets.QApplication.sendEvent(target, move)
        QtWidgets.QApplication.processEvents()
        labels.append(window.gantt.drag_label.toPlainText())
    end = start + QtCore.QPoint(29, 0)
    QTest.mouseRelease(target, Qt.MouseButton.LeftButton, alt, end)
    QtWidgets.QApplication.processEvents()
    shown = [text for text in labels if text]
    assert shown and all(text.count(":") == 2 for text in shown), shown  # "HH:MM – HH:MM", never HH:MM:SS
    task = window.project.plan.task("alpha2")
    assert task.start.second == 0 and task.start != datetime(1970, 1, 1, 8)
    assert (
        ":" in window.project.plan_file.document.lines[17]
        and task.start.strftime("%H:%M") in (window.project.plan_file.document.lines[17])
    )


def answer_disk_change(monkeypatch, *clicks: str, seen: list | None = None) -> None:
    """Show the real 'Plan changed on disk' dialog and click its buttons (objectNames) in order;
    ``seen`` gets the summary and, after a Compare click, the diff text."""
    from mission_control.ui import disk_change

    monkeypatch.setattr(dialogs, "headless", lambda: False)

    def click() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "diskChangeDialog":
            QtCore.QTimer.singleShot(10, click)
            return
        assert isinstance(dialog, disk_change.DiskChangeDialog)
        if seen is not None:
            seen.append(dialog.findChild(QtWidgets.QLabel, "diskChangeSummary").text())
            seen.append({b.objectName() for b in dialog.findChildren(QtWidgets.QPushButton) if b.isVisibleTo(dialog)})
        for name in clicks:
            button = dialog.findChild(QtWidgets.QPushButton, name)
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            if name == "compareButton" and seen is not None:
                diff = dialog.findChild(QtWidgets.QPlainTextEdit, "diskChangeDiff")
                seen.append(diff.toPlainText() if diff.isVisible() else "")

    QtCore.QTimer.singleShot(0, click)


def test_plan_changed_on_disk_with_edits_on_other_lines_merges_both(qtbot, window, plan_copy, monkeypatch):
    """Issue 17: Overwrite discarded the other edits although they touched other lines."""
    drag(
        qtbot,
        window.gantt,
        window.gantt.task_rect("alpha3").center(),
        window.gantt.task_rect("alpha3").center() + QtCore.QPoint(round(px_per_hour(window)), 0),
    )
    mine = next(line for line in window.project.plan_file.document.lines if ", alpha3," in line)
    assert window.project.modified and "15:00" in mine
    plan_copy.write_bytes(plan_copy.read_bytes().replace(b"Documentation Update  ", b"Docs Update           "))
    seen: list = []
    answer_disk_change(monkeypatch, "compareButton", "mergeButton", seen=seen)
    assert window.save()
    summary, buttons, diff = seen
    assert "touch different lines: Merge keeps both" in summary
    assert {"mergeButton", "compareButton", "reloadButton", "overwriteButton", "saveAsButton"} <= buttons
    assert "+    Docs Update" in diff and "+" + mine in diff  # what changed on disk, and yours
    saved = plan_copy.read_text()
    assert mine + "\n" in saved and "Docs Update" in saved
    assert not window.project.modified and not window.isWindowModified()
    assert window.project.plan.find_task("echo4").name == "Docs Update"  # the views show the merged plan
    assert "Docs Update" in window.gantt.bars["echo4"].task.name


def test_conflicting_edits_offer_no_merge_and_save_as_keeps_both_files(qtbot, window, plan_copy, monkeypatch, tmp_path):
    window.project.reschedule("alpha3", start=datetime(1970, 1, 1, 15))
    window.refresh()
    elsewhere = plan_copy.read_text().replace(":crit, alpha3, 14:00, 4h", ":crit, alpha3, 16:00, 4h")
    plan_copy.write_text(elsewhere)
    seen: list = []
    answer_disk_change(monkeypatch, "saveAsButton", seen=seen)
    target = tmp_path / "mine.md"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.save()
    summary, buttons = seen
    assert "cannot be merged" in summary and "mergeButton" not in buttons
    assert plan_copy.read_text() == elsewhere  # the other version stays
    assert ", alpha3, 15:00" in target.read_text()
    assert window.project.plan_file.path == target and target.name in window.windowTitle()
    assert not window.project.modified


def test_overwrite_and_reload_from_the_disk_change_dialog(qtbot, window, plan_copy, monkeypatch):
    window.project.reschedule("alpha3", start=datetime(1970, 1, 1, 15))
    plan_copy.write_text(plan_copy.read_text().replace(":crit, alpha3, 14:00, 4h", ":crit, alpha3, 16:00, 4h"))
    answer_disk_change(monkeypatch, "overwriteButton")
    assert window.save()
    assert ", alpha3, 15:00" in plan_copy.read_text()
    window.project.reschedule("alpha3", start=datetime(1970, 1, 1, 17))
    plan_copy.write_text(plan_copy.read_text().replace(", alpha3, 15:00", ", alpha3, 13:00"))
    answer_disk_change(monkeypatch, "reloadButton")
    assert window.save()  # nothing left unsaved: closing may go on
    assert window.project.plan.find_task("alpha3").start == datetime(1970, 1, 1, 13)
    assert not window.project.modified


def test_save_as_is_in_the_file_menu_with_the_standard_shortcut(window, tmp_path):
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert window.act_save_as in file_menu.actions()
    assert window.act_save_as.shortcut() == QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.SaveAs)
    assert not window.act_save_as.shortcut().isEmpty()
    assert window.save_as(tmp_path / "copy.md") and (tmp_path / "copy.md").exists()


def test_a_reschedule_keeps_the_codemods_task_list_and_a_rename_shows_in_it(qtbot, window):
    """The Codemods dock's task list is refilled only when the tasks' keys or names change."""
    from mission_control.plan.document import LineEdit

    combo = window.findChild(QtWidgets.QComboBox, "codemodTask")
    combo.setCurrentIndex(combo.findData("alpha3"))
    count, name = combo.count(), window.project.plan.task("alpha3").name
    window.project.reschedule("alpha3", start=datetime(1970, 1, 1, 15))
    window.refresh()
    assert combo.count() == count and combo.currentData() == "alpha3"
    lines = window.project.plan_file.document.text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(name) and "alpha3" in line)
    edit = LineEdit(index, lines[index], lines[index].replace(name, "Renamed task", 1))
    window.project.apply([edit])
    window.refresh()
    assert combo.currentData() == "alpha3" and combo.currentText() == "alpha3 — Renamed task"
    assert combo.count() == count


def test_an_unchanged_gantt_marker_repaints_nothing_and_a_changed_one_shows(window, monkeypatch):
    gantt, updated = window.gantt, []
    inner = gantt.bars_item.update_bar
    monkeypatch.setattr(gantt.bars_item, "update_bar", lambda bar: (updated.append(bar.key), inner(bar)))
    gantt.set_marker("alpha3", "status", "⚠ late")
    gantt.set_marker("alpha3", "status", "⚠ late")
    gantt.set_marker("alpha3", "other", None)
    assert updated == ["alpha3"] and gantt.bars["alpha3"].marker == "⚠ late"
    gantt.set_marker("alpha3", "status", "✓ done")
    assert gantt.bars["alpha3"].marker == "✓ done"
    gantt.set_marker("alpha3", "status", None)
    assert gantt.bars["alpha3"].marker == "" and updated == ["alpha3"] * 3
