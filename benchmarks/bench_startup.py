"""Benchmark: app start, process start → main window painted on the demo mission.

Each round starts ``python -m mission_control --demo --startup-probe`` (the probe prints the wall
clock once the window has been painted, then quits) and, as the anchor measured in the same run, a
bare PySide6 program that only creates a QApplication and shows an empty QMainWindow (the floor:
interpreter + Qt start + one paint). Rounds alternate the two; medians are printed with the load
average. The demo is created (and bytecode compiled) by a warm-up launch first, in a throw-away
``MISSION_CONTROL_HOME``, so every measured launch opens the same existing demo.

It also prints the heavy modules the window's start imported (libcst must not be among them).

    nice .venv/bin/python benchmarks/bench_startup.py [--rounds 5]

Target: ≤ 1.5 s from process start to the painted window.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchutil import load_note, verdict

TARGET = 1.5
ANCHOR = r"""
import sys, time
from PySide6 import QtCore, QtWidgets
app = QtWidgets.QApplication([sys.argv[0]])
window = QtWidgets.QMainWindow()
window.resize(1400, 860)
class FirstPaint(QtCore.QObject):
    def eventFilter(self, watched, event):
        if event.type() == QtCore.QEvent.Type.Paint and watched is window:
            window.removeEventFilter(self)
            QtCore.QTimer.singleShot(0, done)
        return False
def done():
    print(f"painted {time.time():.6f}", flush=True)
    app.quit()
window.installEventFilter(FirstPaint(window))
window.show()
app.exec()
"""
HEAVY = ("libcst", "pyqtgraph", "numpy", "watchdog", "networkx", "markdown_it")
MODULES = r"""
import sys
from mission_control.__main__ import main
main(["--demo", "--startup-probe"])
print("modules", " ".join(m for m in HEAVY if m in sys.modules))
""".replace("HEAVY", repr(HEAVY))


def launch(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from starting ``argv`` to its ``painted`` line, and its output."""
    start = time.time()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    painted = [line for line in done.stdout.splitlines() if line.startswith("painted ")]
    if done.returncode != 0 or not painted:
        sys.exit(f"{argv} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return float(painted[0].split()[1]) - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as home:
        env = {
            **os.environ,
            "MISSION_CONTROL_HOME": home,
            "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        }
        app = [sys.executable, "-m", "mission_control", "--demo", "--startup-probe"]
        anchor = [sys.executable, "-c", ANCHOR]
        launch(app, env)  # creates the demo, compiles bytecode
        launch(anchor, env)
        apps, anchors = [], []
        for _ in range(args.rounds):
            apps.append(launch(app, env)[0])
            anchors.append(launch(anchor, env)[0])
        _, out = launch([sys.executable, "-c", MODULES], env)
    t_app, t_anchor = statistics.median(apps), statistics.median(anchors)
    imported = next((line.split()[1:] for line in out.splitlines() if line.startswith("modules")), [])
    print(f"app start, demo: process start → window painted (median of {args.rounds}, {load_note()})")
    print(f"  mission-control --demo : {t_app:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in apps)})")
    print(f"  anchor: empty QMainWindow : {t_anchor:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in anchors)})")
    print(f"  ratio app / anchor : {t_app / t_anchor:.1f}x   target ≤ {TARGET} s -> {verdict(t_app, TARGET)}")
    print(f"  heavy modules imported before the first paint: {', '.join(imported) or 'none'}")


if __name__ == "__main__":
    main()
