"""Overhead of Mission Control's streaming test runner against plain pytest, on a real suite.

Runs a third-party suite (boltons' sdist by default, downloaded once into ``benchmarks/.data/``,
never committed; or ``--suite PATH`` with ``--python`` its interpreter) plainly and through
:func:`mission_control.testing.run_tests`, alternating, and prints the median wall times, the
overhead ratio (target: ≤ 3 %), the time to the first streamed result (target: < 1 s) and the
parallel choice the Tests dock makes ("auto": serial unless the last run was long enough and the
machine has cores to spare) against serial (target: never slower). It also checks that the
runner's totals equal plain pytest's summary line. The load average is printed with the figures.

    nice python benchmarks/bench_test_runner.py [--rounds 5] [--suite PATH --python PYTHON]

On this project's machine: ``--suite <copy of /work/corpus/src/click-8.5.1> --python
/work/corpus/venv-tests/bin/python`` (copy the suite: the runs write ``__pycache__``).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))
from benchutil import load_note, verdict

from mission_control.testing import Collecting, TestFinished, find_interpreter, run_tests
from mission_control.testing.service import available_cores, decide_parallelism, machine_load

DATA = ROOT / "benchmarks" / ".data"
PACKAGE, VERSION = "boltons", "26.2.0"
ARGS = ["-p", "no:cacheprovider"]


def fetch_suite() -> Path:
    """The unpacked sdist, downloaded with pip on first use."""
    folder = DATA / f"{PACKAGE}-{VERSION}"
    if folder.is_dir():
        return folder
    DATA.mkdir(parents=True, exist_ok=True)
    archive = DATA / f"{PACKAGE}-{VERSION}.tar.gz"
    if not archive.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"{PACKAGE}=={VERSION}",
                "-d",
                str(DATA),
                "-q",
            ],
            check=True,
        )
    with tarfile.open(archive) as tar:
        tar.extractall(DATA, filter="data")
    return folder


def plain_run(suite: Path, python: str) -> tuple[float, dict[str, int]]:
    """Wall time of plain pytest and the counts of its summary line."""
    start = time.perf_counter()
    proc = subprocess.run([python, "-m", "pytest", "--color=no", *ARGS], cwd=suite, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    last = proc.stdout.strip().splitlines()[-1]
    counts = {
        ("error" if w == "errors" else w): int(n)
        for n, w in re.findall(r"(\d+) (\w+)", last)
        if w in ("passed", "failed", "skipped", "xfailed", "xpassed", "error", "errors")
    }
    return elapsed, counts


_FIRST_RESULT_PLUGIN = """
import os, time

def pytest_runtest_logreport(report):
    path = os.environ["BENCH_FIRST_RESULT"]
    if (report.when == "call" or not report.passed) and not os.path.exists(path):
        with open(path, "w") as out:
            out.write(repr(time.time()))
"""


def plain_first_result(suite: Path, python: str) -> float:
    """When plain pytest reports its first test result, from its start (a 6-line plugin notes it):
    the anchor for ours (one pytest process runs no test before its whole collection)."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "bench_first_result.py").write_text(_FIRST_RESULT_PLUGIN)
        mark = Path(folder, "first")
        env = {
            **os.environ,
            "BENCH_FIRST_RESULT": str(mark),
            "PYTHONPATH": os.pathsep.join(filter(None, [folder, os.environ.get("PYTHONPATH")])),
        }
        start = time.time()
        subprocess.run(
            [python, "-m", "pytest", "--color=no", "-p", "bench_first_result", *ARGS],
            cwd=suite,
            capture_output=True,
            env=env,
        )
        return float(mark.read_text()) - start


def runner_run(
    suite: Path, interpreter, workers: int | None = None
) -> tuple[float, float | None, dict[str, int], float | None]:
    """Wall time through the runner, time to the first test result, its totals, and the time to
    the first thing the Tests dock shows (tests found while collecting, or a result)."""
    first: list[float] = []
    shown: list[float] = []
    start = time.perf_counter()

    def on_event(event) -> None:
        if not shown and isinstance(event, TestFinished | Collecting):
            shown.append(time.perf_counter() - start)
        if not first and isinstance(event, TestFinished):
            first.append(time.perf_counter() - start)

    result = run_tests(suite, ARGS, interpreter=interpreter, workers=workers, on_event=on_event)
    elapsed = time.perf_counter() - start
    totals = {k: v for k, v in result.totals.items() if v}
    return elapsed, (first[0] if first else None), totals, (shown[0] if shown else None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--suite", type=Path, help="another suite folder instead of boltons")
    parser.add_argument("--python", default=sys.executable, help="the interpreter that has the suite's dependencies")
    ns = parser.parse_args()
    suite = ns.suite or fetch_suite()
    interpreter = find_interpreter(suite, ns.python)
    plain_run(suite, ns.python)  # warm the file cache and .pyc files
    plains, runs, firsts, shown, collects = [], [], [], [], []
    for _ in range(ns.rounds):
        elapsed, expected = plain_run(suite, ns.python)
        plains.append(elapsed)
        collects.append(plain_first_result(suite, ns.python))
        elapsed, first, totals, seen = runner_run(suite, interpreter)
        runs.append(elapsed)
        firsts.append(first)
        shown.append(seen)
        if totals != expected:
            print(f"MISMATCH: runner {totals} != pytest {expected}")
            return 1
    plain, ours = statistics.median(plains), statistics.median(runs)
    first = statistics.median(f for f in firsts if f is not None)
    seen = statistics.median(f for f in shown if f is not None)
    overhead = ours / plain - 1
    print(f"suite: {suite.name} · pytest summary {expected} (runner totals equal) · {load_note()}")
    print(
        f"plain pytest (serial)   median {plain:.2f} s over {ns.rounds} rounds   ({', '.join(f'{t:.2f}' for t in plains)})"
    )
    print(f"through runner (serial) median {ours:.2f} s   ({', '.join(f'{t:.2f}' for t in runs)})")
    print(f"overhead {overhead * 100:+.1f} %   target ≤ +3 % -> {verdict(overhead, 0.03)}")
    print(
        f"time to the first thing shown (tests found while collecting): median {seen:.2f} s   target < 1 s -> {verdict(seen, 1.0)}"
    )
    floor = statistics.median(collects)
    print(
        f"time to the first test result: median {first:.2f} s; plain pytest's own first result: "
        f"{floor:.2f} s (ratio {first / floor:.2f}; neither runs a test before pytest has collected the suite)"
    )
    parallel_choice(suite, interpreter, plain, ours, ns.rounds)
    return 0


def parallel_choice(suite: Path, interpreter, plain: float, serial: float, rounds: int) -> None:
    """The Tests dock's "auto" choice after a run as long as this one, against serial."""
    choice = decide_parallelism(
        "auto", cores=available_cores(), last_duration=plain, has_xdist=interpreter.has_xdist, load=machine_load()
    )
    print(f"parallel choice ('auto'): {choice.reason}   {load_note()}")
    if choice.workers is None:
        print("  serial chosen: the same run as above, never slower than serial -> ok")
        return
    times = [runner_run(suite, interpreter, choice.workers)[0] for _ in range(rounds)]
    chosen = statistics.median(times)
    print(
        f"  -n {choice.workers}: median {chosen:.2f} s vs serial {serial:.2f} s ({chosen / serial:.2f}x)   "
        f"target ≤ 1.00x -> {verdict(chosen, serial)}"
    )


if __name__ == "__main__":
    sys.exit(main())
