"""A drop on the Gantt updates only what moved, and the window ends where a fresh load of the plan is.

After a drop the window brings its views up to date incrementally: the Gantt touches only the
moved bars (:meth:`GanttView._update_moved`), the CPM analysis is recomputed from the moved tasks
(``reanalyse``), and the Checklist dock evaluates again only the task states the move can change
(``update_task_states``). These tests drag real bars with the mouse and compare everything the
chart and the dock show — bar geometry, critical marks, conflicts, markers, arrows, the content
rectangle, floats, task states — with a second window opened on the same text, after each drop,
undo and redo.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

import mission_control.ui.checklist_panel as checklist_panel
import mission_control.ui.main_window as main_window
from mission_control.ui import create_window
from mission_control.ui.gantt import GanttView

LEFT, NONE = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier
CLOCK = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)  # (the tests run in UTC: the plan's axis is naive UTC)


def plan_text(sections: int = 4, per: int = 20) -> str:
    """Chains of ``after`` tasks with fixed starts between, graph edges (FS and SS) across teams,
    a task after two others, a ``crit`` and a ``done`` tag, and a checklist item naming a task."""
    lines = ["# Drop plan", "", "```mermaid", "gantt", "    dateFormat YYYY-MM-DD HH:mm", "    axisFormat %H:%M"]
    for s in range(sections):
        lines.append(f"    section Team {s}")
        for i in range(per):
            key, tags = f"t{s}_{i}", "crit, " if (s, i) == (1, 4) else "done, " if (s, i) == (2, 1) else ""
            if i == 0:
                lines.append(f"    Task {s}-{i} :{tags}{key}, 2026-01-01 0{s}:00, 2h")
            elif i % 6 == 0:
                lines.append(f"    Task {s}-{i} :{tags}{key}, 2026-01-01 {i % 24:02d}:30, 1h")
            else:
                lines.append(f"    Task {s}-{i} :{tags}{key}, after t{s}_{i - 1}, {1 + i % 3}h")
    lines.append(f"    Join :join, after t0_4 t{sections - 1}_{per - 1}, 1h")  # re-read by a drop of t0_2, unmoved
    lines += ["```", "", "```mermaid", "graph TD"]
    for s in range(sections - 1):
        lines.append(f"    t{s}_3 --> t{s + 1}_5")
        lines.append(f"    t{s}_8 -->|Can Start Parallel| t{s + 1}_9")
    lines.append(f"    t0_1 --> t{sections - 1}_{per - 2}")  # an arrow across most rows
    lines += ["```", "", "## Checklist", "", "- [ ] Task 0-2 reviewed", ""]
    return "\n".join(lines)


def open_window(qtbot, path: Path):
    win = create_window(None, path)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    panel = win.panels["checklist_panel"]
    panel.clock = lambda: CLOCK
    panel._render_clock()  # task states (and Gantt markers) at the fake clock
    QtWidgets.QApplication.processEvents()
    return win


@pytest.fixture
def window(qtbot, tmp_path):
    path = tmp_path / "plan.md"
    path.write_text(plan_text())
    return open_window(qtbot, path)


@pytest.fixture
def full_work(monkeypatch):
    """The full task-state computations made, and the Gantts updated incrementally.

    Without the live preview of a drag, as on a plan of more than 400 tasks: a preview moves and
    restyles bars behind the plan's back, so the drop after one draws the chart in full.
    """
    monkeypatch.setattr(main_window, "PREVIEW_MAX_TASKS", 0)
    calls: list[str] = []
    full_states = checklist_panel.task_states
    monkeypatch.setattr(checklist_panel, "task_states", lambda *a: calls.append("states") or full_states(*a))
    update = GanttView._update_moved
    updated: list[GanttView] = []
    monkeypatch.setattr(GanttView, "_update_moved", lambda self, *a: updated.append(self) or update(self, *a))
    return calls, updated


def what_is_shown(win) -> dict:
    """Everything the chart and the Checklist dock show that a drop can change."""
    gantt, project = win.gantt, win.project
    bars = {
        key: (bar.geometry, bar.critical, tuple(bar.conflicts), bar.marker, bar.task.start, bar.task.end)
        for key, bar in gantt.bars.items()
    }
    assert all(bar.task is project.plan.task(key) for key, bar in gantt.bars.items())
    for top, bottom in [(-1, len(gantt.row_keys) + 1), (10, 30), (45, 47)]:  # what a repaint of those rows draws
        near = [arrow for arrow in gantt.arrows.arrows if _crosses(gantt, arrow, top, bottom)]
        assert sorted(a for a in gantt.arrows._near_rows(top, bottom) if _crosses(gantt, a, top, bottom)) == sorted(
            near
        )
    states = win.panels["checklist_panel"].task_status
    assert {key: bar.marker for key, bar in gantt.bars.items()} == {k: s.marker or "" for k, s in states.items()}
    status = {key: (s.state, s.reasons) for key, s in states.items()}
    model = win.task_table.table_model
    assert win.task_table.isVisible()
    table = [
        [model.index(row, column).data() for column in range(model.columnCount())] for row in range(model.rowCount())
    ]
    return {
        "table": table,
        "bars": bars,
        "rows": list(gantt.row_keys),
        "arrows": list(gantt.arrows.arrows),
        "content": gantt.content_rect(),
        "origin": gantt.origin,
        "analysis": project.analysis,
        "floats": project.analysis.total_float,
        "critical": project.analysis.critical_path,
        "states": status,
    }


def _crosses(gantt, arrow, top: float, bottom: float) -> bool:
    rows = [gantt.bars[key].geometry.row for key in arrow[:2]]
    return max(rows) >= top and min(rows) <= bottom


def fresh_load(qtbot, win, tmp_path) -> dict:
    """What a window opened on the plan's current text shows."""
    path = tmp_path / f"fresh{len(list(tmp_path.glob('fresh*')))}.md"
    path.write_text(win.project.plan_file.document.text)
    other = open_window(qtbot, path)
    try:
        return what_is_shown(other)
    finally:
        other.close()


def drag_bar(win, key: str, dx: int, resize: bool = False) -> None:
    """Press on ``key``'s bar (its right edge to resize), move ``dx`` pixels in steps, release."""
    gantt = win.gantt
    gantt.scroll_to(key)
    QtWidgets.QApplication.processEvents()
    rect = gantt.task_rect(key)
    start = QtCore.QPoint(rect.right() - 1 if resize else rect.left() + 4, rect.center().y())
    target = gantt.viewport()
    QTest.mouseMove(target, start)
    QTest.mousePress(target, LEFT, NONE, start)
    for step in range(1, 9):
        QTest.mouseMove(target, start + QtCore.QPoint(dx * step // 8, 0))
    QTest.mouseRelease(target, LEFT, NONE, start + QtCore.QPoint(dx, 0))
    QtWidgets.QApplication.processEvents()


def show_hours(win, first: float, last: float) -> None:
    win.gantt.plotItem.vb.setXRange(first, last, padding=0)
    QtWidgets.QApplication.processEvents()


DROPS = [
    ("t0_0", 60, False),  # the plan's first bar: the chart's extent changes
    ("t0_2", 90, False),  # 'after t0_1' becomes a fixed start: its link goes, t0_3..t0_5 follow
    ("t1_3", -60, False),  # earlier than its predecessor allows: a conflict
    ("t1_4", 120, True),  # the crit task gets longer
    ("t0_8", 150, False),  # its start-to-start successor in Team 1 waits longer
]


def test_each_drop_undo_and_redo_ends_where_a_fresh_load_is(qtbot, window, tmp_path, full_work):
    show_hours(window, -1, 30)
    plan_file = window.project.plan_file
    assert plan_file._shape is not None and plan_file._shape.plan is plan_file.plan  # learnt when idle
    assert what_is_shown(window) == fresh_load(qtbot, window, tmp_path)
    assert {state for state, _ in what_is_shown(window)["states"].values()} == {"late", "blocked", "planned", "done"}
    states_full, gantt_updates = full_work
    before = window.project.plan_file.document.text
    shown = [what_is_shown(window)]
    for key, dx, resize in DROPS:
        old = window.project.plan.task(key).times
        full_before, updates_before = len(states_full), len(gantt_updates)
        drag_bar(window, key, dx, resize)
        assert window.project.plan.task(key).times != old, f"the drop of {key} changed nothing"
        assert len(states_full) == full_before  # the states were brought up to date, not computed again
        assert gantt_updates[updates_before:] == [window.gantt]  # only the moved bars were drawn again
        now = what_is_shown(window)
        assert now == fresh_load(qtbot, window, tmp_path)
        shown.append(now)
    assert shown[1]["content"] != shown[0]["content"]
    assert shown[2]["bars"]["t0_3"][0] != shown[1]["bars"]["t0_3"][0]  # the chain followed t0_2
    assert any(v[2] for v in shown[3]["bars"].values())  # t1_3's drop made a conflict
    assert shown[-1]["states"] != shown[0]["states"] and shown[-1]["critical"] != shown[0]["critical"]
    for expected in reversed(shown[:-1]):
        window.act_undo.trigger()
        QtWidgets.QApplication.processEvents()
        assert what_is_shown(window) == expected
    assert window.project.plan_file.document.text == before
    for expected in shown[1:]:
        window.act_redo.trigger()
        QtWidgets.QApplication.processEvents()
        assert what_is_shown(window) == expected


def test_drops_with_a_live_preview_end_as_a_fresh_load(qtbot, window, tmp_path):
    show_hours(window, -1, 30)
    for key, dx, resize in DROPS:
        drag_bar(window, key, dx, resize)
        assert what_is_shown(window) == fresh_load(qtbot, window, tmp_path)


def test_a_drop_that_moves_the_plans_end_or_is_cancelled_also_ends_as_a_fresh_load(qtbot, window, tmp_path):
    show_hours(window, 15, 40)
    last = max(window.project.plan.tasks, key=lambda t: t.end)
    drag_bar(window, last.key, 160)  # the project's end moves: every float changes (a full analysis)
    assert window.project.plan.end > last.end
    assert what_is_shown(window) == fresh_load(qtbot, window, tmp_path)
    shown = what_is_shown(window)
    drag_bar(window, "t3_10", 0)  # pressed and released in place: nothing changes, the bar stays
    assert what_is_shown(window) == shown
