"""The welcome screen: no project, no docks and no project actions; they come back with a project."""

from __future__ import annotations

import shutil

from PySide6 import QtWidgets

from mission_control.ui.main_window import MainWindow


def _visible_docks(window) -> set[str]:
    return {d.objectName() for d in window.findChildren(QtWidgets.QDockWidget) if d.isVisible()}


def _project_actions(w) -> tuple:
    names = ("save", "zoom_in", "zoom_out", "zoom_fit", "cascade", "export_gantt", "export_graph", "sync")
    return tuple(getattr(w, f"act_{name}") for name in names)


def test_welcome_hides_docks_and_disables_project_actions_until_a_project_opens(qtbot, tmp_path, sample_plan_path):
    plan = tmp_path / "plan.md"
    shutil.copy(sample_plan_path, plan)
    # a session with a project: the lead closes the Log dock, then quits (the layout is saved)
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    assert first.open_project(None, plan)
    first.findChild(QtWidgets.QDockWidget, "logPanelDock").close()
    assert "testsPanelDock" in _visible_docks(first) and "logPanelDock" not in _visible_docks(first)
    first.close()

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.stack.currentWidget() is window.welcome
    assert _visible_docks(window) == set()
    assert not any(a.isEnabled() for a in _project_actions(window))
    window.close()  # quitting from the welcome screen keeps the project layout

    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.open_project(None, plan)
    QtWidgets.QApplication.processEvents()
    shown = _visible_docks(again)
    assert {"testsPanelDock", "taskDetailsDock", "checklistPanelDock"} <= shown and "logPanelDock" not in shown
    assert [a.text() for a in _project_actions(again)[:-1] if not a.isEnabled()] == []  # Sync waits for a remote
    again.close()
