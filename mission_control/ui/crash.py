"""Unexpected errors: log them, show a crash dialog with a copyable report, keep the app running.

:func:`install_excepthook` replaces ``sys.excepthook`` (PySide6 routes exceptions raised in slots
and event handlers through it) and ``threading.excepthook``. Every unhandled exception is written
to the rotating log file with its traceback; then, unless ``MISSION_CONTROL_NO_DIALOGS=1``, a
:class:`CrashDialog` (objectName ``crashDialog``) says what happened in one line, with the details,
the log file's path and a "Copy report" button. Exceptions from other threads reach the dialog
through a queued signal, so it is always built on the GUI thread. Expected failures (a bad plan
file, a refused rollback) never come here: they are plain messages naming file and line.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from types import TracebackType

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control import APP_NAME, __version__
from mission_control.ui import dialogs
from mission_control.util import logsetup

log = logging.getLogger("mission_control.crash")
RECENT_LOG_LINES = 40


def short_message(exc_type: type[BaseException], exc: BaseException) -> str:
    """One line for the lead: the exception's type and first message line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc_type.__name__}: {text}" if text else exc_type.__name__


def build_report(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, where: str = "") -> str:
    """The text "Copy report" puts on the clipboard: versions, traceback, the log's last lines."""
    from PySide6 import __version__ as pyside_version

    lines = [
        f"{APP_NAME} {__version__} crash report",
        f"Python {platform.python_version()} · PySide6 {pyside_version} · Qt {QtCore.qVersion()} · "
        f"{platform.platform()}",
    ]
    if where:
        lines.append(f"Thread: {where}")
    lines += ["", "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()]
    path = logsetup.log_file_path()
    if path is not None:
        lines += ["", f"Log file: {path}"]
    recent = [
        logsetup.format_record(r) for r in logsetup.ring_buffer().records()[-RECENT_LOG_LINES:] if r.name != log.name
    ]
    if recent:
        lines += ["", "Recent log:", *recent]
    return "\n".join(lines) + "\n"


class CrashDialog(QtWidgets.QDialog):
    """Say that something went wrong, show the details, offer to copy a report.

    The dialog is not modal to the point of blocking: the lead closes it and goes on working.
    """

    def __init__(self, message: str, report: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(f"{APP_NAME}: unexpected error")
        self.report = report
        self.count = 1
        layout = QtWidgets.QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(self._header(message))
        self.details = QtWidgets.QPlainTextEdit(report)
        self.details.setObjectName("crashDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.details, 1)
        layout.addWidget(self._buttons())
        self.resize(760, 520)

    def _header(self, message: str) -> QtWidgets.QHBoxLayout:
        icon = QtWidgets.QLabel()
        icon.setPixmap(self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        icon.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        self.message_label = QtWidgets.QLabel()
        self.message_label.setObjectName("crashMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self._set_message(message)
        header = QtWidgets.QHBoxLayout()
        header.setSpacing(14)
        header.addWidget(icon)
        header.addWidget(self.message_label, 1)
        return header

    def _set_message(self, message: str) -> None:
        path = logsetup.log_file_path()
        where = f"<br>The details are in the log: <code>{_escape(str(path))}</code>" if path else ""
        again = f" (happened {self.count} times)" if getattr(self, "count", 1) > 1 else ""
        self.message_label.setText(
            f"<p><b>Something went wrong{again}.</b></p><p><code>{_escape(message)}</code></p>"
            "<p>The action did not finish, but the app is still running. "
            f"Save your work if you have unsaved edits.{where}</p>"
            "<p>If it happens again, copy the report and attach it to an issue.</p>"
        )
        self.message = message

    def _buttons(self) -> QtWidgets.QDialogButtonBox:
        buttons = QtWidgets.QDialogButtonBox()
        self.copy_button = buttons.addButton("&Copy report", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setObjectName("copyReportButton")
        self.copy_button.clicked.connect(self.copy_report)
        close = buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.setObjectName("closeCrashButton")
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        return buttons

    def copy_report(self) -> None:
        """Put the full report on the clipboard."""
        QtWidgets.QApplication.clipboard().setText(self.report)
        self.copy_button.setText("Copied ✓")

    def add_occurrence(self, message: str, report: str) -> None:
        """Another error while the dialog is open: count it and show the latest."""
        self.count += 1
        self.report = report
        self.details.setPlainText(report)
        self._set_message(message)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CrashHandler(QtCore.QObject):
    """Receives every unhandled exception (any thread); logs it and shows one dialog at a time.

    Signals:
        crashed(str, str): an unhandled exception's short message and report (queued to the GUI thread).
    """

    crashed = QtCore.Signal(str, str)

    def __init__(self, app: QtWidgets.QApplication) -> None:
        super().__init__(app)
        self.dialog: CrashDialog | None = None
        self.previous_hook = sys.excepthook
        self.previous_thread_hook = threading.excepthook
        self.crashed.connect(self._on_crashed, QtCore.Qt.ConnectionType.QueuedConnection)

    def handle(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, where: str = ""
    ) -> None:
        """Log the exception and (unless headless) show it; never raises."""
        if issubclass(exc_type, KeyboardInterrupt):
            QtWidgets.QApplication.quit()
            return
        try:
            log.critical(
                "Unhandled %s%s",
                short_message(exc_type, exc),
                f" in thread {where}" if where else "",
                exc_info=(exc_type, exc, tb),
            )
            if dialogs.headless():
                return
            self.crashed.emit(short_message(exc_type, exc), build_report(exc_type, exc, tb, where))
        except Exception:
            self.previous_hook(exc_type, exc, tb)

    def thread_hook(self, args: threading.ExceptHookArgs) -> None:
        """``threading.excepthook``: the same handling for exceptions in worker threads."""
        if args.exc_type is SystemExit:
            return
        # Python may pass no exception object (only its type): report the type as the exception.
        exc = args.exc_value if args.exc_value is not None else Exception(args.exc_type.__name__)
        self.handle(args.exc_type, exc, args.exc_traceback, args.thread.name if args.thread else "")

    def _on_crashed(self, message: str, report: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_occurrence(message, report)
            return
        self.dialog = CrashDialog(message, report, QtWidgets.QApplication.activeWindow())
        self.dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.destroyed.connect(self._on_dialog_destroyed)
        self.dialog.open()

    def _on_dialog_destroyed(self) -> None:
        self.dialog = None

    def uninstall(self) -> None:
        """Put the previous hooks back (tests)."""
        if sys.excepthook == self.handle:
            sys.excepthook = self.previous_hook
        if threading.excepthook == self.thread_hook:
            threading.excepthook = self.previous_thread_hook


def install_excepthook(app: QtWidgets.QApplication) -> CrashHandler:
    """Route unhandled exceptions (GUI and worker threads) to a :class:`CrashHandler`."""
    if logsetup.log_file_path() is None:
        logsetup.setup_logging()
    handler = CrashHandler(app)
    sys.excepthook = handler.handle
    threading.excepthook = handler.thread_hook
    return handler
