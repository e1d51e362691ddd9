"""The Dashboard dock on a real repository and a real history: plots, gauges, checkpoints, alerts.

History is recorded with the real SQLite store, the window is the real main window, the audit
runs in its worker thread, and a file written into the repository reaches the dock through the
real watcher.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import git
from PySide6 import QtWidgets
from PySide6.QtCore import Qt

from mission_control.history import open_history
from mission_control.ui import create_window
from mission_control.ui.dashboard_panel import _Request

PLAN = """# Mission

```mermaid
gantt
    dateFormat YYYY-MM-DD
    title Mission
    section Team
    Consolidate ids :a1, 2024-01-01, 1d
```

## Success Metrics
- Zero broken imports
- Single ID generation source
- Zero session leakage

## Hour 8 Checkpoint
- Factory consolidation complete

## Hour 14 Checkpoint
- WebSocket unification complete
"""

START = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


@pytest.fixture
def mission_repo(git_repo: Path) -> Path:
    """A repo with a plan, a config with a baseline, one ID generator and a recorded mission start."""
    (git_repo / "plan.md").write_text(PLAN)
    (git_repo / "mission-control.toml").write_text(
        'plan = "plan.md"\nbaseline = "pre"\n[components.core]\npaths = ["app/core*.py"]\n'
    )
    (git_repo / "app").mkdir()
    (git_repo / "app" / "__init__.py").write_text("")
    (git_repo / "app" / "ids.py").write_text("def generate_id():\n    return 1\n")
    (git_repo / "app" / "core.py").write_text("class SessionManager:\n    pass\n\n\nclass ToolManager:\n    pass\n")
    (git_repo / ".mission-control").mkdir()
    (git_repo / ".mission-control" / "mission.json").write_text(json.dumps({"started": START.isoformat()}))
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "mission")
    git(git_repo, "tag", "pre")
    return git_repo


def record_past(repo: Path) -> None:
    """Three test runs (the third with a regression) and two audits (broken imports appear)."""
    with open_history(repo) as history:
        for hour, passed, failing in ((1, 5, ()), (2, 5, ()), (3, 4, ("tests/test_a.py::test_x",))):
            outcomes = {f"tests/test_a.py::test_{i}": "passed" for i in range(passed)}
            outcomes.update(dict.fromkeys(failing, "failed"))
            history.record_test_run(
                selection="all",
                exit_code=1 if failing else 0,
                duration=1.0,
                totals={"passed": passed, "failed": len(failing)},
                outcomes=outcomes,
                when=at(hour),
            )
        history.record_metrics("audit", {"duplicates": 3, "broken_imports": 0, "roles.Manager": 4}, when=at(1.5))
        history.record_metrics("audit", {"duplicates": 2, "broken_imports": 2, "roles.Manager": 3}, when=at(2.5))


@pytest.fixture
def dashboard(qtbot, mission_repo):
    record_past(mission_repo)
    win = create_window(mission_repo)
    qtbot.addWidget(win)
    win.findChild(QtWidgets.QDockWidget, "dashboardDock").raise_()  # its plots are drawn when shown
    panel = win.panels["dashboard_panel"]
    yield win, panel
    panel.cleanup()


def wait_idle(qtbot, panel, timeout=20_000):
    qtbot.waitUntil(
        lambda: panel.job is None and panel._pending is None and panel.snapshot is not None, timeout=timeout
    )


def test_dock_is_installed_in_the_bottom_area(dashboard):
    win, panel = dashboard
    dock = win.findChild(type(panel.dock), "dashboardDock")
    assert dock is panel.dock and panel.objectName() == "dashboard"
    assert win.dockWidgetArea(dock).name == "BottomDockWidgetArea"


def test_plots_show_recorded_history_and_the_audit_that_ran_on_open(qtbot, dashboard):
    _win, panel = dashboard
    wait_idle(qtbot, panel)
    xs, ys = panel.curve_data("tests", "passed")
    assert xs == [at(1).timestamp(), at(2).timestamp(), at(3).timestamp()] and ys == [5, 5, 4]
    assert panel.curve_data("tests", "failed")[1] == [0, 0, 1]
    # the two recorded audits, then the one the dock ran on open (now: 0 duplicates, 0 broken)
    xs, ys = panel.curve_data("ssot", "broken imports")
    assert ys == [2 - 2, 2, 0] and xs[:2] == [at(1.5).timestamp(), at(2.5).timestamp()]
    assert panel.curve_data("ssot", "duplicates")[1] == [3, 2, 0]
    assert panel.curve_data("roles", "Manager")[1] == [4, 3, 2]
    assert panel.curve_data("components", "core")[1] == [6]


def test_a_dashboard_behind_another_tab_draws_its_plots_when_shown(qtbot, dashboard):
    win, panel = dashboard
    wait_idle(qtbot, panel)
    win.findChild(QtWidgets.QDockWidget, "testsPanelDock").raise_()  # the dashboard's tab is left
    before = panel.curve_data("tests", "passed")
    panel.curves[("tests", "passed")].setData([], [])  # so a redraw shows
    with qtbot.waitSignal(panel.refreshed, timeout=20_000):
        panel.request_refresh(audit=False)
    assert panel.curve_data("tests", "passed") == ([], [])  # refreshed, but the hidden plots not drawn
    win.findChild(QtWidgets.QDockWidget, "dashboardDock").raise_()
    assert panel.curve_data("tests", "passed") == before  # drawn as the tab is shown


def test_checkpoints_are_marked_hours_after_the_recorded_mission_start(qtbot, dashboard):
    _win, panel = dashboard
    wait_idle(qtbot, panel)
    expected = {at(8).timestamp(), at(14).timestamp()}
    for name, plot in panel.plots.items():
        lines = [line for owner, line in panel.checkpoint_lines if owner is plot]
        assert {line.value() for line in lines} == expected, name
        assert sorted(line.label.format for line in lines) == ["Hour 14", "Hour 8"]


def test_gauges_compare_baseline_now_and_target_and_list_manual_metrics(qtbot, dashboard):
    _win, panel = dashboard
    wait_idle(qtbot, panel)
    rows = panel.gauge_rows()
    assert rows["Single ID generation source"] == ("1", "1", "<= 1", "✔ met")
    assert rows["Zero broken imports"] == ("0", "0", "<= 0", "✔ met")
    assert rows["Zero session leakage"][3] == "sign off"
    assert rows["Factory consolidation complete"][3] == "sign off"
    assert "2 of 2 met" in panel.gauges.topLevelItem(0).text(0)


def test_critical_alerts_name_time_and_cause(qtbot, dashboard):
    _win, panel = dashboard
    wait_idle(qtbot, panel)
    rows = [
        tuple(panel.alerts.topLevelItem(i).text(c) for c in range(3)) for i in range(panel.alerts.topLevelItemCount())
    ]
    regression = [r for r in rows if r[1] == "Test regression detected"]
    assert len(regression) == 1
    assert regression[0][0].endswith(at(3).strftime("%H:%M")) and "tests/test_a.py::test_x" in regression[0][2]
    broken = [r for r in rows if r[1] == "Broken imports appeared"]
    assert len(broken) == 1 and broken[0][0].endswith(at(2.5).strftime("%H:%M")) and "0 → 2" in broken[0][2]


def test_a_file_write_reruns_the_audit_and_updates_gauges_plots_and_alerts(qtbot, dashboard, mission_repo):
    _win, panel = dashboard
    wait_idle(qtbot, panel)
    before = panel.audits_started
    (mission_repo / "app" / "ids2.py").write_text("import app.missing\n\n\ndef generate_id():\n    return 1\n")
    qtbot.waitUntil(lambda: panel.gauge_rows()["Single ID generation source"][1] == "2", timeout=15_000)
    wait_idle(qtbot, panel)
    rows = panel.gauge_rows()
    assert rows["Single ID generation source"] == ("1", "2", "<= 1", "✘ not met")
    assert rows["Zero broken imports"] == ("0", "1", "<= 0", "✘ not met")
    assert panel.curve_data("ssot", "broken imports")[1][-2:] == [0, 1]
    assert panel.curve_data("ssot", "duplicates")[1][-1] == 1  # generate_id copied into a second module
    newest = panel.alerts.topLevelItem(0)
    assert newest.text(1) == "Broken imports appeared"
    assert "app/ids2.py:1 imports app.missing" in newest.text(2)
    assert panel.audits_started > before
    assert "1</b> SSOT violations" in panel.status_label.text()


def test_requests_during_an_audit_coalesce_into_one_follow_up(qtbot, dashboard, mission_repo):
    _win, panel = dashboard
    wait_idle(qtbot, panel)  # the audit started when the project opened may already be done
    started = panel.audits_started
    panel.request_refresh(audit=True)  # idle: starts at once; its end needs the event loop
    assert panel.job is not None
    for index in range(5):
        panel.request_refresh(audit=True, paths=frozenset({f"app/new{index}.py"}))
    panel.request_refresh(audit=False)
    assert panel.audits_started == started + 1
    wait_idle(qtbot, panel)
    assert panel.audits_started == started + 2


def test_a_test_run_stored_by_someone_else_is_picked_up(qtbot, dashboard, mission_repo):
    _win, panel = dashboard
    wait_idle(qtbot, panel)
    panel._history_timer.setInterval(50)
    with open_history(mission_repo) as history:
        history.record_test_run(
            selection="all",
            exit_code=0,
            duration=1.0,
            totals={"passed": 6},
            outcomes={f"tests/test_a.py::test_{i}": "passed" for i in range(6)},
            when=at(4),
        )
    qtbot.waitUntil(lambda: panel.curve_data("tests", "passed")[1] == [5, 5, 4, 6], timeout=10_000)


def test_request_merging_rules():
    full = _Request(True, None)
    some = _Request(True, frozenset({"a.py"}))
    history_only = _Request(False, frozenset())
    assert some.merged(None) is some
    merged = some.merged(_Request(True, frozenset({"b.py"})))
    assert merged.audit and merged.paths == {"a.py", "b.py"}
    assert some.merged(full).paths is None and full.merged(history_only).paths is None
    assert history_only.merged(some).audit and history_only.merged(some).paths == {"a.py"}
    assert not history_only.merged(history_only).audit


def test_closing_the_window_stops_the_dashboards_audit(qtbot, mission_repo, monkeypatch):
    """The window's close runs every dock's cleanup(): the dashboard cancels its audit and stops polling."""
    import threading

    from mission_control.services.dashboard import DashboardSource

    started, seen_cancel = threading.Event(), threading.Event()

    def endless_audit(self, plan_text, changed=None, *, audit=True, on_progress=None, cancel=None):
        started.set()
        while not cancel.wait(0.01):
            pass
        seen_cancel.set()
        cancel.raise_if_cancelled()

    monkeypatch.setattr(DashboardSource, "refresh", endless_audit)
    win = create_window(mission_repo)
    qtbot.addWidget(win)
    panel = win.panels["dashboard_panel"]
    qtbot.waitUntil(started.is_set, timeout=10_000)
    job = panel.job
    assert job is not None and job.running and panel._history_timer.isActive()
    assert win.close()
    assert seen_cancel.is_set() and job.wait(0)
    assert not panel._history_timer.isActive()


RELATIVE_PLAN = PLAN.replace("dateFormat YYYY-MM-DD", "dateFormat HH:mm").replace(
    "Consolidate ids :a1, 2024-01-01, 1d", "Consolidate ids :a1, 00:00, 8h\n    Verify the long name :a2, 08:00, 14h"
)


def test_the_axis_spans_the_mission_with_readable_ticks_legends_outside_and_names_whole(qtbot, mission_repo):
    """Issue 17: every point crowded at the left edge with one tick, legends covered the plots and were
    clipped, metric names were cut."""
    from PySide6 import QtCore, QtGui, QtWidgets

    started = datetime.now(UTC) - timedelta(hours=3)
    (mission_repo / "plan.md").write_text(
        RELATIVE_PLAN.replace("- Zero session leakage", "- " + "Zero " * 12 + "leakage")
    )
    (mission_repo / ".mission-control" / "mission.json").write_text(json.dumps({"started": started.isoformat()}))
    with open_history(mission_repo) as history:
        for hours, passed in ((1, 5), (2, 6)):
            history.record_test_run(
                selection="all",
                exit_code=0,
                duration=1.0,
                totals={"passed": passed},
                when=started + timedelta(hours=hours),
                outcomes={f"t{i}": "passed" for i in range(passed)},
            )
    win = create_window(mission_repo)
    qtbot.addWidget(win)
    panel = win.panels["dashboard_panel"]
    win.resize(1300, 1100)
    win.show()
    panel.dock.raise_()
    win.resizeDocks([panel.dock], [640], QtCore.Qt.Orientation.Vertical)  # plots as tall as a lead would make them
    wait_idle(qtbot, panel)
    QtWidgets.QApplication.processEvents()
    end = started + timedelta(hours=22)
    assert panel.snapshot.time_span() == (started, end)
    for name, plot in panel.plots.items():
        (x0, x1), _ = plot.viewRange()
        assert x0 <= started.timestamp() < end.timestamp() <= x1, name  # the whole mission
        assert (x1 - x0) <= 1.1 * (end - started).total_seconds(), name  # and not much more
        axis = plot.getAxis("bottom")
        image = QtGui.QImage(10, 10, QtGui.QImage.Format.Format_ARGB32)
        painter = QtGui.QPainter(image)
        specs = axis.generateDrawSpecs(painter)
        painter.end()
        labels = [(QtCore.QRectF(rect), text) for rect, _flags, text in specs[2]]
        assert len(labels) >= 3, (name, [t for _, t in labels])  # readable ticks, not one
        for (a, _), (b, _) in itertools.pairwise(labels):
            assert not a.intersects(b)
        assert plot.legend is None  # no legend drawn over the curves
        legend = panel.legends[name]
        plot_box = panel.plot_widgets[name].geometry()
        assert legend.isVisible() and legend.geometry().top() >= plot_box.bottom()  # below the plot
    assert "passed" in panel.legends["tests"].text() and "failed" in panel.legends["tests"].text()
    tree = panel.gauges
    metrics = QtGui.QFontMetrics(tree.font())
    long = next(
        tree.topLevelItem(t).child(c)
        for t in range(tree.topLevelItemCount())
        for c in range(tree.topLevelItem(t).childCount())
        if tree.topLevelItem(t).child(c).text(0).startswith("Zero Zero")
    )
    rect = tree.visualItemRect(long)
    width = tree.header().sectionSize(0) - (rect.left() - tree.header().sectionPosition(0)) - 8
    needed = metrics.boundingRect(QtCore.QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, long.text(0))
    assert needed.width() <= width and rect.height() >= needed.height()  # wrapped, whole
    panel.cleanup()
