"""Each task's state from evidence: planned, active, done, late or blocked.

- done: the plan tags it ``done``, or every checklist item that names it is signed off and its
  components' tests are not failing;
- late: its end has passed on the mission clock and it is not done;
- blocked: it is due (its start has passed) or already being worked on, and a finish-to-start
  predecessor is not done (start-to-start: not yet started);
- active: the plan tags it ``active``, the clock is inside its span, or its components changed
  since the baseline;
- planned: none of the above.

:func:`task_states` is pure (a fake clock in tests); :func:`gather_task_evidence` reads git
and the test history and belongs in a worker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from mission_control.config import ComponentConfig, ProjectConfig
from mission_control.plan import START_TO_START, Plan, Task, retiming
from mission_control.plan.schedule import format_time
from mission_control.signoff.checklist import CheckItem, ChecklistState
from mission_control.signoff.matching import Titled
from mission_control.testing.results import FAILING
from mission_control.util.progress import CancelToken, Progress, ProgressCallback, no_progress

if TYPE_CHECKING:
    from mission_control.repo.status import RepoStatus

STATES: Final = ("planned", "active", "done", "late", "blocked")
MARKERS: Final = {"planned": None, "active": "▶ active", "done": "✓ done", "late": "⚠ late", "blocked": "✗ blocked"}


@dataclass(frozen=True)
class TaskEvidence:
    """What the repository says per task id: files changed in its components, its tests' state."""

    changed_files: Mapping[str, int] = field(default_factory=dict)
    tests: Mapping[str, str] = field(default_factory=dict)  # "green" | "failing"
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskStatus:
    """A task's state and the reasons behind it (for the tooltip and the CLI)."""

    key: str
    state: str
    reasons: tuple[str, ...] = ()

    @property
    def marker(self) -> str | None:
        """The text the Gantt shows after the bar's name (None for planned)."""
        return MARKERS[self.state]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "state": self.state, "reasons": list(self.reasons)}


_Item = TypeVar("_Item", bound=Titled)


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def linked_items(task: Task, items: Sequence[_Item]) -> list[_Item]:
    """Checklist items that name ``task`` (every word of its name, matched by 5-letter stem)."""
    name = _stems(task.name)
    return [i for i in items if name and name <= _stems(i.text)]


def task_states(
    plan: Plan, now: datetime | None, evidence: TaskEvidence | None = None, checklist: ChecklistState | None = None
) -> dict[str, TaskStatus]:
    """Every task's :class:`TaskStatus`; ``now`` is on the plan's axis (None: mission not started)."""
    evidence = evidence or TaskEvidence()
    signed = [(_stems(item.text), item, ok) for item, ok in _signed_items(checklist)]  # each item's words once
    done = {t.key: _done_reasons(t, evidence, signed) for t in plan.tasks}
    preds = _predecessors(plan)
    result: dict[str, TaskStatus] = {}
    for task in plan.tasks:
        result[task.key] = _state(task, now, evidence, done, preds.get(task.key, ()), plan)
    return result


def update_task_states(
    previous: Mapping[str, TaskStatus],
    before: Plan,
    then: datetime | None,
    plan: Plan,
    now: datetime | None,
    evidence: TaskEvidence | None = None,
    checklist: ChecklistState | None = None,
) -> dict[str, TaskStatus]:
    """``task_states(plan, now, evidence, checklist)``, knowing ``previous`` is
    ``task_states(before, then, evidence, checklist)``: the same result, cheaper after a drop.

    When ``plan`` differs from ``before`` only in times and dropped links (:func:`retiming`), a
    task's state can change only if its own times moved, the clock passed one of its times since
    ``then``, it lost a predecessor, or a start-to-start predecessor's start moved or was passed:
    only those are evaluated again. Whether a task is done does not depend on times, so it is read
    from ``previous``. Anything else is a full :func:`task_states`.
    """
    change = retiming(before, plan)
    if change is None or (then is None) != (now is None) or _spans_days(before) != _spans_days(plan):
        return task_states(plan, now, evidence, checklist)
    timed = set(change.moved)
    if now is not None and then is not None and now != then:
        timed |= _passed(plan, min(now, then), max(now, then))
    affected = timed | {d.to_key for d in change.unlinked}
    dependencies = plan.dependencies
    affected.update(d.to_key for d in dependencies if d.kind == START_TO_START and d.from_key in timed)
    preds: dict[str, list[tuple[str, str]]] = {}
    for dep in dependencies:
        if dep.to_key in affected:
            preds.setdefault(dep.to_key, []).append((dep.from_key, dep.kind))
    evidence = evidence or TaskEvidence()
    done = _DoneIn(previous)
    result = dict(previous)
    for key in affected:
        task = plan.find_task(key)
        if task is not None:
            result[key] = _state(task, now, evidence, done, preds.get(key, ()), plan)
    return result


def _passed(plan: Plan, after: datetime, until: datetime) -> set[str]:
    """Tasks with a start or end in ``(after, until]``: where a clock moving over it changes a comparison."""
    return {
        t.key
        for t in plan.tasks
        if (t.start is not None and after < t.start <= until) or (t.end is not None and after < t.end <= until)
    }


class _DoneIn(Mapping[str, "tuple[str, ...] | None"]):
    """Why each task is done (None: it is not), read from earlier states of the same tasks."""

    def __init__(self, states: Mapping[str, TaskStatus]) -> None:
        self.states = states

    def __getitem__(self, key: str) -> tuple[str, ...] | None:
        status = self.states[key]
        return status.reasons if status.state == "done" else None

    def __iter__(self) -> Iterator[str]:
        return iter(self.states)

    def __len__(self) -> int:
        return len(self.states)


def _signed_items(checklist: ChecklistState | None) -> list[tuple[CheckItem, bool]]:
    if checklist is None:
        return []
    return [(s.item, bool(s.signed and s.done)) for s in checklist.items]


def _done_reasons(
    task: Task, evidence: TaskEvidence, signed: list[tuple[set[str], CheckItem, bool]]
) -> tuple[str, ...] | None:
    """Why ``task`` is done, or None; ``signed`` holds each checklist item's stems, the item, its sign-off."""
    if task.has_tag("done"):
        return ("tagged done in the plan",)
    if not signed:
        return None
    name = _stems(task.name)  # the test of linked_items, on stems computed once per item
    linked = [(item, ok) for stems, item, ok in signed if name and name <= stems]
    if linked and all(ok for _, ok in linked) and evidence.tests.get(task.id or task.key) != "failing":
        return (f"checklist signed off: {', '.join(item.text for item, _ in linked)}",)
    return None


def _predecessors(plan: Plan) -> dict[str, list[tuple[str, str]]]:
    preds: dict[str, list[tuple[str, str]]] = {}
    for dep in plan.dependencies:
        preds.setdefault(dep.to_key, []).append((dep.from_key, dep.kind))
    return preds


def _state(
    task: Task,
    now: datetime | None,
    evidence: TaskEvidence,
    done: Mapping[str, tuple[str, ...] | None],
    preds: Sequence[tuple[str, str]],
    plan: Plan,
) -> TaskStatus:
    ident = task.id or task.key
    reasons = done[task.key]
    if reasons:
        return TaskStatus(task.key, "done", reasons)
    working = _work_reasons(task, now, evidence, ident)
    if evidence.tests.get(ident) == "failing":
        working.append("its tests are failing")
    if now is not None and task.end is not None and now >= task.end:
        end = _when(plan, task.end)
        return TaskStatus(task.key, "late", (f"its end ({end}) has passed and it is not done", *working))
    due = now is not None and task.start is not None and now >= task.start
    waiting = _waiting_on(preds, done, evidence, now, plan)
    if waiting and (due or working):
        return TaskStatus(task.key, "blocked", (f"waiting for {', '.join(waiting)}", *working))
    if working or task.has_tag("active"):
        return TaskStatus(task.key, "active", tuple(working) or ("tagged active in the plan",))
    return TaskStatus(task.key, "planned", ())


def _when(plan: Plan, value: datetime) -> str:
    """``13:00`` on a one-day plan; with the day (``2026-03-04 13:00``, ``+1d 13:00``) on a longer one."""
    if not _spans_days(plan):
        return f"{value:%H:%M}"
    shown = format_time(plan, value)
    return shown if ":" in shown else f"{shown} {value:%H:%M}"


_SPANS_DAYS: list[tuple[Plan, bool]] = []  # the last plan asked about (task_states asks once per late task)


def _spans_days(plan: Plan) -> bool:
    """Whether ``plan``'s tasks fall on more than one day (the answer is cached per plan).

    The days are each start's and each end's but midnight (a task ending at midnight ends the day
    before); the search stops at the second day, so a plan over several days answers at once.
    """
    if _SPANS_DAYS and _SPANS_DAYS[0][0] is plan:
        return _SPANS_DAYS[0][1]
    midnight = time(0)
    first = None
    spans = False
    for t in plan.tasks:
        for moment in (t.start, t.end if t.end is not None and t.end.time() != midnight else None):
            if moment is None:
                continue
            day = moment.date()
            if first is None:
                first = day
            elif day != first:
                spans = True
                break
        if spans:
            break
    _SPANS_DAYS[:] = [(plan, spans)]
    return spans


def _work_reasons(task: Task, now: datetime | None, evidence: TaskEvidence, ident: str) -> list[str]:
    reasons: list[str] = []
    if task.has_tag("active"):
        reasons.append("tagged active in the plan")
    if now is not None and task.start is not None and task.end is not None and task.start <= now < task.end:
        reasons.append("the mission clock is inside its span")
    files = evidence.changed_files.get(ident, 0)
    if files:
        reasons.append(f"{files} file{'s' * (files != 1)} of its components changed since the baseline")
    return reasons


def _waiting_on(
    preds: Sequence[tuple[str, str]],
    done: Mapping[str, tuple[str, ...] | None],
    evidence: TaskEvidence,
    now: datetime | None,
    plan: Plan,
) -> list[str]:
    waiting: list[str] = []
    for key, kind in preds:
        if done.get(key):
            continue
        if kind == "start-to-start":
            pred = plan.find_task(key)
            started = pred is not None and (
                pred.has_tag("active")
                or evidence.changed_files.get(pred.id or key)
                or (now is not None and pred.start is not None and now >= pred.start)
            )
            if started:
                continue
        waiting.append(key)
    return waiting


def gather_task_evidence(
    repo: str | Path,
    config: ProjectConfig | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    read_status: Callable[[], RepoStatus] | None = None,
) -> TaskEvidence:
    """Files changed per task (through its components) and its tests' last outcomes.

    ``read_status`` gives the repository's status (the app's shared, incrementally read one);
    by default it is read here. Never raises for a missing baseline or history: the notes say
    what could not be read.
    """
    from mission_control.repo.status import repo_status

    report = on_progress or no_progress
    notes: list[str] = []
    report(Progress(0, 2, "reading changes since the baseline"))
    changed: dict[str, int] = {}
    components: dict[str, ComponentConfig] = {}
    try:
        status = read_status() if read_status is not None else repo_status(repo, config=config, cancel=cancel)
        notes += list(status.notes)
        for comp in status.components.values():
            for task_id in comp.tasks:
                changed[task_id] = changed.get(task_id, 0) + len(comp.files)
        components = dict(config.components) if config is not None else {}
    except Exception as exc:
        if type(exc).__name__ == "Cancelled":
            raise
        notes.append(str(exc))
    report(Progress(1, 2, "reading the test history"))
    tests = _test_states(Path(repo), components, notes)
    report(Progress(2, 2, "task evidence read"))
    return TaskEvidence(changed, tests, tuple(notes))


def _test_states(repo: Path, components: Mapping[str, ComponentConfig], notes: list[str]) -> dict[str, str]:
    try:
        from mission_control.history import open_history

        with open_history(repo) as history:
            outcomes = history.last_outcomes()
    except Exception as exc:
        notes.append(f"test history unavailable: {exc}")
        return {}
    states: dict[str, str] = {}
    for comp in components.values():
        mine = [o for node, o in outcomes.items() if any(_belongs(node, t) for t in comp.tests)]
        if not mine:
            continue
        state = "failing" if any(o in FAILING for o in mine) else "green"
        for task_id in comp.tasks:
            if states.get(task_id) != "failing":
                states[task_id] = state
    return states


def _belongs(nodeid: str, test: str) -> bool:
    """Whether test node ``nodeid`` is (under) the configured test path or node id ``test``."""
    return nodeid == test or nodeid.startswith((test + "::", test.rstrip("/") + "/"))
