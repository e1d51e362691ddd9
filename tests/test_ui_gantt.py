"""The Gantt as the lead uses it: clicks and drags on a large plan, the row band, the label column,
the bar height at the UI font, the fit on open, and the task table beside the chart (real input)."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtTest import QTest

from mission_control.plan import parse_plan
from mission_control.schedule import analyse
from mission_control.services.settings import load_settings
from mission_control.ui import create_window
from mission_control.ui.gantt import GanttView
from mission_control.ui.gantt_style import COLORS, LANE_COLORS

Qt = QtCore.Qt
LEFT, NONE = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


def big_plan_text(tasks: int = 2000, sections: int = 20) -> str:
    """``tasks`` one- to four-hour tasks in ``sections`` teams, each team a chain of ``after``."""
    lines = ["```mermaid", "gantt", "    dateFormat YYYY-MM-DD HH:mm"]
    per = tasks // sections
    for s in range(sections):
        lines.append(f"    section Team {s}")
        lines.append(f"    Task {s}-0 :t{s}_0, 2026-01-01 00:00, 2h")
        lines += [f"    Task {s}-{i} :t{s}_{i}, after t{s}_{i - 1}, {1 + i % 4}h" for i in range(1, per)]
    return "\n".join([*lines, "```"]) + "\n"


@pytest.fixture
def big_view(qtbot):
    plan = parse_plan(big_plan_text())
    view = GanttView()
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_plan(plan, analyse(plan))
    QtWidgets.QApplication.processEvents()
    return view


@pytest.fixture
def window(qtbot, plan_copy):
    win = create_window(None, plan_copy)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    QtWidgets.QApplication.processEvents()
    return win


def click(widget: QtWidgets.QWidget, point: QtCore.QPoint) -> None:
    target = widget.viewport() if hasattr(widget, "viewport") else widget
    QTest.mouseClick(target, LEFT, NONE, point)
    QtWidgets.QApplication.processEvents()


def double_click(target: QtWidgets.QWidget, point: QtCore.QPoint) -> None:
    """What a real double click sends: press, release, double-click (the second press), release."""
    QTest.mouseClick(target, LEFT, NONE, point)
    local = QtCore.QPointF(point)
    event = QtGui.QMouseEvent(
        QtCore.QEvent.Type.MouseButtonDblClick, local, QtCore.QPointF(target.mapToGlobal(point)), LEFT, LEFT, NONE
    )
    QtWidgets.QApplication.sendEvent(target, event)
    QTest.mouseRelease(target, LEFT, NONE, point)


def drag(widget: QtWidgets.QWidget, start: QtCore.QPoint, end: QtCore.QPoint, steps: int = 8) -> None:
    target = widget.viewport() if hasattr(widget, "viewport") else widget
    QTest.mouseMove(target, start)
    QTest.mousePress(target, LEFT, NONE, start)
    for step in range(1, steps + 1):
        point = start + (end - start) * step / steps
        QTest.mouseMove(target, QtCore.QPoint(round(point.x()), round(point.y())))
    QTest.mouseRelease(target, LEFT, NONE, end)
    QtWidgets.QApplication.processEvents()


def show_task(view: GanttView, key: str) -> QtCore.QRect:
    view.scroll_to(key)
    QtWidgets.QApplication.processEvents()
    return view.task_rect(key)


# the chart ---------------------------------------------------------------------------------------
def test_a_2000_task_plan_is_drawn_by_a_few_items_not_one_per_task(big_view):
    items = big_view.plotItem.vb.addedItems
    assert len(big_view.bars) == 2000 and len(items) < 12


@pytest.mark.parametrize("key", ["t0_0", "t0_3", "t7_42", "t19_99"])
def test_clicks_on_a_2000_task_plan_select_the_bar_under_the_mouse(big_view, key):
    seen: list[str] = []
    big_view.task_selected.connect(seen.append)
    rect = show_task(big_view, key)
    click(big_view, rect.center())
    assert seen == [key] and big_view.bars[key].selected
    row_gap = QtCore.QPoint(rect.center().x(), rect.bottom() + (big_view.row_px - rect.height()) // 2 + 1)
    click(big_view, row_gap)  # between two rows: no bar
    assert seen == [key]


def test_a_click_beside_a_bar_selects_nothing_and_hover_finds_the_bar(big_view):
    seen: list[str] = []
    big_view.task_selected.connect(seen.append)
    rect = show_task(big_view, "t3_10")
    click(big_view, QtCore.QPoint(rect.right() + 60, rect.center().y()))
    assert seen == []
    scene = big_view.mapToScene(rect.center())
    bar = big_view.bar_at(big_view.plotItem.vb.mapSceneToView(scene))
    assert bar is not None and bar.key == "t3_10"


def test_a_drag_in_a_2000_task_plan_moves_only_its_bar_and_reports_a_snapped_span(big_view):
    finished: list[tuple] = []
    big_view.span_change_finished.connect(lambda *args: finished.append(args))
    big_view.plotItem.vb.setXRange(-1, 12, padding=0)
    rect = show_task(big_view, "t0_2")
    before = {k: (b.geometry.x0, b.geometry.x1) for k, b in big_view.bars.items()}
    assert before["t0_2"] == (4.0, 7.0)  # after t0_0 (2 h) and t0_1 (2 h), 3 h long
    per_hour = rect.width() / 3
    start = QtCore.QPoint(rect.left() + 4, rect.center().y())
    drag(big_view, start, start + QtCore.QPoint(round(per_hour * 2.05), 0))  # 2 h 03 min → snaps to 2 h
    key, when, duration = finished[-1]
    assert key == "t0_2" and when == datetime(2026, 1, 1, 6) and duration.total_seconds() == 3 * 3600
    moved = [k for k, b in big_view.bars.items() if (b.geometry.x0, b.geometry.x1) != before[k]]
    assert moved == ["t0_2"]


def test_the_selected_row_is_banded_across_the_chart(qtbot, big_view):
    def colour_right_of(key: str) -> QtGui.QColor:
        rect = big_view.task_rect(key)
        image = big_view.grab().toImage()
        return image.pixelColor(big_view.width() - 20, rect.center().y())

    show_task(big_view, "t0_1")
    assert colour_right_of("t0_1").name() in LANE_COLORS
    big_view.select("t0_1")
    QtWidgets.QApplication.processEvents()
    assert colour_right_of("t0_1").name() == COLORS["selected_row"]
    big_view.select("t0_3")
    QtWidgets.QApplication.processEvents()
    assert colour_right_of("t0_3").name() == COLORS["selected_row"]
    assert colour_right_of("t0_1").name() in LANE_COLORS


def test_bars_and_rows_grow_with_a_larger_application_font(qtbot, big_view):
    app = QtWidgets.QApplication.instance()
    original = app.font()
    small = show_task(big_view, "t0_1").height()
    bigger = QtGui.QFont(original)
    bigger.setPointSizeF(original.pointSizeF() * 2)
    try:
        app.setFont(bigger)
        QtWidgets.QApplication.processEvents()
        large = show_task(big_view, "t0_1").height()
        assert big_view.label_font.pointSizeF() == pytest.approx(bigger.pointSizeF())
    finally:
        app.setFont(original)
        QtWidgets.QApplication.processEvents()
    assert large >= small * 1.6
    assert small >= QtGui.QFontMetrics(original).height() + 2  # one line of the UI font fits a bar


def test_the_label_column_is_widened_by_dragging_its_edge_and_remembered(qtbot, window):
    gantt = window.gantt
    axis = gantt.lane_axis
    before = axis.width()
    edge = gantt.mapFromScene(axis.mapToScene(QtCore.QPointF(axis.width() - 2, axis.height() / 2)))
    drag(gantt, edge, edge + QtCore.QPoint(90, 0))
    assert axis.width() == pytest.approx(before + 90, abs=2)
    assert load_settings().gantt_label_width == round(axis.width())
    window.close()
    again = create_window(None, window.project.plan_file.path)
    qtbot.addWidget(again)
    again.resize(1400, 900)
    again.show()
    QtWidgets.QApplication.processEvents()
    axis = again.gantt.lane_axis
    assert axis.width() == pytest.approx(before + 90, abs=2)
    edge = again.gantt.mapFromScene(axis.mapToScene(QtCore.QPointF(axis.width() - 2, axis.height() / 2)))
    double_click(again.gantt.viewport(), edge)  # fits the names again
    QtWidgets.QApplication.processEvents()
    assert axis.label_width() == pytest.approx(before, abs=2) and load_settings().gantt_label_width == 0


def test_lane_names_are_whole_in_the_label_column(window):
    axis = window.gantt.lane_axis
    metrics = QtGui.QFontMetrics(axis.font())
    for name, _, _ in axis.lanes:
        assert axis.lane_label(name, metrics).split("\n")[0] == name  # "Team Delta (Infrastructure)" too


def test_the_plan_is_fitted_on_open_from_its_first_midnight(window):
    gantt = window.gantt
    (x0, x1), _ = gantt.plotItem.vb.viewRange()
    ends = [b.geometry.x1 for b in gantt.bars.values()]
    assert x0 < 0 and -x0 / gantt.hours_per_pixel <= 40  # 00:00 is on screen, near the left edge
    assert (x1 - max(ends)) / gantt.hours_per_pixel < 220  # room for the last bars' labels, not 12 h more
    axis = gantt.time_axis
    ticks = axis.tickValues(x0, x1, gantt.plotItem.vb.width())
    labels = [axis.label_for(v, ticks[0][0]) for v in ticks[0][1]]
    assert "00:00" in labels


def test_a_drag_on_the_window_is_undoable_after_the_rewrite(qtbot, window):
    rect = window.gantt.task_rect("bravo3")
    per_hour = rect.width() / 8  # bravo3 is 8 h
    start = QtCore.QPoint(rect.left() + 10, rect.center().y())
    drag(window.gantt, start, start + QtCore.QPoint(round(per_hour * 2), 0))
    assert window.project.plan.task("bravo3").start == datetime(1970, 1, 1, 10)
    window.act_undo.trigger()
    assert window.project.plan.task("bravo3").start == datetime(1970, 1, 1, 8)


# the task table ----------------------------------------------------------------------------------
def table_row(window, key: str) -> int:
    return window.task_table.table_model.rows[key]


def edit_cell(window, key: str, column: int, text: str) -> None:
    """Select the cell, F2, type ``text`` over what is there, Enter: as the lead would."""
    table = window.task_table
    index = table.model().index(table_row(window, key), column)
    table.scrollTo(index)
    click(table, table.visualRect(index).center())
    table.setFocus()
    QTest.keyClick(table.viewport(), Qt.Key.Key_F2)
    editor = QtWidgets.QApplication.focusWidget()
    assert isinstance(editor, QtWidgets.QLineEdit)
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    for _ in range(3):  # the delegate commits in a queued call, and the edit reaches the plan after it
        QtWidgets.QApplication.processEvents()


def cell(window, key: str, column: int) -> str:
    model = window.task_table.model()
    return model.index(table_row(window, key), column).data()


def test_the_task_table_lists_every_task_with_its_columns(window):
    table = window.findChild(QtWidgets.QTableView, "taskTable")
    assert table is window.task_table and table.isVisible()
    model = table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["ID", "Name", "Team", "Start", "End", "Duration", "Float", "State"]
    assert model.rowCount() == 20
    from mission_control.ui.task_table import DURATION, END, FLOAT, ID, NAME, START, STATE, TEAM

    row = [cell(window, "alpha2", c) for c in (ID, NAME, TEAM, START, END, DURATION, FLOAT, STATE)]
    assert row == ["alpha2", "WebSocket Emitter Unification", "Team Alpha (Critical Path)", "08:00", "14:00"] + [
        "6h",
        "2h",
        "planned",
    ]
    assert cell(window, "delta1", STATE) == "conflict"


def test_editing_start_and_duration_cells_edits_the_plan_and_undo_restores_both(window):
    from mission_control.ui.task_table import DURATION, START

    edit_cell(window, "alpha3", START, "15:30")
    assert window.project.plan.task("alpha3").start == datetime(1970, 1, 1, 15, 30)
    assert cell(window, "alpha3", START) == "15:30"
    assert window.gantt.bars["alpha3"].geometry.x0 == pytest.approx(15.5)
    edit_cell(window, "alpha3", DURATION, "90m")
    assert window.project.plan.task("alpha3").end == datetime(1970, 1, 1, 17)
    assert window.undo_stack.count() == 2
    window.act_undo.trigger()
    assert cell(window, "alpha3", DURATION) == "4h"
    window.act_undo.trigger()
    assert window.project.plan.task("alpha3").start == datetime(1970, 1, 1, 14)
    assert cell(window, "alpha3", START) == "14:00" and not window.project.modified
    assert window.gantt.bars["alpha3"].geometry.x0 == pytest.approx(14)


def test_bad_input_in_a_cell_is_refused_with_a_message_and_changes_nothing(window, informed):
    from mission_control.ui.task_table import DURATION, START

    before = window.project.plan_file.document.text
    edit_cell(window, "alpha3", DURATION, "abc")
    edit_cell(window, "alpha3", START, "25:99")
    assert window.project.plan_file.document.text == before and window.undo_stack.count() == 0
    messages = [text for _, text in informed]
    assert any("'abc' is not a duration" in m and "6h" in m for m in messages)
    assert any("'25:99' is not a time in the plan's dateFormat 'HH:mm'" in m for m in messages)
    assert cell(window, "alpha3", DURATION) == "4h"


def test_selection_is_linked_between_the_table_and_the_chart(window):
    table = window.task_table
    index = table.model().index(table_row(window, "charlie2"), 1)
    click(table, table.visualRect(index).center())
    assert window.selected == "charlie2" and window.gantt.bars["charlie2"].selected
    rect = window.gantt.task_rect("bravo1")
    click(window.gantt, rect.center())
    assert window.selected == "bravo1"
    assert table.currentIndex().row() == table_row(window, "bravo1")
    assert [i.row() for i in table.selectionModel().selectedRows()] == [table_row(window, "bravo1")]


def test_the_task_table_collapses_with_its_shortcut_and_stays_collapsed(qtbot, window):
    assert window.task_table.isVisible()
    QTest.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert not window.task_table.isVisible() and not window.act_task_table.isChecked()
    assert load_settings().task_table_visible is False
    window.close()
    again = create_window(None, window.project.plan_file.path)
    qtbot.addWidget(again)
    again.show()
    assert not again.task_table.isVisible()
    button = again.findChild(QtWidgets.QToolButton, "taskTableButton")
    assert button.text() == "◧ Table" and not button.isChecked()
    qtbot.mouseClick(button, LEFT)
    assert again.task_table.isVisible() and again.task_table.model().rowCount() == 20
    assert button.text() == "◧ Table" and button.isChecked()


def test_hovering_a_bar_shows_its_tooltip_and_an_edge_the_resize_cursor(big_view):
    x0 = big_view.bars["t5_20"].geometry.x0
    big_view.plotItem.vb.setXRange(x0 - 2, x0 + 10, padding=0)  # a 1 h bar, 80 px wide
    rect = show_task(big_view, "t5_20")
    target = big_view.viewport()
    QTest.mouseMove(target, rect.center())
    QtWidgets.QApplication.processEvents()
    item = big_view.bars_item
    assert "Task 5-20" in item.toolTip() and item.cursor().shape() == Qt.CursorShape.OpenHandCursor
    QTest.mouseMove(target, QtCore.QPoint(rect.right() - 1, rect.center().y()))
    QtWidgets.QApplication.processEvents()
    assert item.cursor().shape() == Qt.CursorShape.SizeHorCursor
    QTest.mouseMove(target, QtCore.QPoint(rect.right() + 200, rect.center().y() + big_view.row_px // 2))
    QtWidgets.QApplication.processEvents()
    assert item.toolTip() == ""
