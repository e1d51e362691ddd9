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


def run_demo_tests(app, window, timeout: float = 120.0) -> None:
    """Run the demo's suite through the Tests dock so the screenshots show real results."""
    import time

    panel = window.panels.get("tests_panel")
    if panel is None:
        return
    from mission_control.testing import Selection

    panel.workers = None
    if not panel.run(Selection()):
        return
    deadline = time.monotonic() + timeout
    while panel.last_run is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.05)
    settle(app, 30)


def dry_run_codemod(app, window, timeout: float = 120.0) -> None:
    """Dry-run the demo's "one WebSocket emitter class" in the Codemods dock, to show a review."""
    import time

    panel = window.panels.get("codemods_panel")
    if panel is None:
        return
    duplicates = ", ".join(
        f"{m}.UserWebSocketEmitter"
        for m in (
            "app.websocket_core.user_emitter",
            "app.websocket_core.unified_emitter",
            "app.agents.agent_websocket_emitter",
            "app.services.agent_websocket_bridge",
        )
    )
    panel.set_args(
        "consolidate", canonical="app.services.websocket_emitter.UserWebSocketEmitter", duplicates=duplicates
    )
    panel.task_choice.setCurrentIndex(panel.task_choice.findData("alpha2"))
    panel.start_run()
    deadline = time.monotonic() + timeout
    while (panel.busy or panel.run is None) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.05)
    item = panel.file_item("app/agents/supervisor_consolidated.py")
    if item is not None:
        panel.files.setCurrentItem(item)
    settle(app, 30)


def launch_teams(repo: Path) -> None:
    """Start the mission, launch the five teams and let each scripted agent do its first task."""
    from mission_control.services import teams as flows
    from mission_control.signoff.mission import start_mission

    start_mission(repo)
    context = flows.open_teams(repo)
    flows.launch(context)
    for team in ("alpha", "bravo", "charlie", "delta", "echo"):
        flows.run(context, team, force=True)


def wait_for_teams(app, window, timeout: float = 120.0) -> None:
    """Until the Teams dock has read the teams and the Conflicts dock has its forecast."""
    import time

    panel = window.panels.get("teams_panel")
    deadline = time.monotonic() + timeout
    while panel is not None and time.monotonic() < deadline:
        if panel.snapshot is not None and getattr(panel, "forecast", None) is not None:
            break
        app.processEvents()
        time.sleep(0.05)
    settle(app, 30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        os.environ["MISSION_CONTROL_HOME"] = home
        from PySide6 import QtCore, QtWidgets

        from mission_control.services.demo import create_demo
        from mission_control.ui import create_window

        app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
        repo = create_demo(Path(home) / "demo-mission")
        launch_teams(repo)
        window = create_window(repo)
        window.resize(1366, 768)  # a laptop screen first, as a new user on one meets it (first-start dock sizes)
        window.show()
        settle(app)
        wait_for_teams(app, window)
        run_demo_tests(app, window)
        dry_run_codemod(app, window)
        window.select_task("alpha2")
        for name in ("taskDetailsDock", "testsPanelDock"):
            dock = window.findChild(QtWidgets.QDockWidget, name)
            if dock is not None:
                dock.raise_()
        window.zoom_fit()
        settle(app, 30)
        window.grab().save(str(out / "main-window-1366x768.png"))
        print(out / "main-window-1366x768.png")
        window.resize(1600, 1150)  # a big screen: the docks get the room a lead would give them
        tests_dock = window.findChild(QtWidgets.QDockWidget, "testsPanelDock")
        window.resizeDocks([tests_dock], [440], QtCore.Qt.Orientation.Vertical)
        window.resizeDocks([window.details_dock], [420], QtCore.Qt.Orientation.Horizontal)
        window.zoom_fit()
        settle(app)
        shots = {"main-window.png": window, "gantt.png": window.gantt, "dependency-graph.png": window.graph}
        for name, widget in shots.items():
            widget.grab().save(str(out / name))
            print(out / name)
        docks = window.findChildren(QtWidgets.QDockWidget)
        for dock in docks:
            dock.raise_()
            settle(app)
            name = dock.objectName().removesuffix("Dock")
            name = "".join("-" + c.lower() if c.isupper() else c for c in name)
            dock.grab().save(str(out / f"{name}.png"))
            print(out / f"{name}.png")
        for name in ("taskDetailsDock", "testsPanelDock"):
            dock = window.findChild(QtWidgets.QDockWidget, name)
            if dock is not None:
                dock.raise_()
        settle(app)
        window.grab().save(str(out / "main-window.png"))
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
