"""Every dock is a DockPanel with one lifecycle, installed by a plain import: a broken one fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import git

from mission_control.ui import components_panel, create_window
from mission_control.ui.dock_panel import DockPanel

PLAN = """# Plan

```mermaid
gantt
    dateFormat HH:mm
    section A
    Factory :a1, 00:00, 8h
```

## Rollback Strategy:
```bash
echo rollback
```
"""
DOCKS = {
    "components_panel": "componentsPanelDock",
    "tests_panel": "testsPanelDock",
    "codemods_panel": "codemodsPanelDock",
    "checklist_panel": "checklistPanelDock",
    "runbook_panel": "runbookPanelDock",
    "dashboard_panel": "dashboardDock",
    "log_panel": "logPanelDock",
}


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "plan.md").write_text(PLAN)
    git(git_repo, "add", "plan.md")
    git(git_repo, "commit", "-q", "-m", "plan")
    return git_repo


def test_every_dock_is_a_dock_panel_bound_to_the_window(qtbot, repo: Path) -> None:
    win = create_window(repo)
    qtbot.addWidget(win)
    try:
        for name, dock_name in DOCKS.items():
            panel = win.panels[name]
            assert isinstance(panel, DockPanel), name
            assert panel.main_window is win and panel.project is win.project, name
            assert panel.dock is not None and panel.dock.objectName() == dock_name, name
            assert panel.window() is win, name  # QWidget.window() is no longer shadowed
    finally:
        win.close()


def test_the_runbook_follows_the_plan_through_set_project(qtbot, repo: Path) -> None:
    win = create_window(repo)
    qtbot.addWidget(win)
    panel = win.panels["runbook_panel"]
    try:
        assert [b.text.strip() for b in panel.blocks] == ["echo rollback"]
        panel.set_project(None)
        assert panel.blocks == [] and panel.list.topLevelItemCount() == 0
        panel.set_project(win.project)
        assert panel.list.topLevelItemCount() == 1
    finally:
        win.close()


def test_a_panel_that_fails_to_install_fails_the_window(qtbot, repo: Path, monkeypatch) -> None:
    def broken(_window):
        raise RuntimeError("components dock is broken")

    monkeypatch.setattr(components_panel, "install", broken)  # the first: no other dock has started work
    with pytest.raises(RuntimeError, match="components dock is broken"):
        create_window(repo)
