"""Help dialogs: keyboard shortcuts and About (with versions)."""

from __future__ import annotations

import platform

from PySide6 import QtCore, QtWidgets

from mission_control import APP_NAME, __version__


class ShortcutsDialog(QtWidgets.QDialog):
    """Every main action and its keys (objectName ``shortcutsDialog``)."""

    def __init__(self, rows: list[tuple[str, str]], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard Shortcuts")
        table = QtWidgets.QTableWidget(len(rows), 2, self)
        table.setHorizontalHeaderLabels(["Action", "Keys"])
        for row, (name, keys) in enumerate(sorted(rows)):
            table.setItem(row, 0, QtWidgets.QTableWidgetItem(name))
            table.setItem(row, 1, QtWidgets.QTableWidgetItem(keys))
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeColumnsToContents()
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table = table
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(520, 520)


class AboutDialog(QtWidgets.QMessageBox):
    """What the app is, with the versions of what it runs on (objectName ``aboutDialog``)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        from importlib.metadata import version

        import pyqtgraph
        import PySide6

        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setText(
            f"<h3>{APP_NAME} {__version__}</h3><p>Plan, schedule and steer a multi-team Python refactoring.</p>"
        )
        self.setInformativeText(
            f"Python {platform.python_version()} · PySide6 {PySide6.__version__} · Qt {QtCore.qVersion()}<br>"
            f"pyqtgraph {pyqtgraph.__version__} · libcst {version('libcst')} · watchdog {version('watchdog')}"
        )
        self.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Close)
