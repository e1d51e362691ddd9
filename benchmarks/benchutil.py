"""Small helpers the benchmarks share: the load average beside every figure, medians of repeats.

Figures taken while other work runs on the machine are slower and noisier; each benchmark prints
the 1-minute load average next to its figures and says so when the machine was busy.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

#: Above this 1-minute load average per core, figures are called "measured under load".
BUSY_PER_CORE = 0.5


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def load_note() -> str:
    """``load 1.23 on 2 cores`` and, when the machine is busy, ``(measured under load)``."""
    cores = os.cpu_count() or 1
    value = load()
    busy = " (measured under load: figures are pessimistic)" if value > BUSY_PER_CORE * cores else ""
    return f"load {value:.2f} on {cores} cores{busy}"


def timed(func: Callable[[], object]) -> float:
    """Seconds one call of ``func`` takes."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def median_of(repeat: int, func: Callable[[], object]) -> float:
    """The median of ``repeat`` timed calls of ``func``, in seconds."""
    return statistics.median(timed(func) for _ in range(repeat))


def best_of(repeat: int, func: Callable[[], object]) -> float:
    """The fastest of ``repeat`` timed calls of ``func`` (the least disturbed by other load)."""
    return min(timed(func) for _ in range(repeat))


def verdict(value: float, target: float) -> str:
    """``ok`` when ``value`` meets ``target`` (lower is better), else ``MISSED``."""
    return "ok" if value <= target else "MISSED"
