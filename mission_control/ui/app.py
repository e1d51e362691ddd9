"""Start the desktop app: ``mission-control [REPO] [--plan PLAN] | --demo [--reset]``.

Sets up what a finished desktop app needs before the first window: the app's name, desktop id
and icon, logging to the user log folder (:mod:`mission_control.util.logsetup`) and the crash dialog
for unhandled exceptions (:mod:`mission_control.ui.crash`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import cast

from mission_control import APP_ID, APP_NAME, __version__

log = logging.getLogger(__name__)
ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


def app_icon():
    """The app icon: the SVG plus the rendered PNG sizes (crisp in task bars and title bars)."""
    from PySide6 import QtGui

    icon = QtGui.QIcon()
    for png in sorted(ICON_DIR.glob("mission-control-*.png")):
        icon.addFile(str(png))
    svg = ICON_DIR / "mission-control.svg"
    if svg.exists():
        icon.addFile(str(svg))
    return icon


def parse_gui_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mission-control",
        description=f"{APP_NAME}: the desktop app. Run 'mission-control --help' for the headless commands.",
    )
    parser.add_argument(
        "repo", nargs="?", help="the repository to open (default: the last project, or a welcome screen)"
    )
    parser.add_argument(
        "--plan", help="the plan's Markdown file (default: from mission-control.toml, or found in the repo)"
    )
    parser.add_argument("--demo", action="store_true", help="open the built-in demo mission (created on first use)")
    parser.add_argument("--reset", action="store_true", help="with --demo: recreate the demo mission from scratch")
    parser.add_argument("--exit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    parser.add_argument("--screenshot", metavar="PNG", help=argparse.SUPPRESS)
    # benchmarks/bench_startup.py: print the wall clock once the window is painted, then quit
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(args)


def run_app(args: list[str]) -> int:
    """Create the QApplication and the main window; return the exit code."""
    ns = parse_gui_args(args)
    if ns.reset and not ns.demo:
        print("mission-control: --reset only goes with --demo", file=sys.stderr)
        return 2
    from PySide6 import QtCore, QtWidgets

    from mission_control.services.project import Project, ProjectError
    from mission_control.services.settings import load_settings
    from mission_control.ui import workers
    from mission_control.ui.crash import install_excepthook
    from mission_control.ui.main_window import MainWindow
    from mission_control.util.logsetup import setup_logging

    # The desktop entry point: an application already running here is a QApplication too.
    app = cast(QtWidgets.QApplication, QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]]))
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("mission-control")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    settings = load_settings()
    setup_logging(settings.log_level)
    install_excepthook(app)  # the handler is the app's child: it lives as long as the app
    log.info("%s %s starting (Qt %s)", APP_NAME, __version__, QtCore.qVersion())
    project = None
    from mission_control.services.demo import DemoError, create_demo

    try:
        if ns.demo:
            project = Project.open(create_demo(reset=ns.reset))
        elif ns.repo or ns.plan:
            project = Project.open(ns.repo, ns.plan)
        elif settings.recent and Path(settings.recent[0].plan or settings.recent[0].repo).exists():
            last = settings.recent[0]
            project = Project.open(last.repo or None, last.plan or None)
    except (ProjectError, DemoError) as exc:
        log.warning("cannot open the project: %s", exc)
        print(f"mission-control: {exc}", file=sys.stderr)
        if ns.repo or ns.plan or ns.demo:
            return 2
    workers.hold_jobs()  # the docks' first jobs start after the first paint, not during it
    window = MainWindow(project, settings)
    window.show()
    workers.release_jobs_when_painted(window)
    if ns.screenshot:
        QtCore.QTimer.singleShot(300, lambda: window.grab().save(ns.screenshot))
    if ns.startup_probe:
        quit_when_painted(app, window)
    if ns.exit_after is not None:
        QtCore.QTimer.singleShot(max(ns.exit_after, 0), window.close)
        QtCore.QTimer.singleShot(max(ns.exit_after, 0) + 50, app.quit)
    return app.exec()


def quit_when_painted(app, window) -> None:
    """Print ``painted <time.time()>`` once ``window`` has been painted the first time, then quit.

    The parent process (``benchmarks/bench_startup.py``) subtracts the time it started us.
    """
    import time

    from mission_control.ui.workers import on_first_paint

    def done() -> None:
        print(f"painted {time.time():.6f}", flush=True)
        window.close()
        app.quit()

    on_first_paint(window, done)
