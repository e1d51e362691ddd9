"""The Gantt's graphics items: a few items paint everything, whatever the plan's size.

One :class:`BarsItem` paints every bar of the rows being repainted (a 10,000-task plan is one
item, not 10,000), and finds the bar under the mouse by arithmetic: the row is ``floor(y)``, the
bar is that row's task. The bar being dragged is painted by a small :class:`DragBarItem` on top,
so a drag frame repaints only the area the bar leaves and enters (and the arrows touching it).
The tasks themselves are plain :class:`Bar` records the view keeps by key.

The items hold no state of the plan beyond what the view gives them; they ask the view (``view``)
for the bars, the rows, the zoom (``hours_per_pixel``), the label font and what to do on a click or
drag (pyqtgraph's drag protocol: ``mouseDragEvent`` with ``isStart``/``isFinish``; a right click
cancels).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.plan import FINISH_TO_START, Task
from mission_control.ui.gantt_style import (
    BAR_FILL,
    COLORS,
    EDGE_GRAB_PX,
    LABEL_ROOM_PX,
    LANE_COLORS,
    BarGeometry,
    cosmetic_pen,
)

_LEFT = QtCore.Qt.MouseButton.LeftButton
_ALIGN_LEFT = QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.AlignmentFlag.AlignLeft
LABEL_MIN_PX = 60  # the narrowest the label column can be dragged
LABEL_GRAB_PX = 6  # how near the label column's right edge a drag resizes it


@dataclass(frozen=True)
class Drag:
    """A bar's drag under way: moving or resizing, which bar, from where the press was, from which geometry."""

    mode: str  # "move" or "resize"
    key: str
    origin: float
    start: BarGeometry


@dataclass
class TrackData:
    """The tracks in the view's coordinates: what :class:`TrackItem` paints (tests read it too)."""

    ticks: list[tuple[int, float]] = field(default_factory=list)  # (row, hours), sorted
    spans: list[tuple[int, float, float]] = field(default_factory=list)  # (row, first, last), sorted


class Bar:
    """One task as the chart shows it: where (``geometry``) and how (critical, conflicts, selected, marker)."""

    __slots__ = ("conflicts", "critical", "geometry", "key", "marker", "selected", "task")

    def __init__(self, task: Task, geometry: BarGeometry) -> None:
        self.key = task.key
        self.task = task
        self.geometry = geometry
        self.critical = False
        self.conflicts: list[str] = []
        self.selected = False
        self.marker = ""

    def rect(self) -> QtCore.QRectF:
        """The bar in the chart's coordinates (hours across, rows down)."""
        g = self.geometry
        return QtCore.QRectF(g.x0, g.row + (1 - BAR_FILL) / 2, max(g.x1 - g.x0, 0.0), BAR_FILL)

    @property
    def is_milestone(self) -> bool:
        return "milestone" in self.task.tags

    def inside(self, pos: QtCore.QPointF, hours_per_pixel: float) -> bool:
        """Whether ``pos`` (chart coordinates) is on the bar, with a few pixels' grace at its ends."""
        r = self.rect()
        if not r.top() <= pos.y() <= r.bottom():
            return False
        if self.is_milestone:
            return abs(pos.x() - (r.left() + r.right()) / 2) <= 10 * hours_per_pixel
        grab = EDGE_GRAB_PX * hours_per_pixel
        return r.left() - grab / 2 <= pos.x() <= r.right() + grab

    def near_right_edge(self, pos: QtCore.QPointF, hours_per_pixel: float) -> bool:
        """Whether a drag from ``pos`` resizes the bar (it starts on its right edge)."""
        r = self.rect()
        return (
            not self.is_milestone
            and abs(pos.x() - self.geometry.x1) <= EDGE_GRAB_PX * hours_per_pixel
            and r.top() <= pos.y() <= r.bottom()
        )

    def colors(self) -> tuple[str, str]:
        tags = self.task.tags
        if "done" in tags:
            return COLORS["done"], COLORS["done_border"]
        if "crit" in tags:
            return COLORS["crit"], COLORS["crit_border"]
        if "active" in tags:
            return COLORS["active"], COLORS["bar_border"]
        return COLORS["bar"], COLORS["bar_border"]


# painting ------------------------------------------------------------------------------------
def paint_bar(painter: QtGui.QPainter, view: Any, bar: Bar, rect: QtCore.QRectF, label: str) -> None:
    """Paint ``bar`` at ``rect`` (device pixels; the painter has no transform) with ``label`` on or beside it."""
    fill, border = bar.colors()
    if bar.is_milestone:
        _paint_milestone(painter, bar, rect, fill)
        return
    rect = rect if rect.width() >= 3 else QtCore.QRectF(rect.x(), rect.y(), 3, rect.height())
    pen = cosmetic_pen(border, 1.2)
    if bar.critical:
        pen = cosmetic_pen(COLORS["critical_path"], 3)
    if bar.key in view.team_conflicts:
        pen = cosmetic_pen(COLORS["conflict"], 2.5)
    if bar.conflicts:
        pen = cosmetic_pen(COLORS["conflict"], 3, QtCore.Qt.PenStyle.DashLine)
    if bar.selected:
        painter.setPen(cosmetic_pen(COLORS["selection"], 1.5, QtCore.Qt.PenStyle.DotLine))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), 6, 6)
    painter.setPen(pen)
    painter.setBrush(QtGui.QBrush(QtGui.QColor(fill)))
    painter.drawRoundedRect(rect, 4, 4)
    if "active" in bar.task.tags:
        painter.setBrush(QtGui.QBrush(QtGui.QColor(255, 255, 255, 90), QtCore.Qt.BrushStyle.BDiagPattern))
        painter.drawRoundedRect(rect, 4, 4)
    metrics = view.label_metrics
    inner = rect.adjusted(6, 0, -4, 0)
    if metrics.horizontalAdvance(label) <= inner.width():
        painter.setPen(QtGui.QColor("white" if "done" not in bar.task.tags else COLORS["text"]))
        painter.drawText(inner, _ALIGN_LEFT, label)
    else:
        outside = QtCore.QRectF(rect.right() + 6, rect.top(), metrics.horizontalAdvance(label) + 4, rect.height())
        painter.setPen(QtGui.QColor(COLORS["text"]))
        painter.drawText(outside, _ALIGN_LEFT, label)


def _paint_milestone(painter: QtGui.QPainter, bar: Bar, rect: QtCore.QRectF, fill: str) -> None:
    centre = rect.center()
    size = rect.height() / 2
    diamond = QtGui.QPolygonF(
        [
            centre + QtCore.QPointF(0, -size),
            centre + QtCore.QPointF(size, 0),
            centre + QtCore.QPointF(0, size),
            centre + QtCore.QPointF(-size, 0),
        ]
    )
    painter.setPen(
        cosmetic_pen(COLORS["conflict"] if bar.conflicts else COLORS["milestone"], 2 if bar.conflicts else 1)
    )
    painter.setBrush(QtGui.QBrush(QtGui.QColor(COLORS["milestone"] if fill == COLORS["bar"] else fill)))
    painter.drawPolygon(diamond)
    painter.setPen(QtGui.QColor(COLORS["text"]))
    painter.drawText(QtCore.QRectF(centre.x() + size + 6, rect.top(), 600, rect.height()), _ALIGN_LEFT, bar.task.name)


def bar_label(bar: Bar) -> str:
    """What a bar says: its task's name and the markers the docks set."""
    return bar.task.name + (f"  {bar.marker}" if bar.marker else "")


# items ----------------------------------------------------------------------------------------
class BarsItem(pg.GraphicsObject):
    """Every bar of the plan in one item: paints the rows being repainted, hit-tests by row and time."""

    def __init__(self, view: Any) -> None:
        super().__init__()
        self.view = view
        self.drag: Drag | None = None
        self._tip_key: str | None = None
        self.setZValue(10)
        self.setAcceptHoverEvents(True)
        # makes option.exposedRect the area being repainted, not the whole item: only those rows paint
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QtCore.QRectF:
        return self.view.content_rect()

    def paint(self, painter: QtGui.QPainter, option, *args) -> None:
        device: QtGui.QTransform | None = painter.transform()  # deviceTransform() crashes PySide6 6.11 here
        if device is None:
            return
        exposed = option.exposedRect if option is not None else self.boundingRect()
        view = self.view
        rows = view.row_keys
        first, last = max(math.floor(exposed.top()), 0), min(math.ceil(exposed.bottom()), len(rows) - 1)
        per_pixel = view.hours_per_pixel
        left, right = exposed.left() - LABEL_ROOM_PX * per_pixel, exposed.right() + 12 * per_pixel  # labels beside bars
        dragged = self.drag.key if self.drag is not None else None
        bars = view.bars
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setFont(view.label_font)
        for row in range(first, last + 1):
            key = rows[row]
            if key is None or key == dragged:
                continue
            bar = bars[key]
            g = bar.geometry
            if g.x1 < left or g.x0 > right:
                continue
            paint_bar(painter, view, bar, device.mapRect(bar.rect()), bar_label(bar))
        painter.restore()

    def update_bar(self, bar: Bar) -> None:
        """Repaint only ``bar`` (its outline and its label beside it)."""
        per_pixel = self.view.hours_per_pixel
        self.update(bar.rect().adjusted(-8 * per_pixel, -0.2, LABEL_ROOM_PX * per_pixel, 0.2))

    # interaction -----------------------------------------------------------------------------
    def hoverEvent(self, ev) -> None:
        bar = None if ev.isExit() else self.view.bar_at(ev.pos())
        if bar is None:
            self.unsetCursor()
            if self._tip_key is not None:
                self._tip_key = None
                self.setToolTip("")
            return
        ev.acceptDrags(_LEFT)
        ev.acceptClicks(_LEFT)
        edge = bar.near_right_edge(ev.pos(), self.view.hours_per_pixel)
        self.setCursor(QtCore.Qt.CursorShape.SizeHorCursor if edge else QtCore.Qt.CursorShape.OpenHandCursor)
        self._tip_key = bar.key
        self.setToolTip(self.view.tooltip_for(bar))

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == QtCore.Qt.MouseButton.RightButton and self.drag is not None:
            self.cancel_drag()
            ev.accept()
            return
        bar = self.view.bar_at(ev.pos()) if ev.button() == _LEFT else None
        if bar is not None:
            ev.accept()
            self.view.select(bar.key, emit=True)

    def mouseDragEvent(self, ev) -> None:
        if ev.button() != _LEFT:
            ev.ignore()
            return
        if ev.isStart():
            bar = self.view.bar_at(ev.buttonDownPos())
            if bar is None or not bar.task.resolved:
                ev.ignore()
                return
            resize = bar.near_right_edge(ev.buttonDownPos(), self.view.hours_per_pixel)
            self.drag = Drag("resize" if resize else "move", bar.key, ev.buttonDownPos().x(), bar.geometry)
            self.view.select(bar.key, emit=True)
            self.view.drag_started(bar)
            self.setCursor(QtCore.Qt.CursorShape.SizeHorCursor if resize else QtCore.Qt.CursorShape.ClosedHandCursor)
        drag = self.drag
        if drag is None:
            ev.ignore()
            return
        ev.accept()
        snap = not (ev.modifiers() & QtCore.Qt.KeyboardModifier.AltModifier)
        geometry = self._dragged_geometry(drag, ev.pos().x(), snap)
        bar = self.view.bars[drag.key]
        if ev.isFinish():
            self._finish(drag, bar, geometry)
        else:
            bar.geometry = geometry
            self.view.drag_moved(bar, geometry)

    def _dragged_geometry(self, drag: Drag, x: float, snap: bool) -> BarGeometry:
        start, view = drag.start, self.view
        delta = x - drag.origin
        if drag.mode == "move":
            x0 = view.snap(start.x0 + delta) if snap else view.fit_format(start.x0 + delta)
            return BarGeometry(start.row, x0, x0 + (start.x1 - start.x0))
        x1 = view.snap(start.x1 + delta) if snap else view.fit_format(start.x1 + delta)
        return BarGeometry(start.row, start.x0, max(x1, start.x0))

    def _finish(self, drag: Drag, bar: Bar, geometry: BarGeometry) -> None:
        self.drag = None
        self.unsetCursor()
        bar.geometry = geometry
        if (geometry.x0, geometry.x1) == (drag.start.x0, drag.start.x1):
            self.view.drag_cancelled(bar, drag.start)
            return
        self.view.drag_finished(bar, drag.start, geometry)

    def cancel_drag(self) -> None:
        """Put the bar back where the drag started (right-click or Escape)."""
        drag = self.drag
        if drag is None:
            return
        self.drag = None
        self.unsetCursor()
        self.view.drag_cancelled(self.view.bars[drag.key], drag.start)


class DragBarItem(pg.GraphicsObject):
    """The bar being dragged, on top of the others: each frame repaints only where it was and is."""

    def __init__(self, view: Any) -> None:
        super().__init__()
        self.view = view
        self.bar: Bar | None = None
        self._bounds = QtCore.QRectF()
        self.setZValue(11)
        self.setVisible(False)

    def show_bar(self, bar: Bar | None) -> None:
        """Follow ``bar`` (its geometry as it is now); None hides the item."""
        self.prepareGeometryChange()
        self.bar = bar
        if bar is None:
            self._bounds = QtCore.QRectF()
            self.setVisible(False)
            return
        per_pixel = self.view.hours_per_pixel
        label = self.view.label_metrics.horizontalAdvance(f"{self.view.format_span(bar.geometry)}  {bar.task.name}")
        self._bounds = bar.rect().adjusted(-8 * per_pixel, -0.2, (label + 20) * per_pixel, 0.2)
        self.setVisible(True)
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return self._bounds

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        device: QtGui.QTransform | None = painter.transform()
        bar = self.bar
        if device is None or bar is None:
            return
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setFont(self.view.label_font)
        label = f"{self.view.format_span(bar.geometry)}  {bar.task.name}"
        paint_bar(painter, self.view, bar, device.mapRect(bar.rect()), label)
        painter.restore()


class LanesItem(pg.GraphicsObject):
    """Alternating swimlane bands across the whole time range, and the selected task's row."""

    def __init__(self) -> None:
        super().__init__()
        self.lanes: list[tuple[str, float, float]] = []
        self.selected_row: int | None = None
        self.setZValue(-20)

    def set_lanes(self, lanes: list[tuple[str, float, float]]) -> None:
        self.prepareGeometryChange()
        self.lanes = lanes
        self.update()

    def set_selected_row(self, row: int | None) -> None:
        """Band ``row`` (None: no band); repaints the old and the new row only."""
        for old_or_new in (self.selected_row, row):
            if old_or_new is not None:
                self.update(QtCore.QRectF(-1e5, old_or_new - 0.05, 2e5, 1.1))
        self.selected_row = row

    def boundingRect(self) -> QtCore.QRectF:
        if not self.lanes:
            return QtCore.QRectF()
        return QtCore.QRectF(-1e5, self.lanes[0][1], 2e5, self.lanes[-1][2] - self.lanes[0][1])

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        for index, (_, top, bottom) in enumerate(self.lanes):
            painter.setBrush(pg.mkBrush(LANE_COLORS[index % 2]))
            painter.drawRect(QtCore.QRectF(-1e5, top, 2e5, bottom - top))
        if self.selected_row is not None:
            painter.setBrush(pg.mkBrush(COLORS["selected_row"]))
            painter.drawRect(QtCore.QRectF(-1e5, self.selected_row, 2e5, 1.0))


class LaneAxis(pg.AxisItem):
    """Left axis: the section (team) names at the middle of their swimlanes, in a resizable column.

    Dragging the column's right edge sets its width, a double click there fits the names again;
    ``on_width_changed(width)`` hears either (0: fit the names; the view remembers it).
    """

    def __init__(self) -> None:
        super().__init__("left")
        self.lanes: list[tuple[str, float, float]] = []
        self.states: dict[str, str] = {}  # section -> its team's state, shown after the name
        self.on_width_changed = lambda width: None
        self._label_width = 170
        self._resizing: tuple[float, float] | None = None  # (width, scene x) at the press
        self._names: dict[float, str] = {}  # tick value -> lane name, as last placed
        self.setWidth(self._label_width)
        self.setStyle(tickLength=0, tickTextOffset=8)

    def set_lanes(self, lanes: list[tuple[str, float, float]]) -> None:
        self.lanes = lanes
        self.picture = None
        self.update()

    def label_width(self) -> int:
        """The column's width as last set (the layout applies it later: ``width()`` may still be the old one)."""
        return self._label_width

    def set_label_width(self, width: float) -> None:
        self._label_width = max(LABEL_MIN_PX, round(width))
        self.setWidth(self._label_width)
        self.picture = None
        self.update()

    def fitting_width(self) -> int:
        """The width that shows every lane's name and state whole."""
        metrics = QtGui.QFontMetrics(self.font() if hasattr(self, "font") else QtGui.QFont())
        texts = [name for name, _, _ in self.lanes] or [""]  # the state goes under a name when it must
        return max(LABEL_MIN_PX, max(metrics.horizontalAdvance(t) for t in texts) + 22)

    def tickValues(self, minVal, maxVal, size):
        """Each lane's name at the middle of its visible part (a long lane's name stays on screen)."""
        low, high = min(minVal, maxVal), max(minVal, maxVal)
        self._names = {}
        for name, top, bottom in self.lanes:
            shown_top, shown_bottom = max(top, low), min(bottom, high)
            if shown_bottom - shown_top >= 0.5:
                self._names[round((shown_top + shown_bottom) / 2, 6)] = name
        return [(1.0, list(self._names))]

    def tickStrings(self, values, scale, spacing):
        names = self._names
        metrics = QtGui.QFontMetrics(self.font() if hasattr(self, "font") else QtGui.QFont())
        return [self.lane_label(names.get(round(v, 6), ""), metrics) for v in values]

    def _suffix(self, name: str) -> str:
        state = self.states.get(name)
        return f" · {state}" if state else ""

    def lane_label(self, name: str, metrics: QtGui.QFontMetrics) -> str:
        """The lane's name, elided to fit the column, with its team's state after it (the state always shows)."""
        suffix = self._suffix(name)
        room = max(self.width() - 20, 30)
        if metrics.horizontalAdvance(name + suffix) <= room:
            return name + suffix
        # too narrow for one line: the name on its own line (elided only if even that is too long), the state under it
        shown = metrics.elidedText(name, QtCore.Qt.TextElideMode.ElideRight, int(room))
        return f"{shown}\n{suffix.removeprefix(' · ')}" if suffix else shown

    # resizing by a drag on the right edge ---------------------------------------------------
    def _on_edge(self, pos: QtCore.QPointF) -> bool:
        return self.width() - LABEL_GRAB_PX <= pos.x() <= self.width() + 1

    def hoverEvent(self, ev) -> None:
        if not ev.isExit() and self._on_edge(ev.pos()):
            ev.acceptDrags(_LEFT)
            self.setCursor(QtCore.Qt.CursorShape.SplitHCursor)
        elif self._resizing is None:
            self.unsetCursor()

    def mouseClickEvent(self, event) -> None:
        if event.button() == _LEFT and event.double() and self._on_edge(event.pos()):
            event.accept()
            self.on_width_changed(0)  # a double click on the edge: back to fitting the names
            return
        super().mouseClickEvent(event)

    def mouseDragEvent(self, event) -> None:
        if event.button() == _LEFT and event.isStart() and self._on_edge(event.buttonDownPos()):
            self._resizing = (self._label_width, event.buttonDownScenePos().x())
        if self._resizing is None:
            super().mouseDragEvent(event)  # pans the rows, as before
            return
        event.accept()
        width, x = self._resizing
        self.set_label_width(width + event.scenePos().x() - x)
        if event.isFinish():
            self._resizing = None
            self.unsetCursor()
            self.on_width_changed(self.label_width())


ROW_BUCKET = 32  # rows per bucket of the arrows' index
LONG_ARROW_ROWS = 64  # an arrow joining rows further apart is checked on every paint


class ArrowsItem(pg.GraphicsObject):
    """Dependency arrows, drawn in screen space so heads keep their size at every zoom."""

    def __init__(self, view: Any) -> None:
        super().__init__()
        self.view = view
        self.arrows: list[tuple[str, str, str, bool]] = []  # from key, to key, kind, conflict
        self.links: dict[str, set[str]] = {}  # key -> the keys it has an arrow with
        # the arrows by rows, for painting only those near the rows shown (see _near_rows)
        self._by_rows: dict[int, list[tuple[str, str, str, bool]]] | None = None
        self._long: list[tuple[str, str, str, bool]] = []
        self.setZValue(5)
        # makes option.exposedRect the area being repainted, not the whole item, for culling
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def set_arrows(self, arrows: list[tuple[str, str, str, bool]]) -> None:
        self.prepareGeometryChange()
        self.arrows = arrows
        self._by_rows = None  # indexed again on the next paint (the rows may have changed too)
        self.links = {}
        for a, b, _, _ in arrows:
            self.links.setdefault(a, set()).add(b)
            self.links.setdefault(b, set()).add(a)
        self.update()

    def drop_and_mark(
        self, dropped: list[tuple[str, str, str]], conflicted: set[tuple[str, str]], changed: set[tuple[str, str]]
    ) -> None:
        """Take away the arrows ``dropped`` (from key, to key, kind; one each) and mark again as
        conflicts (or not, by ``conflicted``) the arrows between the pairs in ``changed``.

        What :meth:`set_arrows` of the whole new list gives, at the cost of the few arrows a drop
        changes (and a pass over the list when conflicts changed).
        """
        arrows = list(self.arrows)
        for a, b, kind in dropped:
            at = next(i for i, arrow in enumerate(arrows) if arrow[:3] == (a, b, kind))
            self._reindex(arrows.pop(at), None)
            if not any({x, y} == {a, b} for x, y, _, _ in arrows if x in (a, b)):
                self.links.get(a, set()).discard(b)
                self.links.get(b, set()).discard(a)
        if changed:
            for i, (a, b, kind, was) in enumerate(arrows):
                if (a, b) in changed:
                    arrows[i] = (a, b, kind, (a, b) in conflicted)
                    self._reindex((a, b, kind, was), arrows[i])
        self.arrows = arrows
        self.update()

    # which arrows to paint -------------------------------------------------------------------
    def _rows(self, arrow: tuple[str, str, str, bool]) -> tuple[int, int] | None:
        """The top and bottom rows ``arrow`` joins (None: one end has no bar)."""
        bars = self.view.bars
        a, b = bars.get(arrow[0]), bars.get(arrow[1])
        if a is None or b is None:
            return None
        rows = (a.geometry.row, b.geometry.row)
        return min(rows), max(rows)

    def _index(self) -> dict[int, list[tuple[str, str, str, bool]]]:
        """The arrows by the bucket of their top row (long ones apart), in list order."""
        if self._by_rows is None:
            self._by_rows, self._long = {}, []
            for arrow in self.arrows:
                rows = self._rows(arrow)
                if rows is not None:
                    self._bucket(rows).append(arrow)
        return self._by_rows

    def _bucket(self, rows: tuple[int, int]) -> list[tuple[str, str, str, bool]]:
        if rows[1] - rows[0] > LONG_ARROW_ROWS:
            return self._long
        assert self._by_rows is not None
        return self._by_rows.setdefault(int(rows[0]) // ROW_BUCKET, [])

    def _reindex(self, old: tuple[str, str, str, bool], new: tuple[str, str, str, bool] | None) -> None:
        """``old`` was taken away from the list, or replaced by ``new`` (same ends: same rows)."""
        rows = self._rows(old)
        if self._by_rows is None or rows is None:
            return
        bucket = self._bucket(rows)
        at = bucket.index(old)
        if new is None:
            del bucket[at]
        else:
            bucket[at] = new

    def _near_rows(self, top: float, bottom: float) -> list[tuple[str, str, str, bool]]:
        """The arrows that may cross rows ``top``..``bottom``: a 10,000-task plan has 10,000 arrows,
        a repaint shows a few dozen rows (a drag frame only the dragged bar's)."""
        index = self._index()
        first = max(math.floor(top) - LONG_ARROW_ROWS, 0) // ROW_BUCKET
        last = max(math.floor(bottom), 0) // ROW_BUCKET
        near = [arrow for k in range(first, last + 1) for arrow in index.get(k, ())]
        return near + self._long

    def region_of(self, key: str) -> QtCore.QRectF:
        """Where the arrows touching ``key`` are drawn (chart coordinates, padded for their heads)."""
        bars = self.view.bars
        rects = [bars[k].rect() for k in (key, *self.links.get(key, ())) if k in bars]
        if not rects:
            return QtCore.QRectF()
        united = rects[0]
        for rect in rects[1:]:
            united = united.united(rect)
        pad = 24 * self.view.hours_per_pixel
        return united.adjusted(-pad, -0.5, pad, 0.5)

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
        for from_key, to_key, kind, conflict in self._near_rows(top, bottom):
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

    def _paint_arrow(self, painter, device, a: Bar, b: Bar, kind: str, conflict: bool, visible) -> None:
        ra, rb = device.mapRect(a.rect()), device.mapRect(b.rect())
        if visible is not None and not visible.intersects(ra.united(rb)):
            return  # off screen: most arrows of a large plan, on most frames
        start = QtCore.QPointF(ra.right() if kind == FINISH_TO_START else ra.left(), ra.center().y())
        end = QtCore.QPointF(rb.left(), rb.center().y())
        color = COLORS["conflict"] if conflict else (COLORS["arrow"] if kind == FINISH_TO_START else COLORS["arrow_ss"])
        pen = cosmetic_pen(
            color,
            2 if conflict else 1.4,
            QtCore.Qt.PenStyle.SolidLine if kind == FINISH_TO_START else QtCore.Qt.PenStyle.DashLine,
        )
        path = QtGui.QPainterPath(start)
        out_x = start.x() + (10 if kind == FINISH_TO_START else -10)
        in_x = end.x() - 10
        mid_y = (ra.bottom() + 4) if rb.center().y() > ra.center().y() else (ra.top() - 4)
        path.lineTo(out_x, start.y())
        if in_x >= out_x:
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
        painter.setPen(cosmetic_pen(color, 1))
        painter.setBrush(QtGui.QColor(color))
        painter.drawPolygon(head)


class TrackItem(pg.GraphicsObject):
    """Every task's commit ticks and actual spans in one item: two draw calls for what is visible.

    Ticks cross the lower half of the bar's row, the span is a thin bar in the gap under the
    planned bar; both use cosmetic pens, so they keep their pixel width at every zoom.
    """

    def __init__(self, view: Any) -> None:
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
        under = 1 - (1 - BAR_FILL) / 4  # in the gap under the bar
        spans = [
            QtCore.QLineF(x0, row + under, x1, row + under)
            for row, x0, x1 in self.data.spans[low:high]
            if x1 >= left and x0 <= right
        ]
        if spans:
            painter.setPen(cosmetic_pen(COLORS["actual"], 3, cap=QtCore.Qt.PenCapStyle.SquareCap))
            painter.drawLines(spans)
        low = bisect.bisect_left(self._tick_rows, first)
        high = bisect.bisect_right(self._tick_rows, last)
        ticks = [
            QtCore.QLineF(x, row + 0.6, x, row + 0.97) for row, x in self.data.ticks[low:high] if left <= x <= right
        ]
        if ticks:
            painter.setPen(cosmetic_pen(COLORS["tick"], 1.5))
            painter.drawLines(ticks)
