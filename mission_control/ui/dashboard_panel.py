"""The Dashboard dock (objectName ``dashboard``): success-metric gauges, trends and critical alerts.

Fed live: when a project opens and whenever the watcher reports changed files, a
:class:`~mission_control.services.dashboard.DashboardSource` audits the repository in a worker
thread (only the changed files after the first run), records the audit in the project's
history and returns a snapshot that this dock draws: gauges (baseline → now → target, met or
not; manual metrics listed to sign off), pyqtgraph plots over time with the plan's checkpoints
marked, and the plan's critical alerts. Requests that arrive while an audit runs are merged
into one follow-up run, so two audits never run at once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.audit.metrics import MetricSpec, MetricStatus
from mission_control.history import history_path
from mission_control.services.dashboard import DashboardSource, Series, Snapshot
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.workers import NORMAL, URGENT, Job, run_in_thread
from mission_control.util.progress import CancelToken, ProgressCallback

log = logging.getLogger(__name__)

PLOTS = (
    ("tests", "Tests passing"),
    ("ssot", "SSOT violations"),
    ("roles", "Classes by role"),
    ("components", "Lines per component"),
)
PALETTE = ("#2a9d8f", "#e76f51", "#457b9d", "#f4a261", "#8e7dbe", "#e9c46a", "#6a994e", "#bc4749", "#1d3557", "#b5838d")
FIXED_COLOURS = {"passed": "#2a9d8f", "failed": "#d62839", "duplicates": "#e76f51", "broken imports": "#d62839"}
MET_COLOUR, UNMET_COLOUR, GREY = QtGui.QColor("#1b873f"), QtGui.QColor("#c62828"), QtGui.QColor("#757575")
HISTORY_POLL_MS = 3000
TEXT_MARGIN = 8  # what a view item's style keeps around its text, both sides


class _Request:
    """One pending refresh: ``audit`` files (``paths`` None = all) or only re-read the history."""

    def __init__(self, audit: bool, paths: frozenset[str] | None) -> None:
        self.audit, self.paths = audit, paths

    def merged(self, other: _Request | None) -> _Request:
        if other is None:
            return self
        audit = self.audit or other.audit
        full = (self.audit and self.paths is None) or (other.audit and other.paths is None)
        return _Request(audit, None if full else (self.paths or frozenset()) | (other.paths or frozenset()))


class DashboardPanel(DockPanel):
    """The dock's widget.

    Signals:
        refreshed(object): a :class:`Snapshot` was drawn (tests and the benchmark wait on it).
        audit_failed(str): an audit could not run (the repository is gone...).
    """

    refreshed = QtCore.Signal(object)
    audit_failed = QtCore.Signal(str)

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("dashboard")
        self.source: DashboardSource | None = None
        self.snapshot: Snapshot | None = None
        self._tab_shown = False  # the dock's tab is the one shown (plots are drawn only then)
        self._plots_stale = False  # a snapshot's plots wait for the tab to be shown
        self.job: Job | None = None
        self.audits_started = 0
        self._pending: _Request | None = None
        self._generation = 0
        self._retired: list[DashboardSource] = []
        self._plan_text = ""
        self._history_stamp: tuple[tuple[int, int] | None, ...] = ()
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.checkpoint_lines: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self._build()
        self._history_timer = QtCore.QTimer(self, interval=HISTORY_POLL_MS)
        self._history_timer.timeout.connect(self._on_history_timer)

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(self._build_header())
        left = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        left.addWidget(self._build_gauges())
        left.addWidget(self._build_alerts())
        left.setSizes([260, 120])
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.splitter.setObjectName("dashboardSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self._build_plots())
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([700, 700])
        layout.addWidget(self.splitter, 1)

    def _build_header(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.status_label = QtWidgets.QLabel("No project open")
        self.status_label.setObjectName("dashboardStatus")
        self.status_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.baseline_label = QtWidgets.QLabel("")
        self.baseline_label.setObjectName("dashboardBaseline")
        self.baseline_label.setStyleSheet("color: #616161")
        self.audit_button = QtWidgets.QPushButton("Audit now")
        self.audit_button.setObjectName("dashboardAuditButton")
        self.audit_button.setToolTip("Audit every file again and refresh the dashboard")
        self.audit_button.clicked.connect(self._on_audit_clicked)
        self.audit_button.setEnabled(False)
        row.addWidget(self.status_label, 1)
        row.addWidget(self.baseline_label)
        row.addSpacing(12)
        row.addWidget(self.audit_button)
        return row

    def _build_gauges(self) -> QtWidgets.QTreeWidget:
        tree = QtWidgets.QTreeWidget()
        tree.setObjectName("dashboardGauges")
        tree.setHeaderLabels(["Success metric", "Baseline", "Now", "Target", "Status"])
        tree.setRootIsDecorated(True)
        # a metric's name is never cut: the name column takes the room left and long names wrap
        tree.setUniformRowHeights(False)
        tree.setWordWrap(True)
        tree.setTextElideMode(QtCore.Qt.TextElideMode.ElideNone)
        tree.setAlternatingRowColors(True)
        header = tree.header()
        header.setMinimumSectionSize(48)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        tree.setItemDelegateForColumn(0, _WrappingDelegate(tree))
        header.sectionResized.connect(lambda *_: tree.scheduleDelayedItemsLayout())  # rows re-wrap to the width
        self.gauges = tree
        return tree

    def _build_alerts(self) -> QtWidgets.QWidget:
        box = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        title = QtWidgets.QLabel("<b>Critical alerts</b>")
        tree = QtWidgets.QTreeWidget()
        tree.setObjectName("dashboardAlerts")
        tree.setHeaderLabels(["Time", "Alert", "Cause"])
        tree.setRootIsDecorated(False)
        tree.setWordWrap(False)
        tree.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        tree.header().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(title)
        layout.addWidget(tree, 1)
        self.alerts = tree
        return box

    def _build_plots(self) -> QtWidgets.QWidget:
        box = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.plots: dict[str, pg.PlotItem] = {}
        self.plot_widgets: dict[str, pg.PlotWidget] = {}
        self.legends: dict[str, QtWidgets.QLabel] = {}
        tick_font = QtGui.QFont(self.font())
        for index, (name, title) in enumerate(PLOTS):
            widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
            widget.setObjectName(f"dashboard{name.title()}Plot")
            widget.setBackground("w")
            widget.setMinimumSize(220, 150)
            plot = widget.getPlotItem()
            plot.setTitle(f"<span style='color:#333'>{title}</span>", size=f"{tick_font.pointSizeF():g}pt")
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setMenuEnabled(False)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTextPen("#444")
                plot.getAxis(axis).setPen("#999")
                plot.getAxis(axis).setStyle(tickFont=tick_font)
            plot.getAxis("left").setWidth(QtGui.QFontMetrics(tick_font).horizontalAdvance("00000") + 8)
            # the legend is a label under the plot: it never covers a curve and wraps instead of clipping
            legend = QtWidgets.QLabel("")
            legend.setObjectName(f"dashboard{name.title()}Legend")
            legend.setWordWrap(True)
            legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
            cell = QtWidgets.QWidget()
            column = QtWidgets.QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            column.addWidget(widget, 1)
            column.addWidget(legend)
            grid.addWidget(cell, index // 2, index % 2)
            self.plots[name], self.plot_widgets[name], self.legends[name] = plot, widget, legend
        return box

    # reacting to the window -----------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        """A project was opened (new source, full audit) or its plan edited (re-evaluate only)."""
        repo = getattr(project, "repo", None)
        if project is None or repo is None:
            self._set_source(None)
            self.status_label.setText("No repository: the dashboard needs one to audit")
            return
        plan_text = project.plan.text
        if self.source is None or Path(repo) != self.source.repo or project.config is not self.source.config:
            self._plan_text = plan_text
            self._set_source(DashboardSource(Path(repo), project.config))
            self.request_refresh(audit=True)
        elif plan_text != self._plan_text:
            self._plan_text = plan_text
            self.request_refresh(audit=False)

    def refresh(self, change: Any = None) -> None:
        """Files changed: audit just those (merged with any request already waiting); no change: audit all."""
        if change is None:
            self.request_refresh(audit=True)
            return
        if self.source is None or change.repo_deleted:
            if change.repo_deleted:
                self.status_label.setText("<span style='color:#c62828'>The repository is gone; audits stopped</span>")
            return
        paths = frozenset(change.paths)
        if paths:
            self.request_refresh(audit=True, paths=paths)

    def _set_source(self, source: DashboardSource | None) -> None:
        if self.source is not None:
            self._retired.append(self.source)
        self.source = source
        self._generation += 1
        self._pending = None
        self.audit_button.setEnabled(source is not None)
        if source is None:
            self._history_timer.stop()
        else:
            self._history_stamp = self._history_files_stamp()
            self._history_timer.start()

    # background refreshes ---------------------------------------------------------------------
    def request_refresh(self, audit: bool = True, paths: frozenset[str] | None = None) -> None:
        """Audit (all files, or ``paths``) or only re-read history; queued if a run is going on."""
        if self.source is None:
            return
        request = _Request(audit, paths if audit else frozenset())
        if self.job is not None:
            self._pending = request.merged(self._pending)
            return
        self._start(request)

    def _start(self, request: _Request) -> None:
        source, generation, plan_text = self.source, self._generation, self._plan_text
        if source is None:
            return
        retired, self._retired = self._retired, []
        if request.audit:
            self.audits_started += 1
            self.status_label.setText(self.status_label.text().split(" · auditing")[0] + " · auditing…")

        def work(progress: ProgressCallback, _event: object, cancel: CancelToken) -> tuple[int, Snapshot, bool]:
            for old in retired:  # save what the previous project's audits learnt
                old.flush()
            snapshot = source.refresh(
                plan_text, request.paths, audit=request.audit, on_progress=progress, cancel=cancel
            )
            return generation, snapshot, request.audit

        # The audit of a change set is what the lead waits for: the docks' own reads of it come after.
        priority = URGENT if request.audit and request.paths else NORMAL
        # Bound methods, not lambdas: PySide runs a queued lambda in the sender's (worker) thread.
        self.job = run_in_thread(
            self, work, on_result=self._finished, on_error=self._failed, on_end=self._ended, priority=priority
        )

    def _finished(self, outcome: tuple[int, Snapshot, bool]) -> None:
        generation, snapshot, audited = outcome
        if generation != self._generation:
            return  # a project opened meanwhile; this belongs to the old one
        self.snapshot = snapshot
        self._history_stamp = self._history_files_stamp()
        self.show_snapshot(snapshot)
        self.refreshed.emit(snapshot)
        window = self.main_window
        if audited and window is not None and hasattr(window, "audit_recorded"):
            window.audit_recorded.emit(snapshot)  # after the redraw: what others then read waits behind it

    def _failed(self, message: str) -> None:
        if message != "cancelled":
            self.status_label.setText(f"<span style='color:#c62828'>Audit failed: {_escape(message)}</span>")
            self.audit_failed.emit(message)

    def _ended(self) -> None:
        self.job = None
        pending, self._pending = self._pending, None
        if pending is not None and self.source is not None:
            self._start(pending)

    @QtCore.Slot(object)
    def _on_tests_finished(self, _run: Any) -> None:
        """The Tests dock's run wrote the history: redraw the trends and regression alerts now (not at the next poll)."""
        self.request_refresh(audit=False)

    def _on_history_timer(self) -> None:
        """A test run (Tests dock, CLI) wrote the history: redraw from it (a stat, nothing more)."""
        stamp = self._history_files_stamp()
        if stamp != self._history_stamp and self.job is None:
            self._history_stamp = stamp
            self.request_refresh(audit=False)

    def _history_files_stamp(self) -> tuple[tuple[int, int] | None, ...]:
        if self.source is None:
            return ()
        path = history_path(self.source.repo)
        stamp: list[tuple[int, int] | None] = []
        for candidate in (path, path.with_name(path.name + "-wal")):
            try:
                info = candidate.stat()
                stamp.append((info.st_mtime_ns, info.st_size))
            except OSError:
                stamp.append(None)
        return tuple(stamp)

    def _on_audit_clicked(self) -> None:
        self.request_refresh(audit=True)

    def cleanup(self) -> None:
        """Stop background work and save the audit cache (the window closed)."""
        self._history_timer.stop()
        self._pending = None
        if self.job is not None:
            self.job.cancel()
            # The worker's ended->quit reaches the thread through the GUI event loop, which is
            # not running while we wait here: ask the thread's loop to end after the call itself.
            self.job.qthread.quit()
            self.job.wait(30_000)
        for source in [*self._retired, self.source]:
            if source is not None:
                try:
                    source.flush()
                except Exception:
                    log.exception("saving the audit cache failed")
        self._retired = []

    # drawing --------------------------------------------------------------------------------
    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Draw a snapshot: status line, gauges, plots with checkpoints, alerts."""
        self._show_status(snapshot)
        self._show_gauges(snapshot.statuses)
        if self._tab_shown:
            self._show_plots(snapshot)
        else:  # behind another tab: drawing the plots (20-200 ms) waits until they can be seen
            self._plots_stale = True
        self._show_alerts(snapshot)

    def _show_status(self, snapshot: Snapshot) -> None:
        result = snapshot.audit
        parts = []
        if result is not None:
            broken = len(result.broken_imports)
            parts = [
                f"<b>{result.files:,}</b> files",
                f"<b>{result.lines:,}</b> lines",
                f"<b>{len(result.duplicates)}</b> SSOT violations",
                _coloured(f"{broken} broken imports", broken > 0),
            ]
            if result.parse_errors:
                parts.append(_coloured(f"{len(result.parse_errors)} files do not parse", True))
        parts.append(f"updated {snapshot.taken.astimezone():%H:%M:%S}")
        self.status_label.setText(" · ".join(parts))
        self.status_label.setToolTip("\n".join(snapshot.problems))
        self.baseline_label.setText(f"Baseline: {snapshot.baseline_label}")

    def _show_gauges(self, statuses: tuple[MetricStatus, ...]) -> None:
        self.gauges.clear()
        gauges = [s for s in statuses if s.kind == "gauge"]
        manual = [s for s in statuses if s.kind == "manual"]
        met = sum(1 for s in gauges if s.met)
        live = QtWidgets.QTreeWidgetItem(self.gauges, [f"Live gauges — {met} of {len(gauges)} met"])
        for status in gauges:
            if status.spec is not None:  # a gauge has its spec (kind says so)
                self._gauge_item(live, status, status.spec)
        signoff = QtWidgets.QTreeWidgetItem(self.gauges, [f"To sign off — {len(manual)} manual"])
        for status in manual:
            item = QtWidgets.QTreeWidgetItem(signoff, [status.item.text, "", "", "", "sign off"])
            item.setForeground(4, GREY)
            item.setToolTip(
                0, f"{status.item.group} (plan line {status.item.line}): no measurement; a person signs it off"
            )
        for top in (live, signoff):
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFirstColumnSpanned(True)
            top.setExpanded(True)

    def _gauge_item(
        self, parent: QtWidgets.QTreeWidgetItem, status: MetricStatus, spec: MetricSpec
    ) -> QtWidgets.QTreeWidgetItem:
        unit = spec.unit
        text = (
            ("✔ met", MET_COLOUR)
            if status.met
            else (("✘ not met", UNMET_COLOUR) if status.met is False else ("— no data", GREY))
        )
        item = QtWidgets.QTreeWidgetItem(
            parent,
            [
                status.item.text,
                _number(status.baseline, unit),
                _number(status.now, unit),
                f"{spec.op} {_number(status.target, unit)}",
                text[0],
            ],
        )
        item.setForeground(4, text[1])
        for column in (1, 2, 3):
            item.setTextAlignment(column, QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        where = f"{status.item.group}, plan line {status.item.line}"
        how = "mapped in [metrics] of the config" if status.source == "config" else "recognised in the plan"
        item.setToolTip(0, f"{where}\nmeasures {spec.metric} ({how})")
        item.setData(0, QtCore.Qt.ItemDataRole.UserRole, status)
        return item

    def _on_dock_visibility(self, visible: bool) -> None:
        """The dock's tab was selected or left (a tabbed dock stays "visible" behind the current one)."""
        self._tab_shown = visible
        if visible and self._plots_stale and self.snapshot is not None:
            self._plots_stale = False
            self._show_plots(self.snapshot)

    def _show_plots(self, snapshot: Snapshot) -> None:
        for plot, line in self.checkpoint_lines:
            plot.removeItem(line)
        self.checkpoint_lines = []
        span = snapshot.time_span()
        for name, plot in self.plots.items():
            self._draw_curves(name, plot, snapshot.plots.get(name, {}))
            for number, (label, when) in enumerate(snapshot.checkpoints):
                late = span is not None and when >= span[0] + (span[1] - span[0]) * 0.85
                side = (1, 0.5) if late else (0, 0.5)  # near the right end the label goes left of its line
                line = pg.InfiniteLine(
                    when.timestamp(),
                    angle=90,
                    movable=False,
                    pen=pg.mkPen("#9e9e9e", width=1, style=QtCore.Qt.PenStyle.DashLine),
                    label=label,
                    # right of the line, at two alternating heights: close checkpoints' labels do not overlap
                    labelOpts={
                        "position": 0.93 if number % 2 == 0 else 0.8,
                        "color": "#616161",
                        "anchors": [side, side],
                    },
                )
                plot.addItem(line, ignoreBounds=True)
                self.checkpoint_lines.append((plot, line))
            self._fit_x(plot, snapshot)

    def _draw_curves(self, plot_name: str, plot: pg.PlotItem, series: dict[str, Series]) -> None:
        for key in [k for k in self.curves if k[0] == plot_name and k[1] not in series]:
            plot.removeItem(self.curves.pop(key))
        for index, (curve_name, (xs, ys)) in enumerate(sorted(series.items())):
            curve = self.curves.get((plot_name, curve_name))
            if curve is None:
                colour = FIXED_COLOURS.get(curve_name, PALETTE[index % len(PALETTE)])
                curve = plot.plot(
                    [],
                    [],
                    name=curve_name,
                    pen=pg.mkPen(colour, width=2),
                    symbol="o",
                    symbolSize=5,
                    symbolBrush=colour,
                    symbolPen=None,
                )
                self.curves[(plot_name, curve_name)] = curve
            curve.setData(list(xs), list(ys))
        self._label_curves(plot_name, plot, series)

    def _label_curves(self, plot_name: str, plot: pg.PlotItem, series: dict[str, Series]) -> None:
        """The legend under the plot: each curve's colour and its whole name (wrapped, never cut)."""
        entries = []
        for index, curve_name in enumerate(sorted(series)):
            colour = FIXED_COLOURS.get(curve_name, PALETTE[index % len(PALETTE)])
            entries.append(f"<span style='color:{colour}; font-weight:bold'>━●━</span>&nbsp;{_escape(curve_name)}")
        self.legends[plot_name].setText("&nbsp;&nbsp; ".join(entries) if entries else "<i>no data yet</i>")

    def _fit_x(self, plot: pg.PlotItem, snapshot: Snapshot) -> None:
        """The whole mission on the time axis: from its start to now, or to the plan's end if later."""
        span = snapshot.time_span()
        if span is None:
            return
        first, last = (moment.timestamp() for moment in span)
        margin = (last - first) * 0.03
        plot.setXRange(first - margin, last + margin, padding=0)
        ys = [
            y
            for (name, _curve), item in self.curves.items()
            if item.getViewBox() is plot.getViewBox()
            for y in (item.yData if item.yData is not None else ())
        ]
        # counts start at 0; at least 0..4, so the ticks are whole numbers
        plot.setYRange(0, max([4.0, *ys]) * 1.12, padding=0)

    def _show_alerts(self, snapshot: Snapshot) -> None:
        self.alerts.clear()
        icon = self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MessageBoxCritical)
        for alert in snapshot.alerts:
            item = QtWidgets.QTreeWidgetItem(self.alerts, [_when(alert.when), alert.title, alert.cause])
            item.setIcon(1, icon)
            item.setForeground(1, UNMET_COLOUR)
            item.setToolTip(2, alert.cause)
        if not snapshot.alerts:
            item = QtWidgets.QTreeWidgetItem(self.alerts, ["", "No critical alerts", ""])
            item.setForeground(1, GREY)

    # inspection (tests, benchmark) ------------------------------------------------------------
    def curve_data(self, plot: str, curve: str) -> tuple[list[float], list[float]]:
        """The x (epoch seconds) and y values drawn for ``curve`` of ``plot``."""
        item = self.curves[(plot, curve)]
        xs, ys = item.getData()
        return ([] if xs is None else [float(x) for x in xs]), ([] if ys is None else [float(y) for y in ys])

    def gauge_rows(self) -> dict[str, tuple[str, ...]]:
        """Gauge text -> the row's cells (baseline, now, target, status) as shown."""
        rows: dict[str, tuple[str, ...]] = {}
        for top in range(self.gauges.topLevelItemCount()):
            parent = self.gauges.topLevelItem(top)
            children = (parent.child(i) for i in range(parent.childCount())) if parent is not None else ()
            for child in children:
                if child is not None:
                    rows.setdefault(child.text(0), tuple(child.text(c) for c in range(1, 5)))
        return rows


class _WrappingDelegate(QtWidgets.QStyledItemDelegate):
    """Column 0 of a tree: rows as tall as their text wrapped at the column's width (Qt's own size
    hint ignores the width, so a long metric name was cut at one line)."""

    def __init__(self, tree: QtWidgets.QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(
        self, option: QtWidgets.QStyleOptionViewItem, index: QtCore.QModelIndex | QtCore.QPersistentModelIndex
    ) -> QtCore.QSize:
        hint = super().sizeHint(option, index)
        depth, parent = 1 if self.tree.rootIsDecorated() else 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = self.tree.header().sectionSize(0) - depth * self.tree.indentation() - TEXT_MARGIN
        if width <= 0 or self.tree.isFirstColumnSpanned(index.row(), index.parent()):
            return hint
        text = str(index.data() or "")
        box = option.fontMetrics.boundingRect(QtCore.QRect(0, 0, width, 100_000), QtCore.Qt.TextFlag.TextWordWrap, text)
        return QtCore.QSize(hint.width(), max(hint.height(), box.height() + 4))


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text} {unit}".strip()


def _when(when: datetime) -> str:
    local = when.astimezone()
    return f"{local:%H:%M:%S}" if local.date() == datetime.now().astimezone().date() else f"{local:%Y-%m-%d %H:%M}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _coloured(text: str, bad: bool) -> str:
    return f"<span style='color:#c62828'><b>{text}</b></span>" if bad else text


def install(window: QtWidgets.QMainWindow) -> DashboardPanel:
    """Build the Dashboard dock (bottom area), wire it to the window and return the panel."""
    panel = DashboardPanel(window)
    dock = panel.dock_into("Dashboard", "dashboardDock", QtCore.Qt.DockWidgetArea.BottomDockWidgetArea)
    dock.visibilityChanged.connect(panel._on_dock_visibility)
    panel.main_window.tests_finished.connect(panel._on_tests_finished)
    app = QtWidgets.QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(panel.cleanup)
    return panel
