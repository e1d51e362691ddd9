"""The dependency graph driven with the mouse: wheel zoom around the cursor, dragging the background
pans, Fit; labels at the UI font size when fitted; no edge through a node (issue 17)."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtTest import QTest

from mission_control.plan import load_plan, parse_plan
from mission_control.schedule import analyse
from mission_control.ui.gantt import COLORS
from mission_control.ui.graph import DependencyGraph

Qt = QtCore.Qt


def wheel(view: DependencyGraph, pos: QtCore.QPoint, notches: int) -> None:
    """A real wheel event on the viewport at ``pos`` (what a mouse wheel sends)."""
    event = QtGui.QWheelEvent(
        QtCore.QPointF(pos),
        QtCore.QPointF(view.viewport().mapToGlobal(pos)),
        QtCore.QPoint(0, 0),
        QtCore.QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QtWidgets.QApplication.sendEvent(view.viewport(), event)


def drag(view: DependencyGraph, start: QtCore.QPoint, end: QtCore.QPoint, steps: int = 8) -> None:
    target = view.viewport()
    QTest.mouseMove(target, start)
    QTest.mousePress(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, steps + 1):
        point = start + (end - start) * step / steps
        QTest.mouseMove(target, QtCore.QPoint(round(point.x()), round(point.y())))
    QTest.mouseRelease(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    QtWidgets.QApplication.processEvents()


def show_graph(qtbot, plan, size: tuple[int, int]) -> DependencyGraph:
    view = DependencyGraph()
    qtbot.addWidget(view)
    view.resize(*size)
    view.set_plan(plan, analyse(plan))
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def graph(qtbot, sample_plan_path) -> DependencyGraph:
    return show_graph(qtbot, load_plan(sample_plan_path).plan, (900, 260))


def on_screen(view: DependencyGraph, node: str) -> QtCore.QRect:
    return view.node_rect(node)


def test_the_wheel_zooms_around_the_cursor_and_stops_the_fit_on_resize(qtbot, graph):
    fitted = graph.zoom
    target = on_screen(graph, "F").center()
    scene_point = graph.mapToScene(target)
    wheel(graph, target, 3)
    assert graph.zoom == pytest.approx(fitted * 1.15**3, rel=1e-3)
    assert (graph.mapFromScene(scene_point) - target).manhattanLength() <= 2  # the point under the cursor stays
    wheel(graph, target, -1)
    assert graph.zoom == pytest.approx(fitted * 1.15**2, rel=1e-3)
    zoomed = graph.zoom
    graph.resize(700, 200)  # the lead zoomed: a resize keeps their zoom
    QtWidgets.QApplication.processEvents()
    assert graph.zoom == pytest.approx(zoomed)


def test_dragging_the_background_pans_and_fit_brings_everything_back(qtbot, graph):
    wheel(graph, graph.viewport().rect().center(), 4)
    before = on_screen(graph, "A").topLeft()
    empty = next(
        QtCore.QPoint(x, y)
        for y in range(graph.viewport().height() - 60, 0, -10)
        for x in range(10, 300, 10)
        if graph.itemAt(QtCore.QPoint(x, y)) is None and graph.itemAt(QtCore.QPoint(x + 120, y - 40)) is None
    )  # the background, not a node
    drag(graph, empty, empty + QtCore.QPoint(120, -40))
    assert on_screen(graph, "A").topLeft() - before == QtCore.QPoint(120, -40)
    assert not graph.auto_fit
    fit = graph.findChild(QtWidgets.QToolButton, "graphFitButton")
    qtbot.mouseClick(fit, Qt.MouseButton.LeftButton)
    view = graph.viewport().rect()
    assert graph.auto_fit and graph.zoom <= 1.0
    for node in graph.nodes:
        assert view.contains(on_screen(graph, node)), node
    buttons = graph.findChild(QtWidgets.QWidget, "graphZoomButtons").geometry()
    assert not any(on_screen(graph, n).intersects(buttons) for n in graph.nodes)  # nothing hides under them
    graph.resize(600, 300)  # fitted again on resize until the next zoom
    QtWidgets.QApplication.processEvents()
    assert all(graph.viewport().rect().contains(on_screen(graph, n)) for n in graph.nodes)


def test_the_fitted_real_plan_reads_at_the_ui_font_size(qtbot, graph):
    assert graph.zoom == pytest.approx(1.0)
    font = QtGui.QFontMetricsF(graph.font())
    for node in graph.nodes.values():
        assert node.font.pointSizeF() == graph.font().pointSizeF()
        # the whole label is inside its box, not elided or clipped
        text = font.boundingRect(
            node.rect().adjusted(6, 2, -6, -2), int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), node.label
        )
        assert node.rect().contains(text), node.label


def thirty_node_plan():
    """Five teams of six chained tasks, with cross-team dependencies and labelled edges: 30 nodes."""
    lines = ["# Plan", "", "```mermaid", "gantt", "dateFormat HH:mm"]
    for team in range(5):
        lines.append(f"section Team {team}")
        for step in range(6):
            lines.append(f"Task {team}.{step} Refactoring :t{team}{step}, {step * 2:02d}:00, 2h")
    lines += ["```", "", "```mermaid", "graph LR"]
    for team in range(5):
        for step in range(5):
            lines.append(f"    N{team}{step}[Task {team}.{step} Refactoring] --> N{team}{step + 1}")
        lines.append(f"    N{team}5[Task {team}.5 Refactoring]")
    lines += ["    N01 -->|Blocks| N23", "    N12 -->|Can Start Parallel| N33", "    N30 -->|Must Complete| N45"]
    lines.append("```")
    return parse_plan("\n".join(lines) + "\n", "plan.md")


def test_thirty_nodes_fitted_read_at_the_ui_font_size(qtbot):
    """1280×360: less than the graph gets in a 1920×1080 window (where the issue saw 6–7 px text)."""
    plan = thirty_node_plan()
    assert len(plan.graph.nodes) == 30
    view = show_graph(qtbot, plan, (1280, 360))
    assert view.zoom == pytest.approx(1.0)
    for node in view.nodes:
        assert view.viewport().rect().contains(on_screen(view, node))


def test_no_drawn_edge_passes_through_a_node_nor_its_label_over_one(qtbot):
    view = show_graph(qtbot, thirty_node_plan(), (1100, 330))
    boxes = [n.mapRectToScene(n.rect()) for n in view.nodes.values()]
    paths = [i for i in view.scene().items() if isinstance(i, QtWidgets.QGraphicsPathItem)]
    labels = [i for i in view.scene().items() if isinstance(i, QtWidgets.QGraphicsSimpleTextItem)]
    assert len(paths) == 28 and {t.text() for t in labels} == {"Blocks", "Can Start Parallel", "Must Complete"}
    for item in paths:
        path = item.path()
        for k in range(201):
            point = path.pointAtPercent(k / 200)
            assert not any(box.adjusted(1, 1, -1, -1).contains(point) for box in boxes)
    for label in labels:
        assert not any(box.intersects(label.sceneBoundingRect()) for box in boxes), label.text()


def test_clicking_a_node_after_zooming_still_selects_its_task(qtbot, graph):
    wheel(graph, graph.viewport().rect().center(), 2)
    selected = []
    graph.task_selected.connect(selected.append)
    QTest.mouseClick(
        graph.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, on_screen(graph, "G").center()
    )
    assert selected == ["bravo3"] and graph.nodes["G"].selected_task


def test_a_plan_without_a_flowchart_says_so(qtbot):
    plan = parse_plan("# Plan\n\n```mermaid\ngantt\ndateFormat HH:mm\nsection A\nOne :a1, 00:00, 1h\n```\n", "plan.md")
    view = show_graph(qtbot, plan, (600, 200))
    texts = [i.text() for i in view.scene().items() if isinstance(i, QtWidgets.QGraphicsSimpleTextItem)]
    assert texts == ["No dependency graph: the plan has no Mermaid graph/flowchart block."]
    assert view.zoom == pytest.approx(1.0) and not view.nodes


def test_a_task_selected_elsewhere_is_scrolled_into_a_zoomed_view(qtbot, graph):
    wheel(graph, on_screen(graph, "A").center(), 8)  # zoomed in on the left end
    assert not graph.viewport().rect().contains(on_screen(graph, "D"))
    graph.select("alpha4")  # D: Production Cutover, chosen in the Gantt
    assert graph.viewport().rect().contains(on_screen(graph, "D"))


def two_branch_plan(beta: str, gamma: str, gamma_label: str = "Gamma"):
    """Alpha then Beta and Gamma (graph a → b, a → c); the spans decide the critical path and conflicts."""
    return parse_plan(
        "# Plan\n\n```mermaid\ngantt\n    dateFormat HH:mm\n    section S\n    Alpha :a, 00:00, 2h\n"
        f"    Beta :b, {beta}\n    Gamma :c, {gamma}\n```\n\n```mermaid\ngraph LR\n"
        f"    a[Alpha] --> b[Beta]\n    a --> c[{gamma_label}]\n```\n",
        "plan.md",
    )


def drawn(view: DependencyGraph) -> tuple[list, list]:
    """What the view shows: each node's label and flags, each edge line's shape and pen."""
    nodes = sorted((n.node_id, n.label, n.crit_tag, n.critical, n.conflict) for n in view.nodes.values())
    lines = sorted(
        (item.path().elementCount(), item.pen().color().name(), item.pen().widthF(), item.pen().style().value)
        for item in view.scene().items()
        if isinstance(item, QtWidgets.QGraphicsPathItem)
    )
    return nodes, lines


def test_a_reschedule_keeps_the_drawing_but_its_colours_follow_the_new_analysis(qtbot):
    """A drop changes no node or edge: the scene is kept, yet the critical path and the conflict show
    exactly as a fresh drawing of the new plan would (no stale colours)."""
    before = two_branch_plan("02:00, 3h", "02:00, 1h")
    view = show_graph(qtbot, before, (700, 300))
    assert view.nodes["b"].critical and not view.nodes["c"].critical
    beta = view.nodes["b"]
    after = two_branch_plan("01:00, 1h", "02:00, 5h")  # Beta starts before Alpha ends; Gamma is now longest
    view.set_plan(after, analyse(after))
    assert view.nodes["b"] is beta  # not rebuilt
    assert not beta.critical and beta.conflict and view.nodes["c"].critical
    fresh = show_graph(qtbot, after, (700, 300))
    assert drawn(view) == drawn(fresh)
    assert any(line[1] == QtGui.QColor(COLORS["conflict"]).name() for line in drawn(view)[1])
    view.set_plan(before, analyse(before))  # undo: back to the first colours
    assert drawn(view) == drawn(show_graph(qtbot, before, (700, 300)))


def test_a_changed_node_label_redraws_the_graph(qtbot):
    plan = two_branch_plan("02:00, 3h", "02:00, 1h")
    view = show_graph(qtbot, plan, (700, 300))
    renamed = two_branch_plan("02:00, 3h", "02:00, 1h", gamma_label="Gamma release")
    view.set_plan(renamed, analyse(renamed))
    assert view.nodes["c"].label == "Gamma release"
    assert drawn(view) == drawn(show_graph(qtbot, renamed, (700, 300)))
