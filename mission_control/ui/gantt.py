"""The interactive Gantt: swimlanes, bars, dependency arrows, drag to reschedule.

Built on pyqtgraph: its ViewBox gives wheel zoom on the time axis and drag-to-pan on empty space;
a custom :class:`TimeAxis` keeps hour/date ticks readable at every zoom; each task is a
:class:`BarItem` that follows pyqtgraph's drag protocol (``mouseDragEvent`` with
``isStart``/``isFinish``, right-click or Escape cancels). The view holds no domain logic: it draws
what the project's plan and analysis say and reports what the lead did through signals.

Signals:
    task_selected(str): a bar was clicked.
    span_change_finished(str, object, object): a drag ended — task key, new start, new duration
        (the undo point; the window turns it into an undo command).
    span_changing(str, object, object): live position during a drag (for previews).
    task_nudged(str, object, object): an arrow key moved the selected task by one snap step.

What the teams did is drawn over the plan (:meth:`GanttView.set_team_tracking`): each team's lane
label shows its state; a task's mapped commits are ticks at their commit time and, once the
mission has started, its actual span (first to last commit) is a thin bar under the planned one;
all of them are one :class:`TrackItem` (a 2,000-task plan stays fluid), with the commits listed in
the bar's tooltip; a blocked task carries a marker saying by what. The conflict forecast links the
tasks whose commits collide (:meth:`GanttView.set_team_conflicts`): a red outline, a marker
``⚡ conflicts with bravo2`` and the files in the tooltip, on both bars.
"""

from __future__ import annotations

import bisect
import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.plan import FINISH_TO_START, Plan, Task
from mission_control.plan.dates import EPOCH, DateFormat
from mission_control.schedule import ScheduleAnalysis, format_time

ROW_HEIGHT = 1.0
BAR_FILL = 0.7
EDGE_GRAB_PX = 7
LABEL_ROOM_PX = 320
ROW_PX = 26  # preferred height of a task row on screen
LANE_COLORS = ["#f7f9fc", "#eef2f8"]
COLORS = {
    "bar": "#5b8def",
    "bar_border": "#3866c4",
    "crit": "#e4606d",
    "crit_border": "#b83a48",
    "done": "#a9b4c2",
    "done_border": "#7d8896",
    "active": "#7fb3ff",
    "conflict": "#d7263d",
    "critical_path": "#ff9f1c",
    "arrow": "#5c6773",
    "arrow_ss": "#7a5cc4",
    "text": "#16202c",
    "milestone": "#2b2f36",
    "now": "#2a9d8f",
    "selection": "#111111",
    "background": "#ffffff",
    "axis": "#9aa5b1",
    "graph_background": "#fbfcfe",
    "label_back": "#ffffffdc",
    "tick": "#1b1f24",
    "actual": "#2a9d8f",
    "blocked": "#b5179e",
}
TRACK_SOURCE = "teams"  # the marker slot of the teams' blocked marks
CONFLICT_SOURCE = "conflicts"  # the marker slot of the forecast's conflicts between teams' tasks
#: What changes on a dark palette (the bar colours read well on both).
_THEMES = {
    False: {
        "text": "#16202c",
        "milestone": "#2b2f36",
        "selection": "#111111",
        "arrow": "#5c6773",
        "background": "#ffffff",
        "axis": "#9aa5b1",
        "graph_background": "#fbfcfe",
        "label_back": "#ffffffdc",
        "tick": "#1b1f24",
        "lanes": ("#f7f9fc", "#eef2f8"),
    },
    True: {
        "text": "#e3e8ef",
        "milestone": "#cfd6df",
        "selection": "#f5f5f5",
        "arrow": "#9aa5b1",
        "background": "#1e2227",
        "axis": "#5c6773",
        "graph_background": "#23272e",
        "label_back": "#23272edc",
        "tick": "#f5f5f5",
        "lanes": ("#23272e", "#2a2f37"),
    },
}


def use_dark_colours(dark: bool) -> bool:
    """Switch the chart colours (shared by the Gantt and the graph) to the dark or light set.

    Returns whether anything changed.
    """
    theme = _THEMES[bool(dark)]
    if COLORS["background"] == theme["background"]:
        return False
    COLORS.update({k: v for k, v in theme.items() if isinstance(v, str)})  # all but the lanes
    LANE_COLORS[:] = theme["lanes"]
    return True


def palette_is_dark(widget: QtWidgets.QWidget) -> bool:
    """Whether ``widget``'s palette has a dark window background."""
    return widget.palette().color(QtGui.QPalette.ColorRole.Window).lightness() < 128


_TICK_STEPS_H = [1 / 60, 5 / 60, 0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 24 * 7, 24 * 14, 24 * 30]


@dataclass
class BarGeometry:
    """Where a task is drawn: its row and its hours from the plan's origin."""

    row: int
    x0: float
    x1: float


@dataclass(frozen=True)
class _Drag:
    """A bar's drag under way: moving or resizing, from where the press was, from which geometry."""

    mode: str  # "move" or "resize"
    origin: float
    start: BarGeometry


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


@dataclass
class TrackData:
    """The tracks in the view's coordinates: what :class:`TrackItem` paints (tests read it too)."""

    ticks: list[tuple[int, float]] = field(default_factory=list)  # (row, hours), sorted
    spans: list[tuple[int, float, float]] = field(default_factory=list)  # (row, first, last), sorted


def blocked_marker(why: str | None) -> str | None:
    """The bar marker of a blocked task: ``blocked by alpha2 (Team Alpha, …)`` -> ``✗ blocked by alpha2``."""
    return f"✗ {why.split(' (', 1)[0]}" if why else None


def hours_between(origin: datetime, value: datetime) -> float:
    return (value - origin).total_seconds() / 3600.0


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


class LaneAxis(pg.AxisItem):
    """Left axis: the section (team) names at the middle of their swimlanes."""

    def __init__(self) -> None:
        super().__init__("left")
        self.lanes: list[tuple[str, float, float]] = []
        self.states: dict[str, str] = {}  # section -> its team's state, shown after the name
        self.setWidth(170)
        self.setStyle(tickLength=0, tickTextOffset=8)

    def set_lanes(self, lanes: list[tuple[str, float, float]]) -> None:
        self.lanes = lanes
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):
        return [(1.0, [(top + bottom) / 2 for _, top, bottom in self.lanes])]

    def tickStrings(self, values, scale, spacing):
        names = {round((top + bottom) / 2, 6): name for name, top, bottom in self.lanes}
        metrics = QtGui.QFontMetrics(self.font() if hasattr(self, "font") else QtGui.QFont())
        return [self.lane_label(names.get(round(v, 6), ""), metrics) for v in values]

    def lane_label(self, name: str, metrics: QtGui.QFontMetrics) -> str:
        """The lane's name, elided to fit, with its team's state after it (the state always shows)."""
        state = self.states.get(name)
        suffix = f" · {state}" if state else ""
        room = max(155 - metrics.horizontalAdvance(suffix), 40)
        return metrics.elidedText(name, QtCore.Qt.TextElideMode.ElideRight, room) + suffix


class LanesItem(pg.GraphicsObject):
    """Alternating swimlane bands across the whole time range."""

    def __init__(self) -> None:
        super().__init__()
        self.lanes: list[tuple[str, float, float]] = []
        self.setZValue(-20)

    def set_lanes(self, lanes: list[tuple[str, float, float]]) -> None:
        self.prepareGeometryChange()
        self.lanes = lanes
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        if not self.lanes:
            return QtCore.QRectF()
        return QtCore.QRectF(-1e5, self.lanes[0][1], 2e5, self.lanes[-1][2] - self.lanes[0][1])

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        for index, (_, top, bottom) in enumerate(self.lanes):
            painter.setBrush(pg.mkBrush(LANE_COLORS[index % 2]))
            painter.drawRect(QtCore.QRectF(-1e5, top, 2e5, bottom - top))


class BarItem(pg.GraphicsObject):
    """One task's bar (or milestone diamond), draggable to move and resizable at its right edge."""

    def __init__(self, view: GanttView, task: Task, geometry: BarGeometry) -> None:
        super().__init__()
        self.view = view
        self.key = task.key
        self.task = task
        self.geometry = geometry
        self.critical = False
        self.conflicts: list[str] = []
        self.selected = False
        self.marker = ""
        self._drag: _Drag | None = None
        self._bounds = QtCore.QRectF()
        self.refresh_bounds()
        self.setAcceptHoverEvents(True)
        self.setZValue(10)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, False)

    # geometry -------------------------------------------------------------------------
    def rect(self) -> QtCore.QRectF:
        g = self.geometry
        top = g.row + (1 - BAR_FILL) / 2
        return QtCore.QRectF(g.x0, top, max(g.x1 - g.x0, 0.0), BAR_FILL)

    def boundingRect(self) -> QtCore.QRectF:
        return self._bounds

    def refresh_bounds(self) -> None:
        """Recompute the painted area: the bar plus room for a label beside it (zoom-dependent)."""
        self.prepareGeometryChange()
        r = self.rect()
        self._bounds = r.adjusted(-self.pixel_hours(12), -0.2, self.pixel_hours(LABEL_ROOM_PX), 0.2)

    def pixel_hours(self, pixels: float) -> float:
        """How many hours ``pixels`` screen pixels span at the current zoom."""
        return pixels * self.view.hours_per_pixel

    def set_geometry(self, geometry: BarGeometry) -> None:
        self.geometry = geometry
        self.refresh_bounds()
        self.update()

    @property
    def is_milestone(self) -> bool:
        return "milestone" in self.task.tags

    # painting ------------------------------------------------------------------------
    def paint(self, painter: QtGui.QPainter, *args) -> None:
        # item → device; deviceTransform() crashes PySide6 6.11 here (and a painter being torn down gives None)
        device: QtGui.QTransform | None = painter.transform()
        if device is None:
            return
        rect = device.mapRect(self.rect())
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        fill, border = self._colors()
        if self.is_milestone:
            self._paint_milestone(painter, rect, fill)
        else:
            self._paint_bar(painter, rect, fill, border)
        painter.restore()

    def _colors(self) -> tuple[str, str]:
        tags = self.task.tags
        if "done" in tags:
            return COLORS["done"], COLORS["done_border"]
        if "crit" in tags:
            return COLORS["crit"], COLORS["crit_border"]
        if "active" in tags:
            return COLORS["active"], COLORS["bar_border"]
        return COLORS["bar"], COLORS["bar_border"]

    def _paint_bar(self, painter: QtGui.QPainter, rect: QtCore.QRectF, fill: str, border: str) -> None:
        rect = rect if rect.width() >= 3 else QtCore.QRectF(rect.x(), rect.y(), 3, rect.height())
        pen = _pen(border, 1.2)
        if self.critical:
            pen = _pen(COLORS["critical_path"], 3)
        if self.key in self.view.team_conflicts:
            pen = _pen(COLORS["conflict"], 2.5)
        if self.conflicts:
            pen = _pen(COLORS["conflict"], 3, QtCore.Qt.PenStyle.DashLine)
        if self.selected:
            painter.setPen(_pen(COLORS["selection"], 1.5, QtCore.Qt.PenStyle.DotLine))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-4, -4, 4, 4), 6, 6)
        painter.setPen(pen)
        brush = QtGui.QBrush(QtGui.QColor(fill))
        painter.setBrush(brush)
        painter.drawRoundedRect(rect, 4, 4)
        if "active" in self.task.tags:
            painter.setBrush(QtGui.QBrush(QtGui.QColor(255, 255, 255, 90), QtCore.Qt.BrushStyle.BDiagPattern))
            painter.drawRoundedRect(rect, 4, 4)
        self._paint_label(painter, rect)

    def _paint_label(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        label = self.task.name + (f"  {self.marker}" if self.marker else "")
        if self._drag is not None:
            label = f"{self.view.format_span(self.geometry)}  {self.task.name}"
        font = painter.font()
        font.setPixelSize(max(7, min(12, int(rect.height() * 0.78))))  # fits the bar at every row height
        painter.setFont(font)
        metrics = QtGui.QFontMetricsF(font)
        inner = rect.adjusted(6, 0, -4, 0)
        if metrics.horizontalAdvance(label) <= inner.width():
            painter.setPen(QtGui.QColor("white" if "done" not in self.task.tags else COLORS["text"]))
            painter.drawText(inner, QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.AlignmentFlag.AlignLeft, label)
        else:
            outside = QtCore.QRectF(rect.right() + 6, rect.top(), metrics.horizontalAdvance(label) + 4, rect.height())
            painter.setPen(QtGui.QColor(COLORS["text"]))
            painter.drawText(outside, QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.AlignmentFlag.AlignLeft, label)

    def _paint_milestone(self, painter: QtGui.QPainter, rect: QtCore.QRectF, fill: str) -> None:
        centre = QtCore.QPointF(rect.center().x(), rect.center().y())
        size = rect.height() / 2
        diamond = QtGui.QPolygonF(
            [
                centre + QtCore.QPointF(0, -size),
                centre + QtCore.QPointF(size, 0),
                centre + QtCore.QPointF(0, size),
                centre + QtCore.QPointF(-size, 0),
            ]
        )
        painter.setPen(_pen(COLORS["conflict"] if self.conflicts else COLORS["milestone"], 2 if self.conflicts else 1))
        painter.setBrush(QtGui.QBrush(QtGui.QColor(COLORS["milestone"] if fill == COLORS["bar"] else fill)))
        painter.drawPolygon(diamond)
        painter.setPen(QtGui.QColor(COLORS["text"]))
        painter.drawText(
            QtCore.QRectF(centre.x() + size + 6, rect.top(), 400, rect.height()),
            QtCore.Qt.AlignmentFlag.AlignVCenter,
            self.task.name,
        )

    # interaction ---------------------------------------------------------------------
    def near_right_edge(self, pos: QtCore.QPointF) -> bool:
        return (
            not self.is_milestone
            and abs(pos.x() - self.geometry.x1) <= self.pixel_hours(EDGE_GRAB_PX)
            and self.rect().top() <= pos.y() <= self.rect().bottom()
        )

    def inside(self, pos: QtCore.QPointF) -> bool:
        r = self.rect()
        if self.is_milestone:
            mid = (r.left() + r.right()) / 2
            half = self.pixel_hours(r.height() and 10)
            return abs(pos.x() - mid) <= half and r.top() <= pos.y() <= r.bottom()
        grab = self.pixel_hours(EDGE_GRAB_PX)
        return r.left() - grab / 2 <= pos.x() <= r.right() + grab and r.top() <= pos.y() <= r.bottom()

    def hoverEvent(self, ev) -> None:
        if ev.isExit() or not self.inside(ev.pos()):
            self.unsetCursor()
            return
        ev.acceptDrags(QtCore.Qt.MouseButton.LeftButton)
        ev.acceptClicks(QtCore.Qt.MouseButton.LeftButton)
        shape = (
            QtCore.Qt.CursorShape.SizeHorCursor
            if self.near_right_edge(ev.pos())
            else QtCore.Qt.CursorShape.OpenHandCursor
        )
        self.setCursor(shape)
        self.setToolTip(self.view.tooltip_for(self))

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == QtCore.Qt.MouseButton.RightButton and self._drag is not None:
            self.cancel_drag()
            ev.accept()
            return
        if ev.button() == QtCore.Qt.MouseButton.LeftButton and self.inside(ev.pos()):
            ev.accept()
            self.view.select(self.key, emit=True)

    def mouseDragEvent(self, ev) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            if not self.inside(ev.buttonDownPos()) or not self.task.resolved:
                ev.ignore()
                return
            mode = "resize" if self.near_right_edge(ev.buttonDownPos()) else "move"
            self._drag = _Drag(mode, ev.buttonDownPos().x(), self.geometry)
            self.view.select(self.key, emit=True)
            self.setCursor(
                QtCore.Qt.CursorShape.ClosedHandCursor if mode == "move" else QtCore.Qt.CursorShape.SizeHorCursor
            )
        if self._drag is None:
            ev.ignore()
            return
        ev.accept()
        snap = not (ev.modifiers() & QtCore.Qt.KeyboardModifier.AltModifier)
        geometry = self._dragged_geometry(self._drag, ev.pos().x(), snap)
        if ev.isFinish():
            self._finish(self._drag, geometry)
        else:
            self.set_geometry(geometry)
            self.view.drag_moved(self, geometry)

    def _dragged_geometry(self, drag: _Drag, x: float, snap: bool) -> BarGeometry:
        start = drag.start
        delta = x - drag.origin
        if drag.mode == "move":
            x0 = self.view.snap(start.x0 + delta) if snap else self.view.fit_format(start.x0 + delta)
            return BarGeometry(start.row, x0, x0 + (start.x1 - start.x0))
        x1 = self.view.snap(start.x1 + delta) if snap else self.view.fit_format(start.x1 + delta)
        return BarGeometry(start.row, start.x0, max(x1, start.x0))

    def _finish(self, drag: _Drag, geometry: BarGeometry) -> None:
        start = drag.start
        self._drag = None
        self.unsetCursor()
        if (geometry.x0, geometry.x1) == (start.x0, start.x1):
            self.set_geometry(start)
            self.view.drag_cancelled()
            return
        self.set_geometry(geometry)
        self.view.drag_finished(self, start, geometry)

    def cancel_drag(self) -> None:
        """Put the bar back where the drag started (right-click or Escape)."""
        if self._drag is None:
            return
        self.set_geometry(self._drag.start)
        self._drag = None
        self.unsetCursor()
        self.view.drag_cancelled()


class ArrowsItem(pg.GraphicsObject):
    """Dependency arrows, drawn in screen space so heads keep their size at every zoom."""

    def __init__(self, view: GanttView) -> None:
        super().__init__()
        self.view = view
        self.arrows: list[tuple[str, str, str, bool]] = []  # from key, to key, kind, conflict
        self.setZValue(5)
        # makes option.exposedRect the area being repainted, not the whole item, for culling
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def set_arrows(self, arrows: list[tuple[str, str, str, bool]]) -> None:
        self.prepareGeometryChange()
        self.arrows = arrows
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return self.view.content_rect()

    def paint(self, painter: QtGui.QPainter, option, *args) -> None:
        device = painter.transform()  # item → device; deviceTransform() crashes PySide6 6.11 here
        visible = device.mapRect(option.exposedRect).adjusted(-20, -20, 20, 20) if option is not None else None
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        exposed = option.exposedRect if option is not None else self.boundingRect()
        top, bottom = exposed.top() - 1, exposed.bottom() + 1
        left, right = exposed.left(), exposed.right()
        bars = self.view.bars
        for from_key, to_key, kind, conflict in self.arrows:
            a, b = bars.get(from_key), bars.get(to_key)
            if a is None or b is None:
                continue
            ga, gb = a.geometry, b.geometry
            # cheap culling in data space first: most arrows of a large plan are off screen
            if max(ga.row, gb.row) < top or min(ga.row, gb.row) > bottom:
                continue
            if max(ga.x1, gb.x1) < left or min(ga.x0, gb.x0) > right:
                continue
            self._paint_arrow(painter, device, a, b, kind, conflict, visible)
        painter.restore()

    def _paint_arrow(self, painter, device, a: BarItem, b: BarItem, kind: str, conflict: bool, visible) -> None:
        ra, rb = device.mapRect(a.rect()), device.mapRect(b.rect())
        if visible is not None and not visible.intersects(ra.united(rb)):
            return  # off screen: most arrows of a large plan, on most frames
        start = QtCore.QPointF(ra.right() if kind == FINISH_TO_START else ra.left(), ra.center().y())
        end = QtCore.QPointF(rb.left(), rb.center().y())
        color = COLORS["conflict"] if conflict else (COLORS["arrow"] if kind == FINISH_TO_START else COLORS["arrow_ss"])
        pen = _pen(
            color,
            2 if conflict else 1.4,
            QtCore.Qt.PenStyle.SolidLine if kind == FINISH_TO_START else QtCore.Qt.PenStyle.DashLine,
        )
        path = QtGui.QPainterPath(start)
        out_x = start.x() + (10 if kind == FINISH_TO_START else -10)
        in_x = end.x() - 10
        mid_y = (ra.bottom() + 4) if rb.center().y() > ra.center().y() else (ra.top() - 4)
        path.lineTo(out_x, start.y())
        if in_x >= out_x or (kind != FINISH_TO_START and in_x >= out_x):
            path.lineTo(out_x, end.y())
        else:
            path.lineTo(out_x, mid_y)
            path.lineTo(in_x, mid_y)
            path.lineTo(in_x, end.y())
        path.lineTo(end)
        painter.setPen(pen)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        head = QtGui.QPolygonF([end, end + QtCore.QPointF(-8, -4.5), end + QtCore.QPointF(-8, 4.5)])
        painter.setPen(_pen(color, 1))
        painter.setBrush(QtGui.QColor(color))
        painter.drawPolygon(head)


class TrackItem(pg.GraphicsObject):
    """Every task's commit ticks and actual spans in one item: two draw calls for what is visible.

    Ticks cross the lower half of the bar's row, the span is a thin bar in the gap under the
    planned bar; both use cosmetic pens, so they keep their pixel width at every zoom.
    """

    def __init__(self, view: GanttView) -> None:
        super().__init__()
        self.view = view
        self.data = TrackData()
        self._tick_rows: list[int] = []
        self._span_rows: list[int] = []
        self.setZValue(12)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def set_data(self, data: TrackData) -> None:
        self.prepareGeometryChange()
        self.data = data
        self._tick_rows = [row for row, _ in data.ticks]
        self._span_rows = [row for row, _, _ in data.spans]
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return self.view.content_rect() if self.data.ticks or self.data.spans else QtCore.QRectF()

    def paint(self, painter: QtGui.QPainter, option, *args) -> None:
        exposed = option.exposedRect if option is not None else self.boundingRect()
        first, last = math.floor(exposed.top()) - 1, math.ceil(exposed.bottom()) + 1
        left, right = exposed.left(), exposed.right()
        low = bisect.bisect_left(self._span_rows, first)
        high = bisect.bisect_right(self._span_rows, last)
        spans = [
            QtCore.QLineF(x0, row + 0.91, x1, row + 0.91)
            for row, x0, x1 in self.data.spans[low:high]
            if x1 >= left and x0 <= right
        ]
        if spans:
            painter.setPen(_pen(COLORS["actual"], 3, cap=QtCore.Qt.PenCapStyle.SquareCap))
            painter.drawLines(spans)
        low = bisect.bisect_left(self._tick_rows, first)
        high = bisect.bisect_right(self._tick_rows, last)
        ticks = [
            QtCore.QLineF(x, row + 0.6, x, row + 0.97) for row, x in self.data.ticks[low:high] if left <= x <= right
        ]
        if ticks:
            painter.setPen(_pen(COLORS["tick"], 1.5))
            painter.drawLines(ticks)


class GanttViewBox(pg.ViewBox):
    """The wheel zooms the time axis only; dragging empty space pans in time and across rows."""

    def wheelEvent(self, ev, axis=None):
        super().wheelEvent(ev, axis=0)


class GanttView(pg.PlotWidget):
    """The Gantt chart widget (objectName ``ganttView``)."""

    task_selected = QtCore.Signal(str)
    span_change_finished = QtCore.Signal(str, object, object)
    span_changing = QtCore.Signal(str, object, object)
    task_nudged = QtCore.Signal(str, object, object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        pg.setConfigOptions(antialias=True, mouseRateLimit=-1)
        time_axis, lane_axis = TimeAxis("bottom"), LaneAxis()
        super().__init__(
            parent,
            viewBox=GanttViewBox(),
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
        self.bars: dict[str, BarItem] = {}
        self.selected_key: str | None = None
        self.lanes = LanesItem()
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
        for extra in (self.lanes, self.arrows, self.track, self.now_line, self.drag_label):
            item.addItem(extra, ignoreBounds=extra is not self.lanes)
        self.tracks: dict[str, TaskTrack] = {}
        self.hours_per_pixel = 0.01
        self._markers: dict[str, dict[str, str]] = {}
        self.team_conflicts: dict[str, tuple[str, ...]] = {}
        self._content = QtCore.QRectF(0, 0, 1, 1)
        item.vb.sigRangeChanged.connect(self._on_range_changed)
        self._fitted = False
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
        self.lanes.update()
        self.arrows.update()
        self.track.update()
        for bar in self.bars.values():
            bar.update()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange and hasattr(self, "drag_label"):
            self.apply_palette()  # (not during construction)

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
            "<span style='color:#5c6773'>drag to move · drag the right edge to resize · Alt: no snap · wheel: zoom</span>"
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
        font.setPointSizeF(8)
        legend.setFont(font)
        return legend

    # model -> view ---------------------------------------------------------------------
    def set_plan(self, plan: Plan, analysis: ScheduleAnalysis) -> None:
        """Draw ``plan``; keeps the zoom unless this is the first plan shown."""
        self.plan, self.analysis = plan, analysis
        self.origin = _origin(plan)
        for axis in (self.time_axis, self.plotItem.getAxis("top")):
            axis.origin = self.origin
            axis.date_less = bool(plan.date_format) and not DateFormat(plan.date_format).has_date
            axis.picture = None
        rows, lanes = self._layout(plan)
        keys = {t.key for t in plan.tasks}
        for key in list(self.bars):
            if key not in keys:
                self.plotItem.removeItem(self.bars.pop(key))
        for task in plan.tasks:
            geometry = self._geometry(task, rows[task.key])
            bar = self.bars.get(task.key)
            if bar is None:
                bar = BarItem(self, task, geometry)
                bar.marker = "  ".join(v for _, v in sorted(self._markers.get(task.key, {}).items()))
                self.bars[task.key] = bar
                self.plotItem.addItem(bar)
            else:
                bar.task = task
                bar.set_geometry(geometry)
        self._style(analysis)
        self.lanes.set_lanes(lanes)
        self.lane_axis.set_lanes(lanes)
        self.plotItem.vb.setLimits(yMin=-0.3, yMax=(lanes[-1][2] if lanes else 1) + 0.3)
        self._update_content_rect()
        if not self._fitted:
            self.zoom_fit()
            self._fitted = True
        self.arrows.update()
        self._place_tracks()

    def _style(self, analysis: ScheduleAnalysis) -> None:
        critical = set(analysis.critical_path)
        messages: dict[str, list[str]] = {}
        for conflict in analysis.conflicts:
            messages.setdefault(conflict.task, []).append(conflict.message)
        for key, bar in self.bars.items():
            bar.critical = key in critical
            bar.conflicts = messages.get(key, [])
            bar.selected = key == self.selected_key
            bar.update()
        conflicted = {(c.depends_on, c.task) for c in analysis.conflicts}
        self.arrows.set_arrows(
            [
                (d.from_key, d.to_key, d.kind, (d.from_key, d.to_key) in conflicted)
                for d in (self.plan.dependencies if self.plan else [])
            ]
        )

    def _layout(self, plan: Plan) -> tuple[dict[str, int], list[tuple[str, float, float]]]:
        rows: dict[str, int] = {}
        lanes: list[tuple[str, float, float]] = []
        row = 0
        sections = list(plan.sections) or [""]
        if any(t.section not in sections for t in plan.tasks):
            sections = [""] + sections
        for section in sections:
            tasks = [t for t in plan.tasks if t.section == section]
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
        self.arrows.prepareGeometryChange()
        if not self.bars:
            self._content = QtCore.QRectF(0, 0, 1, 1)
            return
        xs = [b.geometry.x0 for b in self.bars.values()] + [b.geometry.x1 for b in self.bars.values()]
        rows = [b.geometry.row for b in self.bars.values()]
        self._content = QtCore.QRectF(min(xs) - 1e3, min(rows) - 1, max(xs) - min(xs) + 2e3, max(rows) - min(rows) + 3)

    def _on_range_changed(self, *_) -> None:
        """Zoom changed: pixel-sized margins of every bar change with it."""
        vb = self.plotItem.vb
        (x0, x1), _ = vb.viewRange()
        per_pixel = (x1 - x0) / max(vb.width(), 1)
        if abs(per_pixel - self.hours_per_pixel) > 1e-9 * max(per_pixel, 1e-9):
            self.hours_per_pixel = per_pixel
            for bar in self.bars.values():
                bar.refresh_bounds()
        self.arrows.update()

    # view operations -------------------------------------------------------------------
    def zoom_fit(self) -> None:
        """Show the whole plan."""
        if not self.bars:
            return
        xs = [b.geometry.x0 for b in self.bars.values()] + [b.geometry.x1 for b in self.bars.values()]
        lo, hi = min(xs), max(xs)
        span = max(hi - lo, 0.5)
        width = max(self.plotItem.vb.width(), 300)
        # room on the right for the labels of short bars drawn beside them (~170 px)
        right = span * 170 / max(width - 170, 100)
        rows = max(b.geometry.row for b in self.bars.values()) + 1
        visible_rows = min(rows, max(self.plotItem.vb.height(), 200) / ROW_PX) if rows > 40 else rows
        self.plotItem.vb.setRange(xRange=(lo - span * 0.02, hi + right), yRange=(0, visible_rows), padding=0)

    def zoom(self, factor: float) -> None:
        """Zoom the time axis about the centre (factor < 1 zooms in)."""
        vb = self.plotItem.vb
        (x0, x1), _ = vb.viewRange()
        centre = (x0 + x1) / 2
        half = (x1 - x0) * factor / 2
        vb.setXRange(centre - half, centre + half, padding=0)

    def set_marker(self, key: str, source: str, text: str | None) -> None:
        """Show a short marker after task ``key``'s name (e.g. ``⟲ rolled back``, ``✓ 12/12``).

        Several panels mark bars; each owns its ``source`` slot, and ``None`` clears it.
        """
        markers = self._markers.setdefault(key, {})
        if text:
            markers[source] = text
        else:
            markers.pop(source, None)
        bar = self.bars.get(key)
        if bar is not None:
            bar.marker = "  ".join(markers[s] for s in sorted(markers))
            bar.update()

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
        """Highlight ``key``'s bar; emit ``task_selected`` when the user did it."""
        self.selected_key = key
        for bar_key, bar in self.bars.items():
            if bar.selected != (bar_key == key):
                bar.selected = bar_key == key
                bar.update()
        if emit and key is not None:
            self.task_selected.emit(key)

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

    def tooltip_for(self, bar: BarItem) -> str:
        task = bar.task
        plan = self.plan
        lines = [f"<b>{task.name}</b>" + (f" ({task.id})" if task.id else "")]
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
    def drag_moved(self, bar: BarItem, geometry: BarGeometry) -> None:
        self.drag_label.setText(self.format_span(geometry))
        self.drag_label.setPos(geometry.x0, geometry.row + (1 - BAR_FILL) / 2 - 0.02)
        self.drag_label.setVisible(True)
        self.arrows.update()
        start, duration = self.to_times(geometry)
        self.span_changing.emit(bar.key, start, duration)

    def drag_finished(self, bar: BarItem, old: BarGeometry, new: BarGeometry) -> None:
        self.drag_label.setVisible(False)
        start, duration = self.to_times(new)
        self.span_change_finished.emit(bar.key, start, duration)

    def drag_cancelled(self) -> None:
        self.drag_label.setVisible(False)
        if self.plan is not None and self.analysis is not None:
            self.set_plan(self.plan, self.analysis)

    def to_times(self, geometry: BarGeometry) -> tuple[datetime, timedelta]:
        """Bar position → (start, duration), to the minute (to the day for date-only plans)."""
        unit = 24 * 60 if self.date_only else 1
        start = _round_minutes(self.origin + timedelta(hours=geometry.x0), unit)
        end = _round_minutes(self.origin + timedelta(hours=geometry.x1), unit)
        return start, end - start

    def show_preview(self, plan: Plan, analysis: ScheduleAnalysis, dragged: str) -> None:
        """Show a would-be schedule during a drag: other bars move, conflicts recolour."""
        for task in plan.tasks:
            bar = self.bars.get(task.key)
            if bar is not None and task.key != dragged and task.resolved:
                bar.set_geometry(self._geometry(task, bar.geometry.row))
        saved = self.plan
        self.plan = plan
        self._style(analysis)
        self.plan = saved

    def keyPressEvent(self, ev: QtGui.QKeyEvent) -> None:
        if ev.key() == QtCore.Qt.Key.Key_Escape:
            for bar in self.bars.values():
                bar.cancel_drag()
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


_PENS: dict[tuple, QtGui.QPen] = {}


def _pen(
    color: str,
    width: float,
    style: QtCore.Qt.PenStyle = QtCore.Qt.PenStyle.SolidLine,
    cap: QtCore.Qt.PenCapStyle = QtCore.Qt.PenCapStyle.SquareCap,
) -> QtGui.QPen:
    """A cached cosmetic pen (mkPen per paint call is a measurable cost on large plans)."""
    key = (color, width, style, cap)
    pen = _PENS.get(key)
    if pen is None:
        pen = QtGui.QPen(QtGui.QColor(color), width)
        pen.setStyle(style)
        pen.setCapStyle(cap)
        pen.setCosmetic(True)
        _PENS[key] = pen
    return pen


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
