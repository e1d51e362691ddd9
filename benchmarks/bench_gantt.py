"""Benchmark: open a generated 2,000-task plan in the main window; time to first paint and drag frames.

Targets (issue 3): first paint < 2 s, a drag frame < 16 ms. Run:
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gantt.py [--tasks 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=2000)
    args = parser.parse_args()
    from PySide6 import QtCore, QtWidgets
    from PySide6.QtTest import QTest

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MISSION_CONTROL_HOME"] = tmp
        plan = Path(tmp) / "plan.md"
        plan.write_text(generate_plan(args.tasks))
        from mission_control.ui import create_window

        started = time.perf_counter()
        window = create_window(None, plan)
        window.resize(1400, 900)
        app.processEvents()
        window.gantt.viewport().grab()  # force a full paint
        first_paint = time.perf_counter() - started
        gantt = window.gantt
        key = "t0_1"
        gantt.plotItem.vb.setXRange(-2, 40, padding=0)
        app.processEvents()
        rect = gantt.task_rect(key)
        start = QtCore.QPoint(rect.left() + 5, rect.center().y())
        target = gantt.viewport()
        QTest.mouseMove(target, start)
        QTest.mousePress(target, QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier, start)
        frames = []
        for step in range(1, 41):
            t0 = time.perf_counter()
            QTest.mouseMove(target, start + QtCore.QPoint(step * 3, 0))
            target.repaint()
            frames.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        QTest.mouseRelease(
            target,
            QtCore.Qt.MouseButton.LeftButton,
            QtCore.Qt.KeyboardModifier.NoModifier,
            start + QtCore.QPoint(120, 0),
        )
        app.processEvents()
        commit = time.perf_counter() - t0
        window.close()
    print(f"tasks: {args.tasks}")
    print(f"first paint: {first_paint:.2f} s (target < 2 s)")
    print(
        f"drag frame: median {statistics.median(frames) * 1000:.1f} ms, p95 {sorted(frames)[int(len(frames) * 0.95) - 1] * 1000:.1f} ms (target < 16 ms)"
    )
    print(f"drop (reschedule + redraw): {commit * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
