"""Conflicts (violated dependencies) and the critical path by CPM.

The forward pass is the plan's own resolution: tasks with explicit starts keep them, ``after``
and implicit starts follow their predecessors. The backward pass gives each task its latest
finish (the project's end, tightened by every successor); total float = latest finish − end.
A task with no float (or negative float, i.e. already behind) is critical.
"""

from __future__ import annotations

import functools
import heapq
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final

from mission_control.plan.dates import EPOCH, DateFormat
from mission_control.plan.loader import gc_paused
from mission_control.plan.model import FINISH_TO_START, START_TO_START, Dependency, Plan, Task, retiming

_EPSILON: Final = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Conflict:
    """A dependency the schedule violates: ``task`` starts before ``depends_on`` allows."""

    task: str
    depends_on: str
    kind: str
    message: str
    label: str | None = None
    line: int | None = None
    required_start: datetime | None = None


@dataclass(frozen=True)
class ScheduleAnalysis:
    """What scheduling found: conflicts, total float per task, the critical path in order."""

    conflicts: list[Conflict] = field(default_factory=list)
    total_float: dict[str, timedelta] = field(default_factory=dict)
    critical_path: list[str] = field(default_factory=list)
    backward: BackwardPass | None = field(default=None, compare=False, repr=False)

    def conflicts_of(self, key: str) -> list[Conflict]:
        """Conflicts in which ``key`` is the late-starting task or the one it waits for."""
        return [c for c in self.conflicts if key in (c.task, c.depends_on)]


@dataclass(frozen=True)
class BackwardPass:
    """What the backward pass over ``plan`` worked with, kept so the next analysis can be incremental.

    ``links`` and ``preds`` are the scheduling links between resolved tasks, both ways; ``order`` is
    a topological order of the resolved tasks and ``rank`` each one's place in it; ``latest_finish``
    is the pass's result. Kept only for a plan without cycles or duplicate keys (where one pass is
    exact).
    """

    plan: Plan
    links: dict[str, list[tuple[str, str]]]
    order: list[str]
    project_end: datetime
    latest_finish: dict[str, datetime]
    # Built by the first incremental analysis (:func:`_indexed`), not by every full one.
    preds: dict[str, list[str]] | None = None
    rank: dict[str, int] | None = None


def prepared(analysis: ScheduleAnalysis) -> ScheduleAnalysis:
    """``analysis`` with what the first :func:`reanalyse` after it needs, built now (an editor does this when idle)."""
    if analysis.backward is None or analysis.backward.preds is not None:
        return analysis
    return replace(analysis, backward=_indexed(analysis.backward))


def _indexed(backward: BackwardPass) -> BackwardPass:
    """``backward`` with each task's predecessors and place in the order (once; kept by later increments)."""
    if backward.preds is not None and backward.rank is not None:
        return backward
    preds: dict[str, list[str]] = {}
    known = backward.latest_finish
    for key in backward.order:
        for succ_key, _ in backward.links.get(key, ()):
            if succ_key in known:
                preds.setdefault(succ_key, []).append(key)
    return replace(backward, preds=preds, rank={key: i for i, key in enumerate(backward.order)})


def analyse(plan: Plan) -> ScheduleAnalysis:
    """Conflicts, floats and the critical path of ``plan``."""
    with gc_paused():  # acyclic tuples and dicts: see gc_paused
        path, floats, backward = _critical_path(plan)
        return ScheduleAnalysis(find_conflicts(plan), floats, path, backward)


def reanalyse(previous: Plan, analysis: ScheduleAnalysis, plan: Plan) -> ScheduleAnalysis:
    """``analyse(plan)``, knowing ``analysis`` is ``analyse(previous)``: the same result, cheaper after a drop.

    When ``plan`` differs from ``previous`` only in some tasks' times and dropped dependencies
    (:func:`retiming`) and the project's end stays, the latest finishes can change only for the
    moved tasks, the tasks that lost a successor, and what leads to them: those are computed again,
    latest first, stopping where nothing changes; conflicts are checked again only on the moved
    tasks' dependencies. A moved project end runs the backward pass over every task again, on the
    links and order kept. Anything else (a new dependency, a cycle, a task resolved or unresolved
    by the move) is a full :func:`analyse`. ``tests/test_schedule_incremental.py`` checks that both agree.
    """
    change = retiming(previous, plan)
    backward = analysis.backward
    if change is None or backward is None or backward.plan is not previous:
        return analyse(plan)
    find = plan.find_task
    for key in change.moved:
        task = find(key)
        if task is None or task.start is None or task.end is None or key not in backward.latest_finish:
            return analyse(plan)
    with gc_paused():
        project_end = max(t.end for t in plan.tasks if t.start is not None and t.end is not None)
        backward = _unlink(_indexed(backward), change.unlinked)
        if project_end == backward.project_end:
            latest, renewed = _latest_finishes(plan, backward, change.moved, {d.from_key for d in change.unlinked})
            floats = dict(analysis.total_float)
            critical = set(analysis.critical_path)
            for key in change.moved | renewed:
                end = find(key).end  # type: ignore[union-attr]  # resolved: checked above / by latest_finish
                floats[key] = latest[key] - end  # type: ignore[operator]
                if floats[key] < _EPSILON:
                    critical.add(key)
                else:
                    critical.discard(key)
        else:  # every latest finish may move: the whole pass again, on the links and order kept
            latest = _whole_pass(plan, backward, project_end)
            floats = {key: value - find(key).end for key, value in latest.items()}  # type: ignore[operator,union-attr]
            critical = {key for key, value in floats.items() if value < _EPSILON}
        path = sorted(critical, key=lambda k: (find(k).start, find(k).order))  # type: ignore[union-attr]
        kept = replace(backward, plan=plan, project_end=project_end, latest_finish=latest)
        touched = change.moved | {d.to_key for d in change.unlinked}
        return ScheduleAnalysis(_conflicts_after(plan, analysis.conflicts, touched), floats, path, kept)


def _conflicts_after(plan: Plan, before: list[Conflict], touched: set[str]) -> list[Conflict]:
    """``find_conflicts(plan)``, knowing ``before`` are the conflicts of a plan that differs only in
    the times of ``touched`` tasks and in dependencies dropped into them.

    A dependency between two untouched tasks keeps its conflict (or its lack of one): only the
    dependencies of touched tasks are checked again; the list keeps the dependencies' order.
    """
    kept: dict[str, list[Conflict]] = {}
    for conflict in before:
        if conflict.task not in touched and conflict.depends_on not in touched:
            kept.setdefault(conflict.task, []).append(conflict)
    conflicts: list[Conflict] = []
    find = plan.find_task
    for dep in plan.dependencies:
        from_key, to_key = dep.from_key, dep.to_key
        if from_key in touched or to_key in touched:
            found = _conflict(plan, dep, find(from_key), find(to_key))
            if found is not None:
                conflicts.append(found)
        elif to_key in kept:
            same = kept[to_key]
            for i, c in enumerate(same):
                if (c.depends_on, c.kind, c.line, c.label) == (from_key, dep.kind, dep.line, dep.label):
                    conflicts.append(same.pop(i))
                    break
    return conflicts


def _conflict(plan: Plan, dep: Dependency, pred: Task | None, succ: Task | None) -> Conflict | None:
    """The conflict ``dep`` makes in ``plan``, or None (what :func:`find_conflicts` asks of each)."""
    if pred is None or succ is None or pred.start is None or pred.end is None:
        return None
    if succ.start is None or succ.end is None:
        return None
    needed = pred.start if dep.kind == START_TO_START else pred.end
    if succ.start >= needed:
        return None
    return Conflict(succ.key, pred.key, dep.kind, _message(plan, dep, pred, succ), dep.label, dep.line, needed)


def _whole_pass(plan: Plan, backward: BackwardPass, project_end: datetime) -> dict[str, datetime]:
    """:func:`critical_path`'s backward pass over every resolved task, without working out the links
    and their order again (a moved project end: ~10 ms at 10,000 tasks instead of ~20)."""
    latest = dict.fromkeys(backward.order, project_end)
    links, find = backward.links, plan.find_task
    for key in reversed(backward.order):
        latest[key] = _latest_finish(key, links, find, latest, project_end)
    return latest


def _latest_finish(
    key: str,
    links: dict[str, list[tuple[str, str]]],
    find: Callable[[str], Task | None],
    latest: dict[str, datetime],
    project_end: datetime,
) -> datetime:
    """Task ``key``'s latest finish from its successors' (``latest``, resolved tasks only): the CPM rule."""
    task = find(key)
    duration = task.end - task.start  # type: ignore[union-attr,operator]
    value = project_end
    for succ_key, kind in links.get(key, ()):
        if succ_key not in latest:
            continue  # not resolved: the full pass skips it too
        succ = find(succ_key)
        succ_latest_start = latest[succ_key] - (succ.end - succ.start)  # type: ignore[union-attr,operator]
        value = min(value, succ_latest_start if kind == FINISH_TO_START else succ_latest_start + duration)
    return value


def _unlink(backward: BackwardPass, dropped: list[Dependency]) -> BackwardPass:
    """``backward``'s links without ``dropped`` (copies of the lists that change; the order stays one)."""
    if not dropped:
        return backward
    assert backward.preds is not None  # (_indexed)
    links, preds = dict(backward.links), dict(backward.preds)
    for dep in dropped:
        links[dep.from_key] = succs = list(links[dep.from_key])
        succs.remove((dep.to_key, dep.kind))
        if dep.from_key in backward.latest_finish and dep.to_key in backward.latest_finish:
            preds[dep.to_key] = before = list(preds[dep.to_key])
            before.remove(dep.from_key)
    return replace(backward, links=links, preds=preds)


def _latest_finishes(
    plan: Plan, backward: BackwardPass, moved: set[str], unlinked: set[str]
) -> tuple[dict[str, datetime], set[str]]:
    """The backward pass again from ``moved`` and ``unlinked`` (tasks that lost a successor) to the
    tasks before them; returns (latest finishes, the keys whose latest finish changed).

    A task is visited after all its successors (highest rank first); its predecessors are visited
    only when its latest start may have changed (its latest finish or its duration did).
    """
    latest = dict(backward.latest_finish)
    rank, links, preds, project_end = backward.rank, backward.links, backward.preds, backward.project_end
    assert rank is not None and preds is not None  # (_indexed)
    find = plan.find_task
    heap = [(-rank[key], key) for key in moved | (unlinked & latest.keys())]
    heapq.heapify(heap)
    seen: set[str] = set()
    renewed: set[str] = set()
    while heap:
        _, key = heapq.heappop(heap)
        if key in seen:
            continue
        seen.add(key)
        value = _latest_finish(key, links, find, latest, project_end)
        if value != latest[key]:
            latest[key] = value
            renewed.add(key)
        elif key not in moved:
            continue  # neither its latest start nor its duration changed: its predecessors keep theirs
        for pred in preds.get(key, ()):
            if pred not in seen:
                heapq.heappush(heap, (-rank[pred], pred))
    return latest, renewed


def required_start(dep: Dependency, pred: Task) -> datetime | None:
    """The earliest start ``dep`` allows its successor."""
    if dep.kind == START_TO_START:
        return pred.start
    return pred.end


def find_conflicts(plan: Plan) -> list[Conflict]:
    """Every dependency whose successor starts before its predecessor allows."""
    conflicts = []
    find = plan.by_key().get
    for dep in plan.dependencies:
        pred, succ = find(dep.from_key), find(dep.to_key)
        if pred is None or succ is None or pred.start is None or pred.end is None:
            continue
        succ_start = succ.start
        if succ_start is None or succ.end is None:
            continue
        needed = pred.start if dep.kind == START_TO_START else pred.end  # required_start, inlined
        if succ_start < needed:
            conflicts.append(
                Conflict(succ.key, pred.key, dep.kind, _message(plan, dep, pred, succ), dep.label, dep.line, needed)
            )
    return conflicts


def _message(plan: Plan, dep: Dependency, pred: Task, succ: Task) -> str:
    what = "finish" if dep.kind == FINISH_TO_START else "start"
    when = pred.end if dep.kind == FINISH_TO_START else pred.start
    via = (
        f"'after {pred.key}'"
        if dep.source == "after"
        else f"graph edge{f' {dep.label!r}' if dep.label else ''} (line {dep.line})"
    )
    return (
        f"{succ.label} starts at {format_time(plan, succ.start)}, but {pred.label} must {what} first "
        f"({'it ends' if dep.kind == FINISH_TO_START else 'it starts'} at {format_time(plan, when)}; {dep.kind} via {via})"
    )


def successors(plan: Plan) -> dict[str, list[tuple[str, str]]]:
    """Scheduling links per task: (successor key, kind), including implicit 'after the previous task'."""
    links: dict[str, list[tuple[str, str]]] = {t.key: [] for t in plan.tasks}
    for dep in plan.dependencies:
        if dep.from_key in links:
            links[dep.from_key].append((dep.to_key, dep.kind))
    for task in plan.tasks:
        if task.start_item is None and task.prev_key in links:
            links[task.prev_key].append((task.key, FINISH_TO_START))
    return links


def critical_path(plan: Plan) -> tuple[list[str], dict[str, timedelta]]:
    """CPM backward pass over the resolved schedule; returns (critical tasks in order, floats)."""
    path, floats, _ = _critical_path(plan)
    return path, floats


def _critical_path(plan: Plan) -> tuple[list[str], dict[str, timedelta], BackwardPass | None]:
    """:func:`critical_path`, with what the pass worked with (None when it cannot serve an increment)."""
    # (task, start, end, duration) per resolved task: plain tuples built once (hot at 5,000 tasks)
    tasks = [(t, t.start, t.end, t.end - t.start) for t in plan.tasks if t.start is not None and t.end is not None]
    if not tasks:
        return [], {}, None
    by_key = {t[0].key: t for t in tasks}
    links = successors(plan)
    project_end = max(t[2] for t in tasks)
    latest_finish = dict.fromkeys(by_key, project_end)
    if plan.forward:  # the file's order is a topological order (and has no cycle)
        order, acyclic = [t[0].key for t in tasks], True
    else:
        order, acyclic = _topological(by_key, links)
    for key in reversed(order):
        duration = by_key[key][3]
        latest = latest_finish[key]
        for succ_key, kind in links.get(key, ()):
            succ = by_key.get(succ_key)
            if succ is None:
                continue
            succ_latest_start = latest_finish[succ_key] - succ[3]
            bound = succ_latest_start if kind == FINISH_TO_START else succ_latest_start + duration
            latest = min(latest, bound)
        latest_finish[key] = latest
    floats = {key: latest_finish[key] - timed[2] for key, timed in by_key.items()}
    critical = [t for t in tasks if floats[t[0].key] < _EPSILON]
    critical.sort(key=lambda t: (t[1], t[0].order))
    backward = _backward_pass(plan, by_key, links, order, project_end, latest_finish) if acyclic else None
    return [t[0].key for t in critical], floats, backward


def _backward_pass(
    plan: Plan,
    by_key: Collection[str],
    links: dict[str, list[tuple[str, str]]],
    order: list[str],
    project_end: datetime,
    latest_finish: dict[str, datetime],
) -> BackwardPass | None:
    """The pass's data for :func:`reanalyse` (None for duplicate keys: the rule for them is Mermaid's)."""
    if not plan.keys_unique():
        return None
    return BackwardPass(plan, links, order, project_end, latest_finish)


def _topological(by_key: Collection[str], links: dict[str, list[tuple[str, str]]]) -> tuple[list[str], bool]:
    """Kahn's order, and whether it is one (no cycle); members of cycles come last in file order
    (their floats stay approximate)."""
    indegree = dict.fromkeys(by_key, 0)
    get = links.get
    for key in by_key:
        for succ, _ in get(key, ()):
            if succ in indegree:
                indegree[succ] += 1
    queue = deque(key for key in by_key if indegree[key] == 0)
    order: list[str] = []
    while queue:
        key = queue.popleft()
        order.append(key)
        for succ, _ in get(key, ()):
            if succ in indegree:
                indegree[succ] -= 1
                if indegree[succ] == 0:
                    queue.append(succ)
    if len(order) == len(indegree):
        return order, True
    seen = set(order)
    return order + [key for key in by_key if key not in seen], False


@functools.cache
def _date_less(date_format: str) -> bool:
    """Whether ``date_format`` has no calendar date (asked once per format: a page of times asks it per time)."""
    return not DateFormat(date_format).has_date


def format_time(plan: Plan, value: datetime | None) -> str:
    """A time as the lead reads it: ``08:00`` (``+1d 02:00`` past day one) for date-less plans."""
    if value is None:
        return "unscheduled"
    if plan.date_format and _date_less(plan.date_format):
        days = (value.date() - EPOCH.date()).days
        clock = value.strftime("%H:%M") if not value.second else value.strftime("%H:%M:%S")
        return clock if days == 0 else f"{'+' if days > 0 else ''}{days}d {clock}"
    if value.tzinfo is None and value.year >= 1000:  # isoformat: the same text, several times faster
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ", "minutes")
    if value.time() == datetime.min.time():
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M")
