"""Benchmark the SSOT audit on Django's source, next to bare ``ast.parse``.

Setup (once; the data folder is git-ignored)::

    pip download --no-deps --no-binary :all: "django==5.2.*" -d benchmarks/.data/
    nice python benchmarks/bench_audit.py

Prints, for the same files: bare ``ast.parse`` in one process, a cold audit (empty cache,
worker processes), a warm audit (fresh process state, cache on disk), one changed file in a
long-lived :class:`Auditor`, and the time from a file write to a watcher change set plus the
incremental audit (what the UI model waits for), and the same through the real Dashboard dock
of an offscreen main window (write -> watcher -> worker-thread audit -> history -> gauges and plots
redrawn; ``--no-ui`` skips it). Targets on 2 cores: cold within 1.5x of
bare parsing, warm under 1 s, one file under 100 ms, write-to-model under 500 ms.

``--baseline`` (with ``--tree COPY``) first commits the tree with a ``mission-control.toml`` that
sets a baseline and two components, as in a started mission: every edit then changes what the
Components and Checklist docks show, and they read the change set too (after the audit).
"""

from __future__ import annotations

import ast
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

from benchutil import load_note, verdict

from mission_control.audit import Auditor
from mission_control.util.files import python_files as list_python_files
from mission_control.watch import RepoWatcher

DATA = Path(__file__).resolve().parent / ".data"


def django_tree() -> Path:
    """Unpack the Django sdist once into ``benchmarks/.data/`` and return its folder.

    ``--tree PATH`` uses an unpacked tree instead (it gets a ``git init`` and files are edited
    and restored: pass a copy).
    """
    if "--tree" in sys.argv:
        target = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
        if not (target / ".git").exists():
            subprocess.run(["git", "init", "-q", str(target)], check=True)
        return target
    archives = sorted(DATA.glob("django-5.2*.tar.gz")) + sorted(DATA.glob("Django-5.2*.tar.gz"))
    if not archives:
        sys.exit(f"no Django sdist in {DATA}: run pip download (see this file's docstring)")
    target = DATA / archives[-1].name.removesuffix(".tar.gz")
    if not target.is_dir():
        with tarfile.open(archives[-1]) as tar:
            tar.extractall(DATA, filter="data")
    if not (target / ".git").exists():  # its own repository, not an ignored folder of ours
        subprocess.run(["git", "init", "-q", str(target)], check=True)
    return target


def timed(func):
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def bare_parse(root: Path, files: list[str]) -> float:
    def work():
        for rel in files:
            with contextlib.suppress(SyntaxError):
                ast.parse((root / rel).read_bytes())

    return timed(work)[0]


def write_to_model(root: Path, auditor: Auditor, target: Path) -> float:
    """Seconds from a file write to the watcher's change set having refreshed the audit."""
    done = threading.Event()
    stamps = {}

    def on_change(change) -> None:
        auditor.run(changed=[root / p for p in change.paths])
        stamps["end"] = time.perf_counter()
        done.set()

    with RepoWatcher(root, on_change, debounce=0.05):
        time.sleep(0.5)
        stamps["start"] = time.perf_counter()
        target.write_text(target.read_text() + "\nclass LatencyProbe:\n    pass\n")
        done.wait(30)
    return stamps["end"] - stamps["start"]


UI_PLAN = """# Bench mission

```mermaid
gantt
    dateFormat YYYY-MM-DD
    section Bench
    Probe :p1, 2024-01-01, 1d
```

## Success Metrics
- Zero broken imports
- 75% reduction in manager classes
"""


def start_mission_on(root: Path) -> None:
    """Commit the tree with a config naming a baseline (tag ``pre``) and components (``--baseline``)."""
    (root / "mission-control.toml").write_text(
        'baseline = "pre"\n[components.utils]\npaths = ["django/utils/**"]\ntasks = ["p1"]\n'
        '[components.db]\npaths = ["django/db/**"]\n'
    )
    # Packed at once, as in a lived-in repository: ~7,000 loose objects read one by one (the audit of
    # the baseline) flood inotify's queue (.git is watched too), and watchdog then loses events.
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "gc.auto=0"]
    commit = [*identity, "commit", "-qm", "mission", "--allow-empty"]
    for args in (["add", "-A"], commit, ["tag", "-f", "pre"], ["gc", "-q"]):
        subprocess.run(["git", *args], cwd=root, check=True)


def write_to_dashboard(root: Path, target: Path) -> tuple[float, float]:
    """Seconds from a file write to the Dashboard dock having drawn the refreshed audit, and from
    the watcher's change set reaching the window (after its debounce) to that redraw: the time the
    running app spends re-auditing one changed file (audit, history, snapshot, gauges and plots)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["MISSION_CONTROL_NO_DIALOGS"] = "1"
    from PySide6 import QtWidgets

    from mission_control.ui import create_window

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    if "--baseline" in sys.argv:
        start_mission_on(root)
    plan = Path(tempfile.mkdtemp(prefix="mc-bench-plan-")) / "plan.md"
    plan.write_text(UI_PLAN)
    window = create_window(root, plan)
    panel = window.panels["dashboard_panel"]
    drawn = []
    panel.refreshed.connect(lambda snapshot: drawn.append(time.perf_counter()))
    changes = []
    window.repo_changed.connect(lambda change: changes.append(time.perf_counter()))

    def spin(until, timeout=120.0):
        deadline = time.perf_counter() + timeout
        while not until() and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.002)

    spin(lambda: drawn and panel.job is None)  # the audit the dock runs when the project opens
    latencies, in_app = [], []
    original = target.read_text()
    for probe in range(5):  # the median of five writes: one alone is at the mercy of the load
        spin(lambda: False, 1.0)
        count = len(drawn)
        start = time.perf_counter()
        target.write_text(original + f"\nclass DashboardProbe{probe}Manager:\n    pass\n")
        spin(lambda count=count: len(drawn) > count)
        if len(drawn) > count and changes:
            latencies.append(drawn[-1] - start)
            in_app.append(drawn[-1] - changes[-1])
    panel.cleanup()
    window.close()
    if not in_app:
        return float("nan"), float("nan")
    print(f"  (each write, change set -> redrawn: {', '.join(f'{t * 1000:.0f}' for t in in_app)} ms)")
    return statistics.median(latencies), statistics.median(in_app)


def main() -> None:
    root = django_tree()
    os.environ["MISSION_CONTROL_HOME"] = tempfile.mkdtemp(prefix="mc-bench-")
    files = list_python_files(root)
    print(f"Django tree {root.name}: {len(files)} .py files")
    bare = bare_parse(root, files)
    print(f"bare ast.parse, 1 process:        {bare:6.2f} s")
    cold, result = timed(lambda: Auditor(root).run())
    print(
        f"cold audit ({os.cpu_count()} jobs):            {cold:6.2f} s  = {cold / bare:.2f}x bare"
        f"   ({result.parsed} parsed, {len(result.duplicates)} duplicates,"
        f" {len(result.broken_imports)} broken imports, {len(result.parse_errors)} parse errors)"
    )
    warm, result = timed(lambda: Auditor(root).run())
    print(f"warm audit (new Auditor, disk):   {warm:6.2f} s   ({result.read} files read)")
    auditor = Auditor(root)
    auditor.run()
    target = root / "django" / "utils" / "text.py"
    original = target.read_text()
    try:
        target.write_text(original + "\n\ndef bench_probe():\n    return 1\n")
        one, result = timed(lambda: auditor.run(changed=[target]))
        anchor = timed(lambda: ast.parse(target.read_bytes()))[0]
        print(
            f"one changed file (live Auditor):  {one * 1000:6.0f} ms ({result.parsed} parsed; "
            f"anchor: ast.parse of that file {anchor * 1000:.0f} ms, ratio {one / anchor:.1f}x)   {load_note()}"
        )
        target.write_text(original + "\n\ndef bench_probe2():\n    return 2\n")
        one_cli, result = timed(lambda: Auditor(root).run())
        print(f"one changed file (new Auditor):   {one_cli * 1000:6.0f} ms ({result.parsed} parsed)")
        latency = write_to_model(root, auditor, target)
        print(f"file write -> audit refreshed:    {latency * 1000:6.0f} ms (watcher debounce 50 ms)")
        if "--no-ui" not in sys.argv:
            target.write_text(original)
            ui, in_app = write_to_dashboard(root, target)
            print(
                f"file write -> Dashboard redrawn:  {ui * 1000:6.0f} ms (real dock, watcher debounce 200 ms; median of 5)"
            )
            print(
                f"one changed file re-audited in the running app (change set -> dock redrawn, median of 5): "
                f"{in_app * 1000:.0f} ms   target < 100 ms -> {verdict(in_app, 0.1)}   {load_note()}"
            )
    finally:
        target.write_text(original)
    for dup in result.broken_imports[:10]:
        print("  broken:", dup)


if __name__ == "__main__":
    main()
