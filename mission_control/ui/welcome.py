"""The welcome screen (objectName ``welcomeScreen``): open a repository, a plan, the demo, or a recent project."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from mission_control import APP_NAME
from mission_control.services.settings import RecentProject


class WelcomeScreen(QtWidgets.QWidget):
    """Shown when no project is open.

    Signals:
        open_repository_requested(), open_plan_requested(), open_demo_requested()
        recent_requested(str, str): repo and plan of a recent project.
    """

    open_repository_requested = QtCore.Signal()
    open_plan_requested = QtCore.Signal()
    open_demo_requested = QtCore.Signal()
    recent_requested = QtCore.Signal(str, str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeScreen")
        title = QtWidgets.QLabel(f"<h1>{APP_NAME}</h1><p>Open a repository and its execution plan to start.</p>")
        title.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        buttons = QtWidgets.QHBoxLayout()
        for text, name, signal in (
            ("Open repository…", "openRepositoryButton", self.open_repository_requested),
            ("Open plan…", "openPlanButton", self.open_plan_requested),
            ("Open demo", "openDemoButton", self.open_demo_requested),
        ):
            button = QtWidgets.QPushButton(text)
            button.setObjectName(name)
            button.setMinimumSize(160, 40)
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
        self.recent = QtWidgets.QListWidget()
        self.recent.setObjectName("recentProjects")
        self.recent.itemActivated.connect(self._on_recent_activated)
        column = QtWidgets.QVBoxLayout()
        column.addStretch(1)
        column.addWidget(title)
        column.addLayout(buttons)
        column.addSpacing(16)
        column.addWidget(QtWidgets.QLabel("<b>Recent projects</b>"))
        column.addWidget(self.recent)
        column.addStretch(1)
        outer = QtWidgets.QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 2)
        outer.addStretch(1)

    def set_recent(self, recent: list[RecentProject]) -> None:
        self.recent.clear()
        for entry in recent:
            item = QtWidgets.QListWidgetItem(f"{entry.label}    —    {entry.plan}")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, (entry.repo, entry.plan))
            self.recent.addItem(item)

    def _on_recent_activated(self, item: QtWidgets.QListWidgetItem) -> None:
        repo, plan = item.data(QtCore.Qt.ItemDataRole.UserRole)
        self.recent_requested.emit(repo, plan)
