"""The base of every dock's widget: one lifecycle the main window drives.

A panel only shows and forwards; the work is in ``services`` and the domain packages. The main
window opens projects, watches the repository and closes; each panel hears of it through three
methods, the same in every dock:

- :meth:`DockPanel.set_project` — another project was opened, or the plan changed (edit, undo,
  reload from disk); the project may be None.
- :meth:`DockPanel.refresh` — files in the repository changed (the watcher's change set), or
  the panel should read again what it shows (``change`` None). A change set reaches every dock at
  once: read again only what it can alter (often nothing), after the Dashboard's audit of it
  (``run_in_thread(..., priority=LOW)``).
- :meth:`DockPanel.cleanup` — the window closed (after the lead confirmed): stop timers, cancel
  and wait for background jobs, save caches.

The window is ``self.main_window`` (``QWidget.window()`` keeps its Qt meaning).
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets


class DockPanel(QtWidgets.QWidget):
    """A dock's widget bound to the main window (see the module docstring for the lifecycle)."""

    def __init__(self, main_window: Any = None) -> None:
        super().__init__()
        self.main_window = main_window
        self.dock: QtWidgets.QDockWidget | None = None

    @property
    def project(self) -> Any:
        """The window's open project (None on the welcome screen or without a window)."""
        return getattr(self.main_window, "project", None)

    # the lifecycle: panels override what they need ------------------------------------------------
    def set_project(self, project: Any) -> None:
        """Show ``project`` (newly opened, or its plan changed)."""

    def refresh(self, change: Any = None) -> None:
        """Read again what the panel shows; ``change`` is the watcher's change set when files changed."""

    def cleanup(self) -> None:
        """The window closed: stop timers and background jobs (must be safe to call twice)."""

    # wiring ---------------------------------------------------------------------------------------------
    def dock_into(self, title: str, object_name: str, area: QtCore.Qt.DockWidgetArea) -> QtWidgets.QDockWidget:
        """Add this panel as dock ``object_name`` and connect it to the window's signals."""
        self.dock = self.main_window.add_dock(title, object_name, self, area)
        self.main_window.project_changed.connect(self._on_project_changed)
        self.main_window.repo_changed.connect(self._on_repo_changed)
        return self.dock

    @QtCore.Slot()
    def _on_project_changed(self) -> None:
        self.set_project(self.main_window.project)

    @QtCore.Slot(object)
    def _on_repo_changed(self, change: Any) -> None:
        self.refresh(change)
