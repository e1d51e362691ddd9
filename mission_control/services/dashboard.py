"""What the Dashboard dock shows, computed off the GUI thread (no Qt in this module).

:class:`DashboardSource` is the long-lived, per-repository object the dock drives from its
worker thread: it keeps one :class:`~mission_control.audit.Auditor` (so a watcher's change set
costs only the changed files), audits the baseline once, records each audit in the project's
SQLite history, then reads the history back into a :class:`Snapshot`: plot series, the plan's
success metrics as gauges, its checkpoints on the time axis and the critical alerts.
The dock only draws a Snapshot; everything slow (files, git, SQLite) happens here.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mission_control.audit import AuditError, Auditor, AuditResult
from mission_control.audit.metrics import Checkpoint, MetricStatus, evaluate, load_overrides, parse_plan_metrics
from mission_control.config import ConfigError, ProjectConfig
from mission_control.history import History, HistoryError, TestRunRecord, open_history
from mission_control.plan import parse_plan
from mission_control.signoff.mission import MissionError, plan_origin, read_mission
from mission_control.testing.results import FAILING
from mission_control.util.git import head_commit
from mission_control.util.progress import CancelToken, ProgressCallback

MAX_CHECKPOINT_HOURS = 24 * 7  # "Day 5 Final" (120 h) is still drawn; nothing absurd

Series = tuple[tuple[float, ...], tuple[float, ...]]  # (epoch seconds, values)


@dataclass(frozen=True)
class DashboardAlert:
    """A critical alert of the plan, with when it happened and why."""

    when: datetime
    title: str
    cause: str
    level: str = "critical"


@dataclass(frozen=True)
class Snapshot:
    """Everything one redraw of the dashboard needs.

    ``plots`` maps a plot ("tests", "ssot", "roles", "components") to its curves, each a
    :data:`Series`; ``checkpoints`` are ``(label, when)`` on the same time axis.
    """

    plots: dict[str, dict[str, Series]]
    statuses: tuple[MetricStatus, ...] = ()
    checkpoints: tuple[tuple[str, datetime], ...] = ()
    mission_start: datetime | None = None
    alerts: tuple[DashboardAlert, ...] = ()
    audit: AuditResult | None = None
    baseline_label: str = "no baseline"
    problems: tuple[str, ...] = ()
    taken: datetime = field(default_factory=lambda: datetime.now(UTC))
    mission_end: datetime | None = None  # where the plan ends, in real time (None: unknown)

    def time_span(self) -> tuple[datetime, datetime] | None:
        """The plots' time axis: the mission, from its start (else the first point) to now, or to the
        plan's end when that is later; None without a start or any point."""
        points = [x for plot in self.plots.values() for xs, _ys in plot.values() for x in xs]
        first = self.mission_start or (datetime.fromtimestamp(min(points), UTC) if points else None)
        if first is None:
            return None
        last = max([self.taken, *([self.mission_end] if self.mission_end else [])])
        if points:
            last = max(last, datetime.fromtimestamp(max(points), UTC))
            first = min(first, datetime.fromtimestamp(min(points), UTC))
        return first, max(last, first + timedelta(minutes=1))


# -- mission start and checkpoints ---------------------------------------------------------------


def read_mission_start(repo: Path) -> datetime | None:
    """Hour 0 as the mission clock reads it (:func:`mission_control.signoff.read_mission`), aware UTC.

    A missing or unreadable ``mission.json`` gives None (the caller falls back to the first
    history point).
    """
    try:
        mission = read_mission(repo)
    except MissionError:
        return None
    return mission.started_at if mission is not None else None


def plan_end(plan_text: str, start: datetime | None) -> datetime | None:
    """When the plan's last task ends, in real time: ``start`` plus the plan's length for a plan in
    hours from the mission start (``dateFormat HH:mm``), else its last end date (local time)."""
    plan = parse_plan(plan_text, "plan.md")  # never raises: problems become diagnostics
    ends = [t.end for t in plan.tasks if t.end is not None]
    if not ends:
        return None
    origin = plan_origin(plan)
    if origin is not None:
        return start + (max(ends) - origin) if start is not None else None
    return max(ends).astimezone(UTC)


def checkpoint_times(checkpoints: Sequence[Checkpoint], start: datetime | None) -> tuple[tuple[str, datetime], ...]:
    """Each "Hour N Checkpoint" placed at ``start + N hours`` (none without a start)."""
    if start is None:
        return ()
    placed = []
    for checkpoint in checkpoints:
        if checkpoint.hour is not None and 0 <= checkpoint.hour <= MAX_CHECKPOINT_HOURS:
            label = checkpoint.name.replace(" Checkpoint", "")
            placed.append((label, start + timedelta(hours=checkpoint.hour)))
    return tuple(sorted(placed, key=lambda pair: pair[1]))


# -- series from the history ---------------------------------------------------------------------


def _series(points: Iterable[tuple[datetime, float]]) -> Series:
    pairs = list(points)
    return tuple(p[0].timestamp() for p in pairs), tuple(float(p[1]) for p in pairs)


def tests_series(runs: Sequence[TestRunRecord]) -> dict[str, Series]:
    """Passing and failing tests per run, oldest first (``runs`` may come newest first)."""
    ordered = sorted(runs, key=lambda r: (r.when, r.id))
    xs = tuple(r.when.timestamp() for r in ordered)
    passed = tuple(float(r.totals.get("passed", 0)) for r in ordered)
    failing = tuple(float(sum(r.totals.get(o, 0) for o in FAILING)) for r in ordered)
    return {"passed": (xs, passed), "failed": (xs, failing)}


def metric_plots(history: History) -> dict[str, dict[str, Series]]:
    """The audit's plots from the history: SSOT violations, classes by role, lines per component."""
    names = history.metric_names()
    ssot = {
        label: _series(history.metric_series(name, "audit"))
        for label, name in (("duplicates", "duplicates"), ("broken imports", "broken_imports"))
    }
    roles = {}
    for name in names:
        if name.startswith("roles."):
            series = _series(history.metric_series(name, "audit"))
            if any(series[1]):  # a role never seen in this code base is only noise
                roles[name[len("roles.") :]] = series
    components = {
        name[len("components.") : -len(".lines")]: _series(history.metric_series(name, "audit"))
        for name in names
        if name.startswith("components.") and name.endswith(".lines")
    }
    return {"ssot": ssot, "roles": roles, "components": components}


# -- alerts ------------------------------------------------------------------------------------------


def regression_alerts(runs: Sequence[TestRunRecord]) -> list[DashboardAlert]:
    """ "Test regression detected": tests failing in a run that were not failing in the run before.

    The history keeps failing node ids per run, not passing ones, so "the run before" is the
    previous run of the same selection or of the whole suite, and only runs that had passing
    tests count as a reference.
    """
    alerts: list[DashboardAlert] = []
    previous: dict[str, TestRunRecord] = {}
    for run in sorted(runs, key=lambda r: (r.when, r.id)):
        reference = previous.get(run.selection) or previous.get("all")
        if reference is not None:
            new = [n for n in run.failing if n not in set(reference.failing)]
            if new:
                alerts.append(DashboardAlert(run.when, "Test regression detected", _regression_cause(new, run)))
        if run.totals.get("passed", 0):
            previous[run.selection] = run
    return alerts


def _regression_cause(nodeids: Sequence[str], run: TestRunRecord) -> str:
    shown = ", ".join(nodeids[:3]) + (f" and {len(nodeids) - 3} more" if len(nodeids) > 3 else "")
    where = f" at {run.commit[:7]}" if run.commit else ""
    return f"{len(nodeids)} test(s) passed before and fail now{where}: {shown}"


def broken_import_alerts(
    series: Sequence[tuple[datetime, float]], latest: AuditResult | None, previous: AuditResult | None
) -> list[DashboardAlert]:
    """ "Broken imports appearing": each audit whose broken-import count rose above the last one.

    The newest rise names the imports that appeared (when this session saw the audit before).
    """
    alerts = []
    for (_, before), (when, after) in itertools.pairwise(series):
        if after > before:
            alerts.append(
                DashboardAlert(when, "Broken imports appeared", f"{int(before)} → {int(after)} broken imports")
            )
    if alerts and latest is not None and series and alerts[-1].when == series[-1][0]:
        known = {(b.path, b.import_) for b in previous.broken_imports} if previous else set()
        new = [b for b in latest.broken_imports if (b.path, b.import_) not in known] or list(latest.broken_imports)
        named = "; ".join(f"{b.path}:{b.line} imports {b.import_}" for b in new[:3])
        more = f" and {len(new) - 3} more" if len(new) > 3 else ""
        alerts[-1] = DashboardAlert(alerts[-1].when, alerts[-1].title, f"{alerts[-1].cause}: {named}{more}")
    return alerts


# -- the long-lived source ------------------------------------------------------------------------


class DashboardSource:
    """Audits one repository and reads its history into snapshots; one caller at a time.

    Args:
        repo: the repository folder.
        config: its project configuration (components, baseline, ``[metrics]`` overrides).
    """

    def __init__(self, repo: Path, config: ProjectConfig) -> None:
        self.repo = Path(repo)
        self.config = config
        self.auditor: Auditor | None = None
        self.baseline: AuditResult | None = None
        self.baseline_label = "no baseline"
        self._baseline_tried = False
        self.last: AuditResult | None = None
        self._previous: AuditResult | None = None
        self._shared: list[History] | None = None  # the history opened for the refresh under way

    def refresh(
        self,
        plan_text: str,
        changed: Iterable[str] | None = None,
        *,
        audit: bool = True,
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Snapshot:
        """Audit (all files, or only ``changed``), record the audit, and build a snapshot.

        ``audit=False`` re-reads the history and the plan only (a test run was stored, the
        plan was edited). Expected problems (no baseline, bad ``[metrics]`` table, unusable
        history) are listed in ``Snapshot.problems``; a missing repository raises AuditError.
        """
        problems: list[str] = []
        with self._one_history():  # one connection for the record and the reads (each open costs a commit)
            if audit or self.last is None:
                self._audit(changed, on_progress, cancel, problems)
            if not self._baseline_tried:
                self._audit_baseline(problems)
            return self._snapshot(plan_text, problems)

    @contextlib.contextmanager
    def _one_history(self) -> Iterator[None]:
        """Within this block, :meth:`_history` opens the history once and closes it at the end."""
        self._shared = []
        try:
            yield
        finally:
            for history in self._shared:
                history.close()
            self._shared = None

    @contextlib.contextmanager
    def _history(self) -> Iterator[History]:
        """The project's history: the one opened in this refresh, else a new one (HistoryError if unusable)."""
        shared = self._shared
        if shared is None:
            with open_history(self.repo) as history:
                yield history
            return
        if not shared:
            shared.append(open_history(self.repo))
        yield shared[0]

    def flush(self) -> None:
        """Save what incremental audits learnt to the on-disk cache (on close)."""
        if self.auditor is not None:
            self.auditor.flush()

    def _audit(
        self,
        changed: Iterable[str] | None,
        on_progress: ProgressCallback | None,
        cancel: CancelToken | None,
        problems: list[str],
    ) -> None:
        if self.auditor is None:
            components = {name: list(c.paths) for name, c in self.config.components.items() if c.paths}
            self.auditor = Auditor(self.repo, components=components)
        incremental = changed is not None and self.last is not None
        paths: list[str | os.PathLike[str]] | None = list(changed) if changed is not None and incremental else None
        result = self.auditor.run(paths, on_progress=on_progress, cancel=cancel)
        self._previous, self.last = self.last, result
        try:
            with self._history() as history:
                history.record_metrics("audit", result.metrics(), commit=head_commit(self.repo))
        except HistoryError as exc:
            problems.append(f"history not recorded: {exc}")

    def _audit_baseline(self, problems: list[str]) -> None:
        self._baseline_tried = True
        try:
            from mission_control.repo.baseline import resolve_baseline

            baseline = resolve_baseline(self.repo, self.config)
        except Exception as exc:
            problems.append(f"no baseline: {exc}")
            return
        if baseline.commit is None or self.auditor is None:
            problems.append(baseline.problem or "no baseline")
            return
        try:
            self.baseline = self.auditor.run_ref(baseline.commit)
            self.baseline_label = baseline.label
        except AuditError as exc:
            problems.append(str(exc))

    def _snapshot(self, plan_text: str, problems: list[str]) -> Snapshot:
        items, checkpoints = parse_plan_metrics(plan_text)
        try:
            overrides = load_overrides(self.config.metrics or {}, self.config.source)
        except ConfigError as exc:
            problems.append(str(exc))
            overrides = {}
        try:
            with self._history() as history:
                runs = history.test_runs(limit=None)
                plots = metric_plots(history)
                broken = history.metric_series("broken_imports", "audit")
                first = _first_point(history, runs)
        except HistoryError as exc:
            problems.append(str(exc))
            runs, plots, broken, first = [], {}, [], None
        plots["tests"] = tests_series(runs)
        statuses = evaluate(items, self.last, self.baseline, overrides=overrides, extra_now=test_values(runs))
        start = read_mission_start(self.repo) or first
        alerts = regression_alerts(runs) + broken_import_alerts(broken, self.last, self._previous)
        alerts.sort(key=lambda a: a.when, reverse=True)
        return Snapshot(
            plots,
            tuple(statuses),
            checkpoint_times(checkpoints, start),
            start,
            tuple(alerts),
            self.last,
            self.baseline_label,
            tuple(problems),
            mission_end=plan_end(plan_text, start),
        )


def recorded_test_values(repo: Path) -> tuple[Mapping[str, float], str | None]:
    """The figures of the newest recorded test run (see :func:`test_values`) and a problem, if any.

    What ``metrics`` on the command line feeds its gauges with, as the dashboard does.
    """
    try:
        with open_history(repo) as history:
            return test_values(history.test_runs(limit=None)), None
    except HistoryError as exc:
        return {}, str(exc)


def test_values(runs: Sequence[TestRunRecord]) -> Mapping[str, float]:
    """The newest run's figures, under the names the success metrics use (``tests.failed``)."""
    if not runs:
        return {}
    newest = max(runs, key=lambda r: (r.when, r.id))
    failed = sum(newest.totals.get(o, 0) for o in FAILING) + newest.collection_errors
    return {"tests.failed": float(failed), "tests.passed": float(newest.totals.get("passed", 0))}


def _first_point(history: History, runs: Sequence[TestRunRecord]) -> datetime | None:
    """The time of the oldest history point (the mission start when none is recorded)."""
    times = [r.when for r in runs]
    for name in ("files", "lines"):
        series = history.metric_series(name, "audit")
        if series:
            times.append(series[0][0])
    return min(times) if times else None
