"""The Qt desktop face of Mission Control (PySide6 + pyqtgraph). No domain logic lives here.

For UI automation::

    app = QApplication.instance() or QApplication([])
    window = create_window(repo, plan=None)   # built and shown
    window.project.plan                       # the live plan model
    window.gantt.task_rect("alpha1")          # a bar, in ganttView's widget coordinates
    window.save()
"""

from __future__ import annotations

from pathlib import Path


def create_window(repo: str | Path | None, plan: str | Path | None = None):
    """Build and show the main window for ``repo`` (and ``plan``); a QApplication must exist.

    Raises:
        mission_control.services.project.ProjectError: the repository or plan cannot be opened.
    """
    from mission_control.services.project import Project
    from mission_control.ui.main_window import MainWindow

    window = MainWindow(Project.open(repo, plan))
    window.show()
    return window


__all__ = ["create_window"]
