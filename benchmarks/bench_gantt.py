"""Benchmark: the Gantt with generated 2,000- and 10,000-task plans — draw, drag, drop.

Prints, for each size, beside its target (issue 19) and a ratio against an anchor measured in the
same run, with the load average (figures from a busy machine are not comparable):

* ``GanttView.set_plan`` and the first full paint (target: well under 1 s at 2,000 tasks);
  anchors: parsing the plan (``parse_plan``), and what one pyqtgraph item per task costs to add
  (the way the chart drew before: ``PlotItem.addItem`` per bar);
* a drag frame — one mouse move and the repaint it causes, through the event loop of a shown window
  (target ≤ 8 ms, median and p95); anchor: a frame at 60 Hz (16.7 ms);
* the drop — mouse release to the window updated (target ≤ 50 ms on the GUI thread), split into
  the domain's reschedule, the window's refresh and the Gantt's part of it; anchor: a full parse;
* window created → painted (target ≤ 1 s after the window exists).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gantt.py [--tasks 2000,10000]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MISSION_CONTROL_NO_DIALOGS", "1")


def generate_plan(tasks: int, sections: int = 20) -> str:
    """A plan with ``tasks`` tasks in ``sections`` teams, chained by ``after`` and a flowchart."""
    lines = [
        "# Generated plan",
        "",
        "```mermaid",
        "gantt",
        "    title Generated",
        "    dateFormat YYYY-MM-DD HH:mm",
        "    axisFormat %m-%d",
    ]
    per = tasks // sections
    for s in range(sections):
        lines.append(f"    section Team {s}")
        for i in range(per):
            key = f"t{s}_{i}"
            if i == 0:
                lines.append(f"    Task {s}-{i} :{key}, 2026-01-01 00:00, {2 + i % 5}h")
            elif i % 7 == 0:
                lines.append(f"    Task {s}-{i} :{key}, 2026-01-{1 + (i // 20) % 27:02d} {i % 24:02d}:00, 3h")
            else:
                lines.append(f"    Task {s}-{i} :{key}, after t{s}_{i - 1}, {1 + i % 4}h")
    lines += ["```", "", "```mermaid", "graph TD"]
    for s in range(sections - 1):
        lines.append(f"    t{s}_3 --> t{s + 1}_5")
    lines.append("```")
    return "\n".join(lines) + "\n"


def _timed(owner: object, name: str, spent: list[float]) -> None:
    """Wrap ``owner.name`` so each call adds its duration to ``spent``."""
    inner: Callable = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(owner, name, wrapper)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"


def bench_view(tasks: int, app) -> None:
    """The chart alone: set_plan, first paint, drag frames; with the parse and per-item anchors."""
    import pyqtgraph as pg
    from PySide6 import QtCore
    from PySide6.QtTest import QTest

    from mission_control.plan import parse_plan
    from mission_control.schedule import analyse
    from mission_control.ui.gantt import GanttView

    text = generate_plan(tasks)
    started = time.perf_counter()
    plan = parse_plan(text)
    parse = time.perf_counter() - started
    analysis = analyse(plan)
    anchor = pg.PlotWidget()
    started = time.perf_counter()
    for _ in range(tasks):  # the floor of one item per bar: an empty rectangle item each
        anchor.plotItem.addItem(pg.QtWidgets.QGraphicsRectItem(0, 0, 1, 1))
    per_item = time.perf_counter() - started
    anchor.deleteLater()

    view = GanttView()
    view.resize(1100, 600)
    view.show()
    app.processEvents()
    started = time.perf_counter()
    view.set_plan(plan, analysis)
    set_plan = time.perf_counter() - started
    started = time.perf_counter()
    view.viewport().repaint()
    paint = time.perf_counter() - started
    print(
        f"  set_plan {_ms(set_plan)} + first paint {_ms(paint)} (target well under 1 s: "
        f"{_verdict(set_plan + paint, 1.0)}); anchors: parse_plan {_ms(parse)} "
        f"(ratio {(set_plan + paint) / parse:.2f}×), one item per bar {_ms(per_item)} "
        f"(ratio {(set_plan + paint) / per_item:.2f}×)"
    )
    frames, paints = _drag_frames(view, app, QtCore, QTest)
    median, p95 = statistics.median(frames), sorted(frames)[int(len(frames) * 0.95) - 1]
    print(
        f"  drag frame: median {_ms(median)}, p95 {_ms(p95)} (target ≤ 8 ms: {_verdict(p95, 0.008)}); "
        f"anchor: a 60 Hz frame 16.7 ms (p95 = {p95 / (1 / 60):.2f}× of it); "
        f"{paints} repaints of the dragged bar in {len(frames)} moves"
    )
    view.close()
    view.deleteLater()
    app.processEvents()


def _drag_frames(view, app, QtCore, QTest) -> tuple[list[float], int]:
    """Press on a bar, move 40 times (each move and its repaint timed), release; (frames, paints)."""
    key = "t0_1"
    view.plotItem.vb.setXRange(-2, 40, padding=0)
    app.processEvents()
    painted = []
    inner = view.drag_item.paint
    view.drag_item.paint = lambda *a: (painted.append(1), inner(*a))
    rect = view.task_rect(key)
    start = QtCore.QPoint(rect.left() + 5, rect.center().y())
    target = view.viewport()
    left, none = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier
    QTest.mouseMove(target, start)
    QTest.mousePress(target, left, none, start)
    frames = []
    for step in range(1, 41):
        started = time.perf_counter()
        QTest.mouseMove(target, start + QtCore.QPoint(step * 3, 0))
        app.processEvents()  # the update the move scheduled is painted here
        frames.append(time.perf_counter() - started)
    view.bars_item.cancel_drag()
    QTest.mouseRelease(target, left, none, start)
    return frames, len(painted)


def bench_window(tasks: int, app) -> None:
    """The whole window: created → painted, and a drop split into its parts."""
    from PySide6 import QtCore
    from PySide6.QtTest import QTest

    from mission_control.plan import parse_plan

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MISSION_CONTROL_HOME"] = tmp
        plan_path = Path(tmp) / "plan.md"
        plan_path.write_text(generate_plan(tasks))
        from mission_control.ui import create_window

        started = time.perf_counter()
        parse_plan(plan_path.read_text())
        parse = time.perf_counter() - started
        started = time.perf_counter()
        window = create_window(None, plan_path)
        created = time.perf_counter() - started
        window.resize(1366, 768)
        window.show()
        app.processEvents()
        window.gantt.viewport().repaint()
        painted = time.perf_counter() - started
        print(
            f"  window: created {created:.2f} s, painted {painted:.2f} s after the call "
            f"({painted - created:.2f} s after it exists; target ≤ 1 s: {_verdict(painted - created, 1.0)})"
        )
        gantt = window.gantt
        reschedule: list[float] = []
        refresh: list[float] = []
        set_plan: list[float] = []
        _timed(window.project, "reschedule", reschedule)
        _timed(window, "refresh", refresh)
        _timed(gantt, "set_plan", set_plan)
        gantt.plotItem.vb.setXRange(-2, 40, padding=0)
        app.processEvents()
        rect = gantt.task_rect("t0_1")
        start = QtCore.QPoint(rect.left() + 5, rect.center().y())
        target = gantt.viewport()
        left, none = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier
        QTest.mouseMove(target, start)
        QTest.mousePress(target, left, none, start)
        for step in range(1, 21):
            QTest.mouseMove(target, start + QtCore.QPoint(step * 6, 0))
            app.processEvents()
        started = time.perf_counter()
        QTest.mouseRelease(target, left, none, start + QtCore.QPoint(120, 0))
        app.processEvents()
        drop = time.perf_counter() - started
        moved = window.project.plan.task("t0_1").start
        print(
            f"  drop: {_ms(drop)} on the GUI thread (target ≤ 50 ms: {_verdict(drop, 0.05)}) = "
            f"reschedule {_ms(sum(reschedule))} (domain) + refresh {_ms(sum(refresh))} "
            f"(of which the Gantt's set_plan {_ms(sum(set_plan))}) + paint; "
            f"anchor: a full parse {_ms(parse)} (drop = {drop / parse:.2f}×); task now starts {moved:%m-%d %H:%M}"
        )
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", default="2000,10000", help="comma-separated plan sizes")
    args = parser.parse_args()
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores (quiet: < 1)")
    for tasks in (int(t) for t in args.tasks.split(",")):
        print(f"{tasks} tasks")
        bench_view(tasks, app)
        bench_window(tasks, app)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
