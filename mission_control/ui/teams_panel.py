"""The Teams dock (``teamsPanel``): the plan's teams as git branches and worktrees, live.

One row per team in the table ``teamsTable``: state (coloured), current task, commits, files
changed, ahead/behind the integration branch, uncommitted files, the last test run, branch and
worktree. **Finding a team's row:** the item in column 0 of each row holds the team's name in
``data(Qt.UserRole)``; :meth:`TeamsPanel.row_of` returns the row of a name and
:meth:`TeamsPanel.row_texts` its cells (``{"state": …, "commits": …}``). The selected row is the
team the buttons act on (:meth:`TeamsPanel.select_team`).

Actions: Launch (``launchTeamsButton``, after a confirmation: it creates branches and folders),
Run (``runTeamButton``: the team's command for its current task; a blocked task shows the refusal
and offers "Run anyway"), Stop (``stopTeamButton``: cancels the run, which ends its process
group), Open folder (``openTeamFolderButton``), Run tests (``runTeamTestsButton``: the project's
tests in the team's worktree, the summary in the row) and Remove (``removeTeamButton``, after a
confirmation; a refusal lists what would be lost). Their output streams into ``teamsOutput``.
Integration: the "Order" column is the team's place in the proposed integration order (the reason
as its tooltip). Integrate (``integrateTeamButton``) merges the selected team into the integration
branch in a throwaway worktree, tests the merged tree and moves the branch if green
(:func:`mission_control.services.teams.integrate`); "Integrate all in order"
(``integrateAllButton``) does every team in the proposed order, speculatively
(:func:`~mission_control.services.teams.integrate_queue`); "Undo integration"
(``undoIntegrationButton``) undoes the latest one. Each asks first, runs in a worker with its
progress in ``integrationProgress`` and a Cancel (``cancelIntegrationButton``), and ends with
:attr:`TeamsPanel.integration_finished`. An ejected team's state cell, tooltip and details say why.
The test runner used on the merged tree is :data:`integration_tests` (None: the project's real
suite; tests put a fake there).

The dialogs are module-level functions (:func:`confirm_launch`, :func:`confirm_remove`,
:func:`offer_run_anyway`, :func:`confirm_integrate`, :func:`confirm_undo`, :func:`open_folder`) that
tests replace.

Live refresh: a timer polls a cheap signature of the teams' git state
(:func:`mission_control.services.teams.change_stamp`: the branch heads and each worktree's index
and HEAD times) in a worker; when it changes, and every :data:`FULL_EVERY` polls anyway (edits not
yet staged, idle time), the status is read again, also in a worker. Reads never overlap (a request
while one runs schedules exactly one more) and no git call runs on the GUI thread. Each new status
also goes to the Gantt (:meth:`~mission_control.ui.gantt.GanttView.set_team_tracking`).

The conflict forecast and the proposed order are computed in a worker when a status arrives whose
team or integration branch heads differ from the last forecast's (coalesced like the reads); each
result fills the Order column, links the conflicting tasks on the Gantt
(:meth:`~mission_control.ui.gantt.GanttView.set_team_conflicts`) and goes to the Conflicts dock
through :attr:`TeamsPanel.forecast_refreshed`.
"""

from __future__ import annotations

import contextlib
import functools
import html
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.config import ConfigError
from mission_control.services import teams as flows
from mission_control.signoff import MissionError, read_mission, to_plan_time
from mission_control.signoff.mission import Mission
from mission_control.teams.forecast import ForecastError
from mission_control.teams.integrate import INTEGRATED as INTEGRATED_OUTCOME
from mission_control.teams.integrate import IntegrationResult, TestRunner
from mission_control.teams.launch import LaunchResult
from mission_control.teams.model import TeamError
from mission_control.teams.progress import MissionEnd, TaskProgress
from mission_control.teams.runner import TeamRun
from mission_control.teams.tracking import (
    BLOCKED,
    EJECTED,
    IDLE,
    INTEGRATED,
    NOT_LAUNCHED,
    READY,
    WORKING,
    Commit,
    MissionTeams,
    TeamStatus,
)
from mission_control.testing import run_project_tests
from mission_control.testing.results import summary_line
from mission_control.ui import dialogs
from mission_control.ui.conflicts_panel import ForecastView, conflict_links
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.gantt import TaskTrack
from mission_control.ui.workers import Job, Work, run_in_thread
from mission_control.util.git import RepoError
from mission_control.util.progress import CancelToken, Progress

log = logging.getLogger(__name__)

__all__ = [
    "COLUMNS",
    "TeamsPanel",
    "confirm_integrate",
    "confirm_launch",
    "confirm_remove",
    "confirm_undo",
    "install",
    "offer_run_anyway",
    "open_folder",
]

POLL_MS = 3000  # how often the teams' git signature is checked
FULL_EVERY = 10  # every this many polls the status is read in full anyway
OUTPUT_LINES = 5000
COLUMNS = (
    "Team",
    "Order",
    "State",
    "Task",
    "Commits",
    "Files",
    "Ahead/behind",
    "Uncommitted",
    "Tests",
    "Branch",
    "Worktree",
)
COLUMN = {name: index for index, name in enumerate(COLUMNS)}
#: What the header shows where the title is long (the dock is narrow); the title is its tooltip.
HEADERS = {"Ahead/behind": "↑↓", "Uncommitted": "Dirty"}
#: State -> (symbol, text colour, cell background).
STATE_STYLE = {
    NOT_LAUNCHED: ("○", "#5c6773", "#eef1f4"),
    WORKING: ("●", "#1565c0", "#e3f2fd"),
    IDLE: ("◐", "#8d6e00", "#fff8e1"),
    BLOCKED: ("✗", "#b5179e", "#fce4f4"),
    READY: ("✓", "#2e7d32", "#e8f5e9"),
    INTEGRATED: ("✔", "#1b5e20", "#c8e6c9"),
    EJECTED: ("⏏", "#b71c1c", "#ffebee"),
}
_FORCE_HINT = "; run it anyway with --force"
#: The tests run on a merged tree before the integration branch moves (None: the project's suite).
integration_tests: TestRunner | None = None


# dialogs: module-level so tests (and scripted runs) replace them -------------------------------------
def confirm_launch(parent: QtWidgets.QWidget, text: str, on_confirm: Callable[[], None]) -> QtWidgets.QMessageBox:
    """Ask before launching (it creates branches and folders); ``on_confirm()`` runs on Launch."""
    return _confirm(parent, "Launch the teams?", text, "Launch", "confirmLaunchDialog", on_confirm)


def confirm_remove(parent: QtWidgets.QWidget, text: str, on_confirm: Callable[[], None]) -> QtWidgets.QMessageBox:
    """Ask before removing a team's worktree; ``on_confirm()`` runs on Remove."""
    return _confirm(parent, "Remove the worktree?", text, "Remove", "confirmRemoveDialog", on_confirm)


def offer_run_anyway(parent: QtWidgets.QWidget, text: str, on_confirm: Callable[[], None]) -> QtWidgets.QMessageBox:
    """Show why a run was refused (a blocked task); ``on_confirm()`` runs on "Run anyway"."""
    return _confirm(parent, "The task is blocked", text, "Run anyway", "runAnywayDialog", on_confirm)


def confirm_integrate(parent: QtWidgets.QWidget, text: str, on_confirm: Callable[[], None]) -> QtWidgets.QMessageBox:
    """Ask before integrating (it moves the integration branch when the tests pass)."""
    return _confirm(parent, "Integrate?", text, "Integrate", "confirmIntegrateDialog", on_confirm)


def confirm_undo(parent: QtWidgets.QWidget, text: str, on_confirm: Callable[[], None]) -> QtWidgets.QMessageBox:
    """Ask before undoing the latest integration."""
    return _confirm(parent, "Undo the integration?", text, "Undo", "confirmUndoIntegrationDialog", on_confirm)


def open_folder(path: Path) -> bool:
    """Open ``path`` in the desktop's file manager."""
    return QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(path)))


def _confirm(
    parent: QtWidgets.QWidget, title: str, text: str, action: str, name: str, on_confirm: Callable[[], None]
) -> QtWidgets.QMessageBox:
    """A window-modal question opened without a nested event loop."""
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Question, title, text, parent=parent)
    box.setObjectName(name)
    yes = box.addButton(action, QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.finished.connect(lambda _result: on_confirm() if box.clickedButton() is yes else None)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


# what the workers return ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """An expected refusal from a worker (shown to the lead, never logged as an error)."""

    message: str

    @property
    def blocked(self) -> bool:
        return _FORCE_HINT in self.message

    @property
    def text(self) -> str:
        return self.message.replace(_FORCE_HINT, "")


@dataclass(frozen=True)
class Snapshot:
    """The teams as read in one go: status, the mission's start and the signature it was read at."""

    mission: MissionTeams
    started: Mission | None
    stamp: tuple[str, ...]
    progress: dict[str, TaskProgress] = field(default_factory=dict)
    end: MissionEnd | None = None


_EXPECTED = (TeamError, RepoError, ConfigError, OSError)


def _snapshot_work(project: Any) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            context = flows.context_of(project)
            stamp = flows.change_stamp(context)  # first: a change while reading is seen by the next poll
            mission = flows.overview(context)
        except _EXPECTED as exc:
            return Problem(str(exc))
        try:
            started = read_mission(context.git.root)
        except MissionError:
            started = None
        per_task, end = flows.progress(context, mission)
        return Snapshot(mission, started, stamp, per_task, end)

    return work


def _stamp_work(project: Any) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            return flows.change_stamp(flows.context_of(project))
        except _EXPECTED as exc:
            return Problem(str(exc))

    return work


def _launch_work(project: Any) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            context = flows.context_of(project)
            return flows.launch(context, on_output=lambda team, line: event((team, line)), cancel=cancel)
        except _EXPECTED as exc:
            return Problem(str(exc))

    return work


def _run_work(project: Any, name: str, force: bool) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            context = flows.context_of(project)
            return flows.run(context, name, force=force, on_line=lambda line: event((name, line)), cancel=cancel)
        except _EXPECTED as exc:
            return Problem(str(exc))

    return work


def _tests_work(worktree: Path) -> Work:
    """Run the team's tests in its worktree, recorded there (as `test --team` does): "ready" reads it."""

    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        run = run_project_tests(worktree, store=True, on_progress=progress, cancel=cancel)
        result = run.result
        if result.message and not result.totals:
            return f"✗ {result.message}"
        return f"{'✓' if result.ok else '✗'} {summary_line(result)}"

    return work


def _remove_work(project: Any, name: str) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            return flows.remove(flows.context_of(project), name)
        except _EXPECTED as exc:
            return Problem(str(exc))

    return work


def _forecast_work(project: Any, mission: MissionTeams, refs: str) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            context = flows.context_of(project)
            result, order = flows.forecast_with_order(context, mission)
        except (*_EXPECTED, ForecastError) as exc:
            return Problem(str(exc))
        teams = tuple(t.name for t in mission.teams if t.launched and t.branch_head)
        links = conflict_links(mission, result)
        return ForecastView(result, order, teams, mission.integration_head is not None, links, refs)

    return work


def _integrate_work(project: Any, name: str) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            context = flows.context_of(project)
            return [flows.integrate(context, name, tests=integration_tests, on_progress=progress, cancel=cancel)]
        except _EXPECTED as exc:
            return Problem(str(exc))

    return work


def _queue_work(project: Any) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            context = flows.context_of(project)
            _forecast, order = flows.forecast_with_order(context)
            event(("queue", f"order: {', '.join(order.order)}"))
            return flows.integrate_queue(
                context, list(order.order), tests=integration_tests, on_progress=progress, cancel=cancel
            )
        except (*_EXPECTED, ForecastError) as exc:
            return Problem(str(exc))

    return work


def _undo_work(project: Any) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            return flows.undo_integration(flows.context_of(project))
        except _EXPECTED as exc:
            return Problem(str(exc))

    return work


# the panel -----------------------------------------------------------------------------------------
class TeamsPanel(DockPanel):
    """The dock's widget; see the module docstring.

    Signals:
        teams_refreshed(object): a new :class:`Snapshot` is shown (rows and Gantt).
        action_finished(str): a launch or remove ended (``"launch"``, ``"remove"``), whatever the outcome.
        run_finished(str): a team's run ended (the team's name), whatever the outcome.
        tests_finished(str): a team's test run ended (the team's name).
        forecast_refreshed(object): a new :class:`~mission_control.ui.conflicts_panel.ForecastView`
            (or a text saying why there is none).
        integration_finished(str): an integration ended (``"integrate"``, ``"queue"``, ``"undo"``),
            whatever the outcome.
    """

    teams_refreshed = QtCore.Signal(object)
    action_finished = QtCore.Signal(str)
    run_finished = QtCore.Signal(str)
    tests_finished = QtCore.Signal(str)
    forecast_refreshed = QtCore.Signal(object)
    integration_finished = QtCore.Signal(str)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("teamsPanel")
        self.snapshot: Snapshot | None = None
        self.last_problem: str | None = None
        self.test_summaries: dict[str, str] = {}
        self.last_runs: dict[str, TeamRun] = {}
        self._project: Any = None
        self._refresh_job: Job | None = None
        self._refresh_again = False
        self._poll_job: Job | None = None
        self._polls = 0
        self._action_job: Job | None = None
        self._runs: dict[str, Job] = {}
        self._tests: dict[str, Job] = {}
        self._tracked: bool = False
        self._end_label: QtWidgets.QLabel | None = None
        self.forecast: ForecastView | None = None
        self._forecast_job: Job | None = None
        self._forecast_again = False
        self._integration_job: Job | None = None
        self.last_integration: list[IntegrationResult] = []
        self._build()
        self.poll_timer = QtCore.QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self._on_poll_timer)
        self._show_message("Open a repository to see its teams.")

    # construction ----------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        header = QtWidgets.QHBoxLayout()
        self.summary = QtWidgets.QLabel()
        self.summary.setObjectName("teamsSummary")
        self.summary.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.busy = QtWidgets.QLabel()
        self.busy.setObjectName("teamsBusy")
        self.busy.setStyleSheet("color: #666;")
        self.refresh_button = QtWidgets.QToolButton()
        self.refresh_button.setObjectName("refreshTeamsButton")
        self.refresh_button.setIcon(self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_BrowserReload))
        self.refresh_button.setToolTip("Read the teams' branches and worktrees again (this also happens by itself)")
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        header.addWidget(self.summary, 1)
        header.addWidget(self.busy)
        header.addWidget(self.refresh_button)
        layout.addLayout(header)
        self.message = QtWidgets.QLabel()
        self.message.setObjectName("teamsMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(
            "QLabel { background: #fff8e1; border: 1px solid #f0d890; border-radius: 4px; padding: 6px; color: #5d4300; }"
        )
        layout.addWidget(self.message)
        layout.addLayout(self._build_buttons())
        layout.addWidget(self._build_integration_bar())
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("teamsTable")
        self.table.setHorizontalHeaderLabels([HEADERS.get(title, title) for title in COLUMNS])
        for column, title in enumerate(COLUMNS):
            header_item = self.table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(
                    {
                        "Ahead/behind": "commits ahead of (↑) and behind (↓) the integration branch",
                        "Uncommitted": "files changed in the worktree and not committed",
                    }.get(title, title)
                )
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(QtCore.Qt.TextElideMode.ElideMiddle)
        header_view = self.table.horizontalHeader()
        header_view.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header_view.setStretchLastSection(True)
        self.table.setMinimumHeight(120)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.table.cellDoubleClicked.connect(self._on_row_double_clicked)
        self.details = QtWidgets.QLabel()
        self.details.setObjectName("teamDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.output = QtWidgets.QPlainTextEdit()
        self.output.setObjectName("teamsOutput")
        self.output.setReadOnly(True)
        self.output.setMaximumBlockCount(OUTPUT_LINES)
        self.output.setPlaceholderText("Output of launch, runs and tests appears here.")
        self.output.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        self.output.setFont(font)
        self.output.setMinimumHeight(80)
        lower = QtWidgets.QWidget()
        lower_layout = QtWidgets.QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.details)
        lower_layout.addWidget(self.output, 1)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.setObjectName("teamsSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        self.setMinimumWidth(360)

    def _build_buttons(self) -> QtWidgets.QGridLayout:
        grid = QtWidgets.QGridLayout()
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(4)
        self.launch_button = _button(
            "Launch…", "launchTeamsButton", "Create the integration branch and each team's branch and worktree"
        )
        self.run_button = _button("Run", "runTeamButton", "Run the selected team's command for its current task")
        self.stop_button = _button("Stop", "stopTeamButton", "Stop the selected team's run (ends its processes)")
        self.open_button = _button("Open folder", "openTeamFolderButton", "Open the team's worktree")
        self.tests_button = _button("Run tests", "runTeamTestsButton", "Run the project's tests in the team's worktree")
        self.remove_button = _button(
            "Remove…", "removeTeamButton", "Remove the team's worktree (only when clean and integrated)"
        )
        self.integrate_button = _button(
            "Integrate…",
            "integrateTeamButton",
            "Merge the selected team into the integration branch, test the merged tree, move the branch if green",
        )
        self.integrate_all_button = _button(
            "Integrate all…", "integrateAllButton", "Integrate every team in the proposed order (see the Order column)"
        )
        self.undo_integration_button = _button(
            "Undo integration…", "undoIntegrationButton", "Undo the latest integration into the integration branch"
        )
        self.integrate_button.clicked.connect(self._on_integrate_clicked)
        self.integrate_all_button.clicked.connect(self._on_integrate_all_clicked)
        self.undo_integration_button.clicked.connect(self._on_undo_integration_clicked)
        self.launch_button.clicked.connect(self._on_launch_clicked)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.tests_button.clicked.connect(self._on_tests_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        buttons = (
            self.launch_button,
            self.run_button,
            self.stop_button,
            self.open_button,
            self.tests_button,
            self.remove_button,
            self.integrate_button,
            self.integrate_all_button,
            self.undo_integration_button,
        )
        for index, button in enumerate(buttons):
            grid.addWidget(button, index // 3, index % 3)
        return grid

    def _build_integration_bar(self) -> QtWidgets.QWidget:
        """The progress of an integration and its Cancel (shown only while one runs)."""
        self.integration_bar = QtWidgets.QWidget()
        self.integration_bar.setObjectName("integrationBar")
        row = QtWidgets.QHBoxLayout(self.integration_bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.integration_progress = QtWidgets.QProgressBar()
        self.integration_progress.setObjectName("integrationProgress")
        self.integration_progress.setTextVisible(True)
        self.integration_progress.setFormat("integrating…")
        self.cancel_integration_button = _button(
            "Cancel", "cancelIntegrationButton", "Stop the integration's tests (the branch does not move)"
        )
        self.cancel_integration_button.clicked.connect(self._on_cancel_integration_clicked)
        row.addWidget(self.integration_progress, 1)
        row.addWidget(self.cancel_integration_button)
        self.integration_bar.hide()
        return self.integration_bar

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(540, 420)

    # lifecycle -------------------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        """A new project: start over; the same one edited: read again (sections may have changed)."""
        if project is not self._project:
            self._project = project
            self.snapshot = None
            self.forecast = None
            self.table.setRowCount(0)
            self._clear_gantt()
            self.forecast_refreshed.emit(None)
            if project is None or getattr(project, "repo", None) is None:
                self.poll_timer.stop()
                self._show_message("This plan is not in a git repository: teams need one.")
                self._update_enabled()
                return
            self._show_message("Reading the teams…")
            self.poll_timer.start()
        self.request_refresh()

    def refresh(self, change: Any = None) -> None:
        """Files of the lead's repository changed: read again only if that can change the teams (see `affected_by`)."""
        if change is None or flows.affected_by(change):
            self.request_refresh()

    def _on_refresh_clicked(self) -> None:
        self.request_refresh()

    def request_refresh(self) -> None:
        """Read every team's status in a worker; coalesced: at most one runs, a request meanwhile runs once more."""
        if self._project is None or getattr(self._project, "repo", None) is None:
            return
        if self._refresh_job is not None:
            self._refresh_again = True
            return
        self._refresh_again = False
        self._polls = 0
        self._set_busy("reading…")
        self._refresh_job = run_in_thread(
            self,
            _snapshot_work(self._project),
            on_result=functools.partial(self._on_snapshot, self._project),
            on_error=self._on_refresh_failed,
            on_end=self._on_refresh_ended,
        )

    def _on_refresh_ended(self) -> None:
        self._refresh_job = None
        self._set_busy(self._running_text())
        if self._refresh_again:
            self.request_refresh()

    def _on_refresh_failed(self, message: str) -> None:
        self._show_problem(f"Cannot read the teams: {message}")

    def _on_snapshot(self, project: Any, result: Snapshot | Problem) -> None:
        if project is not self._project:
            return  # a stale answer for a project replaced meanwhile
        if isinstance(result, Problem):
            self._show_problem(result.message)
            return
        self.snapshot = result
        self.last_problem = None
        self._fill(result.mission)
        self._update_gantt(result)
        self._update_progress(result)
        self._update_enabled()
        self.teams_refreshed.emit(result)
        refs = result.stamp[0] if result.stamp else ""
        if self.forecast is None or self.forecast.refs != refs:
            self.request_forecast()

    # the forecast ----------------------------------------------------------------------------------
    def request_forecast(self) -> None:
        """Compute the conflict forecast and the proposed order for the latest status, in a worker;
        coalesced: at most one runs, a request meanwhile runs once more (on the status then current)."""
        if self._project is None or self.snapshot is None:
            return
        if self._forecast_job is not None:
            self._forecast_again = True
            return
        self._forecast_again = False
        snapshot = self.snapshot
        refs = snapshot.stamp[0] if snapshot.stamp else ""
        self._forecast_job = run_in_thread(
            self,
            _forecast_work(self._project, snapshot.mission, refs),
            on_result=functools.partial(self._on_forecast, self._project),
            on_error=lambda message: self.forecast_refreshed.emit(f"Cannot forecast the conflicts: {message}"),
            on_end=self._on_forecast_ended,
        )

    def _on_forecast(self, project: Any, result: ForecastView | Problem) -> None:
        if project is not self._project:
            return
        if isinstance(result, Problem):
            self.forecast_refreshed.emit(f"Cannot forecast the conflicts: {result.message}")
            return
        self.forecast = result
        if self.snapshot is not None:
            for row, team in enumerate(self.snapshot.mission.teams):
                if self.row_of(team.name) == row:
                    self._fill_row(row, team)
        gantt = getattr(self.main_window, "gantt", None)
        if gantt is not None:
            gantt.set_team_conflicts(result.links)
        self.forecast_refreshed.emit(result)

    def _on_forecast_ended(self) -> None:
        self._forecast_job = None
        if self._forecast_again:
            self.request_forecast()

    # polling ---------------------------------------------------------------------------------------
    def _on_poll_timer(self) -> None:
        """Compare the teams' git signature (in a worker); read again when it moved."""
        window = self.main_window
        if window is not None and hasattr(window, "isVisible") and not window.isVisible():
            return  # nobody looks: the next show or change reads again
        if self._project is None or self._refresh_job is not None or self._poll_job is not None:
            return
        self._polls += 1
        if self._polls >= FULL_EVERY or self.snapshot is None:
            self.request_refresh()
            return
        self._poll_job = run_in_thread(
            self,
            _stamp_work(self._project),
            on_result=functools.partial(self._on_stamp, self._project),
            on_end=self._on_poll_ended,
        )

    def _on_stamp(self, project: Any, stamp: tuple[str, ...] | Problem) -> None:
        if project is not self._project or isinstance(stamp, Problem):
            return
        if self.snapshot is None or stamp != self.snapshot.stamp:
            self.request_refresh()

    def _on_poll_ended(self) -> None:
        self._poll_job = None

    # showing ---------------------------------------------------------------------------------------
    def _show_message(self, text: str) -> None:
        self.message.setText(html.escape(text))
        self.message.show()
        self.summary.setText("")

    def _show_problem(self, message: str) -> None:
        self.last_problem = message
        self.message.setText(f"<b>⚠</b> {html.escape(message)}")
        self.message.show()

    def _fill(self, mission: MissionTeams) -> None:
        selected = self.selected_team()
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(mission.teams))
        for row, team in enumerate(mission.teams):
            self._fill_row(row, team)
        launched = sum(1 for t in mission.teams if t.launched)
        head = mission.integration_head[:7] if mission.integration_head else "not created"
        self.summary.setText(
            f"<b>{len(mission.teams)}</b> team{'s' * (len(mission.teams) != 1)}, {launched} launched · "
            f"integration <code>{html.escape(mission.integration)}</code> {head}"
        )
        self.summary.setToolTip(f"{mission.integration}: {mission.integration_head or 'not created yet'}")
        problems = [p for t in mission.teams for p in t.problems]
        if problems:
            self.message.setText("<br>".join(f"⚠ {html.escape(p)}" for p in problems))
            self.message.show()
        elif not mission.teams:
            self._show_message("The plan has no sections: a team is a gantt section.")
        else:
            self.message.hide()
        if mission.teams:
            names = [t.name for t in mission.teams]
            self.select_team(selected if selected in names else names[0])
        self._show_details()

    def _fill_row(self, row: int, team: TeamStatus) -> None:
        symbol, colour, back = STATE_STYLE.get(team.state, ("", "#000000", "#ffffff"))
        files = {f for c in team.commits for f in c.files}
        launched = team.launched
        running = team.name in self._runs
        state = f"{symbol} {team.state}" + (" · running" if running else "")
        task = team.current_task or "—"
        if team.current_task and team.current_task in team.blocked:
            task += " ✗"
        order = self.forecast.order.order if self.forecast is not None else ()
        cells = {
            "Team": team.name,
            "Order": str(order.index(team.name) + 1) if team.name in order else "—",
            "State": state,
            "Task": task,
            "Commits": str(len(team.commits)) if team.branch_head else "—",
            "Files": str(len(files)) if team.branch_head else "—",
            "Ahead/behind": f"↑{team.ahead} ↓{team.behind}" if team.branch_head else "—",
            "Uncommitted": str(len(team.uncommitted)) if launched else "—",
            "Tests": self.test_summaries.get(team.name, "—"),
            "Branch": team.spec.branch,
            "Worktree": str(team.spec.worktree),
        }
        items = {name: QtWidgets.QTableWidgetItem(text) for name, text in cells.items()}
        for name, item in items.items():
            self.table.setItem(row, COLUMN[name], item)
        first = items["Team"]
        first.setData(QtCore.Qt.ItemDataRole.UserRole, team.name)
        font = first.font()
        font.setBold(True)
        first.setFont(font)
        first.setToolTip(f"{team.spec.section}\n{team.spec.branch}\n{team.spec.worktree}")
        items["State"].setForeground(QtGui.QColor(colour))
        items["State"].setBackground(QtGui.QColor(back))
        items["State"].setToolTip(self._state_tip(team))
        if self.forecast is not None and team.name in self.forecast.order.reasons:
            items["Order"].setToolTip(self.forecast.order.reasons[team.name])
        items["Order"].setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        if team.current_task:
            items["Task"].setToolTip(team.blocked.get(team.current_task) or self._task_name(team.current_task))
        items["Commits"].setToolTip("\n".join(_commit_line(c) for c in team.commits[-20:]) or "no commits yet")
        items["Uncommitted"].setToolTip("\n".join(team.uncommitted[:40]))
        items["Files"].setToolTip("\n".join(sorted(files)[:40]))

    def _state_tip(self, team: TeamStatus) -> str:
        lines = [f"{team.name}: {team.state}"]
        if team.last_activity is not None:
            lines.append(f"last activity {team.last_activity:%Y-%m-%d %H:%M} UTC")
        lines += [f"{task}: {why}" for task, why in team.blocked.items()]
        if team.ejected:
            lines.append(f"ejected: {team.ejected}")
        lines += list(team.problems)
        return "\n".join(lines)

    def _task_name(self, key: str) -> str:
        plan = getattr(self._project, "plan", None)
        task = plan.find_task(key) if plan is not None else None
        return task.name if task is not None else key

    def _show_details(self) -> None:
        team = self.selected_status()
        if team is None:
            self.details.setText("")
            return
        first = [f"<b>{html.escape(team.name)}</b> ({html.escape(team.spec.section)})"]
        if team.current_task:
            first.append(f"task {html.escape(team.current_task)}: {html.escape(self._task_name(team.current_task))}")
        lines = [
            " · ".join(first),
            f"branch <code>{html.escape(team.spec.branch)}</code>",
            f"worktree <code>{html.escape(str(team.spec.worktree))}</code>",
        ]
        why = team.blocked.get(team.current_task) if team.current_task else None
        if why:
            lines.append(f"<span style='color:#b5179e'>✗ {html.escape(why)}</span>")
        if team.ejected:
            lines.append(f"<span style='color:#b71c1c'>⏏ ejected: {html.escape(team.ejected)}</span>")
        self.details.setText("<br>".join(lines))
        reason = self.forecast.order.reasons.get(team.name) if self.forecast is not None else None
        self.details.setToolTip(f"integration order {reason}" if reason else "")

    # the gantt -------------------------------------------------------------------------------------
    def _update_gantt(self, snapshot: Snapshot) -> None:
        gantt = getattr(self.main_window, "gantt", None)
        project = self._project
        if gantt is None or project is None:
            return
        plan = project.plan
        started = snapshot.started
        states: dict[str, str] = {}
        tracks: dict[str, TaskTrack] = {}
        for team in snapshot.mission.teams:
            states[team.spec.section] = team.state
            for task in team.spec.tasks:
                commits = team.task_commits(task)
                blocked = team.blocked.get(task) if not commits else None
                if not commits and blocked is None:
                    continue
                times = [to_plan_time(plan, started, c.at) for c in commits]
                placed = tuple(t for t in times if t is not None)
                tracks[task] = TaskTrack(
                    times=placed,
                    commits=tuple(_commit_line(c) for c in commits),
                    span=started is not None and bool(placed),
                    blocked=blocked,
                )
        gantt.set_team_tracking(states, tracks)
        self._tracked = True

    def _update_progress(self, snapshot: Snapshot) -> None:
        """Planned against actual into the task details, and the mission's projected end into the status bar."""
        details = getattr(self.main_window, "details", None)
        if details is not None:
            details.set_progress(snapshot.progress)
        if self._end_label is None:
            self._end_label = QtWidgets.QLabel()
            self._end_label.setObjectName("missionEndLabel")
            self.main_window.statusBar().addPermanentWidget(self._end_label)
        end = snapshot.end
        late = end is not None and end.slip > timedelta(0)
        self._end_label.setText(end.describe() if end is not None and late else "")
        self._end_label.setStyleSheet("color: #d7263d;" if late else "")
        self._end_label.setToolTip(
            f"planned end {end.planned:%H:%M}, projected {end.projected:%H:%M}" if end is not None else ""
        )

    def _clear_gantt(self) -> None:
        gantt = getattr(self.main_window, "gantt", None)
        if gantt is not None and self._tracked:
            gantt.set_team_tracking({}, {})
            gantt.set_team_conflicts({})
            self._tracked = False

    # selection -------------------------------------------------------------------------------------
    def row_of(self, name: str) -> int:
        """The table row of team ``name`` (-1 if not shown)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, COLUMN["Team"])
            if item is not None and item.data(QtCore.Qt.ItemDataRole.UserRole) == name:
                return row
        return -1

    def row_texts(self, name: str) -> dict[str, str]:
        """Team ``name``'s cells by column title ({} if it has no row)."""
        row = self.row_of(name)
        if row < 0:
            return {}
        items = {title: self.table.item(row, column) for column, title in enumerate(COLUMNS)}
        return {title: item.text() if item is not None else "" for title, item in items.items()}

    def select_team(self, name: str) -> None:
        row = self.row_of(name)
        if row >= 0:
            self.table.selectRow(row)

    def selected_team(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), COLUMN["Team"])
        value = item.data(QtCore.Qt.ItemDataRole.UserRole) if item is not None else None
        return str(value) if value else None

    def selected_status(self) -> TeamStatus | None:
        name = self.selected_team()
        if name is None or self.snapshot is None:
            return None
        return self.snapshot.mission.team(name)

    def _on_selection_changed(self) -> None:
        self._show_details()
        self._update_enabled()

    def _on_row_double_clicked(self, row: int, _column: int) -> None:
        """Select the team's current task in every view."""
        team = self.selected_status()
        if team is not None and team.current_task and hasattr(self.main_window, "select_task"):
            self.main_window.select_task(team.current_task)

    # launch ----------------------------------------------------------------------------------------
    def _on_launch_clicked(self) -> None:
        if self._project is None or self._action_job is not None:
            return
        teams = self.snapshot.mission.teams if self.snapshot is not None else ()
        missing = [t for t in teams if not t.launched]
        lines = [f"• {t.name}: branch {t.spec.branch}, worktree {t.spec.worktree}" for t in missing[:12]]
        if len(missing) > 12:
            lines.append(f"… and {len(missing) - 12} more")
        text = (
            "This creates what is missing: the integration branch (at the baseline), then for each team a "
            "branch and a worktree folder beside the repository, and runs their setup commands. "
            "Your own working tree, index and HEAD are not touched.\n\n"
            + ("\n".join(lines) if lines else "Every team is already launched: nothing will change.")
        )
        self.confirm_dialog = confirm_launch(self.main_window or self, text, self._launch_confirmed)

    def _launch_confirmed(self) -> None:
        if self._project is None or self._action_job is not None:
            return
        self._append("launch", "launching the teams…")
        self._start_action("launch", _launch_work(self._project), self._on_launched, "launching…")

    def _on_launched(self, result: LaunchResult | Problem) -> None:
        if isinstance(result, Problem):
            self._refused("Cannot launch the teams", result.message)
            return
        for step in result.steps:
            self._append(step.team or "integration", f"{step.action}: {step.detail}")
            if step.changed:
                log.info("team launch: %s %s: %s", step.team or "integration", step.action, step.detail)
        for team, why in result.refused.items():
            self._append(team, f"refused: {why}")
            log.info("team launch refused: %s: %s", team, why)
        if result.refused:
            self._refused("Some teams were not launched", "\n".join(result.refused.values()))
        elif self.main_window is not None:
            changed = "launched" if result.changed else "already launched: nothing changed"
            self.main_window.statusBar().showMessage(f"Teams {changed}.", 8000)

    # run and stop ----------------------------------------------------------------------------------
    def _on_run_clicked(self) -> None:
        team = self.selected_status()
        if team is None or team.name in self._runs:
            return
        task = team.current_task
        why = team.blocked.get(task) if task else None
        if task and why and not team.task_commits(task):
            self._offer_force(team.name, f"{task}: {why}")
            return
        self.start_run(team.name)

    def start_run(self, name: str, force: bool = False) -> None:
        """Run team ``name``'s command for its current task, in a worker (``force``: even if blocked)."""
        if self._project is None or name in self._runs:
            return
        self._append(name, "running its command for the current task…" + (" (forced)" if force else ""))
        self._runs[name] = run_in_thread(
            self,
            _run_work(self._project, name, force),
            on_result=functools.partial(self._on_run_result, name),
            on_event=self._on_output,
            on_end=functools.partial(self._on_run_ended, name),
        )
        self._update_running(name)

    def _offer_force(self, name: str, message: str) -> None:
        text = message.replace(_FORCE_HINT, "")
        self._append(name, f"refused: {text}")
        self.last_problem = text
        self.run_dialog = offer_run_anyway(
            self.main_window or self,
            f"{text}\n\nRunning it now may build on work that is not integrated yet.",
            functools.partial(self.start_run, name, True),
        )

    def _on_run_result(self, name: str, result: TeamRun | Problem) -> None:
        if isinstance(result, Problem):
            if result.blocked:
                self._offer_force(name, result.message)
            else:
                self._refused(f"Cannot run team {name}", result.message)
            return
        self.last_runs[name] = result
        if result.cancelled:
            self._append(name, "stopped")
        else:
            self._append(name, f"exited {result.exit_code} (log: {result.log})")

    def _on_run_ended(self, name: str) -> None:
        self._runs.pop(name, None)
        self._update_running(name)
        self.run_finished.emit(name)
        self.request_refresh()

    def _on_stop_clicked(self) -> None:
        name = self.selected_team()
        if name is None:
            return
        for jobs in (self._runs, self._tests):
            job = jobs.get(name)
            if job is not None:
                job.cancel()
                self._append(name, "stopping…")

    def _update_running(self, name: str) -> None:
        self._set_busy(self._running_text())
        if self.snapshot is not None:
            team = self.snapshot.mission.team(name)
            row = self.row_of(name)
            if team is not None and row >= 0:
                self._fill_row(row, team)
        self._update_enabled()

    def _running_text(self) -> str:
        running = sorted(self._runs)
        testing = sorted(self._tests)
        parts = [f"running: {', '.join(running)}"] if running else []
        parts += [f"testing: {', '.join(testing)}"] if testing else []
        return " · ".join(parts)

    # open, tests, remove ---------------------------------------------------------------------------
    def _on_open_clicked(self) -> None:
        team = self.selected_status()
        if team is not None and team.spec.worktree.is_dir():
            open_folder(team.spec.worktree)

    def _on_tests_clicked(self) -> None:
        team = self.selected_status()
        if team is None or not team.launched or team.name in self._tests:
            return
        name = team.name
        self.test_summaries[name] = "running…"
        self._append(name, f"running the project's tests in {team.spec.worktree}…")
        self._tests[name] = run_in_thread(
            self,
            _tests_work(team.spec.worktree),
            on_result=functools.partial(self._on_tests_result, name),
            on_error=functools.partial(self._on_tests_result, name),
            on_end=functools.partial(self._on_tests_ended, name),
        )
        self._update_running(name)

    def _on_tests_result(self, name: str, summary: str) -> None:
        if summary == "cancelled":
            summary = "stopped"
        self.test_summaries[name] = summary
        self._append(name, f"tests: {summary}")

    def _on_tests_ended(self, name: str) -> None:
        self._tests.pop(name, None)
        if self.test_summaries.get(name) == "running…":
            self.test_summaries[name] = "—"
        self._update_running(name)
        self.tests_finished.emit(name)

    def _on_remove_clicked(self) -> None:
        team = self.selected_status()
        if team is None or self._action_job is not None:
            return
        text = (
            f"Remove the worktree {team.spec.worktree} of team {team.name}?\n\n"
            f"Its branch {team.spec.branch} is kept. This is refused if the worktree has uncommitted "
            "changes or the branch has commits that are not on the integration branch."
        )
        self.confirm_dialog = confirm_remove(
            self.main_window or self, text, functools.partial(self._remove_confirmed, team.name)
        )

    def _remove_confirmed(self, name: str) -> None:
        if self._project is None or self._action_job is not None:
            return
        self._start_action(
            "remove", _remove_work(self._project, name), functools.partial(self._on_removed, name), "removing…"
        )

    def _on_removed(self, name: str, result: str | Problem) -> None:
        if isinstance(result, Problem):
            self._append(name, f"remove refused: {result.message}")
            self._refused(f"Cannot remove team {name}", result.message)
            return
        self._append(name, result)
        log.info("team %s removed: %s", name, result)
        if self.main_window is not None:
            self.main_window.statusBar().showMessage(result, 10000)

    # integration -----------------------------------------------------------------------------------
    def _on_integrate_clicked(self) -> None:
        team = self.selected_status()
        if team is None or self._project is None or self._integration_job is not None:
            return
        branch = self.snapshot.mission.integration if self.snapshot is not None else "the integration branch"
        text = (
            f"Integrate team {team.name} ({team.spec.branch}) into {branch}?\n\n"
            "Its branch is merged in a throwaway worktree and its tests run on the merged tree; "
            f"{branch} moves only when they pass. A conflict or a red test ejects the team and "
            "nothing moves. Your working tree is not touched."
        )
        self.confirm_dialog = confirm_integrate(
            self.main_window or self, text, functools.partial(self._integrate_confirmed, team.name)
        )

    def _integrate_confirmed(self, name: str) -> None:
        if self._project is None or self._integration_job is not None:
            return
        self._append(name, "integrating…")
        self._start_integration("integrate", _integrate_work(self._project, name))

    def _on_integrate_all_clicked(self) -> None:
        if self._project is None or self._integration_job is not None:
            return
        order = self.forecast.order if self.forecast is not None else None
        lines = [f"{i}. {n} — {order.reasons.get(n, '')}" for i, n in enumerate(order.order, 1)] if order else []
        text = (
            "Integrate every team in the proposed order? The merged trees are tested side by side; the "
            "integration branch takes the longest green prefix, a conflicting or red team is ejected.\n\n"
            + ("\n".join(lines[:12]) if lines else "The order is computed first.")
        )
        self.confirm_dialog = confirm_integrate(self.main_window or self, text, self._integrate_all_confirmed)

    def _integrate_all_confirmed(self) -> None:
        if self._project is None or self._integration_job is not None:
            return
        self._append("queue", "integrating every team in the proposed order…")
        self._start_integration("queue", _queue_work(self._project))

    def _on_undo_integration_clicked(self) -> None:
        if self._project is None or self._integration_job is not None:
            return
        text = (
            "Undo the latest integration? The integration branch moves back when nothing was integrated "
            "after it; otherwise a revert commit is added (later integrations are kept)."
        )
        self.confirm_dialog = confirm_undo(self.main_window or self, text, self._undo_confirmed)

    def _undo_confirmed(self) -> None:
        if self._project is None or self._integration_job is not None:
            return
        self._start_integration("undo", _undo_work(self._project))

    def _start_integration(self, kind: str, work: Work) -> None:
        self.integration_progress.setRange(0, 0)
        self.integration_progress.setFormat({"undo": "undoing…"}.get(kind, "integrating…"))
        self.integration_bar.show()
        self.cancel_integration_button.setEnabled(kind != "undo")
        self._integration_job = run_in_thread(
            self,
            work,
            on_result=self._on_integration_result,
            on_error=functools.partial(self._refused, "Something went wrong"),
            on_progress=self._on_integration_progress,
            on_event=self._on_output,
            on_end=functools.partial(self._on_integration_ended, kind),
        )
        self._update_enabled()

    def _on_integration_progress(self, progress: Progress) -> None:
        if progress.total:
            self.integration_progress.setRange(0, progress.total)
            self.integration_progress.setValue(progress.done)
        message = progress.message or ""
        self.integration_progress.setFormat(message.replace("%", "%%") or "integrating…")
        self.integration_progress.setToolTip(message)
        if message:
            self._append("integrate", message)

    def _on_integration_result(self, result: list[IntegrationResult] | str | Problem) -> None:
        if isinstance(result, Problem):
            self._append("integrate", f"refused: {result.message}")
            self._refused("Cannot integrate", result.message)
            return
        if isinstance(result, str):  # an undo
            self._append("undo", result)
            log.info("integration undone: %s", result)
            self._status(result)
            return
        self.last_integration = list(result)
        for item in result:
            if item.outcome == INTEGRATED_OUTCOME:
                moved = f" ({item.old_head[:7]} → {(item.new_head or '')[:7]})"
                self._append(item.team, f"integrated: {item.reason}{moved}")
                log.info("team %s integrated: %s%s", item.team, item.reason, moved)
            else:
                self._append(item.team, f"ejected: {item.reason}")
                log.info("team %s ejected from the integration: %s", item.team, item.reason)
                if item.output:
                    self.output.appendPlainText(item.output.rstrip()[-2000:])
        done = [r.team for r in result if r.outcome == INTEGRATED_OUTCOME]
        ejected = [r.team for r in result if r.outcome != INTEGRATED_OUTCOME]
        parts = [f"integrated {', '.join(done)}"] if done else []
        parts += [f"ejected {', '.join(ejected)} (see the team's details)"] if ejected else []
        self._status("; ".join(parts) or "nothing to integrate")

    def _on_cancel_integration_clicked(self) -> None:
        if self._integration_job is not None:
            self._integration_job.cancel()
            self._append("integrate", "cancelling…")

    def _on_integration_ended(self, kind: str) -> None:
        self._integration_job = None
        self.integration_bar.hide()
        self._update_enabled()
        self.request_refresh()
        self.integration_finished.emit(kind)

    def _status(self, text: str) -> None:
        if self.main_window is not None:
            self.main_window.statusBar().showMessage(text, 15000)

    # background plumbing ---------------------------------------------------------------------------
    def _start_action(self, name: str, work: Work, on_result: Callable[[Any], None], busy: str) -> None:
        self._set_busy(busy)
        self._action_job = run_in_thread(
            self,
            work,
            on_result=on_result,
            on_error=functools.partial(self._refused, "Something went wrong"),
            on_event=self._on_output,
            on_end=functools.partial(self._on_action_ended, name),
        )
        self._update_enabled()

    def _on_action_ended(self, name: str) -> None:
        self._action_job = None
        self._set_busy(self._running_text())
        self._update_enabled()
        self.request_refresh()
        self.action_finished.emit(name)

    def _on_output(self, item: tuple[str, str]) -> None:
        team, line = item
        self._append(team, line)

    def _append(self, team: str, line: str) -> None:
        self.output.appendPlainText(f"[{team}] {line}")

    def _refused(self, title: str, message: str) -> None:
        self.last_problem = message
        if self.main_window is not None:
            self.main_window.statusBar().showMessage(message, 15000)
        dialogs.inform(self, title, message, warning=True)

    def _set_busy(self, text: str) -> None:
        self.busy.setText(text)

    def _update_enabled(self) -> None:
        has_repo = self._project is not None and getattr(self._project, "repo", None) is not None
        idle = self._action_job is None
        team = self.selected_status()
        launched = team is not None and team.launched
        name = team.name if team is not None else ""
        self.launch_button.setEnabled(has_repo and idle and self.snapshot is not None)
        self.run_button.setEnabled(launched and name not in self._runs)
        self.stop_button.setEnabled(name in self._runs or name in self._tests)
        self.open_button.setEnabled(launched)
        self.tests_button.setEnabled(launched and name not in self._tests)
        self.remove_button.setEnabled(idle and team is not None and team.worktree is not None)
        integrating = self._integration_job is not None
        self.integrate_button.setEnabled(launched and not integrating)
        self.integrate_all_button.setEnabled(has_repo and not integrating and self.snapshot is not None)
        self.undo_integration_button.setEnabled(has_repo and not integrating)

    @property
    def busy_now(self) -> bool:
        """Whether a read or an action is running or due (tests wait on this)."""
        return (
            self._refresh_job is not None
            or self._refresh_again
            or self._poll_job is not None
            or self._action_job is not None
            or self._forecast_job is not None
            or self._forecast_again
            or self._integration_job is not None
        )

    def cleanup(self) -> None:
        """Stop polling, cancel runs and reads, and wait for every background job (the window is closing)."""
        self.poll_timer.stop()
        self._refresh_again = False
        self._forecast_again = False
        jobs = [
            self._refresh_job,
            self._poll_job,
            self._forecast_job,
            self._integration_job,
            *self._runs.values(),
            *self._tests.values(),
        ]
        for job in jobs:
            if job is not None:
                with contextlib.suppress(RuntimeError):  # the job already ended and was deleted
                    job.cancel()
        for job in [*jobs, self._action_job]:  # a launch or remove is never cut half way: waited for
            if job is None:
                continue
            with contextlib.suppress(RuntimeError):
                job.wait(60_000)


# small helpers -------------------------------------------------------------------------------------
def _commit_line(commit: Commit) -> str:
    why = f" — {commit.task} by {commit.why}" if commit.task else " — unmapped"
    done = " (integrated)" if commit.integrated else ""
    return f"{commit.sha[:7]} {commit.subject}{why}{done}"


def _button(text: str, name: str, tip: str) -> QtWidgets.QPushButton:
    button = QtWidgets.QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setAutoDefault(False)
    return button


def install(window: Any) -> TeamsPanel:
    """Build the Teams dock in ``window`` (tabbed with the right-hand docks) and wire it to the window."""
    panel = TeamsPanel(window)
    panel.dock_into("Teams", "teamsPanelDock", QtCore.Qt.DockWidgetArea.RightDockWidgetArea)
    window.closing.connect(panel.poll_timer.stop)
    return panel
