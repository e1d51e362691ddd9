"""The Runbook dock: the plan's shell commands under their headings, each run only after a click.

Run shows the whole command and asks first (nothing runs without that answer), then runs it
in the repository in a worker with live output; Stop ends its process group (SIGTERM, then
SIGKILL). The result is labelled truthfully: completed, failed, or stopped (only when the Stop
ended it). The exit status
and the output tail go to the sign-off ledger (written by the worker, off the GUI thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.signoff.runbook import RunbookBlock, RunResult, record_run, run_block, runbook_blocks
from mission_control.ui import dialogs
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.workers import Job, run_in_thread
from mission_control.util.progress import CancelToken, ProgressCallback

log = logging.getLogger(__name__)
Button = QtWidgets.QMessageBox.StandardButton
BLOCK_ROLE = QtCore.Qt.ItemDataRole.UserRole
MAX_OUTPUT_LINES = 5000


class RunbookPanel(DockPanel):
    """The runbook dock's widget (objectName ``runbookPanel``).

    Signals:
        run_finished(object): a run ended (its :class:`~mission_control.signoff.runbook.RunResult`), already recorded.
    """

    run_finished = QtCore.Signal(object)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("runbookPanel")
        self.blocks: list[RunbookBlock] = []
        self.job: Job | None = None
        self.running = False
        self.last_result: RunResult | None = None
        self._running: tuple[RunbookBlock, Any] = (RunbookBlock((), "", 0), None)
        self._build()

    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.list = QtWidgets.QTreeWidget()
        self.list.setObjectName("runbookList")
        self.list.setHeaderLabels(["Command", "Last run"])
        self.list.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.list.header().setStretchLastSection(False)
        self.list.header().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.list.currentItemChanged.connect(self._on_current_block_changed)
        split.addWidget(self.list)
        right = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(right)
        box.setContentsMargins(0, 0, 0, 0)
        mono = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        self.command_view = QtWidgets.QPlainTextEdit()
        self.command_view.setObjectName("runbookCommand")
        self.command_view.setReadOnly(True)
        self.command_view.setFont(mono)
        self.command_view.setMaximumHeight(110)
        buttons = QtWidgets.QHBoxLayout()
        self.status_label = QtWidgets.QLabel("")
        self.status_label.setObjectName("runbookStatus")
        self.run_button = QtWidgets.QPushButton("Run…")
        self.run_button.setObjectName("runbookRun")
        self.run_button.setEnabled(False)
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.stop_button.setObjectName("runbookStop")
        self.stop_button.setEnabled(False)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        self.output = QtWidgets.QPlainTextEdit()
        self.output.setObjectName("runbookOutput")
        self.output.setReadOnly(True)
        self.output.setFont(mono)
        self.output.setMaximumBlockCount(MAX_OUTPUT_LINES)
        self.output.setPlaceholderText("Output appears here while a command runs.")
        box.addWidget(self.command_view)
        box.addLayout(buttons)
        box.addWidget(self.output, 1)
        split.addWidget(right)
        split.setStretchFactor(1, 2)
        layout.addWidget(split)

    # listing -----------------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        """List the plan's shell blocks again (keeping the selection by heading)."""
        current = self.selected_block()
        self.blocks = runbook_blocks(project.plan) if project is not None else []
        self.list.clear()
        for block in self.blocks:
            row = QtWidgets.QTreeWidgetItem(self.list, [f"{block.title}\n{block.summary}", ""])
            row.setToolTip(0, f"{' › '.join(block.heading)} (line {block.line})\n\n{block.text}")
            row.setData(0, BLOCK_ROLE, block)
            if current is not None and block.heading == current.heading:
                self.list.setCurrentItem(row)
        first = self.list.topLevelItem(0)
        if self.list.currentItem() is None and first is not None:
            self.list.setCurrentItem(first)
        self._update_buttons()

    def selected_block(self) -> RunbookBlock | None:
        row = self.list.currentItem()
        return row.data(0, BLOCK_ROLE) if row is not None else None

    def select(self, index: int) -> None:
        """Select block ``index`` (list order); an index past the end selects nothing."""
        row = self.list.topLevelItem(index)
        if row is None:
            self.list.setCurrentIndex(QtCore.QModelIndex())
        else:
            self.list.setCurrentItem(row)

    def _on_current_block_changed(self, *_items: Any) -> None:
        self._show_command()

    def _on_run_clicked(self) -> None:
        self.run_selected()

    def _on_stop_clicked(self) -> None:
        self.stop()

    def _show_command(self) -> None:
        block = self.selected_block()
        self.command_view.setPlainText(block.text if block else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.running
        project = self.main_window.project
        self.run_button.setEnabled(
            not running and self.selected_block() is not None and project is not None and project.repo is not None
        )
        self.stop_button.setEnabled(running)

    # running -----------------------------------------------------------------------------------
    def run_selected(self) -> None:
        """Show the command in full, ask, and run it in the repository."""
        block, project = self.selected_block(), self.main_window.project
        if block is None or project is None or project.repo is None or self.running:
            return
        answer = dialogs.ask(
            self,
            "Run this command?",
            f"In {project.repo}:\n\n{block.text}\n\nRun it now?",
            Button.Yes | Button.No,
            Button.No,
            headless_answer=Button.No,
        )
        if answer != Button.Yes:
            return
        repo = project.repo
        self._running = (block, repo)
        self.output.clear()
        self.status_label.setText(f"Running {block.title}…")

        def work(progress: ProgressCallback, event: Callable[[str], None], cancel: CancelToken) -> RunResult:
            result = run_block(repo, block, on_event=event, on_progress=progress, cancel=cancel)
            record_run(repo, block, result)
            return result

        self.job = run_in_thread(
            self,
            work,
            on_event=self.output.appendPlainText,
            on_result=self._finished,
            on_error=self._failed,
            on_end=self._ended,
        )
        self.running = True
        self._update_buttons()

    def _ended(self) -> None:
        self.running = False
        self._update_buttons()

    def stop(self) -> None:
        """Stop the running command (its whole process group)."""
        if self.running and self.job is not None:
            self.status_label.setText("Stopping…")
            self.job.cancel()

    def _finished(self, result: RunResult) -> None:
        self.last_result = result
        colour = "#2e7d32" if result.ok else "#c62828"
        self.status_label.setText(f"<span style='color:{colour}'>{result.summary()}</span> — recorded in the ledger")
        block, repo = self._running
        log.info(
            "runbook: ran %r in %s: %s (recorded in the ledger)", block.summary or block.title, repo, result.summary()
        )
        row = self.list.currentItem()
        if row is not None:
            row.setText(
                1,
                "✓ completed" if result.ok else ("■ stopped" if result.stopped else f"✗ failed ({result.exit_status})"),
            )
        self.run_finished.emit(result)

    def _failed(self, message: str) -> None:
        self.status_label.setText(f"<span style='color:#c62828'>{message}</span>")
        dialogs.inform(self, "Run failed", message, warning=True)

    def cleanup(self) -> None:
        """Stop a running command and wait for it (window closing)."""
        if self.running and self.job is not None:
            self.job.cancel()
            self.job.wait(15_000)


def install(window: Any) -> RunbookPanel:
    """Build the Runbook dock in ``window`` and connect it to the window's signals."""
    panel = RunbookPanel(window)
    panel.dock_into("Runbook", "runbookPanelDock", QtCore.Qt.DockWidgetArea.BottomDockWidgetArea)
    app = QtCore.QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(panel.cleanup)
    return panel
