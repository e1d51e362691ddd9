"""What a test run produces: per-test results, collection errors, streamed events, the run result.

All frozen dataclasses, safe to hand from a worker thread to the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mission_control.util.outcomes import FAILING, OUTCOMES

__all__ = ["FAILING", "OUTCOMES"]  # re-exported: the name every caller above the domain imports


@dataclass(frozen=True)
class TestResult:
    """One test's outcome.

    ``duration`` sums its setup, call and teardown; ``longrepr`` is the failure (or skip/xfail)
    text; ``sections`` the captured output as (title, text) pairs; ``location`` (file, line, name)
    with a 0-based line as pytest reports it; ``message`` the one line pytest's short test summary
    shows for a failure ("assert 3 == 4").
    """

    __test__ = False

    nodeid: str
    outcome: str
    duration: float = 0.0
    longrepr: str | None = None
    sections: tuple[tuple[str, str], ...] = ()
    location: tuple[str, int | None, str] | None = None
    message: str | None = None

    @property
    def file(self) -> str:
        """The test's file, relative to pytest's rootdir (the part of the node id before ``::``)."""
        return self.nodeid.split("::", 1)[0]

    @property
    def line(self) -> int | None:
        """The 1-based line of the test function, when pytest knows it."""
        if self.location and self.location[1] is not None:
            return int(self.location[1]) + 1
        return None


@dataclass(frozen=True)
class CollectionError:
    """A file or node pytest could not collect, with the error text."""

    nodeid: str
    longrepr: str


# -- streamed events ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Collected:
    """Collection finished: ``count`` tests will run (after deselection)."""

    count: int


@dataclass(frozen=True)
class Collecting:
    """Collection is under way: ``count`` tests found so far (serial runs, after each test file)."""

    count: int


@dataclass(frozen=True)
class TestStarted:
    """A test started running."""

    __test__ = False

    nodeid: str


@dataclass(frozen=True)
class TestFinished:
    """A test finished; ``done`` of ``total`` tests are finished now (total 0 = unknown yet)."""

    __test__ = False

    result: TestResult
    done: int
    total: int


@dataclass(frozen=True)
class CollectionFailed:
    """A collection error was reported."""

    error: CollectionError


RunEvent = Collecting | Collected | TestStarted | TestFinished | CollectionFailed
EventCallback = Callable[[RunEvent], None]


@dataclass(frozen=True)
class TestRunResult:
    """A finished (or stopped) run.

    ``exit_code`` is pytest's (0 all passed, 1 failures, 2 interrupted/cancelled/timed out,
    3 internal error, 4 usage error or pytest unavailable, 5 no tests collected). ``message`` is a
    one-paragraph explanation whenever the run did not simply finish (no pytest, crash, timeout,
    cancel, no tests). ``pytest_counts`` are the numbers of pytest's own summary line, when it
    printed one; ``totals`` are built from the streamed reports and equal them.
    """

    __test__ = False

    exit_code: int
    duration: float
    totals: dict[str, int]
    tests: tuple[TestResult, ...] = ()
    collection_errors: tuple[CollectionError, ...] = ()
    message: str | None = None
    cancelled: bool = False
    timed_out: bool = False
    selection: str = "all"
    command: tuple[str, ...] = ()
    output: str = ""
    pytest_counts: dict[str, int] | None = None
    collected: int | None = None
    commit: str | None = None
    started_at: str | None = field(default=None)
    outside_imports: dict[str, str] = field(default_factory=dict)  # package -> file outside the repo

    @property
    def ok(self) -> bool:
        """Whether the run finished green (exit code 0)."""
        return self.exit_code == 0

    @property
    def outcomes(self) -> dict[str, str]:
        """Node id → outcome, for history and "last failed"."""
        return {t.nodeid: t.outcome for t in self.tests}

    @property
    def failing(self) -> tuple[TestResult, ...]:
        """The failed and erroring tests, in the order they finished."""
        return tuple(t for t in self.tests if t.outcome in FAILING)

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` shape (see issue 5)."""
        return {
            "exit_code": self.exit_code,
            "duration": round(self.duration, 3),
            "selection": self.selection,
            "message": self.message,
            "totals": {k: self.totals.get(k, 0) for k in OUTCOMES},
            "tests": [_test_json(t) for t in self.tests],
            "collection_errors": [{"nodeid": e.nodeid, "longrepr": e.longrepr} for e in self.collection_errors],
            "outside_imports": dict(self.outside_imports),
        }


def _test_json(test: TestResult) -> dict[str, Any]:
    data: dict[str, Any] = {"nodeid": test.nodeid, "outcome": test.outcome, "duration": round(test.duration, 4)}
    if test.longrepr is not None:
        data["message"] = test.message
        data["longrepr"] = test.longrepr
    if test.sections:
        data["sections"] = [{"title": title, "text": text} for title, text in test.sections]
    return data


def short_summary(result: TestRunResult) -> list[str]:
    """pytest's "short test summary info": one line per failing test or collection error."""
    lines = []
    for test in result.failing:
        word = "ERROR" if test.outcome == "error" else "FAILED"
        lines.append(f"{word} {test.nodeid}" + (f" - {test.message}" if test.message else ""))
    for error in result.collection_errors:
        last = error.longrepr.strip().splitlines()[-1:] if error.longrepr else []
        lines.append(f"ERROR {error.nodeid}" + (f" - {last[0].strip()}" if last else ""))
    return lines


def summary_line(result: TestRunResult) -> str:
    """A pytest-like summary: "3 failed, 10 passed, 1 error in 2.31s"."""
    return totals_line(result.totals, result.duration)


def totals_line(totals: Mapping[str, int], duration: float) -> str:
    """:func:`summary_line` from stored totals (a run restored from the history)."""
    words = {"error": "errors"}
    order = ("failed", "passed", "skipped", "xfailed", "xpassed", "error")
    parts = []
    for key in order:
        count = totals.get(key, 0)
        if count:
            word = words.get(key, key) if (key == "error" and count != 1) else key
            parts.append(f"{count} {word}")
    body = ", ".join(parts) or "no tests ran"
    return f"{body} in {duration:.2f}s"
