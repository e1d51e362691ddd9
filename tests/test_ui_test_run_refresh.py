"""A finished test run refreshes what is derived from the test history, without pressing Refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers import git
from PySide6 import QtCore

from mission_control.history import open_history

PLAN = """# Plan

```mermaid
gantt
    dateFormat HH:mm
    section A
    Factory Consolidation :a1, 00:00, 8h
```

## Final Checklist
### Pre-Execution (Hour -1):
- [ ] Tests passing 100%
"""
NODEID = "tests/test_x.py::test_a"


def test_a_finished_run_refreshes_checklist_evidence_and_the_regression_alert(git_repo: Path, qtbot) -> None:
    from mission_control.ui import create_window

    (git_repo / "plan.md").write_text(PLAN)
    (git_repo / "tests").mkdir()
    (git_repo / "tests" / "test_x.py").write_text("def test_a():\n    assert 1 == 2\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "plan and a test")
    with open_history(git_repo) as history:  # the run before: the test passed
        history.record_test_run(
            selection="all",
            exit_code=0,
            duration=0.1,
            totals={"passed": 1},
            outcomes={NODEID: "passed"},
            when=datetime.now(UTC) - timedelta(hours=1),
        )
    win = create_window(git_repo)
    qtbot.addWidget(win)
    tests, checklist, dashboard = (win.panels[n] for n in ("tests_panel", "checklist_panel", "dashboard_panel"))
    tests.workers = None
    dashboard._history_timer.stop()  # the dashboard's poll would hide a missing refresh
    qtbot.waitUntil(
        lambda: not checklist.busy and dashboard.job is None and dashboard.snapshot is not None, timeout=30_000
    )

    def evidence() -> str:
        return next(r for r in checklist._item_rows() if r.text(0) == "Tests passing 100%").text(2)

    def alert_titles() -> list[str]:
        return [dashboard.alerts.topLevelItem(i).text(1) for i in range(dashboard.alerts.topLevelItemCount())]

    assert "1 failed" not in evidence() and "Test regression detected" not in alert_titles()
    with qtbot.waitSignal(tests.run_finished, timeout=60_000):
        qtbot.mouseClick(tests.run_all_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "1 failed" in evidence(), timeout=20_000)
    qtbot.waitUntil(lambda: "Test regression detected" in alert_titles(), timeout=20_000)
    qtbot.waitUntil(lambda: not checklist.busy and dashboard.job is None and tests.job is None, timeout=20_000)
    checklist.cleanup()
    tests.cleanup()
