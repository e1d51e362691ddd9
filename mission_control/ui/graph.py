"""The dependency graph (objectName ``dependencyGraph``): the plan's flowchart, laid out in layers.

Sources on the left, sinks on the right (:func:`mission_control.schedule.layout.layered_geometry`):
an edge over several layers is routed through reserved slots, so no edge crosses a node, and each
edge label sits beside its edge in the gap after its source. Text is drawn in the UI font, and a
fitted view never magnifies past 1:1, so labels read at the UI font size whenever the graph fits.

Zoom with the wheel (around the cursor), pan by dragging the background, Fit (the button, the
window's Zoom to Fit, or 0/Home here) to see everything. The view stays fitted on resize until
the lead zooms or pans. The critical path and conflicts are coloured as in the Gantt; clicking a
node selects its task everywhere.

Signals:
    task_selected(str): a node mapped to a task was clicked.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.plan import START_TO_START, Plan
from mission_control.schedule import ScheduleAnalysis
from mission_control.schedule.layout import Geometry, layered_geometry
from mission_control.ui.gantt import COLORS, palette_is_dark, use_dark_colours

MARGIN = 10  # scene pixels around the drawing when fitted
WRAPS = (10, 16, 24, 40)  # node label wraps tried (average characters per line)
MIN_SCALE, MAX_SCALE = 0.1, 4.0
WHEEL_STEP = 1.15  # zoom factor per wheel notch
TEXT_FLAGS = QtCore.Qt.AlignmentFlag.AlignCenter | QtCore.Qt.TextFlag.TextWordWrap


class NodeItem(QtWidgets.QGraphicsObject):
    """A flowchart node: a rounded box with its label; knows its task key (if matched)."""

    clicked = QtCore.Signal(str)

    def __init__(self, node_id: str, label: str, task: str | None, size: QtCore.QSizeF, font: QtGui.QFont) -> None:
        super().__init__()
        self.node_id, self.label, self.task = node_id, label, task
        self.size, self.font = size, font
        self.critical = False
        self.conflict = False
        self.selected_task = False
        self.crit_tag = False
        self.setAcceptHoverEvents(True)
        self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor if task else QtCore.Qt.CursorShape.ArrowCursor)
        self.setToolTip(f"{label} ({node_id})" + (f" → task {task}" if task else " — matches no gantt task"))

    def rect(self) -> QtCore.QRectF:
        return QtCore.QRectF(QtCore.QPointF(0, 0), self.size)

    def boundingRect(self) -> QtCore.QRectF:
        return self.rect().adjusted(-5, -5, 5, 5)

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        rect = self.rect()
        fill = (
            QtGui.QColor(COLORS["crit"] if self.crit_tag else COLORS["bar"]) if self.task else QtGui.QColor("#d9dee5")
        )
        border = QtGui.QColor(COLORS["bar_border"])
        width = 1.2
        if self.critical:
            border, width = QtGui.QColor(COLORS["critical_path"]), 3
        if self.conflict:
            border, width = QtGui.QColor(COLORS["conflict"]), 3
        painter.setPen(QtGui.QPen(border, width))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 7, 7)
        if self.selected_task:
            painter.setPen(QtGui.QPen(QtGui.QColor(COLORS["selection"]), 2.5))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-3.5, -3.5, 3.5, 3.5), 9, 9)
        painter.setPen(QtGui.QColor("white" if self.task else "#16202c"))
        painter.setFont(self.font)
        painter.drawText(rect.adjusted(6, 2, -6, -2), TEXT_FLAGS, self.label)

    def mousePressEvent(self, event: QtWidgets.QGraphicsSceneMouseEvent) -> None:
        if event.button() == QtCore.Qt.MouseButton.LeftButton and self.task:
            self.clicked.emit(self.task)
            event.accept()
            return
        super().mousePressEvent(event)


@dataclass(frozen=True)
class _EdgeItems:
    """The scene items of one drawn edge: its curve, arrow head and label (if any)."""

    path: QtWidgets.QGraphicsPathItem
    head: QtWidgets.QGraphicsPolygonItem
    label: QtWidgets.QGraphicsSimpleTextItem | None

    def style(self, start_to_start: bool, conflict: bool) -> None:
        """Red and thicker in conflict; dashed start-to-start; the label a shade darker than the line."""
        color = QtGui.QColor(
            COLORS["conflict"] if conflict else (COLORS["arrow_ss"] if start_to_start else COLORS["arrow"])
        )
        pen = QtGui.QPen(color, 2.2 if conflict else 1.5)
        if start_to_start:
            pen.setStyle(QtCore.Qt.PenStyle.DashLine)
        self.path.setPen(pen)
        self.head.setPen(QtGui.QPen(color))
        self.head.setBrush(QtGui.QBrush(color))
        if self.label is not None:
            self.label.setBrush(color.darker(115))


class DependencyGraph(QtWidgets.QGraphicsView):
    """The flowchart view, linked to the Gantt by task selection."""

    task_selected = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dependencyGraph")
        self.setScene(QtWidgets.QGraphicsScene(self))
        self.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        self.setBackgroundBrush(QtGui.QColor(COLORS["graph_background"]))
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setDragMode(QtWidgets.QGraphicsView.DragMode.ScrollHandDrag)  # drag the background to pan
        # no scroll bars: the scene reaches a viewport beyond the drawing on every side, so the drawing
        # can be dragged anywhere and a wheel zoom keeps the point under the cursor in place
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QtWidgets.QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QtWidgets.QGraphicsView.ViewportAnchor.NoAnchor)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.nodes: dict[str, NodeItem] = {}
        self._shown: tuple[Plan, ScheduleAnalysis] | None = None
        self._drawing = QtCore.QRectF()
        self._layouts: dict[int, tuple[Geometry, QtGui.QFont]] = {}
        self._structure: tuple | None = None  # what the layouts were made from: nodes, edges, labels, font
        self._edges: dict[int, tuple[tuple[bool, bool] | None, _EdgeItems]] = {}  # by edge index: style shown, items
        self._wrap = 16
        self._selected: str | None = None
        self.auto_fit = True  # fitted on show/resize until the lead zooms or pans
        self._press_pos: QtCore.QPoint | None = None
        self._build_buttons()

    def _build_buttons(self) -> None:
        """Zoom −/+ and Fit, floating in the top-right corner."""
        self.buttons = QtWidgets.QWidget(self)
        self.buttons.setObjectName("graphZoomButtons")
        row = QtWidgets.QHBoxLayout(self.buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for text, name, tip, slot in (
            ("−", "graphZoomOutButton", "Zoom out (wheel down, -)", lambda: self.zoom_by(1 / WHEEL_STEP)),
            ("+", "graphZoomInButton", "Zoom in (wheel up, +)", lambda: self.zoom_by(WHEEL_STEP)),
            ("Fit", "graphFitButton", "Show the whole graph (0, Home; Ctrl+0 fits the Gantt too)", self.fit),
        ):
            button = QtWidgets.QToolButton(self.buttons)
            button.setObjectName(name)
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(False)
            button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            row.addWidget(button)
        self.fit_button = self.buttons.findChild(QtWidgets.QToolButton, "graphFitButton")
        self.buttons.adjustSize()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange and hasattr(self, "_shown"):
            use_dark_colours(palette_is_dark(self))
            self.setBackgroundBrush(QtGui.QColor(COLORS["graph_background"]))
            if self._shown is not None:
                selected = next((n.task for n in self.nodes.values() if n.selected_task), None)
                self._structure = None  # new colours: draw again
                self.set_plan(*self._shown)
                self.select(selected)
        elif event.type() == QtCore.QEvent.Type.FontChange and getattr(self, "_shown", None) is not None:
            shown = self._shown
            if shown is not None:
                self._structure = None  # the layouts measured the old font (the key has it too)
                self.set_plan(*shown)

    # drawing -------------------------------------------------------------------------------
    def set_plan(self, plan: Plan, analysis: ScheduleAnalysis) -> None:
        """Lay out and draw the plan's flowchart (refitted unless the lead zoomed or panned).

        When the layout is the same (nodes, edges, labels and font: e.g. after a reschedule) the scene
        is kept: only the nodes' crit/critical/conflict flags and the edges' pens are updated.
        """
        structure = _structure(plan, self.font())
        self._shown = (plan, analysis)
        if structure == self._structure:
            self._restyle_nodes()
            self._restyle_edges()
            return
        self._structure = structure
        self._layouts = {}
        self._wrap = self._best_wrap() if self.auto_fit else self._wrap
        self._draw()
        if self.auto_fit:
            self.fit()
        else:
            self._update_scene_rect()

    def _layout(self, wrap: int) -> tuple[Geometry, QtGui.QFont]:
        """The geometry with node labels wrapped at about ``wrap`` average characters (memoised per plan)."""
        if wrap not in self._layouts and self._shown is not None:
            graph = self._shown[0].graph
            font = QtGui.QFont(self.font())
            metrics = QtGui.QFontMetricsF(font)
            width = metrics.averageCharWidth() * wrap
            sizes = {}
            for node in graph.nodes:
                text = metrics.boundingRect(QtCore.QRectF(0, 0, width, 10_000), TEXT_FLAGS, node.label or " ")
                sizes[node.id] = (max(text.width(), metrics.averageCharWidth() * 8) + 18, text.height() + 10)
            tallest = max((h for _w, h in sizes.values()), default=0.0)  # one height: tidy rows
            labels = {
                i: (metrics.horizontalAdvance(e.label) + 2, metrics.height())
                for i, e in enumerate(graph.edges)
                if e.label
            }
            geometry = layered_geometry(
                [n.id for n in graph.nodes],
                [(e.from_id, e.to_id) for e in graph.edges],
                {n: (w, tallest) for n, (w, _h) in sizes.items()},
                labels,
                gap_x=max(metrics.height() * 2.2, 30),
                gap_y=max(metrics.height() * 0.7, 10),
            )
            self._layouts[wrap] = (geometry, font)
        return self._layouts[wrap]

    def _best_wrap(self) -> int:
        """The label wrap whose drawing fits the viewport at the largest scale (a wide, low view wants
        one-line labels, a narrow one wrapped labels); among equals, the one nearest 16 characters."""
        if self._shown is None or not self._shown[0].graph.nodes:
            return 16

        def score(wrap: int) -> tuple[float, int]:
            geometry = self._layout(wrap)[0]
            return (round(self._fit_scale(_drawing_rect(geometry)), 2), -abs(wrap - 16))

        return max(WRAPS, key=score)

    def _draw(self) -> None:
        scene = self.scene()
        scene.clear()
        self.nodes.clear()
        self._edges.clear()
        if self._shown is None:
            return
        plan = self._shown[0]
        graph = plan.graph
        geometry, font = self._layout(self._wrap)
        for node in graph.nodes:
            box = geometry.boxes[node.id]
            item = NodeItem(node.id, node.label, node.task, QtCore.QSizeF(box.w, box.h), font)
            item.setPos(box.x, box.y)
            item.selected_task = self._selected is not None and node.task == self._selected
            item.clicked.connect(self._on_node_clicked)
            scene.addItem(item)
            self.nodes[node.id] = item
        self._restyle_nodes()
        styles = self._edge_styles()
        for route in geometry.routes:
            self._edges[route.index] = (None, self._draw_edge(route, graph.edges[route.index].label, font))
        self._restyle_edges(styles)
        self._drawing = _drawing_rect(geometry)
        if not graph.nodes:  # say why the view is empty instead of showing nothing
            text = scene.addSimpleText("No dependency graph: the plan has no Mermaid graph/flowchart block.", font)
            text.setBrush(QtGui.QColor("#757575"))
            self._drawing = text.sceneBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)

    def _restyle_nodes(self) -> None:
        """Set each node's crit tag, critical-path and conflict flags from the shown plan (repaint if changed)."""
        if self._shown is None:
            return
        plan, analysis = self._shown
        critical = set(analysis.critical_path)
        conflicted = {c.task for c in analysis.conflicts} | {c.depends_on for c in analysis.conflicts}
        for item in self.nodes.values():
            task = plan.find_task(item.task) if item.task else None
            flags = (bool(task and "crit" in task.tags), item.task in critical, item.task in conflicted)
            if flags != (item.crit_tag, item.critical, item.conflict):
                item.crit_tag, item.critical, item.conflict = flags
                item.update()

    def _edge_styles(self) -> list[tuple[bool, bool]]:
        """Per edge of the shown graph: (start-to-start, in conflict)."""
        if self._shown is None:
            return []
        plan, analysis = self._shown
        conflict_pairs = {(c.depends_on, c.task) for c in analysis.conflicts}
        start_to_start = {(d.from_key, d.to_key) for d in plan.dependencies if d.kind == START_TO_START}
        task_of = {n.id: n.task for n in plan.graph.nodes}
        styles = []
        for edge in plan.graph.edges:
            pair = (task_of.get(edge.from_id), task_of.get(edge.to_id))
            styles.append((pair in start_to_start, pair in conflict_pairs))
        return styles

    def _restyle_edges(self, styles: list[tuple[bool, bool]] | None = None) -> None:
        """Give each drawn edge the pen of its (start-to-start, conflict) style; restyle only what changed."""
        styles = self._edge_styles() if styles is None else styles
        for index, (shown, items) in self._edges.items():
            style = styles[index]
            if style != shown:
                self._edges[index] = (style, items)
                items.style(*style)

    def _draw_edge(self, route, label: str | None, font: QtGui.QFont) -> _EdgeItems:
        """The edge's curve, arrow head and label, not styled yet (see _restyle_edges)."""
        points = [QtCore.QPointF(x, y) for x, y in route.points]
        path = QtGui.QPainterPath(points[0])
        for p0, p1 in itertools.pairwise(points):
            if p0.y() == p1.y():
                path.lineTo(p1)
            else:  # horizontal tangents: the curve stays between the two columns
                dx = (p1.x() - p0.x()) / 2
                path.cubicTo(QtCore.QPointF(p0.x() + dx, p0.y()), QtCore.QPointF(p1.x() - dx, p1.y()), p1)
        item = self.scene().addPath(path)
        item.setZValue(-1)
        end, before = points[-1], points[-2]
        sign = 1 if end.x() >= before.x() else -1
        head = QtGui.QPolygonF([end, end + QtCore.QPointF(-9 * sign, -5), end + QtCore.QPointF(-9 * sign, 5)])
        text = None
        if label and route.label is not None:
            text = self.scene().addSimpleText(label, font)
            text.setPos(route.label.x + 1, route.label.y)
            text.setToolTip(label)
            text.setZValue(2)
        return _EdgeItems(item, self.scene().addPolygon(head), text)

    # selection -----------------------------------------------------------------------------
    def _on_node_clicked(self, task: str) -> None:
        self.select(task)
        self.task_selected.emit(task)

    def select(self, task: str | None) -> None:
        """Highlight the node(s) of ``task``; when zoomed in, scroll the first into view."""
        changed = task != self._selected
        self._selected = task
        shown = None
        for node in self.nodes.values():
            was = node.selected_task
            node.selected_task = task is not None and node.task == task
            if was != node.selected_task:
                node.update()
            if node.selected_task and shown is None:
                shown = node
        if changed and shown is not None and not self.auto_fit:
            self.ensureVisible(shown.mapRectToScene(shown.rect()), 24, 24)

    def node_rect(self, node_id: str) -> QtCore.QRect:
        """Where node ``node_id`` is, in viewport coordinates (for UI automation)."""
        node = self.nodes[node_id]
        return self.mapFromScene(node.mapRectToScene(node.rect())).boundingRect()

    # zoom and pan --------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        """The current scale: 1.0 draws the labels at the UI font size."""
        return self.transform().m11()

    def fit(self) -> None:
        """Show the whole graph, centred, at most 1:1 (never magnified); stays fitted on resize."""
        self.auto_fit = True
        wrap = self._best_wrap()
        if wrap != self._wrap:
            self._wrap = wrap
            self._draw()
        if self._drawing.isEmpty():
            return
        scale = self._fit_scale(self._drawing)
        self.setTransform(QtGui.QTransform.fromScale(scale, scale))
        self._update_scene_rect()
        self.centerOn(self._drawing.center())
        # centred in the area left of the buttons: shift by half the strip they take
        shift = (self.viewport().width() - self._fit_area().width()) / 2
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + round(shift))

    def _fit_scale(self, drawing: QtCore.QRectF) -> float:
        view = self._fit_area().size()
        if drawing.isEmpty() or view.isEmpty():
            return 1.0
        return max(min(1.0, view.width() / drawing.width(), view.height() / drawing.height()), MIN_SCALE)

    def _fit_area(self) -> QtCore.QRect:
        """The viewport left of the zoom buttons (the fitted drawing never hides under them)."""
        area = self.viewport().rect()
        return area.adjusted(0, 0, -min(self.buttons.width() + 12, area.width() // 3), 0)

    def zoom_by(self, factor: float, anchor: QtCore.QPointF | None = None) -> None:
        """Zoom by ``factor`` keeping the scene point under ``anchor`` (viewport pixels; centre if None)."""
        anchor = anchor if anchor is not None else QtCore.QPointF(self.viewport().rect().center())
        before = self.mapToScene(anchor.toPoint())
        factor = min(max(self.zoom * factor, MIN_SCALE), MAX_SCALE) / self.zoom
        self.auto_fit = False
        self.scale(factor, factor)
        self._update_scene_rect()
        moved = self.mapFromScene(before) - anchor.toPoint()  # where that scene point went: bring it back
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + moved.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + moved.y())

    def _update_scene_rect(self) -> None:
        """The drawing plus a whole viewport on every side: room to pan it anywhere in view."""
        scale = self.zoom or 1.0
        w, h = self.viewport().width() / scale, self.viewport().height() / scale
        self.setSceneRect(self._drawing.adjusted(-w, -h, w, h))

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if not steps:
            return
        self.zoom_by(WHEEL_STEP**steps, event.position())
        event.accept()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        key = event.key()
        if key in (QtCore.Qt.Key.Key_Plus, QtCore.Qt.Key.Key_Equal):
            self.zoom_by(WHEEL_STEP)
        elif key == QtCore.Qt.Key.Key_Minus:
            self.zoom_by(1 / WHEEL_STEP)
        elif key in (QtCore.Qt.Key.Key_0, QtCore.Qt.Key.Key_Home):
            self.fit()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        self._press_pos = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:
        panned = self._press_pos is not None and (event.position().toPoint() - self._press_pos).manhattanLength() > 3
        self._press_pos = None
        super().mouseReleaseEvent(event)
        if panned:
            self.auto_fit = False  # the lead panned: keep their view on resize
            event.accept()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self.buttons.move(self.width() - self.buttons.width() - 6, 6)
        if self.auto_fit:
            self.fit()
        else:
            self._update_scene_rect()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self.auto_fit:
            self.fit()


def _drawing_rect(geometry: Geometry) -> QtCore.QRectF:
    return QtCore.QRectF(0, 0, geometry.width, geometry.height).adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _structure(plan: Plan, font: QtGui.QFont) -> tuple:
    """What the graph's layout depends on: its nodes, edges and labels, and the font they are measured in."""
    graph = plan.graph
    return (
        tuple((n.id, n.label, n.task) for n in graph.nodes),
        tuple((e.from_id, e.to_id, e.label) for e in graph.edges),
        font.key(),
    )
