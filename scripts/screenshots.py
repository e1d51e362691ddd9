"""Regenerate the README's screenshots from the real app on the built-in demo mission.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Creates the demo in a temporary folder, opens the main window at a fixed size, and saves
offscreen grabs of the whole window and of each main view.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MISSION_CONTROL_NO_DIALOGS", "1")


def settle(app, rounds: int = 10) -> None:
    for _ in range(rounds):
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        os.environ["MISSION_CONTROL_HOME"] = home
        from PySide6 import QtWidgets

        from mission_control.demo import create_demo
        from mission_control.ui import create_window

        app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
        repo = create_demo(Path(home) / "demo-mission")
        window = create_window(repo)
        window.resize(1600, 1000)
        settle(app)
        window.zoom_fit()
        window.select_task("alpha2")
        settle(app)
        shots = {"main-window.png": window, "gantt.png": window.gantt, "dependency-graph.png": window.graph}
        for name, widget in shots.items():
            widget.grab().save(str(out / name))
            print(out / name)
        for panel_name, panel in window.panels.items():
            widget = panel if isinstance(panel, QtWidgets.QWidget) else getattr(panel, "widget", None)
            if isinstance(widget, QtWidgets.QWidget) and widget.isVisible():
                widget.grab().save(str(out / f"{panel_name.replace('_', '-')}.png"))
                print(out / f"{panel_name.replace('_', '-')}.png")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
