"""The Log dock (objectName ``logPanel``): the running app's log, live, with a level filter.

It reads :func:`mission_control.util.logsetup.ring_buffer` — the records logged before the dock was
built, then each new one as it arrives. Records can come from any thread; a small bridge re-emits
them as a queued Qt signal so the view only changes on the GUI thread. Bursts are batched: new
records are appended at most every 100 ms.
"""

from __future__ import annotations

import logging
import weakref
from html import escape
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.ui.dock_panel import DockPanel
from mission_control.util import logsetup

FILTER_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MAX_LINES = 5000
COLOURS = {
    logging.DEBUG: "#7f8c8d",
    logging.INFO: "",
    logging.WARNING: "#b9770e",
    logging.ERROR: "#c0392b",
    logging.CRITICAL: "#c0392b",
}


class _Bridge(QtCore.QObject):
    """Lives on the GUI thread; ``record_logged`` is emitted from whichever thread logged."""

    record_logged = QtCore.Signal(object)


def _listener_for(bridge: _Bridge):
    """A ring-buffer listener that does not keep the panel alive: once the bridge is gone it raises,
    and the ring buffer drops it."""
    ref = weakref.ref(bridge)

    def listener(record: logging.LogRecord) -> None:
        target = ref()
        if target is None:
            raise RuntimeError("log panel closed")
        target.record_logged.emit(record)

    return listener


class LogPanel(DockPanel):
    """Shows log records at or above the chosen level; Clear empties the view (not the file)."""

    def __init__(self, main_window: Any = None) -> None:
        super().__init__(main_window)
        self.setObjectName("logPanel")
        self.ring = logsetup.ring_buffer()
        self._pending: list[logging.LogRecord] = []
        self._flush_timer = QtCore.QTimer(self, singleShot=True, interval=100)
        self._flush_timer.timeout.connect(self._on_flush_timer)
        self._build()
        self._bridge = _Bridge(self)
        self._bridge.record_logged.connect(self._on_record_logged, QtCore.Qt.ConnectionType.QueuedConnection)
        self._listener = _listener_for(self._bridge)
        self.ring.add_listener(self._listener)
        self.rebuild()

    def _build(self) -> None:
        self.level_box = QtWidgets.QComboBox()
        self.level_box.setObjectName("logLevelFilter")
        self.level_box.addItems([level.title() for level in FILTER_LEVELS])
        self.level_box.setCurrentIndex(FILTER_LEVELS.index("INFO"))
        self.level_box.setToolTip("Show records at this level and above")
        self.level_box.currentIndexChanged.connect(self.rebuild)
        self.find_edit = QtWidgets.QLineEdit()
        self.find_edit.setObjectName("logFilterText")
        self.find_edit.setPlaceholderText("Filter text…")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.textChanged.connect(self.rebuild)
        clear = QtWidgets.QPushButton("Clear")
        clear.setObjectName("logClearButton")
        clear.setToolTip("Empty this view (the log file keeps everything)")
        clear.clicked.connect(self.clear)
        self.path_label = QtWidgets.QLabel()
        self.path_label.setObjectName("logFileLabel")
        self.path_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setStyleSheet("color: palette(placeholder-text);")
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel("Level:"))
        top.addWidget(self.level_box)
        top.addWidget(self.find_edit, 1)
        top.addWidget(clear)
        self.view = QtWidgets.QPlainTextEdit()
        self.view.setObjectName("logView")
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(MAX_LINES)
        self.view.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.path_label)

    @property
    def level(self) -> int:
        """The lowest level shown."""
        return logsetup.level_number(FILTER_LEVELS[self.level_box.currentIndex()])

    def set_level(self, level: str) -> None:
        """Show ``level`` ("DEBUG", "INFO", "WARNING", "ERROR") and above."""
        self.level_box.setCurrentIndex(FILTER_LEVELS.index(level.upper()))

    def accepts(self, record: logging.LogRecord) -> bool:
        """Whether ``record`` passes the level and text filters."""
        if record.levelno < self.level:
            return False
        needle = self.find_edit.text().strip().lower()
        return not needle or needle in logsetup.format_record(record).lower()

    def shown_text(self) -> str:
        """What the view shows now, as plain text."""
        return self.view.toPlainText()

    def cleanup(self) -> None:
        """Stop listening to the log (the window closed)."""
        self.ring.remove_listener(self._listener)
        self._flush_timer.stop()

    def rebuild(self) -> None:
        """Show the kept records again under the current filters."""
        self._pending.clear()
        self.view.clear()
        self._append([r for r in self.ring.records() if self.accepts(r)])
        path = logsetup.log_file_path()
        self.path_label.setText(f"Log file: {path}" if path else "Log file: not written (logging not set up)")

    def clear(self) -> None:
        """Empty the view and the in-memory buffer; the log file is untouched."""
        self.ring.clear()
        self.rebuild()

    def _on_record_logged(self, record: logging.LogRecord) -> None:
        self._pending.append(record)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _on_flush_timer(self) -> None:
        records, self._pending = self._pending, []
        self._append([r for r in records if self.accepts(r)])

    def _append(self, records: list[logging.LogRecord]) -> None:
        if not records:
            return
        scrollbar = self.view.verticalScrollBar()
        at_end = scrollbar.value() >= scrollbar.maximum() - 2
        for record in records:
            self.view.appendHtml(_html(record))
        if at_end:
            scrollbar.setValue(scrollbar.maximum())


def _html(record: logging.LogRecord) -> str:
    text = escape(logsetup.format_record(record)).replace("\n", "<br>")
    colour = COLOURS.get(record.levelno, "")
    weight = "font-weight:600;" if record.levelno >= logging.ERROR else ""
    style = f"color:{colour};{weight}" if colour else weight
    return f"<span style='{style}white-space:pre'>{text}</span>"


def install(window) -> LogPanel:
    """Add the Log dock at the bottom of ``window`` (hidden until View › Log or Ctrl+Shift+L)."""
    panel = LogPanel(window)
    # Not tabified with the other bottom docks: that hides and re-shows them, and the Dashboard
    # starts an audit each time it becomes visible.
    dock = panel.dock_into("Log", "logPanelDock", QtCore.Qt.DockWidgetArea.BottomDockWidgetArea)
    dock.toggleViewAction().setShortcut(QtGui.QKeySequence("Ctrl+Shift+L"))

    def on_toggled(checked: bool) -> None:
        if checked:
            dock.raise_()  # bring its tab forward

    dock.toggleViewAction().triggered.connect(on_toggled)
    window.addAction(dock.toggleViewAction())
    if not window.settings.window_state:
        dock.hide()
    return panel
