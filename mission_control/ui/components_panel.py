"""The Components dock (``componentsPanel``): what changed since the baseline, one-click rollback, Undo.

One row per component: its status (clean / N files changed / rolled back / no paths), its plan
tasks, lines +/- and a Roll back button. A click asks the core for the rollback plan (in a
worker), shows it in :class:`~mission_control.ui.components_dialogs.RollbackConfirmDialog`, and
on confirmation rolls back in a worker; a non-modal bar (and a status-bar button) then offers
Undo. Task bars of components with changes get a Gantt marker. The baseline is shown in the
status bar (``baselineLabel``), with "Start mission" when none is configured or recorded.

Status is read in a worker on project open and on every watched change; refreshes never
overlap (a burst while one runs schedules exactly one more) and never run during a rollback.
All repository work goes through :mod:`mission_control.repo`; nothing here touches git itself. The
texts, markers and worker calls are in :mod:`mission_control.ui.components_model`; this module is the view.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.repo.baseline import Baseline
from mission_control.repo.rollback import RollbackPlan, RollbackResult
from mission_control.repo.snapshots import RestoreResult
from mission_control.repo.status import ComponentStatus, RepoStatus
from mission_control.services.components_config import ComponentConfigError, add_component_paths
from mission_control.services.status_cache import StatusCache
from mission_control.ui import dialogs
from mission_control.ui.components_dialogs import AddPathsDialog, RollbackConfirmDialog
from mission_control.ui.components_model import (
    STATE_STYLE,
    Problem,
    WorkOf,
    baseline_html,
    escape,
    files_tip,
    lines_text,
    marker_text,
    notes_html,
    plan_work,
    rollback_work,
    start_work,
    state_text,
    status_work,
    task_markers,
    undo_work,
)
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.workers import LOW, NORMAL, Job, run_in_thread
from mission_control.util.progress import Progress

log = logging.getLogger(__name__)

__all__ = ["MARKER_SOURCE", "ComponentsPanel", "confirm_rollback", "install", "marker_text", "task_markers"]

MARKER_SOURCE = "components"
COLUMNS = ("Component", "Status", "Tasks", "Lines", "")


def confirm_rollback(
    parent: QtWidgets.QWidget, plan: RollbackPlan, on_confirm: Callable[[], None]
) -> RollbackConfirmDialog:
    """Open the confirmation for ``plan``; ``on_confirm()`` runs if the lead confirms.

    Module-level so tests (and scripted runs) can replace it; the real dialog is window-modal
    but opened without a nested event loop.
    """
    dialog = RollbackConfirmDialog(plan, parent)
    dialog.accepted.connect(on_confirm)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


class ComponentsPanel(DockPanel):
    """The dock's widget; see the module docstring.

    Signals:
        status_refreshed(object): a new :class:`RepoStatus` is shown.
        action_finished(str): a rollback, undo or start-mission ended (``"rollback"``, ``"undo"``,
            ``"start"``), whatever the outcome.
    """

    status_refreshed = QtCore.Signal(object)
    action_finished = QtCore.Signal(str)

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("componentsPanel")
        self.status: RepoStatus | None = None
        self.last_result: RollbackResult | RestoreResult | None = None
        self.last_problem: str | None = None
        self._project: Any = None
        self._repo: Path | None = None
        self._status_cache: StatusCache | None = None
        self._refresh_job: Job | None = None
        self._refresh_again = False
        self._action_job: Job | None = None
        self._action = ""
        self._undo_snapshot: str | None = None
        self._marked: set[str] = set()
        self.baseline_label: QtWidgets.QLabel | None = None
        self.status_undo: QtWidgets.QPushButton | None = None
        self._build()
        self._show_empty("Open a repository to see its components.")

    # construction ------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(self._build_header())
        self.notes = QtWidgets.QLabel()
        self.notes.setObjectName("componentsNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.notes.setStyleSheet(
            "QLabel { background: #fff8e1; border: 1px solid #f0d890; border-radius: 4px;"
            " padding: 6px; color: #5d4300; }"
        )
        layout.addWidget(self.notes)
        layout.addWidget(self._build_undo_bar())
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("componentsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QtWidgets.QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(False)
        self.table.setColumnWidth(4, 156)
        self.table.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.table.cellDoubleClicked.connect(self._on_row_double_clicked)
        self.table.setMinimumHeight(190)
        self.table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.table, 1)
        self.setMinimumWidth(460)

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(540, 380)

    def _build_header(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.baseline_text = QtWidgets.QLabel()
        self.baseline_text.setObjectName("componentsBaseline")
        self.baseline_text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QtWidgets.QLabel()
        self.busy.setObjectName("componentsBusy")
        self.busy.setStyleSheet("color: #666;")
        self.start_button = _button(
            "Start mission", "startMissionButton", "Record the current commit (HEAD) as the mission's baseline"
        )
        self.start_button.clicked.connect(self.start_mission)
        self.full_button = _button(
            "Full rollback…",
            "fullRollbackButton",
            "Return the whole tree to the baseline (Mission Control's own files are kept)",
        )
        self.full_button.clicked.connect(self.full_rollback)
        self.refresh_button = QtWidgets.QToolButton()
        self.refresh_button.setObjectName("refreshComponentsButton")
        self.refresh_button.setIcon(self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_BrowserReload))
        self.refresh_button.setToolTip("Check the components again")
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        row.addWidget(self.baseline_text)
        row.addStretch(1)
        row.addWidget(self.busy)
        for widget in (self.start_button, self.full_button, self.refresh_button):
            row.addWidget(widget)
        return row

    def _build_undo_bar(self) -> QtWidgets.QFrame:
        self.undo_bar = QtWidgets.QFrame()
        self.undo_bar.setObjectName("rollbackUndoBar")
        self.undo_bar.setStyleSheet(
            "#rollbackUndoBar { background: #e3f2fd; border: 1px solid #90caf9; border-radius: 4px; }"
        )
        bar = QtWidgets.QHBoxLayout(self.undo_bar)
        bar.setContentsMargins(8, 4, 4, 4)
        self.undo_label = QtWidgets.QLabel()
        self.undo_label.setObjectName("rollbackUndoMessage")
        self.undo_label.setWordWrap(True)
        self.undo_button = _button("Undo", "undoRollbackButton", "Put the files back as they were before the rollback")
        self.undo_button.clicked.connect(self.undo_last)
        close = QtWidgets.QToolButton()
        close.setObjectName("dismissUndoBarButton")
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Hide this message (Undo rollback stays in the status bar)")
        close.clicked.connect(self.undo_bar.hide)
        bar.addWidget(self.undo_label, 1)
        bar.addWidget(self.undo_button)
        bar.addWidget(close)
        self.undo_bar.hide()
        return self.undo_bar

    def install_status_widgets(self, status_bar: QtWidgets.QStatusBar) -> None:
        """Add the permanent baseline label and the (usually hidden) Undo rollback button."""
        self.baseline_label = QtWidgets.QLabel("Baseline: —")
        self.baseline_label.setObjectName("baselineLabel")
        self.status_undo = QtWidgets.QPushButton("Undo rollback")
        self.status_undo.setObjectName("statusUndoRollbackButton")
        self.status_undo.setFlat(True)
        self.status_undo.setStyleSheet("QPushButton { color: #1565c0; text-decoration: underline; padding: 0 6px; }")
        self.status_undo.clicked.connect(self.undo_last)
        self.status_undo.hide()
        status_bar.addPermanentWidget(self.status_undo)
        status_bar.addPermanentWidget(self.baseline_label)

    # project and refresh -------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        """A new project: start over; the same project edited: re-place the markers."""
        if project is self._project:
            self._apply_markers()
            return
        self._project = project
        self._repo = project.repo if project is not None else None
        self._status_cache = _status_cache_of(project)
        self.status = None
        self._hide_undo()
        self._clear_markers()
        if self._repo is None:
            self._show_empty("This plan is not in a git repository: components and rollback need one.")
            return
        self._show_empty("Checking the components…")
        self.request_refresh()

    def refresh(self, change: Any = None) -> None:
        """Files changed: read again what the change set can alter of the status (often nothing at all)."""
        if change is None:
            self.request_refresh()
        elif self._status_cache is not None and self._status_cache.note_change(change):
            self._read_status(priority=LOW)  # after the Dashboard's audit of the same change

    def _on_refresh_clicked(self) -> None:
        self.request_refresh()

    def request_refresh(self) -> None:
        """Read the whole status again (an action ended, the config was edited, the lead asked)."""
        if self._status_cache is not None:
            self._status_cache.invalidate()
        self._read_status()

    def _read_status(self, priority: str = NORMAL) -> None:
        """Read the status in a worker; coalesced so that at most one runs at a time."""
        if self._repo is None or self._status_cache is None:
            return
        if self._refresh_job is not None or self._action_job is not None:
            self._refresh_again = True
            return
        self._refresh_again = False
        self._set_busy("checking…")
        self._refresh_job = run_in_thread(
            self,
            status_work(self._status_cache),
            on_result=self._status_arrived,
            on_error=self._refresh_failed,
            on_end=self._refresh_ended,
            priority=priority,
        )

    def _refresh_ended(self) -> None:
        self._refresh_job = None
        self._set_busy("")
        if self._refresh_again:
            self._read_status()

    def _refresh_failed(self, message: str) -> None:
        self._show_problem(f"Cannot read the components: {message}")

    def _status_arrived(self, result: RepoStatus | Problem) -> None:
        if isinstance(result, Problem):
            self._show_problem(result.message)
            return
        if self._repo is None or Path(result.root).resolve() != self._repo.resolve():
            return  # a stale answer for a project that was replaced meanwhile
        self.status = result
        self._show_baseline(result)
        self._fill_table(result)
        self._show_notes(result)
        self._apply_markers()
        self._update_enabled()
        self.status_refreshed.emit(result)

    # showing ----------------------------------------------------------------------------------
    def _show_empty(self, text: str) -> None:
        self.table.setRowCount(0)
        self.notes.setText(escape(text))
        self.notes.show()
        self.baseline_text.setText("")
        self._set_baseline_label("Baseline: —", "")
        self.start_button.hide()
        self._update_enabled()

    def _show_problem(self, message: str) -> None:
        self.last_problem = message
        self.table.setRowCount(0)
        self.status = None
        self.notes.setText(f"<b>⚠</b> {escape(message)}")
        self.notes.show()
        self._clear_markers()
        self._update_enabled()

    def _show_baseline(self, status: RepoStatus) -> None:
        base = status.baseline
        self.baseline_text.setText(baseline_html(base))
        tip = base.problem or f"{base.ref} → {base.commit}"
        self._set_baseline_label(f"Baseline: {base.label}", tip)
        self.start_button.setVisible(base.source == "none")

    def _set_baseline_label(self, text: str, tip: str) -> None:
        if self.baseline_label is not None:
            self.baseline_label.setText(text)
            self.baseline_label.setToolTip(tip)

    def _show_notes(self, status: RepoStatus) -> None:
        notes = notes_html(status)
        self.notes.setText("<br>".join(notes) if len(notes) < 2 else "<br>".join(f"• {n}" for n in notes))
        self.notes.setVisible(bool(notes))
        self.notes.setToolTip("\n".join(f.path for f in status.unassigned[:40]))

    def _fill_table(self, status: RepoStatus) -> None:
        self.table.setRowCount(len(status.components))
        for row, comp in enumerate(status.components.values()):
            self._fill_row(row, comp)

    def _fill_row(self, row: int, comp: ComponentStatus) -> None:
        symbol, colour = STATE_STYLE.get(comp.state, ("", "#000000"))
        name = _item(comp.name, bold=True)
        state = _item(f"{symbol} {state_text(comp)}", colour)
        state.setToolTip(files_tip(comp))
        tasks = _item(", ".join(comp.tasks) or "—")
        tasks.setToolTip(self._task_names(comp.tasks))
        lines = _item(lines_text(comp))
        for column, item in enumerate((name, state, tasks, lines)):
            self.table.setItem(row, column, item)
        self.table.setCellWidget(row, 4, self._row_buttons(comp))

    def _row_buttons(self, comp: ComponentStatus) -> QtWidgets.QWidget:
        box = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(box)
        row.setContentsMargins(4, 1, 4, 1)
        row.setSpacing(4)
        if comp.has_paths:
            roll = _button("Roll back", f"rollbackButton_{comp.name}", f"Return {comp.name}'s files to the baseline")
            roll.setEnabled(comp.state == "changed" and self._action_job is None)
            roll.setVisible(comp.state == "changed")
            roll.clicked.connect(lambda _=False, n=comp.name: self.roll_back(n))
            row.addWidget(roll)
        else:
            add = _button("Add paths…", f"addPathsButton_{comp.name}", f"Say which files make up {comp.name}")
            add.clicked.connect(lambda _=False, n=comp.name: self.add_paths(n))
            row.addWidget(add)
        if comp.last_rollback:
            undo = _button("Undo", f"undoButton_{comp.name}", f"Undo the rollback {comp.last_rollback}")
            undo.setEnabled(self._action_job is None)
            undo.clicked.connect(lambda _=False, s=comp.last_rollback: self.undo(s))
            row.addWidget(undo)
        row.addStretch(1)
        return box

    def _task_names(self, ids: tuple[str, ...]) -> str:
        project = self._project
        if project is None:
            return ""
        names = {t.id or t.key: t.name for t in project.plan.tasks}
        return "\n".join(f"{i}: {names.get(i, '(not in the plan)')}" for i in ids)

    def _on_row_double_clicked(self, row: int, _column: int) -> None:
        if self.status is None or self._project is None:
            return
        comp = list(self.status.components.values())[row]
        keys = {t.id or t.key: t.key for t in self._project.plan.tasks}
        for task_id in comp.tasks:
            if task_id in keys:
                self.main_window.select_task(keys[task_id])
                return

    # markers -----------------------------------------------------------------------------------
    def _apply_markers(self) -> None:
        if self.status is None or self._project is None:
            self._clear_markers()
            return
        wanted = task_markers(self.status, list(self._project.plan.tasks))
        for key in self._marked - set(wanted):
            self.main_window.gantt.set_marker(key, MARKER_SOURCE, None)
        for key, text in wanted.items():
            self.main_window.gantt.set_marker(key, MARKER_SOURCE, text)
        self._marked = set(wanted)

    def _clear_markers(self) -> None:
        for key in self._marked:
            self.main_window.gantt.set_marker(key, MARKER_SOURCE, None)
        self._marked = set()

    # actions -----------------------------------------------------------------------------------
    def roll_back(self, component: str) -> None:
        """Ask the core what rolling back ``component`` does, then confirm (the row's button)."""
        self._prepare(component)

    def full_rollback(self) -> None:
        """Ask what a full rollback does, then confirm (the "Full rollback…" button)."""
        self._prepare(None)

    def _prepare(self, component: str | None) -> None:
        if self._repo is None or self._action_job is not None:
            return
        self._start_action("preview", plan_work(self._repo, component), self._plan_ready, "preparing the rollback…")

    def _plan_ready(self, plan: RollbackPlan | Problem) -> None:
        if isinstance(plan, Problem):
            self._refused("Cannot roll back", plan.message)
            return
        if not plan.files:
            dialogs.inform(self, "Nothing to roll back", f"{plan.target.capitalize()} already matches the baseline.")
            return
        self.confirm_dialog = confirm_rollback(self.main_window, plan, functools.partial(self._confirmed, plan))

    def _confirmed(self, plan: RollbackPlan) -> None:
        if self._repo is None:
            return  # the repository was closed while the dialog was open
        if self._action_job is not None:
            QtCore.QTimer.singleShot(50, functools.partial(self._confirmed, plan))
            return
        self._start_action(
            "rollback", rollback_work(self._repo, plan.component), self._rolled_back, f"rolling back {plan.target}…"
        )

    def _rolled_back(self, result: RollbackResult | Problem) -> None:
        if isinstance(result, Problem):
            self._refused("Rollback refused", result.message)
            return
        self.last_result = result
        self._undo_snapshot = result.snapshot.id
        plan = result.plan
        text = f"Rolled back {plan.target}: {plan.diffstat}. The changes are in the working tree, not committed."
        self.undo_label.setText(text)
        log.info("rollback in %s: %s (snapshot %s)", self._repo, text, result.snapshot.id)
        self.undo_bar.show()
        if self.status_undo is not None:
            self.status_undo.show()
        self.main_window.statusBar().showMessage(f"{text} Undo puts them back.", 15000)

    def undo_last(self) -> None:
        """Undo the rollback this panel did last (the Undo bar and status-bar button)."""
        if self._undo_snapshot:
            self.undo(self._undo_snapshot)

    def undo(self, snapshot: str | None = None) -> None:
        """Restore the state before the rollback ``snapshot`` (default: the latest not undone)."""
        if self._repo is None or self._action_job is not None:
            return
        self._start_action("undo", undo_work(self._repo, snapshot), self._undone, "undoing the rollback…")

    def _undone(self, result: RestoreResult | Problem) -> None:
        if isinstance(result, Problem):
            self._refused("Cannot undo the rollback", result.message)
            return
        self.last_result = result
        self._hide_undo()
        count = len(result.written) + len(result.removed)
        log.info("rollback undone in %s: %d files restored (snapshot %s)", self._repo, count, result.snapshot.id)
        self.main_window.statusBar().showMessage(
            f"Undo: {count} file{'s' * (count != 1)} back as before the rollback ({result.snapshot.id}).", 10000
        )

    def start_mission(self) -> None:
        """Record HEAD as the baseline (shared with the checklist's Start mission: one ref)."""
        if self._repo is None or self._action_job is not None:
            return
        self._start_action("start", start_work(self._repo), self._started, "recording the baseline…")

    def _started(self, result: Baseline | Problem) -> None:
        if isinstance(result, Problem):
            self._refused("Cannot start the mission", result.message)
            return
        self.main_window.statusBar().showMessage(f"Mission started: the baseline is {result.label}.", 10000)
        self.main_window.mission_started.emit(self)  # the Checklist shows Hour 0

    @QtCore.Slot(object)
    def _on_mission_started(self, source: Any) -> None:
        """Another dock started the mission: read the status (its new baseline) again."""
        if source is not self:
            self.request_refresh()

    def add_paths(self, component: str) -> None:
        """Ask for a plan-only component's globs and write them to the configuration."""
        if self._repo is None:
            return
        dialog = AddPathsDialog(component, self._config_name(), self.main_window)
        dialog.accepted.connect(lambda: self._paths_entered(component, *dialog.values()))
        dialog.finished.connect(dialog.deleteLater)
        self.paths_dialog = dialog
        dialog.open()

    def _config_name(self) -> str:
        project = self._project
        source = getattr(getattr(project, "config", None), "source", None)
        return Path(source).name if source else "mission-control.toml"

    def _paths_entered(self, component: str, globs: list[str], tasks: list[str]) -> None:
        if self._repo is None:
            return  # the repository was closed while the dialog was open
        try:
            path = add_component_paths(self._repo, component, globs, tasks)
        except ComponentConfigError as exc:
            self._refused("Cannot add the paths", str(exc))
            return
        self.main_window.statusBar().showMessage(f"Component {component}: paths written to {path}.", 10000)
        self.request_refresh()

    # background plumbing -------------------------------------------------------------------------
    def _start_action(self, name: str, work: WorkOf[Any], on_result: Callable[[Any], None], busy: str) -> None:
        self._action = name
        self._set_busy(busy)
        self._action_job = run_in_thread(
            self,
            work,
            on_result=on_result,
            on_error=self._action_failed,
            on_progress=self._action_progressed,
            on_end=self._action_ended,
        )
        self._update_enabled()

    def _action_progressed(self, progress: Progress) -> None:
        self._set_busy(progress.message)

    def _action_failed(self, message: str) -> None:
        self._refused("Something went wrong", message)

    def _action_ended(self) -> None:
        name, self._action, self._action_job = self._action, "", None
        self._set_busy("")
        self._update_enabled()
        if name != "preview":
            self.request_refresh()
        self.action_finished.emit(name)

    def _refused(self, title: str, message: str) -> None:
        self.last_problem = message
        self.main_window.statusBar().showMessage(message, 15000)
        dialogs.inform(self, title, message, warning=True)

    def _set_busy(self, text: str) -> None:
        self.busy.setText(text)

    def _update_enabled(self) -> None:
        idle = self._action_job is None
        has_base = self.status is not None and self.status.baseline.commit is not None
        self.full_button.setEnabled(idle and has_base)
        self.start_button.setEnabled(idle)
        self.undo_button.setEnabled(idle)
        if self.status_undo is not None:
            self.status_undo.setEnabled(idle)
        for button in self.table.findChildren(QtWidgets.QPushButton):
            name = button.objectName()
            if name.startswith("rollbackButton_"):
                comp = self.status.components.get(name.split("_", 1)[1]) if self.status else None
                button.setEnabled(idle and comp is not None and comp.state == "changed")
            elif name.startswith("undoButton_"):
                button.setEnabled(idle)

    def _hide_undo(self) -> None:
        self._undo_snapshot = None
        self.undo_bar.hide()
        if self.status_undo is not None:
            self.status_undo.hide()

    @property
    def busy_now(self) -> bool:
        """Whether a refresh or an action is running (tests wait on this)."""
        return self._refresh_job is not None or self._action_job is not None or self._refresh_again

    def cleanup(self) -> None:
        """Stop the refresh and wait for every background job (the window is closing).

        A running rollback or undo is never cancelled half way: it is waited for.
        """
        self._refresh_again = False
        for job in (self._refresh_job, self._action_job):
            if job is None:
                continue
            try:
                if job is self._refresh_job:
                    job.cancel()
                job.wait(60_000)
            except RuntimeError:  # the job already ended and was deleted
                pass


# small widgets -----------------------------------------------------------------------------------
def _button(text: str, name: str, tip: str) -> QtWidgets.QPushButton:
    button = QtWidgets.QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setAutoDefault(False)
    return button


def _item(text: str, colour: str | None = None, bold: bool = False) -> QtWidgets.QTableWidgetItem:
    item = QtWidgets.QTableWidgetItem(text)
    if colour:
        item.setForeground(QtGui.QColor(colour))
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


def install(window: Any) -> ComponentsPanel:
    """Build the Components dock in ``window`` and wire it to the window's signals."""
    panel = ComponentsPanel(window)
    panel.install_status_widgets(window.statusBar())
    dock = panel.dock_into("Components", "componentsPanelDock", QtCore.Qt.DockWidgetArea.RightDockWidgetArea)
    window.mission_started.connect(panel._on_mission_started)
    window.resizeDocks([dock], [380], QtCore.Qt.Orientation.Vertical)
    window.resizeDocks([dock], [540], QtCore.Qt.Orientation.Horizontal)
    return panel


def _status_cache_of(project: Any) -> StatusCache | None:
    """The project's shared status cache (a project without one, in tests, gets its own)."""
    if project is None or project.repo is None:
        return None
    cache = getattr(project, "status_cache", None)
    return cache if isinstance(cache, StatusCache) else StatusCache(project.repo)
