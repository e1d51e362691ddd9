"""The interactive Gantt: swimlanes, bars, dependency arrows, drag to reschedule.

Built on pyqtgraph: its ViewBox gives wheel zoom on the time axis and drag-to-pan on empty space;
a custom :class:`TimeAxis` keeps hour/date ticks readable at every zoom. The bars of the whole plan
are painted by one item and hit-tested by arithmetic (:mod:`mission_control.ui.gantt_items`), so a
10,000-task plan costs what its visible rows cost; the bar being dragged is its own small item, so a
drag frame repaints only that bar and its arrows. A row is as tall as the UI font needs (bars hold
one line of text at the UI font's size); the left column names the lanes and is resized by dragging
its edge. The view holds no domain logic: it draws what the project's plan and analysis say and
reports what the lead did through signals.

Signals:
    task_selected(str): a bar was clicked.
    span_change_finished(str, object, object): a drag ended — task key, new start, new duration
        (the undo point; the window turns it into an undo command).
    span_changing(str, object, object): live position during a drag (for previews).
    task_nudged(str, object, object): an arrow key moved the selected task by one snap step.
    label_width_changed(int): the lead dragged the label column to a new width (0: double-clicked
        its edge, back to fitting the lane names).

What the teams did is drawn over the plan (:meth:`GanttView.set_team_tracking`): each team's lane
label shows its state; a task's mapped commits are ticks at their commit time and, once the
mission has started, its actual span (first to last commit) is a thin bar under the planned one;
all of them are one :class:`TrackItem`, with the commits listed in the bar's tooltip; a blocked task
carries a marker saying by what. The conflict forecast links the tasks whose commits collide
(:meth:`GanttView.set_team_conflicts`): a red outline, a marker ``⚡ conflicts with bravo2`` and the
files in the tooltip, on both bars.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.plan import Dependency, Plan, Retiming, Task, retiming
from mission_control.plan.dates import EPOCH, DateFormat
from mission_control.schedule import ScheduleAnalysis, format_time
from mission_control.ui.gantt_items import (
    ArrowsItem,
    Bar,
    BarsItem,
    DragBarItem,
    LaneAxis,
    LanesItem,
    TrackData,
    TrackItem,
    bar_label,
)
from mission_control.ui.gantt_style import (
    BAR_FILL,
    COLORS,
    BarGeometry,
    hours_between,
    palette_is_dark,
    row_pixels,
    use_dark_colours,
)

__all__ = [
    "BAR_FILL",
    "COLORS",
    "Bar",
    "BarGeometry",
    "GanttView",
    "TaskTrack",
    "TrackData",
    "blocked_marker",
    "hours_between",
    "palette_is_dark",
    "use_dark_colours",
]

TRACK_SOURCE = "teams"  # the marker slot of the teams' blocked marks
CONFLICT_SOURCE = "conflicts"  # the marker slot of the forecast's conflicts between teams' tasks
FIT_LEFT_PX = 34  # room before the plan's first moment when fitted: its tick label ("00:00") shows whole
_TICK_STEPS_H = [1 / 60, 5 / 60, 0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 24 * 7, 24 * 14, 24 * 30]


@dataclass(frozen=True)
class TaskTrack:
    """What a team did on one task, as the Gantt draws it.

    Attributes:
        times: when each mapped commit was made, on the plan's time axis (oldest first); empty
            when commit times cannot be placed (a date-less plan before the mission started).
        commits: one line per commit for the tooltip (``sha subject — why``).
        span: draw the actual span (first to last commit) under the planned bar.
        blocked: why the task cannot start (None: not blocked).
    """

    times: tuple[datetime, ...] = ()
    commits: tuple[str, ...] = ()
    span: bool = False
    blocked: str | None = None


def blocked_marker(why: str | None) -> str | None:
    """The bar marker of a blocked task: ``blocked by alpha2 (Team Alpha, …)`` -> ``✗ blocked by alpha2``."""
    return f"✗ {why.split(' (', 1)[0]}" if why else None


class TimeAxis(pg.AxisItem):
    """Bottom/top axis in hours from the origin, labelled as clock times or dates."""

    def __init__(self, orientation: str = "bottom") -> None:
        super().__init__(orientation)
        self.origin = EPOCH
        self.date_less = True
        self.setStyle(tickTextOffset=6, autoExpandTextSpace=True)

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        span = max(maxVal - minVal, 1e-6)
        pixels_per_hour = size / span
        major = next((s for s in _TICK_STEPS_H if s * pixels_per_hour >= 80), _TICK_STEPS_H[-1])
        index = _TICK_STEPS_H.index(major)
        minor = _TICK_STEPS_H[index - 1] if index > 0 else major / 2
        if minor * pixels_per_hour < 12:
            minor = major
        return [(major, 0), (minor, 0)]

    def tickStrings(self, values, scale, spacing):
        return [self.label_for(v, spacing) for v in values]

    def label_for(self, hours: float, spacing: float) -> str:
        moment = self.origin + timedelta(hours=round(hours * 3600) / 3600)
        if self.date_less:
            day = (moment.date() - self.origin.date()).days
            clock = moment.strftime("%H:%M")
            if spacing >= 24:
                return f"Day {day + 1}"
            return clock if day == 0 else f"+{day}d {clock}" if moment.hour == 0 and moment.minute == 0 else clock
        if spacing >= 24:
            return moment.strftime("%b %d")
        return moment.strftime("%H:%M") if moment.hour or moment.minute else moment.strftime("%b %d")


class GanttViewBox(pg.ViewBox):
    """The wheel zooms the time axis only (Shift+wheel scrolls the rows); dragging empty space pans.

    A zoom or pan by the lead ends the automatic fit (``on_user_zoom``): the chart then keeps
    what the lead chose when the window is resized.
    """

    on_user_zoom = staticmethod(lambda: None)

    def wheelEvent(self, ev, axis=None):
        self.on_user_zoom()
        if ev.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier:
            self.translateBy(y=-ev.delta() / 120 * 3)  # three rows a notch
            ev.accept()
            return
        super().wheelEvent(ev, axis=0)

    def mouseDragEvent(self, ev, axis=None):
        self.on_user_zoom()
        super().mouseDragEvent(ev, axis=axis)


class GanttView(pg.PlotWidget):
    """The Gantt chart widget (objectName ``ganttView``)."""

    task_selected = QtCore.Signal(str)
    span_change_finished = QtCore.Signal(str, object, object)
    span_changing = QtCore.Signal(str, object, object)
    task_nudged = QtCore.Signal(str, object, object)
    label_width_changed = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        pg.setConfigOptions(antialias=True, mouseRateLimit=-1)
        time_axis, lane_axis = TimeAxis("bottom"), LaneAxis()
        view_box = GanttViewBox()
        super().__init__(
            parent,
            viewBox=view_box,
            background="w",
            axisItems={"bottom": time_axis, "left": lane_axis, "top": TimeAxis("top")},
        )
        self.time_axis, self.lane_axis = time_axis, lane_axis
        self.setObjectName("ganttView")
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scene().minDragTime = 0
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        item = self.plotItem
        item.showAxis("top")
        item.showGrid(x=True, y=False, alpha=0.18)
        item.hideButtons()
        item.setMenuEnabled(False)
        item.vb.setMouseEnabled(x=True, y=True)
        item.vb.invertY(True)
        item.vb.setDefaultPadding(0.01)
        self.snap_minutes = 15
        self.origin = EPOCH
        self.plan: Plan | None = None
        self.analysis: ScheduleAnalysis | None = None
        self.bars: dict[str, Bar] = {}
        self.row_keys: list[str | None] = []  # row -> the task drawn on it
        self.selected_key: str | None = None
        self.hours_per_pixel = 0.01
        self.label_font = QtGui.QFont(self.font())
        self.label_metrics = QtGui.QFontMetricsF(self.label_font)
        self.row_px = row_pixels(self.font())
        self.user_label_width = 0  # 0: the label column fits the lane names
        self.lanes = LanesItem()
        self.bars_item = BarsItem(self)
        self.drag_item = DragBarItem(self)
        self.arrows = ArrowsItem(self)
        self.now_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(COLORS["now"], width=2),
            label="now",
            labelOpts={"position": 0.02, "color": COLORS["now"]},
        )
        self.now_line.setVisible(False)
        self.drag_label = pg.TextItem(
            "",
            color=COLORS["text"],
            fill=pg.mkBrush(COLORS["background"]),
            border=pg.mkPen(COLORS["axis"]),
            anchor=(0, 1),
        )
        self.drag_label.setZValue(50)
        self.drag_label.setVisible(False)
        self.track = TrackItem(self)
        for extra in (self.lanes, self.arrows, self.bars_item, self.drag_item, self.track, self.now_line):
            item.addItem(extra, ignoreBounds=extra is not self.lanes)
        item.addItem(self.drag_label, ignoreBounds=True)
        self.tracks: dict[str, TaskTrack] = {}
        self._markers: dict[str, dict[str, str]] = {}
        self.team_conflicts: dict[str, tuple[str, ...]] = {}
        self._content = QtCore.QRectF(0, 0, 1, 1)
        self._extent = (0.0, 0.0)  # the bars' earliest start and latest end (hours)
        self._unsure: dict[str, BarGeometry] = {}  # bars a drag moved since the plan was drawn: where it drew them
        self._all_unsure = False  # a preview moved and restyled bars: draw the next plan in full
        self._arrow_region = QtCore.QRectF()
        item.vb.sigRangeChanged.connect(self._on_range_changed)
        item.vb.sigResized.connect(self._on_resized)
        view_box.on_user_zoom = self._stop_auto_fit
        lane_axis.on_width_changed = self._on_label_column_dragged
        self._fitted = False
        self._auto_fit = False  # refit on resize until the lead zooms or pans
        self.apply_palette()

    def apply_palette(self) -> None:
        """Follow the widget's palette: dark chart colours on a dark theme, light ones otherwise."""
        use_dark_colours(palette_is_dark(self))
        self.setBackground(COLORS["background"])
        for name in ("bottom", "top", "left"):
            axis = self.plotItem.getAxis(name)
            axis.setTextPen(pg.mkPen(COLORS["text"]))
            axis.setPen(pg.mkPen(COLORS["axis"]))
        self.drag_label.fill = pg.mkBrush(COLORS["background"])
        self.drag_label.setColor(COLORS["text"])
        self.drag_label.border = pg.mkPen(COLORS["axis"])
        for part in (self.lanes, self.arrows, self.track, self.bars_item, self.drag_item):
            part.update()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if not hasattr(self, "drag_label") or self.plotItem is None:
            return  # (during construction, or after close)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self.apply_palette()
        elif event.type() == QtCore.QEvent.Type.FontChange:
            self.apply_font()

    def apply_font(self) -> None:
        """Follow the widget's (the application's) font: bar labels, row height, axis labels."""
        self.label_font = QtGui.QFont(self.font())
        self.label_metrics = QtGui.QFontMetricsF(self.label_font)
        self.row_px = row_pixels(self.font())
        for name in ("bottom", "top", "left"):
            self.plotItem.getAxis(name).setStyle(tickFont=self.font())
        self._fit_label_column()
        self._apply_row_height()
        self.bars_item.update()

    @staticmethod
    def make_legend() -> QtWidgets.QLabel:
        """A one-line key to the chart's colours, to place under the chart."""
        swatch = "<span style='background:{0};color:{0}'>&nbsp;&nbsp;&nbsp;</span>"
        html = (
            f"{swatch.format(COLORS['crit'])} crit &nbsp; {swatch.format(COLORS['bar'])} task &nbsp; "
            f"{swatch.format(COLORS['done'])} done &nbsp;&nbsp; "
            f"<span style='color:{COLORS['critical_path']}'>▬</span> critical path &nbsp; "
            f"<span style='color:{COLORS['conflict']}'>┅</span> conflict &nbsp; "
            f"<span style='color:{COLORS['arrow']}'>→</span> finish-to-start &nbsp; "
            f"<span style='color:{COLORS['arrow_ss']}'>⇢</span> start-to-start &nbsp;&nbsp; "
            "<span style='color:#5c6773'>drag to move · drag the right edge to resize · Alt: no snap · "
            "wheel: zoom · Shift+wheel: scroll</span>"
        )
        legend = QtWidgets.QLabel(html)
        legend.setObjectName("ganttLegend")
        # Colours from the palette roles (live on a theme change), not from the style sheet
        legend.setAutoFillBackground(True)
        legend.setBackgroundRole(QtGui.QPalette.ColorRole.Base)
        legend.setForegroundRole(QtGui.QPalette.ColorRole.Text)
        legend.setContentsMargins(10, 3, 10, 3)
        legend.setWordWrap(True)  # wraps on a narrow window instead of setting its minimum width
        font = legend.font()
        font.setPointSizeF(max(font.pointSizeF() - 1, 8))
        legend.setFont(font)
        return legend

    # model -> view ---------------------------------------------------------------------
    def set_plan(self, plan: Plan, analysis: ScheduleAnalysis) -> None:
        """Draw ``plan``; keeps the zoom unless this is the first plan shown.

        Bars are records updated in place; the items repaint only what is on screen. When ``plan``
        is the one shown with some tasks moved (a drop, its undo: :func:`retiming`), only the bars
        that moved, or whose style changed, are touched (:meth:`_update_moved`).
        """
        change = self._retiming(plan)
        if change is not None and self.analysis is not None:
            self._update_moved(plan, analysis, change)
            return
        self._unsure = {}
        self._all_unsure = False
        self.plan, self.analysis = plan, analysis
        self.origin = _origin(plan)
        for axis in (self.time_axis, self.plotItem.getAxis("top")):
            axis.origin = self.origin
            axis.date_less = bool(plan.date_format) and not DateFormat(plan.date_format).has_date
            axis.picture = None
        rows, lanes = self._layout(plan)
        keys = rows.keys()
        for key in [k for k in self.bars if k not in keys]:
            del self.bars[key]
        row_keys: list[str | None] = [None] * (int(lanes[-1][2]) if lanes else 0)
        for task in plan.tasks:
            row = rows[task.key]
            geometry = self._geometry(task, row)
            bar = self.bars.get(task.key)
            if bar is None:
                bar = self.bars[task.key] = Bar(task, geometry)
                bar.marker = "  ".join(v for _, v in sorted(self._markers.get(task.key, {}).items()))
            else:
                bar.task = task
                bar.geometry = geometry
            row_keys[row] = task.key
        self.row_keys = row_keys
        self.bars_item.drag = None
        self.drag_item.show_bar(None)
        self._style(analysis)
        self.lanes.set_lanes(lanes)
        self.lane_axis.set_lanes(lanes)
        self._fit_label_column()
        self._update_content_rect()
        self._apply_row_height()
        self._show_selected_row()
        if not self._fitted:
            self.zoom_fit()
            self._fitted = True
        self.bars_item.update()
        self._place_tracks()

    def _retiming(self, plan: Plan) -> Retiming | None:
        """How ``plan`` differs from the plan the bars show, when only by moved tasks; else None.

        None too when the bars no longer show ``self.plan`` exactly (a preview moved and restyled
        them) or the time axis would start elsewhere (every bar moves).
        """
        if self.plan is None or self._all_unsure or len(self.bars) != len(plan.tasks):
            return None
        change = retiming(self.plan, plan)
        if change is None or _origin(plan) != self.origin:
            return None
        return change

    def _update_moved(self, plan: Plan, analysis: ScheduleAnalysis, change: Retiming) -> None:
        """:meth:`set_plan` for a plan that differs from the one shown only by ``change``."""
        old_analysis = self.analysis
        self.plan, self.analysis = plan, analysis
        bars, find = self.bars, plan.find_task
        lo, hi = self._extent
        measure = False
        drawn = {key: bars[key].geometry for key in change.moved}
        drawn.update(self._unsure)  # a dragged bar: where the plan drew it (the drag moved it since)
        for key, old in drawn.items():
            bar, task = bars[key], find(key)
            if task is None:
                continue
            bar.task, bar.geometry = task, self._geometry(task, old.row)
            new = bar.geometry
            if not (lo < old.x0 <= old.x1 < hi and lo <= new.x0 <= new.x1 <= hi):
                measure = True  # it held or now passes an end of the plan
        self._unsure = {}
        for key in change.reread:  # tasks re-read without moving (a fixed start instead of 'after')
            task = find(key)
            if task is not None:
                bars[key].task = task
        if old_analysis is not analysis or change.unlinked:
            self._restyle(old_analysis, analysis, change.unlinked)
        self.bars_item.drag = None
        self.drag_item.show_bar(None)
        if measure:
            self._update_content_rect()
        self.arrows.update()
        self.bars_item.update()

    def _restyle(self, old: ScheduleAnalysis | None, new: ScheduleAnalysis, unlinked: list[Dependency]) -> None:
        """Restyle only the bars whose critical mark or conflicts differ between ``old`` and ``new``,
        and only the arrows of ``unlinked`` dependencies or of changed conflicts."""
        old_critical, critical = set(old.critical_path if old else ()), set(new.critical_path)
        for key in old_critical ^ critical:
            self.bars[key].critical = key in critical
        old_messages, messages = _conflict_messages(old), _conflict_messages(new)
        for key in old_messages.keys() | messages.keys():
            self.bars[key].conflicts = messages.get(key, [])
        conflicted = _conflict_pairs(new)
        changed = _conflict_pairs(old) ^ conflicted
        if unlinked or changed:
            self.arrows.drop_and_mark([(d.from_key, d.to_key, d.kind) for d in unlinked], conflicted, changed)

    def _style(self, analysis: ScheduleAnalysis) -> None:
        critical = set(analysis.critical_path)
        messages = _conflict_messages(analysis)
        for key, bar in self.bars.items():
            bar.critical = key in critical
            bar.conflicts = messages.get(key, [])
            bar.selected = key == self.selected_key
        self.arrows.set_arrows(self._arrow_list(analysis))

    def _arrow_list(self, analysis: ScheduleAnalysis) -> list[tuple[str, str, str, bool]]:
        conflicted = _conflict_pairs(analysis)
        return [
            (d.from_key, d.to_key, d.kind, (d.from_key, d.to_key) in conflicted)
            for d in (self.plan.dependencies if self.plan else [])
        ]

    def _layout(self, plan: Plan) -> tuple[dict[str, int], list[tuple[str, float, float]]]:
        """Each task's row, section by section, and the lanes (name, top row, bottom row)."""
        by_section: dict[str, list[Task]] = {}
        for task in plan.tasks:
            by_section.setdefault(task.section, []).append(task)
        sections = list(plan.sections) or [""]
        if any(section not in sections for section in by_section):
            sections = ["", *sections]
        rows: dict[str, int] = {}
        lanes: list[tuple[str, float, float]] = []
        row = 0
        for section in sections:
            tasks = by_section.get(section, [])
            if not tasks and section == "":
                continue
            top = row
            for task in tasks:
                rows[task.key] = row
                row += 1
            lanes.append((section or "(no section)", float(top), float(max(row, top + 1))))
            row = max(row, top + 1)
        return rows, lanes

    def _geometry(self, task: Task, row: int) -> BarGeometry:
        if task.start is None or task.end is None:  # not resolved
            return BarGeometry(row, 0.0, 0.0)
        return BarGeometry(row, hours_between(self.origin, task.start), hours_between(self.origin, task.end))

    def content_rect(self) -> QtCore.QRectF:
        """Everything the plan covers, padded (cached; recomputed when the plan is set)."""
        return self._content

    def _update_content_rect(self) -> None:
        for part in (self.arrows, self.bars_item, self.track):
            part.prepareGeometryChange()
        if not self.bars:
            self._content = QtCore.QRectF(0, 0, 1, 1)
            self._extent = (0.0, 0.0)
            return
        lo = min(b.geometry.x0 for b in self.bars.values())
        hi = max(b.geometry.x1 for b in self.bars.values())
        self._extent = (lo, hi)
        self._content = QtCore.QRectF(lo - 1e3, -1, hi - lo + 2e3, len(self.row_keys) + 3)

    def _on_range_changed(self, *_) -> None:
        vb = self.plotItem.vb
        (x0, x1), _ = vb.viewRange()
        self.hours_per_pixel = (x1 - x0) / max(vb.width(), 1)

    def _on_resized(self, *_) -> None:
        self._fit_label_column()  # (its cap is a share of the widget's width)
        self._apply_row_height()
        if self._auto_fit:
            self.zoom_fit()

    def _stop_auto_fit(self) -> None:
        self._auto_fit = False

    def _apply_row_height(self) -> None:
        """Keep a row ``row_px`` pixels tall whatever the widget's height (the bars hold the UI font)."""
        vb = self.plotItem.vb
        span = max(vb.height(), 1) / self.row_px
        rows = len(self.row_keys) or 1
        top = vb.viewRange()[1][0]
        vb.setLimits(yMin=-0.3, yMax=max(rows + 0.3, span - 0.3), minYRange=span, maxYRange=span)
        vb.setYRange(top, top + span, padding=0)

    def _fit_label_column(self) -> None:
        """The label column: the lead's width if they set one, else wide enough for the lane names."""
        if self.user_label_width:
            width = self.user_label_width
        else:
            width = min(self.lane_axis.fitting_width(), max(round(self.width() * 0.35), 160))
        if self.lane_axis.label_width() != width:
            self.lane_axis.set_label_width(width)

    def set_label_width(self, width: int) -> None:
        """Set the label column's width (0: fit the lane names), as a drag of its edge does."""
        self.user_label_width = max(int(width), 0)
        self._fit_label_column()

    def _on_label_column_dragged(self, width: int) -> None:
        self.user_label_width = width
        self._fit_label_column()
        self.label_width_changed.emit(width)

    # view operations -------------------------------------------------------------------
    def zoom_fit(self) -> None:
        """Show the whole plan's time span, from its first row (the rows keep their height)."""
        if not self.bars:
            return
        self._auto_fit = True
        vb = self.plotItem.vb
        resolved = [b for b in self.bars.values() if b.task.resolved] or list(self.bars.values())
        lo = min(b.geometry.x0 for b in resolved)
        hi = max(b.geometry.x1 for b in resolved)
        span = max(hi - lo, 0.5)
        width = max(vb.width(), 200)
        right_px = self._label_overhang(resolved, hi, span / width)
        inner = max(width - FIT_LEFT_PX - right_px, width * 0.5)
        per_pixel = span / inner
        vb.setXRange(lo - FIT_LEFT_PX * per_pixel, hi + right_px * per_pixel, padding=0)
        rows_span = max(vb.height(), 1) / self.row_px
        vb.setYRange(-0.15, -0.15 + rows_span, padding=0)

    def _label_overhang(self, bars: list[Bar], hi: float, per_pixel: float) -> float:
        """Pixels needed after the plan's end for the labels drawn beside the last bars."""
        last = sorted(bars, key=lambda b: b.geometry.x1, reverse=True)[:12]
        metrics = self.label_metrics
        need = 0.0
        for bar in last:
            g = bar.geometry
            text = metrics.horizontalAdvance(bar_label(bar)) + 12
            if text <= (g.x1 - g.x0) / per_pixel:
                continue  # fits inside its bar
            need = max(need, text - (hi - g.x1) / per_pixel)
        return min(need, 0.35 * max(self.plotItem.vb.width(), 200))

    def zoom(self, factor: float) -> None:
        """Zoom the time axis about the centre (factor < 1 zooms in)."""
        self._auto_fit = False
        vb = self.plotItem.vb
        (x0, x1), _ = vb.viewRange()
        centre = (x0 + x1) / 2
        half = (x1 - x0) * factor / 2
        vb.setXRange(centre - half, centre + half, padding=0)

    def scroll_to(self, key: str) -> None:
        """Bring task ``key``'s row (and its start) into view if it is not."""
        bar = self.bars.get(key)
        if bar is None:
            return
        vb = self.plotItem.vb
        (x0, x1), (y0, y1) = vb.viewRange()
        g = bar.geometry
        if g.row < y0 or g.row + 1 > y1:
            top = max(g.row - (y1 - y0) / 3, -0.15)
            vb.setYRange(top, top + (y1 - y0), padding=0)
        if g.x1 < x0 or g.x0 > x1:
            width = x1 - x0
            vb.setXRange(g.x0 - width * 0.1, g.x0 + width * 0.9, padding=0)

    def set_marker(self, key: str, source: str, text: str | None) -> None:
        """Show a short marker after task ``key``'s name (e.g. ``⟲ rolled back``, ``✓ 12/12``).

        Several panels mark bars; each owns its ``source`` slot, and ``None`` clears it.
        """
        markers = self._markers.setdefault(key, {})
        if markers.get(source) == (text or None):
            return  # unchanged (a panel pushes every task's marker on each redraw): nothing to repaint
        if text:
            markers[source] = text
        else:
            markers.pop(source, None)
        bar = self.bars.get(key)
        if bar is not None:
            marker = "  ".join(markers[s] for s in sorted(markers))
            if marker != bar.marker:
                bar.marker = marker
                self.bars_item.update_bar(bar)

    def set_team_tracking(self, states: Mapping[str, str], tracks: Mapping[str, TaskTrack]) -> None:
        """Show what the teams did: ``states`` by section (after the lane name), ``tracks`` by task key.

        Replaces what was shown before (empty mappings clear it); blocked tasks get a marker.
        """
        self.lane_axis.states = dict(states)
        self.lane_axis.picture = None
        self.lane_axis.update()
        for key in set(self.tracks) - set(tracks):
            self.set_marker(key, TRACK_SOURCE, None)
        self.tracks = dict(tracks)
        for key, track in self.tracks.items():
            self.set_marker(key, TRACK_SOURCE, blocked_marker(track.blocked))
        self._fit_label_column()
        self._place_tracks()

    def set_team_conflicts(self, links: Mapping[str, tuple[str, ...]]) -> None:
        """Mark the tasks the conflict forecast links: task key -> one line per conflict
        (``conflicts with bravo2 — team bravo: app/core.py``; the marker is the part before the dash).
        Replaces what was shown before."""
        for key in set(self.team_conflicts) - set(links):
            self.set_marker(key, CONFLICT_SOURCE, None)
        self.team_conflicts = {k: tuple(v) for k, v in links.items() if v}
        for key, lines in self.team_conflicts.items():
            first = lines[0].split(" — ", 1)[0]
            more = f" +{len(lines) - 1}" if len(lines) > 1 else ""
            self.set_marker(key, CONFLICT_SOURCE, f"⚡ {first}{more}")
        self.bars_item.update()

    def _place_tracks(self) -> None:
        """Turn the tracks' times into rows and hours from the origin (after a new plan or new tracks)."""
        data = TrackData()
        for key, track in self.tracks.items():
            bar = self.bars.get(key)
            if bar is None or not track.times:
                continue
            row = bar.geometry.row
            hours = [hours_between(self.origin, t) for t in track.times]
            data.ticks.extend((row, h) for h in hours)
            if track.span:
                data.spans.append((row, min(hours), max(hours)))
        data.ticks.sort()
        data.spans.sort()
        self.track.set_data(data)

    def set_now(self, moment: datetime | None) -> None:
        """Show the now-line at ``moment`` (None hides it)."""
        if moment is None:
            self.now_line.setVisible(False)
            return
        self.now_line.setPos(hours_between(self.origin, moment))
        self.now_line.setVisible(True)

    def select(self, key: str | None, emit: bool = False) -> None:
        """Highlight ``key``'s bar and band its row; emit ``task_selected`` when the user did it."""
        previous = self.bars.get(self.selected_key) if self.selected_key else None
        self.selected_key = key
        if previous is not None and previous.key != key:
            previous.selected = False
            self.bars_item.update_bar(previous)
        bar = self.bars.get(key) if key else None
        if bar is not None and not bar.selected:
            bar.selected = True
            self.bars_item.update_bar(bar)
        self._show_selected_row()
        if emit and key is not None:
            self.task_selected.emit(key)

    def _show_selected_row(self) -> None:
        bar = self.bars.get(self.selected_key) if self.selected_key else None
        self.lanes.set_selected_row(bar.geometry.row if bar is not None else None)

    def bar_at(self, pos: QtCore.QPointF) -> Bar | None:
        """The bar at ``pos`` (chart coordinates): the task of row ``floor(y)``, if ``pos`` is on its bar."""
        row = math.floor(pos.y())
        if not 0 <= row < len(self.row_keys):
            return None
        key = self.row_keys[row]
        bar = self.bars.get(key) if key is not None else None
        return bar if bar is not None and bar.inside(pos, self.hours_per_pixel) else None

    def task_rect(self, key: str) -> QtCore.QRect:
        """The bar of task ``key`` in this widget's coordinates."""
        bar = self.bars[key]
        vb = self.plotItem.vb
        scene_rect = vb.mapViewToScene(bar.rect()).boundingRect()
        polygon = self.mapFromScene(scene_rect)
        return polygon.boundingRect()

    @property
    def date_only(self) -> bool:
        """Whether the plan's dateFormat has no time of day (then bars move by whole days)."""
        fmt = self.plan.date_format if self.plan else ""
        return bool(fmt) and DateFormat(fmt).has_date and not any(t in fmt for t in ("H", "h", "m", "s", "x", "X"))

    @property
    def snap_hours(self) -> float:
        return 24.0 if self.date_only else self.snap_minutes / 60

    @property
    def format_step_hours(self) -> float:
        """The finest step the plan's dateFormat can write: a day, an hour, a minute, a second (0: any)."""
        fmt = self.plan.date_format if self.plan else ""
        if self.date_only:
            return 24.0
        if "x" in fmt:  # Unix milliseconds
            return 0.0
        if "s" in fmt or "X" in fmt:
            return 1 / 3600
        if "m" in fmt or not fmt:
            return 1 / 60
        return 1.0  # hours only

    def fit_format(self, hours: float) -> float:
        """Round ``hours`` to what the plan's dateFormat can hold (an Alt-drag: no snap, but no 01:55:29 with HH:mm)."""
        step = self.format_step_hours
        return round(hours / step) * step if step > 0 else hours

    def snap(self, hours: float) -> float:
        step = self.snap_hours
        return round(hours / step) * step if step > 0 else hours

    def format_span(self, geometry: BarGeometry) -> str:
        start = self.origin + timedelta(hours=geometry.x0)
        end = self.origin + timedelta(hours=geometry.x1)
        plan = self.plan
        return f"{format_time(plan, _round_s(start))} – {format_time(plan, _round_s(end))}" if plan else ""

    def tooltip_for(self, bar: Bar) -> str:
        task = bar.task
        plan = self.plan
        lines = [f"<b>{html.escape(task.name)}</b>" + (f" ({task.id})" if task.id else "")]
        if plan is not None:
            lines.append(f"{format_time(plan, task.start)} – {format_time(plan, task.end)}")
        if task.tags:
            lines.append("tags: " + ", ".join(task.tags))
        if bar.critical:
            lines.append("on the critical path (no float)")
        for message in bar.conflicts:
            lines.append(f"<span style='color:{COLORS['conflict']}'>⚠ {message}</span>")
        for line in self.team_conflicts.get(bar.key, ()):
            lines.append(f"<span style='color:{COLORS['conflict']}'>⚡ {html.escape(line)}</span>")
        track = self.tracks.get(bar.key)
        if track is not None:
            lines.extend(self._track_tooltip(track))
        return "<br>".join(lines)

    def _track_tooltip(self, track: TaskTrack, most: int = 12) -> list[str]:
        lines = []
        if track.blocked:
            lines.append(f"<span style='color:{COLORS['blocked']}'>✗ {html.escape(track.blocked)}</span>")
        if track.commits:
            count = len(track.commits)
            lines.append(f"<b>{count} commit{'s' * (count != 1)}</b>")
            lines.extend(html.escape(c) for c in track.commits[:most])
            if count > most:
                lines.append(f"… and {count - most} more")
        return lines

    # drag plumbing ----------------------------------------------------------------------
    def drag_started(self, bar: Bar) -> None:
        """A drag took ``bar``: the drag item paints it from now on, the bars item no more."""
        self._unsure.setdefault(bar.key, bar.geometry)
        self.bars_item.update_bar(bar)
        self.drag_item.show_bar(bar)
        self._arrow_region = self.arrows.region_of(bar.key)

    def drag_moved(self, bar: Bar, geometry: BarGeometry) -> None:
        self.drag_item.show_bar(bar)
        self.drag_label.setText(self.format_span(geometry))
        self.drag_label.setPos(geometry.x0, geometry.row + (1 - BAR_FILL) / 2 - 0.02)
        self.drag_label.setVisible(True)
        region = self.arrows.region_of(bar.key)
        self.arrows.update(region.united(self._arrow_region))  # only the arrows touching the bar
        self._arrow_region = region
        start, duration = self.to_times(geometry)
        self.span_changing.emit(bar.key, start, duration)

    def drag_finished(self, bar: Bar, old: BarGeometry, new: BarGeometry) -> None:
        self.drag_label.setVisible(False)
        start, duration = self.to_times(new)
        self.span_change_finished.emit(bar.key, start, duration)
        if self.drag_item.bar is bar:  # nobody redrew the plan (no window listening): stay where dropped
            self._end_drag(bar)

    def drag_cancelled(self, bar: Bar, start: BarGeometry) -> None:
        """Put ``bar`` back at ``start`` (and the bars a preview moved, by drawing the plan again)."""
        self.drag_label.setVisible(False)
        bar.geometry = start
        self._end_drag(bar)
        if self.plan is not None and self.analysis is not None:
            self.set_plan(self.plan, self.analysis)

    def _end_drag(self, bar: Bar) -> None:
        self.drag_item.show_bar(None)
        self.bars_item.update_bar(bar)
        self.arrows.update(self._arrow_region.united(self.arrows.region_of(bar.key)))

    def to_times(self, geometry: BarGeometry) -> tuple[datetime, timedelta]:
        """Bar position → (start, duration), to the minute (to the day for date-only plans)."""
        unit = 24 * 60 if self.date_only else 1
        start = _round_minutes(self.origin + timedelta(hours=geometry.x0), unit)
        end = _round_minutes(self.origin + timedelta(hours=geometry.x1), unit)
        return start, end - start

    def show_preview(self, plan: Plan, analysis: ScheduleAnalysis, dragged: str) -> None:
        """Show a would-be schedule during a drag: other bars move, conflicts recolour."""
        self._all_unsure = True
        for task in plan.tasks:
            bar = self.bars.get(task.key)
            if bar is not None and task.key != dragged and task.resolved:
                bar.geometry = self._geometry(task, bar.geometry.row)
        saved = self.plan
        self.plan = plan
        self._style(analysis)
        self.plan = saved
        self.bars_item.update()

    def mousePressEvent(self, ev: QtGui.QMouseEvent) -> None:
        super().mousePressEvent(ev)
        ev.accept()  # the scene turns every press into a click or a drag (pan, bar, label column)

    def mouseReleaseEvent(self, ev: QtGui.QMouseEvent) -> None:
        super().mouseReleaseEvent(ev)
        ev.accept()

    def keyPressEvent(self, ev: QtGui.QKeyEvent) -> None:
        if ev.key() == QtCore.Qt.Key.Key_Escape:
            self.bars_item.cancel_drag()
            ev.accept()
            return
        if ev.key() in (QtCore.Qt.Key.Key_Left, QtCore.Qt.Key.Key_Right) and self.selected_key in self.bars:
            bar = self.bars[self.selected_key]
            step = self.snap_hours * (1 if ev.key() == QtCore.Qt.Key.Key_Right else -1)
            g = bar.geometry
            self.task_nudged.emit(bar.key, *self.to_times(BarGeometry(g.row, g.x0 + step, g.x1 + step)))
            ev.accept()
            return
        super().keyPressEvent(ev)


def _conflict_messages(analysis: ScheduleAnalysis | None) -> dict[str, list[str]]:
    """Each late-starting task's conflict messages."""
    messages: dict[str, list[str]] = {}
    for conflict in analysis.conflicts if analysis else ():
        messages.setdefault(conflict.task, []).append(conflict.message)
    return messages


def _conflict_pairs(analysis: ScheduleAnalysis | None) -> set[tuple[str, str]]:
    """(predecessor, successor) of every conflict: the arrows drawn as conflicts."""
    return {(c.depends_on, c.task) for c in analysis.conflicts} if analysis else set()


def _origin(plan: Plan) -> datetime:
    start = plan.start or plan.reference_day or EPOCH
    return datetime.combine(start.date(), datetime.min.time())


def _round_minutes(value: datetime, unit: int) -> datetime:
    """Round to a whole number of ``unit`` minutes from midnight of 0001-01-01."""
    minutes = (value - datetime.min).total_seconds() / 60
    return datetime.min + timedelta(minutes=round(minutes / unit) * unit)


def _round_s(value: datetime) -> datetime:
    """Drop float noise from hour arithmetic: round to the nearest second."""
    return datetime.min + timedelta(seconds=math.floor((value - datetime.min).total_seconds() + 0.5))
