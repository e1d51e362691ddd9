"""Overhead of Mission Control's streaming test runner against plain pytest, on a real suite.

Runs a third-party suite (boltons' sdist by default, downloaded once into ``benchmarks/.data/``,
never committed) plainly and through :func:`mission_control.testing.run_tests`, alternating, and
prints the median wall times, the overhead ratio (target: under 5 %) and the time to the first
streamed result. It also checks that the runner's totals equal plain pytest's summary line.

    nice python benchmarks/bench_test_runner.py [--rounds 3] [--suite PATH]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mission_control.testing import TestFinished, find_interpreter, run_tests

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


def plain_run(suite: Path) -> tuple[float, dict[str, int]]:
    """Wall time of plain pytest and the counts of its summary line."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--color=no", *ARGS], cwd=suite, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    last = proc.stdout.strip().splitlines()[-1]
    counts = {
        ("error" if w == "errors" else w): int(n)
        for n, w in re.findall(r"(\d+) (\w+)", last)
        if w in ("passed", "failed", "skipped", "xfailed", "xpassed", "error", "errors")
    }
    return elapsed, counts


def runner_run(suite: Path, interpreter) -> tuple[float, float | None, dict[str, int]]:
    """Wall time through the runner, time to the first streamed result, and its totals."""
    first: list[float] = []
    start = time.perf_counter()

    def on_event(event) -> None:
        if not first and isinstance(event, TestFinished):
            first.append(time.perf_counter() - start)

    result = run_tests(suite, ARGS, interpreter=interpreter, workers=None, on_event=on_event)
    elapsed = time.perf_counter() - start
    return elapsed, (first[0] if first else None), {k: v for k, v in result.totals.items() if v}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--suite", type=Path, help="another suite folder instead of boltons")
    ns = parser.parse_args()
    suite = ns.suite or fetch_suite()
    interpreter = find_interpreter(suite, sys.executable)
    plain_run(suite)  # warm the file cache and .pyc files
    plains, runs, firsts = [], [], []
    for _ in range(ns.rounds):
        elapsed, expected = plain_run(suite)
        plains.append(elapsed)
        elapsed, first, totals = runner_run(suite, interpreter)
        runs.append(elapsed)
        firsts.append(first)
        if totals != expected:
            print(f"MISMATCH: runner {totals} != pytest {expected}")
            return 1
    plain, ours = statistics.median(plains), statistics.median(runs)
    print(f"suite: {suite.name} · pytest summary {expected} (runner totals equal)")
    print(f"plain pytest   median {plain:.2f} s over {ns.rounds} rounds")
    print(f"through runner median {ours:.2f} s")
    print(f"overhead ratio {ours / plain:.3f} ({(ours / plain - 1) * 100:+.1f} %, target < +5 %)")
    print(f"time to first streamed result: median {statistics.median(f for f in firsts if f is not None):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
