"""A standalone pytest plugin streaming results as JSON lines, one line per event.

Mission Control loads it into the *target* project's pytest with
``PYTHONPATH=<this folder> python -m pytest -p mission_control_stream``, so nothing has to be
installed there. It imports nothing but pytest and the standard library, and keeps to syntax
old interpreters understand. Events go to the file named by ``MISSION_CONTROL_STREAM``, flushed
line by line (the model is pytest-reportlog):

``{"e": "start", "pytest": "8.3.2", "xdist": false}``
``{"e": "collecting", "count": 7}``   tests found so far, after each test file (not under xdist): the
run shows it is under way long before a large suite's collection ends
``{"e": "collected", "count": 12}``
``{"e": "collect", "nodeid": ..., "outcome": "failed"|"skipped", "category": ..., "longrepr": ...}``
``{"e": "begin", "nodeid": ...}``        a test started (names the culprit when a run hangs)
``{"e": "test", "nodeid", "outcome", "categories", "duration", "longrepr", "message", "sections", "location"}``
``{"e": "imports", "modules": {"calc": "/path/calc/__init__.py"}}``   where the packages under test
(named in ``MISSION_CONTROL_PACKAGES``, comma-separated) were imported from, after collection
``{"e": "finish", "exitstatus": 0, "counts": {...}}``   counts = pytest's own summary line

Categories come from ``pytest_report_teststatus``, exactly as the terminal reporter counts them,
so the totals built from them equal pytest's summary line. Under pytest-xdist only the
controller writes; it receives every worker's reports through xdist's relay.

Signature annotations naming anything newer than ``str`` are quoted, so an old interpreter or an
old pytest (``pytest.Config`` is 7.0's) never evaluates them; annotations inside functions never
are. mypy checks them all.
"""

import json
import os
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    #: A test's location as pytest reports it: file, line (0-based, or None), domain.
    Location = tuple[str, int | None, str]
    Report = pytest.TestReport | pytest.CollectReport

_ENV = "MISSION_CONTROL_STREAM"
_PACKAGES_ENV = "MISSION_CONTROL_PACKAGES"
_PHASE_ORDER = ("setup", "call", "teardown")


class _Stream:
    """Writes events and folds each test's phase reports into one line."""

    def __init__(self, config: "pytest.Config", path: str) -> None:
        self.config = config
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole session, closed at its end
        self.pending: dict[str, list[pytest.TestReport]] = {}
        self._xdist_counted = False
        self._found = 0  # tests collected so far
        self._told = 0  # ... of which a "collecting" line has said

    def emit(self, data: "dict[str, object]") -> None:
        self.handle.write(json.dumps(data, default=str) + "\n")
        self.handle.flush()

    def category(self, report: "Report") -> str:
        res = self.config.hook.pytest_report_teststatus(report=report, config=self.config)
        return str(res[0]) if res else ""

    def close(self) -> None:
        for nodeid in list(self.pending):
            self.flush_test(nodeid, None)
        self.handle.close()

    # -- hooks -----------------------------------------------------------------------------

    def pytest_sessionstart(self, session: "pytest.Session") -> None:
        xdist = self.config.pluginmanager.hasplugin("dsession")
        self.emit({"e": "start", "pytest": pytest.__version__, "xdist": bool(xdist)})

    def pytest_collection_finish(self, session: "pytest.Session") -> None:
        if not self.config.pluginmanager.hasplugin("dsession"):
            self.emit({"e": "collected", "count": len(session.items)})
            _emit_imports(self.emit)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: "Sequence[str]") -> None:
        if not self._xdist_counted:
            self._xdist_counted = True
            self.emit({"e": "collected", "count": len(ids)})

    def pytest_itemcollected(self, item: "pytest.Item") -> None:
        self._found += 1

    def pytest_collectreport(self, report: "pytest.CollectReport") -> None:
        if report.passed:
            if self._found != self._told and report.nodeid.endswith(".py"):  # a test file is done
                self._told = self._found
                self.emit({"e": "collecting", "count": self._found})
            return
        self.emit(
            {
                "e": "collect",
                "nodeid": report.nodeid,
                "outcome": report.outcome,
                "category": self.category(report),
                "longrepr": report.longreprtext,
            }
        )

    def pytest_runtest_logstart(self, nodeid: str, location: "Location") -> None:
        self.emit({"e": "begin", "nodeid": nodeid})

    def pytest_runtest_logreport(self, report: "pytest.TestReport") -> None:
        self.pending.setdefault(report.nodeid, []).append(report)

    def pytest_runtest_logfinish(self, nodeid: str, location: "Location") -> None:
        self.flush_test(nodeid, location)

    def pytest_sessionfinish(self, session: "pytest.Session", exitstatus: "int | pytest.ExitCode") -> None:
        self.emit({"e": "finish", "exitstatus": int(exitstatus), "counts": self.summary_counts()})

    def pytest_unconfigure(self, config: "pytest.Config") -> None:
        self.close()

    # -- folding ---------------------------------------------------------------------------

    def flush_test(self, nodeid: str, location: "Location | None") -> None:
        reports = self.pending.pop(nodeid, [])
        if not reports:
            return
        categories: list[str] = []
        for report in reports:
            cat = self.category(report)
            if cat and getattr(report, "count_towards_summary", True):
                categories.append(cat)
        outcome = _outcome(reports, categories)
        if outcome is None:
            return  # interrupted before its call phase: it did not finish
        failing = [r for r in reports if not r.passed]
        self.emit(
            {
                "e": "test",
                "nodeid": nodeid,
                "outcome": outcome,
                "categories": categories,
                "duration": sum(getattr(r, "duration", 0.0) or 0.0 for r in reports),
                "longrepr": "\n".join(_failure_text(r) for r in failing) or None,
                "message": _crash_message(failing),
                "sections": _sections(reports),
                "location": list(location) if location else list(reports[0].location),
            }
        )

    def summary_counts(self) -> "dict[str, int] | None":
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return None
        counts: dict[str, int] = {}
        for key, reports in reporter.stats.items():
            if not key:
                continue
            shown = [r for r in reports if getattr(r, "count_towards_summary", True)]
            if shown:
                counts[key] = len(shown)
        return counts


def _outcome(reports: "list[pytest.TestReport]", categories: "list[str]") -> "str | None":
    """One outcome per test: an error in any phase wins, else the call's (or setup's) category.

    None when the test never reached its call phase (a run interrupted during it).
    """
    phases = {r.when: r for r in reports}
    if any(c == "error" for c in categories):
        return "error"
    for when in ("call", "setup"):
        report = phases.get(when)
        if report is None:
            continue
        if getattr(report, "wasxfail", None) is not None:
            return "xfailed" if report.skipped else "xpassed"
        if report.failed:
            return "error" if when == "setup" else "failed"
        if report.skipped:
            return "skipped"
        if when == "call":
            return "passed"
    return categories[0] if categories else None


def _failure_text(report: "pytest.TestReport") -> str:
    if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        path, line, reason = report.longrepr
        return f"{path}:{line}: {reason}"
    text = report.longreprtext
    return f"[{report.when}] {text}" if report.when != "call" else text


def _crash_message(failing: "list[pytest.TestReport]") -> "str | None":
    """The one line pytest's short test summary shows after the node id ("assert 3 == 4")."""
    for report in failing:
        if report.skipped:
            continue
        crash = getattr(report.longrepr, "reprcrash", None)
        message = getattr(crash, "message", None)
        if message:
            return str(message).strip().splitlines()[0]
        text = report.longreprtext.strip()
        if text:
            return text.splitlines()[-1]
    return None


def _sections(reports: "list[pytest.TestReport]") -> "list[list[str]]":
    seen: set[tuple[str, str]] = set()
    out: list[list[str]] = []
    for report in reports:
        for title, content in report.sections:
            if (title, content) not in seen and content:
                seen.add((title, content))
                out.append([title, content])
    return out


def _emit_imports(emit: "Callable[[dict[str, object]], object]") -> None:
    """Say where each package under test was imported from (None: not imported)."""
    names = [n for n in os.environ.get(_PACKAGES_ENV, "").split(",") if n]
    if not names:
        return
    modules: dict[str, object] = {}
    for name in names:
        module = sys.modules.get(name)
        if module is not None:
            modules[name] = getattr(module, "__file__", None)
    emit({"e": "imports", "modules": modules})


class _WorkerImports:
    """Under xdist the workers import the tests: the first to finish collecting says from where."""

    def __init__(self, path: str) -> None:
        self.path = path

    def pytest_collection_finish(self, session: "pytest.Session") -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            _emit_imports(lambda data: handle.write(json.dumps(data, default=str) + "\n"))


def pytest_configure(config: "pytest.Config") -> None:
    """Start streaming if Mission Control asked for it (an xdist worker reports only its imports)."""
    path = os.environ.get(_ENV)
    if not path:
        return
    if hasattr(config, "workerinput"):
        config.pluginmanager.register(_WorkerImports(path), "mission_control_stream_imports")
        return
    config.pluginmanager.register(_Stream(config, path), "mission_control_stream_writer")
