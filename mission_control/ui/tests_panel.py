"""The Tests dock (objectName ``testsPanel``): run the repository's suite in the background, live.

Buttons run all tests, a component's, the last failed or those affected by changes; Cancel stops
the run and its whole process tree. Results stream from the worker thread as events, are queued,
and reach the tree in batches from a short timer, so a suite of thousands of tests never stalls
the event loop. After a run, regression alerts show in the dock and the status bar, task bars on
the Gantt show their components' test state, and :attr:`TestsPanel.run_finished` tells other docks.
Scheduled runs (every N minutes) and on-change runs (debounced) are two toggles.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.config import ProjectConfig
from mission_control.services.test_markers import component_outcomes, component_test_args, task_markers
from mission_control.testing import (
    Collected,
    Collecting,
    CollectionFailed,
    ProjectRun,
    RunScheduler,
    ScheduleSettings,
    Selection,
    TestFinished,
    TestResult,
    TestStarted,
    interval_from_plan,
    last_recorded_run,
    run_project_tests,
    summary_line,
)
from mission_control.testing.results import FAILING, OUTCOMES, totals_line
from mission_control.testing.schedule import DEFAULT_DEBOUNCE
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.tests_details import TestDetailsPane
from mission_control.ui.tests_editor import open_in_editor
from mission_control.ui.tests_model import (
    COLORS,
    KIND_ROLE,
    NODEID_ROLE,
    OUTCOME_ROLE,
    RESULT_ROLE,
    TestFilter,
    TestTree,
)
from mission_control.ui.workers import Job, run_in_thread
from mission_control.util.progress import CancelToken, Progress, ProgressCallback

FAILING_ROWS = frozenset(FAILING) | {"interrupted"}  # the rows a finished run opens and scrolls to
FLUSH_MS = 40  # how long streamed events wait before they reach the tree
BATCH = 300  # events handled per flush, so one flush stays well under 50 ms
DEFAULT_INTERVAL = 30  # minutes, when neither the settings nor the plan say
RELEVANT_SUFFIXES = (".py", ".toml", ".cfg", ".ini")
RunPayload = tuple[ProjectRun, dict[str, tuple[str, ...]]]  # the run, each component's test arguments
OUTCOME_FILTERS = (
    ("All outcomes", None),
    ("Failing", tuple(o for o in OUTCOMES if o in FAILING)),
    ("Passed", ("passed",)),
    ("Skipped", ("skipped",)),
    ("xfailed / xpassed", ("xfailed", "xpassed")),
    ("Running / interrupted", ("running", "interrupted")),
)


def _run_work(
    repo: Path,
    selection: Selection,
    config: ProjectConfig,
    workers: str | int | None,
    on_progress: ProgressCallback,
    on_event: Callable[[Any], None],
    cancel: CancelToken,
) -> RunPayload:
    """Worker-thread body: the run, then each component's test arguments (for the task markers)."""
    run = run_project_tests(
        repo, selection, config=config, workers=workers, on_event=on_event, on_progress=on_progress, cancel=cancel
    )
    return run, component_test_args(repo, config)


class TestsPanel(DockPanel):
    """The Tests dock's widget.

    Signals:
        run_started(str): a run began (its selection label, e.g. "component:core").
        run_finished(object): a run ended (the :class:`~mission_control.testing.ProjectRun`).
    """

    __test__ = False
    run_started = QtCore.Signal(str)
    run_finished = QtCore.Signal(object)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("testsPanel")
        self.job: Job | None = None
        self.workers: str | int | None = "auto"
        self.debounce_seconds = DEFAULT_DEBOUNCE
        self.last_run: ProjectRun | None = None
        self.latest: dict[str, str] = {}
        self.component_tests: dict[str, tuple[str, ...]] = {}
        self._pending: list[object] = []
        self._found = 0  # tests collected so far in the run under way (before its first result)
        self._run_counts: Counter[str] = Counter()  # outcomes streamed by the current run
        self._result_waiting: RunPayload | None = None
        self._repo: Path | None = None
        self._project: Any = None
        self._run_repo: Path | None = None
        self._marked: set[str] = set()
        self._schedule_touched = False
        self.status_label = QtWidgets.QLabel("")
        self.status_label.setObjectName("testsStatusLabel")
        self.model = TestTree(self)
        self.proxy = TestFilter(self)
        self.proxy.setSourceModel(self.model)
        self.scheduler = RunScheduler(ScheduleSettings(), time.monotonic())
        self._flush_timer = QtCore.QTimer(self, singleShot=True, interval=FLUSH_MS)
        self._flush_timer.timeout.connect(self._on_flush_timer)
        self._tick = QtCore.QTimer(self, interval=1000)
        self._tick.timeout.connect(self.check_schedule)
        self._build()
        self._update_buttons()

    # construction ------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(self._build_buttons())
        layout.addLayout(self._build_progress())
        self.alert = self._build_alert()
        layout.addWidget(self.alert)
        layout.addLayout(self._build_filters())
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        splitter.setObjectName("testsSplitter")
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        splitter.addWidget(self._build_tree())
        splitter.addWidget(self._build_details())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 400])
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_schedule())

    def _button(
        self,
        text: str,
        name: str,
        slot: Callable[[], object],
        tip: str,
        icon: QtWidgets.QStyle.StandardPixmap | None = None,
    ) -> QtWidgets.QPushButton:
        button = QtWidgets.QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        if icon is not None:
            button.setIcon(self.style().standardIcon(icon))
        button.clicked.connect(slot)
        return button

    def _build_buttons(self) -> QtWidgets.QHBoxLayout:
        sp = QtWidgets.QStyle.StandardPixmap
        row = QtWidgets.QHBoxLayout()
        self.run_all_button = self._button(
            "Run all", "runAllButton", lambda: self.run(Selection("all")), "Run the whole suite", sp.SP_MediaPlay
        )
        self.component_combo = QtWidgets.QComboBox()
        self.component_combo.setObjectName("componentCombo")
        self.component_combo.setMinimumContentsLength(12)
        self.component_combo.setToolTip("A component from the project's configuration")
        self.run_component_button = self._button(
            "Run component", "runComponentButton", self.run_component, "Run the chosen component's tests"
        )
        self.rerun_failed_button = self._button(
            "Rerun failed",
            "rerunFailedButton",
            lambda: self.run(Selection("failed")),
            "Run again the tests that failed the last time they ran",
            sp.SP_BrowserReload,
        )
        self.run_affected_button = self._button(
            "Run affected",
            "runAffectedButton",
            lambda: self.run(Selection("affected")),
            "Run the tests affected by files changed since the last green run",
        )
        self.cancel_button = self._button(
            "Cancel", "cancelButton", self.cancel, "Stop the run and every process it started", sp.SP_MediaStop
        )
        for widget in (
            self.run_all_button,
            self.component_combo,
            self.run_component_button,
            self.rerun_failed_button,
            self.run_affected_button,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        return row

    def _build_progress(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.progress = QtWidgets.QProgressBar()
        self.progress.setObjectName("testsProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m")
        self.progress.setMinimumWidth(160)
        self.summary = QtWidgets.QLabel("No run yet.")
        self.summary.setObjectName("testsSummary")
        self.summary.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setWordWrap(True)
        row.addWidget(self.progress, 1)
        row.addWidget(self.summary, 2)
        return row

    def _build_alert(self) -> QtWidgets.QFrame:
        frame = QtWidgets.QFrame()
        frame.setObjectName("testsAlert")
        frame.setStyleSheet(
            "#testsAlert { background: #fde2e4; border: 1px solid #d7263d; border-radius: 4px; }"
            "#testsAlert QLabel { color: #8a1020; }"
        )
        row = QtWidgets.QHBoxLayout(frame)
        row.setContentsMargins(8, 4, 4, 4)
        self.alert_label = QtWidgets.QLabel()
        self.alert_label.setObjectName("testsAlertLabel")
        self.alert_label.setWordWrap(True)
        self.alert_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        dismiss = QtWidgets.QToolButton()
        dismiss.setObjectName("dismissAlertButton")
        dismiss.setText("✕")
        dismiss.setAutoRaise(True)
        dismiss.setToolTip("Dismiss")
        dismiss.clicked.connect(frame.hide)
        row.addWidget(self.alert_label, 1)
        row.addWidget(dismiss, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        frame.hide()
        return frame

    def _build_filters(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.outcome_filter = QtWidgets.QComboBox()
        self.outcome_filter.setObjectName("outcomeFilter")
        for label, outcomes in OUTCOME_FILTERS:
            self.outcome_filter.addItem(label, outcomes)
        self.outcome_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_outcomes(self.outcome_filter.currentData())
        )
        self.text_filter = QtWidgets.QLineEdit()
        self.text_filter.setObjectName("textFilter")
        self.text_filter.setPlaceholderText("Filter tests by name or path…")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.textChanged.connect(self._on_text_filter_changed)
        row.addWidget(QtWidgets.QLabel("Show:"))
        row.addWidget(self.outcome_filter)
        row.addWidget(self.text_filter, 1)
        return row

    def _build_tree(self) -> QtWidgets.QTreeView:
        tree = QtWidgets.QTreeView()
        tree.setObjectName("testsTree")
        tree.setModel(self.proxy)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.header().setStretchLastSection(False)
        tree.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        tree.header().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Interactive)
        tree.header().setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        tree.header().resizeSection(1, 130)
        tree.setMinimumHeight(90)
        tree.selectionModel().currentChanged.connect(lambda current, _prev: self.show_details(current))
        tree.doubleClicked.connect(lambda _index: self.open_current())
        self.tree = tree
        return tree

    def _build_details(self) -> TestDetailsPane:
        self.details_pane = TestDetailsPane()
        self.details_pane.open_requested.connect(self.open_current)
        # the names the tests and UI automation know them by
        self.details_title = self.details_pane.title
        self.details = self.details_pane.body
        self.open_button = self.details_pane.open_button
        return self.details_pane

    def _build_schedule(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.schedule_toggle = QtWidgets.QCheckBox("Run all every")
        self.schedule_toggle.setObjectName("scheduleToggle")
        self.schedule_minutes = QtWidgets.QSpinBox()
        self.schedule_minutes.setObjectName("scheduleMinutes")
        self.schedule_minutes.setRange(1, 24 * 60)
        self.schedule_minutes.setSuffix(" min")
        self.schedule_minutes.setValue(DEFAULT_INTERVAL)
        self.change_toggle = QtWidgets.QCheckBox("Run affected tests when files change")
        self.change_toggle.setObjectName("onChangeToggle")
        self.next_label = QtWidgets.QLabel("")
        self.next_label.setObjectName("nextRunLabel")
        self.next_label.setStyleSheet("color: palette(mid);")
        for widget in (self.schedule_toggle, self.schedule_minutes, self.change_toggle):
            widget_signal = widget.valueChanged if isinstance(widget, QtWidgets.QSpinBox) else widget.toggled
            widget_signal.connect(self._on_schedule_clicked)
        row.addWidget(self.schedule_toggle)
        row.addWidget(self.schedule_minutes)
        row.addSpacing(16)
        row.addWidget(self.change_toggle)
        row.addStretch(1)
        row.addWidget(self.next_label)
        return row

    # project ---------------------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        """The window opened, edited or reloaded a project: follow a new repository, refresh markers."""
        repo = project.repo if project is not None else None
        if project is not self._project or repo != self._repo:
            self._project = project
            self._switch_repo(repo)
        self.update_markers()
        self._update_buttons()

    def _switch_repo(self, repo: Path | None) -> None:
        if self.job is not None:
            self.job.cancel()  # its result is ignored: it belongs to the old repository
        self._repo = repo
        self.model.reset()
        self.latest, self.component_tests, self.last_run = {}, {}, None
        self.alert.hide()
        self.summary.setText("No run yet." if repo else "No repository: open one to run its tests.")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self._fill_components()
        self._apply_schedule_defaults()
        if repo is not None:
            self._restore_last_run(repo)

    def _restore_last_run(self, repo: Path) -> None:
        """Show the last recorded run (after a relaunch the dock said "No run yet" although the history
        had it): every test's last known outcome, the newest run's summary, failures opened."""
        recorded = last_recorded_run(repo)
        if recorded is None or not recorded.outcomes:
            return
        record = recorded.record
        when = record.when.astimezone().strftime("%Y-%m-%d %H:%M")
        note = f"Failed in the run of {when}. Tracebacks are not kept between sessions: Rerun failed shows it again."
        self.model.apply(
            finished=[
                TestResult(nodeid, outcome, longrepr=note if outcome in FAILING else None)
                for nodeid, outcome in sorted(recorded.outcomes.items())
            ]
        )
        self.latest = dict(recorded.outcomes)
        if self.main_window.project is not None:  # the Gantt's task states from that run, as after a run
            self.component_tests = component_test_args(repo, self._config())
        counts = totals_line(record.totals, record.duration)
        self.summary.setText(f"Last run {when} ({record.selection}): {counts} — from history")
        self.summary.setToolTip("Restored from the run history; each test shows the outcome of its last run.")
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.show_failures()

    def _fill_components(self) -> None:
        self.component_combo.clear()
        project = self.main_window.project
        names = sorted(project.config.components) if project is not None else []
        for name in names:
            self.component_combo.addItem(name)
        if not names:
            self.component_combo.addItem("(no components)")
        self.component_combo.setEnabled(bool(names))

    def _config(self) -> ProjectConfig:
        """The project's config, with the preferences' interpreter when the lead set one."""
        config = self.main_window.project.config
        python = getattr(self.main_window.settings, "python", "") or ""
        return dataclasses.replace(config, python=python) if python else config

    # running ------------------------------------------------------------------------------------------
    def run_component(self) -> bool:
        """Run the component chosen in the combo."""
        if not self.component_combo.isEnabled():
            return False
        return self.run(Selection("component", self.component_combo.currentText()))

    def run(self, selection: Selection, reason: str = "") -> bool:
        """Start ``selection`` in the background; False if a run is going on or there is no repository."""
        project = self.main_window.project
        if self.job is not None or project is None or project.repo is None:
            return False
        repo, config, workers = project.repo, self._config(), self.workers
        self._start_display(selection, reason)
        self._run_repo = repo
        self.scheduler.run_started(time.monotonic())
        self.job = run_in_thread(
            self,
            lambda progress, event, cancel: _run_work(repo, selection, config, workers, progress, event, cancel),
            on_result=self._result_arrived,
            on_error=self._run_failed,
            on_progress=self._progressed,
            on_event=self._evented,
            on_end=self._ended,
        )
        self.run_started.emit(selection.label)
        self._update_buttons()
        return True

    def _start_display(self, selection: Selection, reason: str) -> None:
        self._pending.clear()
        self._result_waiting = None
        self._found = 0
        self._run_counts = Counter()
        if selection.kind == "all":
            self.model.reset()  # a full run shows what exists now: removed tests go
        # else (Rerun failed, a component, affected): the rows it runs are updated in the full tree
        self.show_details(QtCore.QModelIndex())
        self.progress.setRange(0, 0)  # busy until pytest says how many tests it collected
        what = selection.label.replace(":", " ")
        self.summary.setText(f"Running {what}{f' ({reason})' if reason else ''}…")
        self._set_status(f"Tests: running {what}…", None)

    def cancel(self) -> None:
        """Stop the current run (SIGINT to its process group, then kill)."""
        if self.job is not None:
            self.job.cancel()
            self.summary.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def _progressed(self, progress: Progress) -> None:
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(min(progress.done, progress.total))

    def _evented(self, event: object) -> None:
        self._pending.append(event)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _on_flush_timer(self) -> None:
        """Hand up to :data:`BATCH` queued events to the tree; come back soon for the rest."""
        batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
        started, finished, errors = [], [], []
        for event in batch:
            if isinstance(event, TestFinished):
                finished.append(event.result)
                self._run_counts[event.result.outcome] += 1
            elif isinstance(event, TestStarted):
                started.append(event.nodeid)
            elif isinstance(event, CollectionFailed):
                errors.append(event.error)
            elif isinstance(event, Collected) and event.count:
                self.progress.setRange(0, event.count)
            elif isinstance(event, Collecting):
                self._found = event.count
        self.model.apply(started, finished, errors)
        if self._pending:
            self._flush_timer.start(0)
        elif self._result_waiting is not None:
            self._complete(*self._result_waiting)
        elif self.job is not None:
            self.summary.setText(self._live_text())

    def _live_text(self) -> str:
        """This run's counts so far (the tree may also hold earlier runs' rows)."""
        totals = self._run_counts
        parts = [f"{totals[name]} {name}" for name in OUTCOMES if totals.get(name)]
        if parts:
            return "Running… " + ", ".join(parts)
        return f"Running… collecting tests: {self._found:,} found" if self._found else "Running… collecting tests"

    def _result_arrived(self, payload: RunPayload) -> None:
        if self._run_repo != self._repo:
            return  # a run of a repository that is no longer open
        self._result_waiting = payload
        if not self._pending and not self._flush_timer.isActive():
            self._complete(*payload)

    def _complete(self, run: ProjectRun, components: dict[str, tuple[str, ...]]) -> None:
        """The run is over and every streamed event is in the tree: reconcile, sum up, tell others."""
        self._result_waiting = None
        result = run.result
        known = self.model.outcomes()
        self.model.apply(
            finished=[t for t in result.tests if known.get(t.nodeid) != t.outcome],
            errors=[e for e in result.collection_errors if e.nodeid not in known],
        )
        interrupted = self.model.interrupt_running()
        self.progress.setRange(0, max(1, result.collected or len(result.tests)))
        self.progress.setValue(len(result.tests) if result.tests else (0 if result.cancelled else 1))
        if result.selection == "all" and not result.cancelled:
            self.latest = dict(result.outcomes)
        else:
            self.latest.update(result.outcomes)
        self.component_tests = dict(components)
        self.last_run = run
        self._show_summary(run, interrupted)
        self._show_alerts(run)
        self.update_markers()
        self.show_failures()
        self.run_finished.emit(run)

    def show_failures(self) -> None:
        """Collapse what passed; expand every group down to its failing tests and scroll to the first."""
        self.tree.collapseAll()
        first: QtCore.QModelIndex | None = None
        for nodeid, item in self.model.leaves.items():
            if item.data(OUTCOME_ROLE) not in FAILING_ROWS:
                continue
            index = self.proxy.mapFromSource(self.model.indexFromItem(item))
            if not index.isValid():
                continue  # filtered out
            parent = index.parent()
            while parent.isValid():
                self.tree.expand(parent)
                parent = parent.parent()
            if first is None or nodeid < str(first.data(NODEID_ROLE)):
                first = index
        if first is not None:
            self.tree.scrollTo(first, QtWidgets.QAbstractItemView.ScrollHint.PositionAtCenter)

    def _show_summary(self, run: ProjectRun, interrupted: int) -> None:
        result = run.result
        text = summary_line(result)
        if result.message:
            text += f" — {result.message}"
        elif run.note:
            text += f" ({run.note})"
        self.summary.setText(text)
        self.summary.setToolTip(result.message or run.note or "")
        if result.ok:
            self._set_status(f"Tests: ✓ {summary_line(result)}", COLORS["passed"])
        elif any(result.totals.get(o) for o in FAILING):
            self._set_status(f"Tests: ✗ {summary_line(result)}", COLORS["failed"])
        else:
            self._set_status(f"Tests: {result.message or summary_line(result)}".split("\n")[0], None)

    def _show_alerts(self, run: ProjectRun) -> None:
        if not run.alerts:
            return
        lines = [f"<b>⚠ {alert.title}</b> — {alert.message}" for alert in run.alerts]
        self.alert_label.setText("<br>".join(lines))
        self.alert.show()
        first = run.alerts[0]
        self._set_status(f"⚠ {first.title} ({len(first.nodeids)})", COLORS["failed"], bold=True)
        self.main_window.statusBar().showMessage(f"⚠ {first.title}: {first.message}", 30000)

    def _run_failed(self, message: str) -> None:
        if self._run_repo != self._repo:
            return
        self._pending.clear()
        self.model.interrupt_running()
        self.progress.setRange(0, 1)
        self.summary.setText(f"The run stopped: {message}")
        self._set_status("Tests: the run stopped", None)

    def _ended(self) -> None:
        self.job = None
        self.scheduler.run_finished(time.monotonic())
        self._update_buttons()

    def _update_buttons(self) -> None:
        project = self.main_window.project
        can_run = self.job is None and project is not None and project.repo is not None
        for button in (self.run_all_button, self.rerun_failed_button, self.run_affected_button):
            button.setEnabled(can_run)
        self.run_component_button.setEnabled(can_run and self.component_combo.isEnabled())
        self.cancel_button.setEnabled(self.job is not None)

    def _set_status(self, text: str, color: str | None, bold: bool = False) -> None:
        label = self.status_label
        style = f"color: {color};" if color else ""
        label.setStyleSheet(style + (" font-weight: bold;" if bold else ""))
        label.setText(text)

    # details --------------------------------------------------------------------------------------------
    def show_details(self, index: QtCore.QModelIndex) -> None:
        """Show the test at ``index`` (a proxy index): outcome, duration, traceback, captured output."""
        if not index.isValid():
            self.details_pane.show_nothing()
            return
        index = index.siblingAtColumn(0)
        counts = self.model.itemFromIndex(self.proxy.mapToSource(index).siblingAtColumn(1))
        self.details_pane.show_row(
            nodeid=str(index.data(NODEID_ROLE)),
            kind=str(index.data(KIND_ROLE)),
            outcome=str(index.data(OUTCOME_ROLE)),
            payload=index.data(RESULT_ROLE),
            counts=counts.text() if counts is not None else "",
        )

    def current_location(self) -> tuple[Path, int | None] | None:
        """The file and line of the selected test (or file), for "Open in editor"."""
        index = self.tree.currentIndex()
        if not index.isValid() or self._repo is None:
            return None
        index = index.siblingAtColumn(0)
        payload = index.data(RESULT_ROLE)
        nodeid = str(index.data(NODEID_ROLE))
        line = getattr(payload, "line", None) if payload is not None else None
        return self._repo / nodeid.split("::", 1)[0], line

    def open_current(self) -> None:
        """Open the selected test at its line in the lead's editor."""
        location = self.current_location()
        if location is not None:
            self.main_window.statusBar().showMessage(open_in_editor(*location), 8000)

    def _on_text_filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        if text:
            self.tree.expandAll()

    # markers ------------------------------------------------------------------------------------------
    def component_outcomes(self, name: str) -> list[str]:
        """Latest known outcome of each test of component ``name`` (empty until a run covered it)."""
        return component_outcomes(self.latest, self.component_tests.get(name) or ())

    def update_markers(self) -> None:
        """Show each task's tests' state (computed by services.test_markers) on its Gantt bar."""
        project = self.main_window.project
        gantt = getattr(self.main_window, "gantt", None)
        if gantt is None:
            return
        wanted = (
            task_markers(project.plan, project.config, self.latest, self.component_tests) if project is not None else {}
        )
        for key in self._marked - set(wanted):
            gantt.set_marker(key, "tests", None)
        for key, text in wanted.items():
            gantt.set_marker(key, "tests", text)
        self._marked = set(wanted)

    # schedules ----------------------------------------------------------------------------------------
    def _apply_schedule_defaults(self) -> None:
        """Preferences, else the plan's "Run tests every N minutes" — unless the lead clicked the toggles."""
        if self._schedule_touched:
            self._schedule_changed()
            return
        settings, project = self.main_window.settings, self.main_window.project
        minutes = int(getattr(settings, "test_schedule_minutes", 0) or 0)
        from_plan = interval_from_plan(project.plan.text) if project is not None else None
        widgets = (self.schedule_toggle, self.schedule_minutes, self.change_toggle)
        for widget in widgets:
            widget.blockSignals(True)
        self.schedule_minutes.setValue(max(1, round(minutes or from_plan or DEFAULT_INTERVAL)))
        self.schedule_toggle.setChecked(bool(minutes or from_plan) and self._repo is not None)
        self.change_toggle.setChecked(bool(getattr(settings, "run_tests_on_change", False)))
        for widget in widgets:
            widget.blockSignals(False)
        self._schedule_changed()

    def _on_schedule_clicked(self, *_args: object) -> None:
        self._schedule_touched = True
        self._schedule_changed()

    def _schedule_changed(self) -> None:
        interval = self.schedule_minutes.value() if self.schedule_toggle.isChecked() else None
        self.scheduler.update(ScheduleSettings(interval, self.change_toggle.isChecked(), self.debounce_seconds))
        if self.scheduler.settings.interval_minutes and not self.scheduler.running:
            self.scheduler.last_run_start = time.monotonic()  # the interval counts from now
        active = self._repo is not None and (interval is not None or self.change_toggle.isChecked())
        if active and not self._tick.isActive():
            self._tick.start()
        elif not active:
            self._tick.stop()
        self._show_next()

    def refresh(self, change: Any = None) -> None:
        """Files changed: note it for on-change runs (sources and config, not the plan alone)."""
        if change is not None and any(path.endswith(RELEVANT_SUFFIXES) for path in change.paths):
            self.scheduler.note_change(time.monotonic())
            if self.change_toggle.isChecked() and not self._tick.isActive():
                self._tick.start()
            self._show_next()

    def check_schedule(self) -> str | None:
        """Start a due run ("scheduled": all tests, "changed": affected ones); returns why, or None."""
        self.scheduler.settings = dataclasses.replace(self.scheduler.settings, debounce_seconds=self.debounce_seconds)
        due = self.scheduler.due(time.monotonic()) if self.job is None else None
        if due == "scheduled":
            self.run(Selection("all"), "scheduled")
        elif due == "changed":
            self.run(Selection("affected"), "files changed")
        self._show_next()
        return due

    def _show_next(self) -> None:
        wait = self.scheduler.seconds_until_due(time.monotonic())
        if wait is None or self._repo is None:
            self.next_label.setText("")
        else:
            self.next_label.setText(
                f"next run in {int(wait // 60)} min {int(wait % 60)} s" if wait >= 60 else f"next run in {int(wait)} s"
            )

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        """Details beside the tree when the dock is wide, below it when narrow."""
        super().resizeEvent(event)
        wide = event.size().width() >= 760
        orientation = QtCore.Qt.Orientation.Horizontal if wide else QtCore.Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            room = event.size().width() if wide else max(240, self.splitter.height())
            self.splitter.setSizes([room * 3 // 5, room * 2 // 5])

    # lifetime -------------------------------------------------------------------------------------------
    def cleanup(self, wait_ms: int = 15_000) -> None:
        """Stop timers and any run, and wait for its thread (the window closed; tests)."""
        self._tick.stop()
        self._flush_timer.stop()
        job = self.job
        if job is not None:
            job.cancel()
            job.wait(wait_ms)
            QtWidgets.QApplication.sendPostedEvents()


def install(window: Any) -> TestsPanel:
    """Build the Tests dock in ``window`` and connect it to the window's signals."""
    panel = TestsPanel(window)
    window.statusBar().addPermanentWidget(panel.status_label)
    panel.dock_into("Tests", "testsPanelDock", QtCore.Qt.DockWidgetArea.BottomDockWidgetArea)
    panel.run_finished.connect(window.tests_finished)
    if window.project is not None:
        panel.set_project(window.project)
    return panel
