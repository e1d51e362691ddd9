"""The dependency graph (objectName ``dependencyGraph``): the plan's flowchart, laid out in layers.

Sources on the left, sinks on the right; edge labels shown; the critical path and conflicts
coloured as in the Gantt. Clicking a node selects its task everywhere.

Signals:
    task_selected(str): a node mapped to a task was clicked.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.plan import START_TO_START, Plan
from mission_control.schedule import ScheduleAnalysis
from mission_control.schedule.layout import layered_layout
from mission_control.ui.gantt import COLORS, palette_is_dark, use_dark_colours

NODE_W, NODE_H = 170, 46
GAP_X, GAP_Y = 90, 26


class NodeItem(QtWidgets.QGraphicsObject):
    """A flowchart node: a rounded box with its label; knows its task key (if matched)."""

    clicked = QtCore.Signal(str)

    def __init__(self, node_id: str, label: str, task: str | None) -> None:
        super().__init__()
        self.node_id, self.label, self.task = node_id, label, task
        self.critical = False
        self.conflict = False
        self.selected_task = False
        self.crit_tag = False
        self.setAcceptHoverEvents(True)
        self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor if task else QtCore.Qt.CursorShape.ArrowCursor)
        self.setToolTip(f"{label} ({node_id})" + (f" → task {task}" if task else " — matches no gantt task"))

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(-4, -4, NODE_W + 8, NODE_H + 8)

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        rect = QtCore.QRectF(0, 0, NODE_W, NODE_H)
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
        painter.drawRoundedRect(rect, 8, 8)
        if self.selected_task:
            painter.setPen(QtGui.QPen(QtGui.QColor(COLORS["selection"]), 1.5, QtCore.Qt.PenStyle.DotLine))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), 10, 10)
        painter.setPen(QtGui.QColor("white" if self.task else COLORS["text"]))
        font = painter.font()
        font.setPointSizeF(9)
        painter.setFont(font)
        painter.drawText(
            rect.adjusted(8, 2, -8, -2),
            QtCore.Qt.AlignmentFlag.AlignCenter | QtCore.Qt.TextFlag.TextWordWrap,
            self.label,
        )

    def mousePressEvent(self, event: QtWidgets.QGraphicsSceneMouseEvent) -> None:
        if event.button() == QtCore.Qt.MouseButton.LeftButton and self.task:
            self.clicked.emit(self.task)
            event.accept()
            return
        super().mousePressEvent(event)

    def centre_left(self) -> QtCore.QPointF:
        return self.pos() + QtCore.QPointF(0, NODE_H / 2)

    def centre_right(self) -> QtCore.QPointF:
        return self.pos() + QtCore.QPointF(NODE_W, NODE_H / 2)


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
        self.setDragMode(QtWidgets.QGraphicsView.DragMode.ScrollHandDrag)
        self.nodes: dict[str, NodeItem] = {}
        self._edge_items: list[QtWidgets.QGraphicsItem] = []
        self._shown: tuple[Plan, ScheduleAnalysis] | None = None

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange and hasattr(self, "_shown"):
            use_dark_colours(palette_is_dark(self))
            self.setBackgroundBrush(QtGui.QColor(COLORS["graph_background"]))
            if self._shown is not None:
                selected = next((n.task for n in self.nodes.values() if n.selected_task), None)
                self.set_plan(*self._shown)
                self.select(selected)

    def set_plan(self, plan: Plan, analysis: ScheduleAnalysis) -> None:
        """Lay out and draw the plan's flowchart."""
        self._shown = (plan, analysis)
        scene = self.scene()
        scene.clear()
        self.nodes.clear()
        graph = plan.graph
        ids = [n.id for n in graph.nodes]
        placement = layered_layout(ids, [(e.from_id, e.to_id) for e in graph.edges])
        tallest = max(
            (sum(1 for p in placement.values() if p.layer == layer) for layer in {p.layer for p in placement.values()}),
            default=1,
        )
        critical = set(analysis.critical_path)
        conflicted = {c.task for c in analysis.conflicts} | {c.depends_on for c in analysis.conflicts}
        for node in graph.nodes:
            item = NodeItem(node.id, node.label, node.task)
            place = placement[node.id]
            column = [p for p in placement.values() if p.layer == place.layer]
            offset = (tallest - len(column)) * (NODE_H + GAP_Y) / 2
            item.setPos(place.layer * (NODE_W + GAP_X), offset + place.order * (NODE_H + GAP_Y))
            task = plan.find_task(node.task) if node.task else None
            item.crit_tag = bool(task and "crit" in task.tags)
            item.critical = node.task in critical
            item.conflict = node.task in conflicted
            item.clicked.connect(self._on_node_clicked)
            scene.addItem(item)
            self.nodes[node.id] = item
        conflict_pairs = {(c.depends_on, c.task) for c in analysis.conflicts}
        task_of = {n.id: n.task for n in graph.nodes}
        for edge in graph.edges:
            ss = any(
                d.kind == START_TO_START
                and (d.from_key, d.to_key) == (task_of.get(edge.from_id), task_of.get(edge.to_id))
                for d in plan.dependencies
            )
            bad = (task_of.get(edge.from_id), task_of.get(edge.to_id)) in conflict_pairs
            self._draw_edge(edge.from_id, edge.to_id, edge.label, ss, bad)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-30, -30, 30, 30))

    def _draw_edge(self, a: str, b: str, label: str | None, start_to_start: bool, conflict: bool) -> None:
        src, dst = self.nodes.get(a), self.nodes.get(b)
        if src is None or dst is None:
            return
        start, end = src.centre_right(), dst.centre_left()
        if dst.pos().x() <= src.pos().x():  # a back edge of a cycle: route around
            start, end = src.centre_left(), dst.centre_right()
        path = QtGui.QPainterPath(start)
        dx = max(abs(end.x() - start.x()) / 2, 40)
        sign = 1 if end.x() >= start.x() else -1
        path.cubicTo(start + QtCore.QPointF(sign * dx, 0), end - QtCore.QPointF(sign * dx, 0), end)
        color = QtGui.QColor(
            COLORS["conflict"] if conflict else (COLORS["arrow_ss"] if start_to_start else COLORS["arrow"])
        )
        pen = QtGui.QPen(color, 2.2 if conflict else 1.5)
        if start_to_start:
            pen.setStyle(QtCore.Qt.PenStyle.DashLine)
        item = self.scene().addPath(path, pen)
        item.setZValue(-1)
        head = QtGui.QPolygonF([end, end + QtCore.QPointF(-9 * sign, -5), end + QtCore.QPointF(-9 * sign, 5)])
        self.scene().addPolygon(head, QtGui.QPen(color), QtGui.QBrush(color))
        if label:
            text = self.scene().addSimpleText(label)
            font = text.font()
            font.setPointSizeF(8)
            text.setFont(font)
            text.setBrush(color)
            mid = path.pointAtPercent(0.5)
            box = text.boundingRect()
            back = self.scene().addRect(
                QtCore.QRectF(
                    mid.x() - box.width() / 2 - 3, mid.y() - box.height() / 2 - 1, box.width() + 6, box.height() + 2
                ),
                QtGui.QPen(QtCore.Qt.PenStyle.NoPen),
                QtGui.QBrush(QtGui.QColor(COLORS["label_back"])),
            )
            back.setZValue(1)
            text.setPos(mid.x() - box.width() / 2, mid.y() - box.height() / 2)
            text.setZValue(2)

    def _on_node_clicked(self, task: str) -> None:
        self.select(task)
        self.task_selected.emit(task)

    def select(self, task: str | None) -> None:
        """Highlight the node(s) of ``task``."""
        for node in self.nodes.values():
            was = node.selected_task
            node.selected_task = task is not None and node.task == task
            if was != node.selected_task:
                node.update()

    def node_rect(self, node_id: str) -> QtCore.QRect:
        """Where node ``node_id`` is, in viewport coordinates (for UI automation)."""
        node = self.nodes[node_id]
        return self.mapFromScene(node.mapRectToScene(QtCore.QRectF(0, 0, NODE_W, NODE_H))).boundingRect()

    def fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), QtCore.Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)
