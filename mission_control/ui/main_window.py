"""The main window (objectName ``mainWindow``): Gantt, dependency graph, task details, docks.

The window owns the undo stack and turns what the views report (a finished drag, a click) into
calls on the :class:`~mission_control.services.project.Project`; after each change every view redraws
from the project's one plan, so they never disagree.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from mission_control import APP_NAME
from mission_control.plan import PlanChangedOnDisk, PlanError
from mission_control.services.project import Project
from mission_control.services.settings import Settings, load_settings, save_settings
from mission_control.ui import (
    checklist_panel,
    codemods_panel,
    components_panel,
    conflicts_panel,
    dashboard_panel,
    dialogs,
    log_panel,
    preferences,
    runbook_panel,
    teams_panel,
    tests_panel,
)
from mission_control.ui.commands import RescheduleCommand
from mission_control.ui.details import TaskDetails
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.gantt import GanttView
from mission_control.ui.graph import DependencyGraph
from mission_control.ui.sync_control import SyncControl
from mission_control.ui.task_table import TaskTable
from mission_control.ui.welcome import WelcomeScreen
from mission_control.ui.workers import ensure_gui_garbage_collection

if TYPE_CHECKING:
    from mission_control.ui.watch_bridge import WatchBridge

log = logging.getLogger(__name__)
PREVIEW_MAX_TASKS = 400
# The docks (and the Preferences action), in the order they are installed; each module's install(window)
# builds it and wires it to the window. ``self.panels`` keys them by module name.
PANEL_MODULES = (
    components_panel,
    teams_panel,
    conflicts_panel,  # after teams_panel: it shows the Teams dock's forecasts
    tests_panel,
    codemods_panel,
    checklist_panel,
    runbook_panel,
    dashboard_panel,
    log_panel,
    preferences,
)
Button = QtWidgets.QMessageBox.StandardButton


class MainWindow(QtWidgets.QMainWindow):
    """One project's window.

    Signals:
        project_changed(): the plan changed (an edit, undo/redo, reload).
        selection_changed(str): the selected task changed (empty string: none).
        repo_changed(object): files in the repository changed (a watch ChangeSet).
        tests_finished(object): a test run in the Tests dock ended and wrote the test history (its
            ProjectRun): what is derived from that history (checklist evidence, task states on the
            Gantt, the dashboard's regression alerts) reads it again, without a Refresh.
        audit_recorded(object): the Dashboard audited the code and recorded its metrics in the history
            (its Snapshot): the checklist's evidence reads them again.
        mission_started(object): a dock (the argument) started the mission, recording Hour 0 and the
            baseline: the other docks that show them (Components, Checklist) read them again.
        closing(): the window is closing (after the lead agreed); stop background work.
    """

    project_changed = QtCore.Signal()
    selection_changed = QtCore.Signal(str)
    repo_changed = QtCore.Signal(object)
    tests_finished = QtCore.Signal(object)
    audit_recorded = QtCore.Signal(object)
    mission_started = QtCore.Signal(object)
    closing = QtCore.Signal()

    def __init__(self, project: Project | None = None, settings: Settings | None = None) -> None:
        super().__init__()
        ensure_gui_garbage_collection()  # before any watcher or worker thread exists
        self.setObjectName("mainWindow")
        self.settings = settings or load_settings()
        self.project: Project | None = None
        self.selected: str | None = None
        self.watch: WatchBridge | None = None
        self.undo_stack = QtGui.QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._update_title)
        self._preview_pending: tuple | None = None
        self._welcome_hid: list[QtWidgets.QDockWidget] = []  # docks the welcome screen hid
        self._on_welcome = False
        self._preview_timer = QtCore.QTimer(self, singleShot=True, interval=60)
        self._preview_timer.timeout.connect(self._on_preview_timer)
        # after a plan is shown, when the event loop is idle: what a fast first drop needs
        self._prepare_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._prepare_timer.timeout.connect(self._prepare_edits)
        self._build_views()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_statusbar()
        self.panels: dict[str, object] = {}
        self._install_panels()
        self.sync_control = SyncControl(self)
        self._default_layout()
        self.resize(1400, 860)
        self._restore_layout()
        if project is not None:
            self.set_project(project)
        else:
            self._update_title()
            self._show_welcome_state()

    # construction ----------------------------------------------------------------------
    def _build_views(self) -> None:
        self.gantt = GanttView()
        self.gantt.snap_minutes = self.settings.snap_minutes
        self.gantt.set_label_width(self.settings.gantt_label_width)
        self.task_table = TaskTable()
        self.graph = DependencyGraph()
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.splitter.setObjectName("centralSplitter")
        gantt_box = QtWidgets.QWidget()
        box_layout = QtWidgets.QVBoxLayout(gantt_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(0)
        box_layout.addWidget(self.gantt, 1)
        legend_row = QtWidgets.QHBoxLayout()
        legend_row.setContentsMargins(0, 0, 0, 0)
        legend_row.setSpacing(0)
        self.task_table_button = QtWidgets.QToolButton()  # its action is made with the others
        self.task_table_button.setObjectName("taskTableButton")
        self.task_table_button.setAutoRaise(True)
        legend_row.addWidget(self.task_table_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        legend_row.addWidget(GanttView.make_legend(), 1)
        box_layout.addLayout(legend_row)
        # the task table beside the chart (collapsible: View › Task Table)
        self.gantt_splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.gantt_splitter.setObjectName("ganttSplitter")
        self.gantt_splitter.addWidget(self.task_table)
        self.gantt_splitter.addWidget(gantt_box)
        self.gantt_splitter.setStretchFactor(0, 0)
        self.gantt_splitter.setStretchFactor(1, 1)
        self.gantt_splitter.setSizes([320, 900])
        for side in (0, 1):  # the table collapses by its toggle only (which remembers it)
            self.gantt_splitter.setCollapsible(side, False)
        self.task_table.setMinimumWidth(160)
        self.task_table.setVisible(self.settings.task_table_visible)
        self.splitter.addWidget(self.gantt_splitter)
        self.splitter.addWidget(self.graph)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([560, 300])
        # Small minimums so the window fits a 1366x768 laptop; the stretch factors and the saved layout
        # keep the Gantt the biggest thing on screen.
        self.gantt.setMinimumHeight(200)
        self.graph.setMinimumHeight(140)  # three rows of nodes at the UI font size: never collapsed
        self.welcome = WelcomeScreen()
        self.welcome.open_repository_requested.connect(self.open_repository_dialog)
        self.welcome.open_plan_requested.connect(self.open_plan_dialog)
        self.welcome.open_demo_requested.connect(self.open_demo)
        self.welcome.recent_requested.connect(lambda repo, plan: self.open_project(repo or None, plan or None))
        self.welcome.set_recent(self.settings.recent)
        self.stack = QtWidgets.QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.splitter)
        self.setCentralWidget(self.stack)
        self.details = TaskDetails()
        scroller = QtWidgets.QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroller.setWidget(self.details)
        scroller.setMinimumWidth(300)
        self.details_dock = self.add_dock(
            "Task details", "taskDetailsDock", scroller, QtCore.Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.gantt.task_selected.connect(self.select_task)
        self.graph.task_selected.connect(self.select_task)
        self.gantt.span_change_finished.connect(self._on_span_change_finished)
        self.gantt.span_changing.connect(self._on_span_changing)
        self.gantt.task_nudged.connect(
            lambda key, start, duration: self._on_span_change_finished(key, start, duration, nudge=True)
        )
        self.gantt.label_width_changed.connect(self._remember_label_width)
        self.task_table.task_selected.connect(self.select_task)
        self.task_table.span_edit_requested.connect(self._on_span_change_finished)
        self.task_table.table_model.edit_rejected.connect(self._edit_rejected)

    def _install_panels(self) -> None:
        """Build every dock; a panel that fails to build is a bug and fails the window (and the tests)."""
        for module in PANEL_MODULES:
            self.panels[module.__name__.rsplit(".", 1)[-1]] = module.install(self)

    RIGHT_DOCKS = ("taskDetailsDock", "componentsPanelDock", "teamsPanelDock", "checklistPanelDock")
    BOTTOM_DOCKS = (
        "testsPanelDock",
        "dashboardDock",
        "conflictsPanelDock",
        "codemodsPanelDock",
        "runbookPanelDock",
        "logPanelDock",
    )

    def _default_layout(self) -> None:
        """Docks as tabs (details/components/checklist right, the rest below): the Gantt keeps its room."""
        right = QtCore.Qt.DockWidgetArea.RightDockWidgetArea
        bottom = QtCore.Qt.DockWidgetArea.BottomDockWidgetArea
        for names, area in ((self.RIGHT_DOCKS, right), (self.BOTTOM_DOCKS, bottom)):
            docks = [d for d in (self.findChild(QtWidgets.QDockWidget, n) for n in names) if d is not None]
            hidden = {dock.objectName() for dock in docks if dock.isHidden()}
            for dock in docks:  # out of the side-by-side places add_dock gave them, or Qt leaves a stray tab bar
                self.removeDockWidget(dock)
            for index, dock in enumerate(docks):
                if index == 0:
                    self.addDockWidget(area, dock)
                else:
                    self.tabifyDockWidget(docks[0], dock)
                dock.setHidden(dock.objectName() in hidden)
            if docks:
                docks[0].raise_()
        self._needs_dock_sizes = not self.settings.window_state

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if getattr(self, "_needs_dock_sizes", False):
            self._needs_dock_sizes = False
            QtCore.QTimer.singleShot(0, self._size_docks)

    def _size_docks(self) -> None:
        """First start: the bottom docks take about a quarter of the height, the right ones ~380 px."""
        bottom = [d for d in (self.findChild(QtWidgets.QDockWidget, n) for n in self.BOTTOM_DOCKS) if d is not None]
        if bottom:
            self.resizeDocks(bottom[:1], [max(self.height() // 4, 200)], QtCore.Qt.Orientation.Vertical)
        self.resizeDocks([self.details_dock], [380], QtCore.Qt.Orientation.Horizontal)

    def edit_plan(self, description: str, action) -> None:
        """Run a plan edit (``action() -> list[LineEdit]``) as one undoable step."""
        from mission_control.ui.commands import PlanEditCommand

        if self.project is None:
            return
        self.undo_stack.push(PlanEditCommand(self.project, description, action, self.refresh, self._edit_failed))

    def add_dock(
        self, title: str, name: str, widget: QtWidgets.QWidget, area: QtCore.Qt.DockWidgetArea
    ) -> QtWidgets.QDockWidget:
        """Add a dock (other panels use this too) and list it in the View menu."""
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget if isinstance(widget, QtWidgets.QScrollArea) else _scrolling(widget))
        self.addDockWidget(area, dock)
        if hasattr(self, "view_menu"):
            self.view_menu.addAction(dock.toggleViewAction())
        return dock

    def _action(
        self, text: str, slot, shortcut=None, icon: QtWidgets.QStyle.StandardPixmap | None = None, tip: str = ""
    ) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QtGui.QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        sp = QtWidgets.QStyle.StandardPixmap
        self.act_open_repo = self._action(
            "Open &Repository…", self.open_repository_dialog, QtGui.QKeySequence.StandardKey.Open, sp.SP_DirOpenIcon
        )
        self.act_open_plan = self._action("Open &Plan…", self.open_plan_dialog, "Ctrl+Shift+O", sp.SP_FileIcon)
        self.act_open_demo = self._action("Open &Demo Mission", self.open_demo, "Ctrl+Shift+D", sp.SP_ComputerIcon)
        self.act_save = self._action("&Save", self.save, QtGui.QKeySequence.StandardKey.Save, sp.SP_DialogSaveButton)
        self.act_save_as = self._action("Save &As…", self.save_as_dialog, QtGui.QKeySequence.StandardKey.SaveAs)
        self.act_save_as.setObjectName("saveAsAction")
        self.act_export_gantt = self._action("Export &Gantt Image…", self.export_gantt_dialog, "Ctrl+E")
        self.act_export_graph = self._action(
            "Export Dependency &Graph Image…", self.export_graph_dialog, "Ctrl+Shift+E"
        )
        self.act_quit = self._action("&Quit", self.close, "Ctrl+Q")
        self.act_sync = self._action(
            "S&ync",
            self.sync_now,
            "Ctrl+Shift+Y",  # Ctrl+Shift+S is Save As
            sp.SP_BrowserReload,
            tip="Share sign-offs, the mission clock and team branches through the git remote (Preferences › Sync)",
        )
        self.act_sync.setObjectName("syncAction")
        self.act_sync.setEnabled(False)  # until a repository with the remote is open
        self.act_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(QtGui.QKeySequence("Ctrl+Z"))
        self.act_undo.setIcon(self.style().standardIcon(sp.SP_ArrowBack))
        self.act_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QtGui.QKeySequence("Ctrl+Shift+Z"), QtGui.QKeySequence("Ctrl+Y")])
        self.act_redo.setIcon(self.style().standardIcon(sp.SP_ArrowForward))
        for action in (self.act_undo, self.act_redo):
            self.addAction(action)
        self.act_zoom_in = self._action("Zoom &In", lambda: self.gantt.zoom(0.8), QtGui.QKeySequence.StandardKey.ZoomIn)
        self.act_zoom_out = self._action(
            "Zoom &Out", lambda: self.gantt.zoom(1.25), QtGui.QKeySequence.StandardKey.ZoomOut
        )
        self.act_zoom_fit = self._action("Zoom to &Fit", self.zoom_fit, "Ctrl+0")
        self.act_task_table = self._action("&Task Table", self._task_table_toggled, "Ctrl+T")
        self.act_task_table.setObjectName("taskTableAction")
        self.act_task_table.setCheckable(True)
        self.act_task_table.setChecked(self.settings.task_table_visible)
        self.act_task_table.setToolTip("Show or collapse the task table beside the Gantt (Ctrl+T)")
        self.act_task_table.setIconText("◧ Table")  # what the button beside the legend says
        self.task_table_button.setDefaultAction(self.act_task_table)
        self.act_cascade = self._action(
            "&Cascade",
            self._cascade_toggled,
            "Ctrl+Shift+C",
            tip="When a task moves, move its dependents the least needed",
        )
        self.act_cascade.setCheckable(True)
        self.act_cascade.setChecked(self.settings.cascade)
        self.act_shortcuts = self._action("&Keyboard Shortcuts", self.show_shortcuts, "F1")
        self.act_about = self._action("&About Mission Control", self.show_about, "Ctrl+F1")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (self.act_open_repo, self.act_open_plan, self.act_open_demo):
            file_menu.addAction(action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._on_recent_menu_about_to_show)
        file_menu.addSeparator()
        file_menu.addAction(self.act_save)
        file_menu.addAction(self.act_save_as)
        file_menu.addAction(self.act_export_gantt)
        file_menu.addAction(self.act_export_graph)
        file_menu.addSeparator()
        file_menu.addAction(self.act_sync)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.act_undo)
        edit_menu.addAction(self.act_redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.act_cascade)
        self.view_menu = bar.addMenu("&View")
        for action in (self.act_zoom_in, self.act_zoom_out, self.act_zoom_fit):
            self.view_menu.addAction(action)
        self.view_menu.addAction(self.act_task_table)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.details_dock.toggleViewAction())
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction(self.act_shortcuts)
        self.help_menu.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QtCore.QSize(18, 18))
        for action in (
            self.act_open_repo,
            self.act_save,
            None,
        ):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        # Undo/Redo: fixed text, so "Undo Move Supervisor Refactoring" never widens the button and
        # shifts the toolbar; what would be undone is in the tooltip (the Edit menu still says it).
        self.undo_button = _FixedTextButton(self.act_undo, "Undo", "undoButton")
        self.redo_button = _FixedTextButton(self.act_redo, "Redo", "redoButton")
        toolbar.addWidget(self.undo_button)
        toolbar.addWidget(self.redo_button)
        for action in (
            None,
            self.act_zoom_in,
            self.act_zoom_out,
            self.act_zoom_fit,
            None,
            self.act_cascade,
            self.act_export_gantt,
            None,
            self.act_sync,
        ):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        sync_button = toolbar.widgetForAction(self.act_sync)
        if sync_button is not None:
            sync_button.setObjectName("syncButton")
        cascade_button = toolbar.widgetForAction(self.act_cascade)
        if cascade_button is not None:
            cascade_button.setObjectName("cascadeButton")
            # the checked state must read at a glance (filled blue, a border, bold) without changing the width
            cascade_button.setStyleSheet(
                "QToolButton:checked { background: #cfe0fb; border: 1px solid #2f6fd6; border-radius: 3px;"
                " color: #123d7a; }"
            )
        self.act_cascade.toggled.connect(self._show_cascade_state)
        self._show_cascade_state(self.act_cascade.isChecked())
        self.toolbar = toolbar

    def _build_statusbar(self) -> None:
        status = self.statusBar()
        self.plan_label = QtWidgets.QLabel("")
        self.plan_label.setObjectName("planLabel")
        self.conflict_label = QtWidgets.QLabel("")
        self.conflict_label.setObjectName("conflictLabel")
        self.watch_label = QtWidgets.QLabel("")
        self.watch_label.setObjectName("watchLabel")
        self.sync_label = QtWidgets.QLabel("no remote")
        self.sync_label.setObjectName("syncStatus")
        status.addPermanentWidget(self.sync_label)
        status.addPermanentWidget(self.conflict_label)
        status.addPermanentWidget(self.watch_label)
        status.addPermanentWidget(self.plan_label)

    def _project_actions(self) -> tuple[QtGui.QAction, ...]:
        """What needs an open project: disabled on the welcome screen (Sync: SyncControl decides)."""
        return (
            self.act_save,
            self.act_save_as,
            self.act_zoom_in,
            self.act_zoom_out,
            self.act_zoom_fit,
            self.act_cascade,
            self.act_export_gantt,
            self.act_export_graph,
        )

    def _docks(self) -> list[QtWidgets.QDockWidget]:
        return [d for d in self.findChildren(QtWidgets.QDockWidget) if d.parent() is self]

    def _show_welcome_state(self) -> None:
        """No project: only the welcome screen; the docks are hidden and project actions disabled."""
        for action in self._project_actions():
            action.setEnabled(False)
        self.act_sync.setEnabled(False)
        self._on_welcome = True
        for dock in self._docks():
            dock.toggleViewAction().setEnabled(False)
            if not dock.isHidden():
                self._welcome_hid.append(dock)
                dock.hide()

    def _show_project_state(self) -> None:
        """A project is open: actions back, and (coming from the welcome screen) the docks in the saved layout."""
        for action in self._project_actions():
            action.setEnabled(True)
        if not self._on_welcome:
            return
        self._on_welcome = False
        for dock in self._docks():
            dock.toggleViewAction().setEnabled(True)
        for dock in self._welcome_hid:
            dock.show()
        self._welcome_hid = []
        self._restore_layout()

    def _restore_layout(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QtCore.QByteArray.fromBase64(self.settings.window_geometry.encode()))
        if self.settings.window_state:
            self.restoreState(QtCore.QByteArray.fromBase64(self.settings.window_state.encode()))

    # project ---------------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """Show ``project`` in this window (the undo history starts afresh)."""
        self.project = project
        self._show_project_state()
        self.stack.setCurrentWidget(self.splitter)
        self.undo_stack.clear()
        self.selected = None
        self.gantt._fitted = False
        self.graph.auto_fit = True
        self.refresh()
        self.settings.add_recent(project.repo, project.plan_file.path)
        save_settings(self.settings)
        path = project.plan_file.path
        self.plan_label.setText(f"Plan: {path}" if path else "")
        self._start_watching()
        for problem in project.plan.errors:
            self.statusBar().showMessage(str(problem), 10000)

    # watching ----------------------------------------------------------------------------
    def _start_watching(self) -> None:
        from mission_control.ui.watch_bridge import WatchBridge

        self._stop_watching()
        if self.project is None or self.project.repo is None:
            self.watch_label.setText("Not watching (no repository)")
            return
        self.watch = WatchBridge(self.project.repo, self.project.plan_file.path, self)
        self.watch.changed.connect(self._on_watch_changed)
        mode = self.watch.start()
        self.watch_label.setText(self.watch.status if mode in ("native", "polling") else mode)

    def _stop_watching(self) -> None:
        if self.watch is not None:
            self.watch.stop()
            self.watch.deleteLater()
            self.watch = None

    def _on_watch_changed(self, change) -> None:
        """React to a coalesced burst of file changes: reload the plan, tell the panels."""
        if self.project is None:
            return
        if change.notice:
            self.watch_label.setText(self.watch.status if self.watch else change.notice)
            self.statusBar().showMessage(change.notice, 10000)
        if change.repo_deleted:
            dialogs.inform(
                self, "Repository gone", f"{self.project.repo} no longer exists; the plan stays open.", warning=True
            )
        if change.plan_deleted:
            self.statusBar().showMessage(
                f"The plan file {self.project.plan_file.path} was deleted on disk; Save writes it again.", 15000
            )
        elif change.plan_changed and self.project.plan_file.document.changed_on_disk():
            self._plan_changed_on_disk()
        problem = self.project.reload_config(change)
        if problem:
            self.statusBar().showMessage(problem, 15000)
        self.repo_changed.emit(change)

    def _plan_changed_on_disk(self) -> None:
        """The plan was edited elsewhere: reload, asking first if that would drop the lead's edits."""
        if self.project is None:
            return
        if self.project.modified:
            answer = dialogs.ask(
                self,
                "Plan changed on disk",
                "The plan file was changed outside Mission Control, and you have unsaved edits.\n\n"
                "Reload it and discard your edits? (No keeps your version; saving then offers to merge both.)",
                Button.Yes | Button.No,
                Button.No,
            )
            if answer != Button.Yes:
                self.statusBar().showMessage("Plan changed on disk; your unsaved edits are kept.", 10000)
                return
        try:
            self.project.reload()
        except PlanError as exc:
            dialogs.inform(self, "Cannot reload plan", str(exc), warning=True)
            return
        self.undo_stack.clear()
        self.refresh()
        self.statusBar().showMessage("Plan reloaded: it changed on disk.", 8000)

    def refresh(self) -> None:
        """Redraw every view from the project's current plan."""
        if self.project is None:
            return
        plan, analysis = self.project.plan, self.project.analysis
        self.gantt.set_plan(plan, analysis)
        self.task_table.set_plan(plan, analysis, [k for k in self.gantt.row_keys if k is not None])
        self.graph.set_plan(plan, analysis)
        self.graph.select(self.selected)
        self.gantt.select(self.selected)
        self.task_table.select(self.selected)
        self.details.show_task(plan, analysis, self.selected)
        count = len(analysis.conflicts)
        self.conflict_label.setText(
            f"<span style='color:#d7263d'>⚠ {count} conflict{'s' * (count != 1)}</span>" if count else "No conflicts"
        )
        self.conflict_label.setToolTip("\n".join(c.message for c in analysis.conflicts))
        self._update_title()
        self.project_changed.emit()
        self._prepare_timer.start()

    def _prepare_edits(self) -> None:
        if self.project is not None:
            self.project.prepare_edits()

    def _update_title(self, *_) -> None:
        if self.project is None:
            self.setWindowTitle(APP_NAME)
            return
        file_name = self.project.plan_file.path.name if self.project.plan_file.path else "plan"
        self.setWindowTitle(f"{self.project.name} — {file_name}[*] — {APP_NAME}")
        self.setWindowModified(self.project.modified)
        self.act_save.setEnabled(True)

    def select_task(self, key: str | None) -> None:
        """Select ``key`` in every view."""
        self.selected = key or None
        self.gantt.select(self.selected)
        self.task_table.select(self.selected)
        if self.selected:
            self.gantt.scroll_to(self.selected)
        self.graph.select(self.selected)
        if self.project is not None:
            self.details.show_task(self.project.plan, self.project.analysis, self.selected)
        self.selection_changed.emit(self.selected or "")

    # editing ---------------------------------------------------------------------------
    @property
    def cascade(self) -> bool:
        return self.act_cascade.isChecked()

    def _show_cascade_state(self, checked: bool) -> None:
        self.act_cascade.setToolTip(
            ("Cascade is ON" if checked else "Cascade is off")
            + ": when a task moves, move its dependents the least needed (Ctrl+Shift+C)"
        )

    def _cascade_toggled(self) -> None:
        self.settings.cascade = self.cascade
        save_settings(self.settings)

    def _on_span_change_finished(self, key: str, start: datetime, duration: timedelta, nudge: bool = False) -> None:
        self._preview_timer.stop()
        self._preview_pending = None
        if self.project is None:
            return
        task = self.project.plan.find_task(key)
        if task is None:
            return
        command = RescheduleCommand(
            self.project,
            key,
            start if start != task.start else None,
            duration if duration != task.duration else None,
            self.cascade,
            self.refresh,
            self._edit_failed,
            nudge=nudge,
        )
        self.undo_stack.push(command)  # its redo refreshes every view (a failed edit too: the bar goes back)

    def _edit_rejected(self, message: str) -> None:
        """A task-table cell got text that is no start or duration: say why; the plan is unchanged."""
        self.statusBar().showMessage(message, 12000)
        dialogs.inform(self, "Cannot change the task", message, warning=True)

    def _task_table_toggled(self) -> None:
        shown = self.act_task_table.isChecked()
        self.task_table.setVisible(shown)
        self.settings.task_table_visible = shown
        save_settings(self.settings)

    def _remember_label_width(self, width: int) -> None:
        self.settings.gantt_label_width = width
        save_settings(self.settings)

    def _edit_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 12000)
        dialogs.inform(self, "Cannot reschedule", message, warning=True)

    def _on_span_changing(self, key: str, start: datetime, duration: timedelta) -> None:
        if self.project is None or len(self.project.plan.tasks) > PREVIEW_MAX_TASKS:
            return
        self._preview_pending = (key, start, duration)
        if not self._preview_timer.isActive():
            self._preview_timer.start()

    def _on_preview_timer(self) -> None:
        if self._preview_pending is None or self.project is None:
            return
        key, start, duration = self._preview_pending
        preview = self.project.preview(key, start=start, duration=duration, cascade=self.cascade)
        if preview.error is None:
            self.gantt.show_preview(preview.plan, preview.analysis, key)
        else:
            self.statusBar().showMessage(preview.error, 4000)

    # files -----------------------------------------------------------------------------
    def save(self) -> bool:
        """Save the plan (only changed lines differ); ask if the file changed on disk."""
        if self.project is None:
            return False
        try:
            self.project.save()
        except PlanChangedOnDisk:
            return self._save_over_disk_change()
        except PlanError as exc:
            dialogs.inform(self, "Cannot save", str(exc), warning=True)
            return False
        self._saved()
        return True

    def _saved(self, what: str = "Saved") -> None:
        if self.project is None:
            return
        self.undo_stack.setClean()
        self._update_title()
        log.info("plan %s: %s", what.lower(), self.project.plan_file.path)
        self.statusBar().showMessage(f"{what} {self.project.plan_file.path}", 5000)

    def _save_over_disk_change(self) -> bool:
        """Saving found the plan changed on disk: Merge when the edits touch different lines, else
        Compare / Reload / Overwrite / Save As (:mod:`mission_control.ui.disk_change`)."""
        from mission_control.ui import disk_change

        if self.project is None or self.project.plan_file.path is None:
            return False
        try:
            merge = self.project.merge_with_disk()
            choice = disk_change.ask(self, self.project.plan_file.path, merge)
            if choice == "merge":
                self.project.save_merged(merge)
                self.undo_stack.clear()  # the line numbers the undo steps hold may have moved
                self.refresh()
                self._saved("Merged and saved")
                return True
            if choice == "overwrite":
                self.project.save(force=True)
                self._saved("Overwrote")
                return True
        except PlanError as exc:  # PlanChangedOnDisk too: it changed again meanwhile
            dialogs.inform(self, "Cannot save", str(exc), warning=True)
            return False
        if choice == "reload":
            return self._reload_from_disk()
        if choice == "save_as":
            return self.save_as()
        return False

    def _reload_from_disk(self) -> bool:
        if self.project is None:
            return False
        try:
            self.project.reload()
        except PlanError as exc:
            dialogs.inform(self, "Cannot reload plan", str(exc), warning=True)
            return False
        self.undo_stack.clear()
        self.refresh()
        log.info("plan reloaded from disk, unsaved edits dropped: %s", self.project.plan_file.path)
        self.statusBar().showMessage("Plan reloaded from disk; your unsaved edits were dropped.", 8000)
        return True

    def save_as_dialog(self) -> bool:
        """File › Save As… (Ctrl+Shift+S): ask for the file."""
        return self.save_as()

    def save_as(self, path: str | Path | None = None) -> bool:
        """File › Save As…: write the plan to another file (asked for when not given) and go on editing it."""
        if self.project is None:
            return False
        if path is None:
            current = self.project.plan_file.path
            chosen, _ = QtWidgets.QFileDialog.getSaveFileName(
                self, "Save plan as", str(current or "plan.md"), "Markdown (*.md *.markdown);;All files (*)"
            )
            if not chosen:
                return False
            path = chosen
        try:
            self.project.save_as(Path(path))
        except PlanError as exc:
            dialogs.inform(self, "Cannot save", str(exc), warning=True)
            return False
        self._saved("Saved as")
        new = self.project.plan_file.path
        self.plan_label.setText(f"Plan: {new}")
        self.settings.add_recent(self.project.repo, new)
        save_settings(self.settings)
        self._start_watching()  # the new file is the one to watch
        return True

    def open_project(self, repo: str | Path | None, plan: str | Path | None = None) -> bool:
        """Open another project in this window (asking first about unsaved edits)."""
        from mission_control.services.project import ProjectError

        if not self.maybe_save():
            return False
        try:
            project = Project.open(repo, plan)
        except ProjectError as exc:
            dialogs.inform(self, "Cannot open project", str(exc), warning=True)
            return False
        self.set_project(project)
        return True

    def open_repository_dialog(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Open repository")
        if folder:
            self.open_project(folder)

    def open_plan_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open plan", "", "Markdown (*.md *.markdown);;All files (*)"
        )
        if path:
            self.open_project(None, path)

    def open_demo(self) -> None:
        from mission_control.services.demo import DemoError, create_demo

        try:
            path = create_demo()
        except DemoError as exc:
            dialogs.inform(self, "Cannot create the demo mission", str(exc), warning=True)
            return
        self.open_project(path)

    def _on_recent_menu_about_to_show(self) -> None:
        self.recent_menu.clear()
        for entry in self.settings.recent:
            action = self.recent_menu.addAction(entry.label)
            action.setToolTip(entry.plan)
            action.triggered.connect(lambda _=False, e=entry: self.open_project(e.repo or None, e.plan or None))
        if not self.settings.recent:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def maybe_save(self) -> bool:
        """Ask about unsaved edits; False if the lead cancelled."""
        if self.project is None or not self.project.modified:
            return True
        answer = dialogs.ask(
            self,
            "Unsaved changes",
            f"Save your changes to {self.project.plan_file.path.name if self.project.plan_file.path else 'the plan'}?",
            Button.Save | Button.Discard | Button.Cancel,
            Button.Save,
            headless_answer=Button.Discard,
        )
        if answer == Button.Save:
            return self.save()
        return answer == Button.Discard

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self._stop_watching()
        self.closing.emit()
        for name, panel in self.panels.items():
            if isinstance(panel, DockPanel):
                try:
                    panel.cleanup()  # stop and wait for the panel's background jobs
                except Exception:  # one panel's failure must not keep the others' threads running
                    log.exception("panel %s: cleanup failed", name)
        self.settings.window_geometry = self.saveGeometry().toBase64().toStdString()
        if self.project is not None:  # on the welcome screen the docks are hidden: keep the project layout
            self.settings.window_state = self.saveState().toBase64().toStdString()
        save_settings(self.settings)
        event.accept()

    def sync_now(self) -> None:
        """File › Sync (the toolbar's Sync): share the mission through the remote, in a worker."""
        self.sync_control.sync_now()

    # views -----------------------------------------------------------------------------
    def zoom_fit(self) -> None:
        self.gantt.zoom_fit()
        self.graph.fit()

    def export_gantt(self, path: str | Path) -> Path:
        """Write the Gantt as PNG or SVG (by extension)."""
        from mission_control.ui.export import export_widget

        return export_widget(self.gantt, Path(path))

    def export_graph(self, path: str | Path) -> Path:
        """Write the dependency graph as PNG or SVG (by extension)."""
        from mission_control.ui.export import export_scene

        return export_scene(self.graph.scene(), Path(path))

    def export_gantt_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export Gantt", "gantt.png", "PNG image (*.png);;SVG image (*.svg)"
        )
        if path:
            self.export_gantt(path)

    def export_graph_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export dependency graph", "dependencies.png", "PNG image (*.png);;SVG image (*.svg)"
        )
        if path:
            self.export_graph(path)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every action with a shortcut, as (action, keys) — for Help › Keyboard Shortcuts."""
        rows = []
        for action in self.actions():
            keys = ", ".join(s.toString(QtGui.QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())
            if keys:
                rows.append((action.text().replace("&", ""), keys))
        rows += [
            ("Nudge selected task", "Left / Right"),
            ("Move without snapping", "Alt + drag"),
            ("Cancel a drag", "Esc or right-click"),
            ("Scroll the Gantt's rows", "Shift + wheel"),
            ("Widen the Gantt's lane names", "drag the name column's edge"),
            ("Edit a start or duration in the task table", "F2 or double-click"),
            ("Zoom the dependency graph", "Wheel, + / − (graph focused)"),
            ("Fit the dependency graph", "0 or Home (graph focused)"),
        ]
        return rows

    def show_shortcuts(self) -> None:
        from mission_control.ui.help import ShortcutsDialog

        ShortcutsDialog(self.shortcut_rows(), self).open()

    def show_about(self) -> None:
        from mission_control.ui.help import AboutDialog

        AboutDialog(self).open()


class _FixedTextButton(QtWidgets.QToolButton):
    """A toolbar button for ``action`` with fixed ``text``; the action's own (changing) text is the tooltip."""

    def __init__(self, action: QtGui.QAction, text: str, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._action = action
        self.setText(text)
        self.setIcon(action.icon())
        self.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAutoRaise(True)
        self.clicked.connect(action.trigger)
        action.changed.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        if not shiboken6.isValid(self._action) or not shiboken6.isValid(self):
            return  # the window is being torn down
        self.setEnabled(self._action.isEnabled())
        keys = self._action.shortcut().toString(QtGui.QKeySequence.SequenceFormat.NativeText)
        self.setToolTip(self._action.text().replace("&", "") + (f" ({keys})" if keys else ""))


def _scrolling(widget: QtWidgets.QWidget) -> QtWidgets.QScrollArea:
    """``widget`` in a frameless scroll area: a dock can then be smaller than its content's minimum
    (on a laptop screen the content scrolls instead of pushing the window past the screen)."""
    area = QtWidgets.QScrollArea()
    area.setObjectName(f"{widget.objectName() or 'dock'}Scroller")
    area.setWidgetResizable(True)
    area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    area.setWidget(widget)
    area.setMinimumSize(200, 100)
    return area
