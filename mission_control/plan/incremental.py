"""Re-scheduling after edits of task lines without parsing and resolving the whole gantt again.

A drag rewrites one task line (a cascade a few); a full parse of a 5,000-task plan costs ~75 ms,
most of it reading and resolving lines that did not change. When the edit and the plan are simple
enough that the answer is certain, :func:`retime` re-reads only the edited lines and re-resolves
only the tasks downstream of them; otherwise it returns None and the caller parses in full. The
result always equals a full parse (``tests/test_plan_incremental.py`` checks it with Hypothesis).

Why this is exact. Mermaid resolves in passes over the tasks in file order. When every task waits
only for tasks *before* it (``after``/``until`` ids, the implicit "after the previous line"), the
first pass reads only final values, so every pass gives the same result: one evaluation in file
order. An edited task then changes only the tasks that (transitively) wait for it, and visiting
those in file order gives exactly their new values.

What the fast path requires (else: None, a full parse):

- the plan's ids are unique and every reference points backwards (checked once per full parse);
- each edited line held one task and still reads as one task with the same key, name and kind of
  start (implicit or not), its references a subset of the old ones (no new dependency: no new
  cycle and no forward reference), and no parse diagnostic;
- the old plan has no diagnostic on a line the re-resolution visits, no dependency cycle, and the
  visited tasks report none now (so the list of diagnostics is unchanged).
"""

from __future__ import annotations

import heapq
from collections import ChainMap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from mission_control.plan.gantt import GanttChart, _Resolver, parse_gantt
from mission_control.plan.markdown import Structure
from mission_control.plan.model import FINISH_TO_START, Dependency, Plan, Task, id_list

CYCLE_PREFIX = "dependency cycle"


@dataclass
class Shape:
    """What a full parse learnt about one plan for later incremental edits (see the module doc).

    ``plan`` is the plan it describes; ``chart`` holds the gantt settings the Plan does not carry
    (``weekend``, ``inclusiveEndDates``); ``line_task`` maps a 0-based line to the position of its
    only task; ``by_key`` maps each key to its task; ``waiters`` (once :func:`index_waiters` made
    it) maps a key to the positions of the tasks whose resolution reads its times (``after``,
    ``until``, an implicit start). An edit may only drop references (see the module doc), so
    ``waiters`` stays a superset for later plans. Without it, re-resolving scans the tasks below
    an edit.
    """

    plan: Plan
    chart: GanttChart
    line_task: dict[int, int] = field(default_factory=dict)
    by_key: dict[str, Task] = field(default_factory=dict)
    waiters: dict[str, list[int]] | None = None


def shape_of(plan: Plan, chart: GanttChart, forward: bool = False) -> Shape | None:
    """The shape of ``plan`` when edits of it can be re-scheduled incrementally, else None.

    ``forward``: the parse found every dependency pointing further down the file and no
    duplicate id (:func:`~mission_control.plan.loader.build_plan` knows it for free); else the
    references that matter here (``after``, ``until``, implicit starts) are checked now.
    """
    if any(d.message.startswith(CYCLE_PREFIX) for d in plan.diagnostics):
        return None
    by_key = {t.key: t for t in plan.tasks}
    if len(by_key) != len(plan.tasks):
        return None  # a duplicate id: Mermaid's "last one wins" would need the general rule
    if not forward and not _references_point_back(plan):
        return None
    lines: dict[int, int] = {}
    shared: set[int] = set()
    for pos, task in enumerate(plan.tasks):
        if task.data_span is None:
            return None
        line = task.data_span.index
        if line in lines:
            shared.add(line)
        lines[line] = pos
    for line in shared:
        del lines[line]
    return Shape(plan, chart, lines, by_key)


def index_waiters(shape: Shape) -> None:
    """Fill ``shape.waiters`` (~5 ms at 10,000 tasks: worth it for an editor, done when idle)."""
    waiters: dict[str, list[int]] = {}
    for pos, task in enumerate(shape.plan.tasks):
        item = task.start_item
        if item is None:
            if task.prev_key is not None:
                _wait(waiters, task.prev_key, pos)
        elif item.startswith("after"):  # (an id list only when the item starts with its keyword)
            for key in id_list(item, "after"):
                _wait(waiters, key, pos)
        if task.end_item.startswith("until"):
            for key in id_list(task.end_item, "until"):
                _wait(waiters, key, pos)
    shape.waiters = waiters


def _wait(waiters: dict[str, list[int]], key: str, pos: int) -> None:
    known = waiters.get(key)
    if known is None:
        waiters[key] = [pos]
    else:
        known.append(pos)


def _references_point_back(plan: Plan) -> bool:
    """Whether every task waits only for tasks before it (or for unknown ids: "today")."""
    keys = {t.key for t in plan.tasks}
    seen: set[str] = set()
    for task in plan.tasks:
        if any(key in keys and key not in seen for key in _references(task)):
            return False  # waits for a task further down: Mermaid needs more than one pass
        seen.add(task.key)
    return True


def _references(task: Task) -> tuple[str, ...]:
    """The keys whose times ``task``'s resolution reads."""
    implicit = (task.prev_key,) if task.start_item is None and task.prev_key is not None else ()
    return task.after_ids + task.until_ids + implicit


def _waits_for(task: Task, moved: set[str]) -> bool:
    """Whether ``task``'s resolution reads the times of a task in ``moved``.

    Asked for every task below an edit: no generator, and the id lists only of items that can
    hold ids (``after``/``until`` as written; :func:`id_list` reads nothing from anything else).
    """
    start_item = task.start_item
    if start_item is None:
        if task.prev_key in moved:
            return True
    elif start_item.startswith("after") and not moved.isdisjoint(id_list(start_item, "after")):
        return True
    end_item = task.end_item
    return end_item.startswith("until") and not moved.isdisjoint(id_list(end_item, "until"))


def retime(shape: Shape, lines: Sequence[str], edited: Sequence[int], text: str, structure: Structure) -> Plan | None:
    """The plan after the task lines ``edited`` changed to ``lines[i]``, or None (parse in full).

    On success ``shape`` describes the new plan.
    """
    plan = shape.plan
    tasks = list(plan.tasks)
    changed: dict[int, Task] = {}
    for index in edited:
        pos = shape.line_task.get(index)
        if pos is None:
            return None
        new = _reread(tasks[pos], index, lines[index])
        if new is None:
            return None
        changed[pos] = new
    visited = _resolve_downstream(shape, tasks, changed)
    if visited is None:
        return None
    dependencies = _after_dependencies(shape, tasks, changed)
    new_plan = replace(
        plan,
        text=text,
        tasks=tasks,
        dependencies=dependencies,
        code_blocks=list(structure.code_blocks),
        components=list(structure.components),
        checklist=list(structure.checklist),
        diagnostics=list(plan.diagnostics),
    )
    shape.plan = new_plan
    shape.by_key.update((tasks[pos].key, tasks[pos]) for pos in visited)
    return new_plan


def _reread(old: Task, index: int, line: str) -> Task | None:
    """``old`` with the items its rewritten ``line`` holds, or None when the line is not that simple."""
    chart = parse_gantt([(index - 1, "gantt"), (index, line)])
    if chart.diagnostics or len(chart.tasks) != 1 or chart.sections:
        return None
    new = chart.tasks[0]
    if (
        new.id != old.id
        or new.name != old.name
        or (new.start_item is None) != (old.start_item is None)
        or not set(new.after_ids) <= set(old.after_ids)
        or not set(new.until_ids) <= set(old.until_ids)
    ):
        return None
    return replace(
        old,
        tags=new.tags,
        start_item=new.start_item,
        end_item=new.end_item,
        data_span=new.data_span,
        source=new.source,
    )


def _resolve_downstream(shape: Shape, tasks: list[Task], changed: dict[int, Task]) -> list[int] | None:
    """Re-resolve the edited tasks and every task waiting for one that moved, in file order.

    Updates ``tasks`` in place (new Task objects; the old plan's stay as they were) and returns the
    positions visited, or None when a visited task has or gets a diagnostic.
    """
    plan = shape.plan
    chart = shape.chart
    today = plan.reference_day
    if today is None:
        return None
    settings = GanttChart(
        date_format=chart.date_format,
        excludes=chart.excludes,
        includes=chart.includes,
        weekend=chart.weekend,
        inclusive_end_dates=chart.inclusive_end_dates,
    )
    resolver = _Resolver(settings, today, None)
    current: dict[str, Task] = {}
    resolver.by_key = ChainMap(current, shape.by_key)  # type: ignore[assignment]
    flagged = {d.line for d in plan.diagnostics}
    moved: set[str] = set()
    visited = []
    if shape.waiters is None:
        positions = _scan(tasks, changed, moved)
    else:
        positions = _follow(shape.waiters, tasks, changed, moved)
    for pos in positions:
        old = tasks[pos]
        if pos not in changed and not _waits_for(old, moved):
            continue
        if old.line in flagged:
            return None
        task = replace(changed.get(pos, old), start=None, end=None)
        resolver.compile(task)
        resolver.report_task(task)
        if resolver.diagnostics:
            return None
        visited.append(pos)
        current[task.key] = task
        tasks[pos] = task
        if (task.start, task.end) != (old.start, old.end):
            moved.add(task.key)
    return visited


def _scan(tasks: list[Task], changed: dict[int, Task], moved: set[str]) -> Iterator[int]:
    """Every position from the first edit on, in file order (below the last edit only while
    something moved: else nothing further down can change)."""
    last = max(changed)
    for pos in range(min(changed), len(tasks)):
        if pos > last and not moved:
            return
        yield pos


def _follow(
    waiters: dict[str, list[int]], tasks: list[Task], changed: dict[int, Task], moved: set[str]
) -> Iterator[int]:
    """The edited positions, then the waiters of each task that moved, in file order (a heap)."""
    queue = sorted(changed)  # (a sorted list is a heap)
    queued = set(queue)
    while queue:
        pos = heapq.heappop(queue)
        yield pos  # (the caller re-resolves it, and adds its key to ``moved`` if it moved)
        key = tasks[pos].key
        if key in moved:
            for waiter in waiters.get(key, ()):  # (further down: references point back)
                if waiter > pos and waiter not in queued:
                    queued.add(waiter)
                    heapq.heappush(queue, waiter)


def _after_dependencies(shape: Shape, tasks: list[Task], changed: dict[int, Task]) -> list[Dependency]:
    """``plan.dependencies`` with the ``after`` dependencies of the edited tasks read again.

    As a full parse makes them: one per known ``after`` id of each task, in task order, before
    the flowchart's; an edited task's run is replaced where it stood (its ids are a subset of
    the old ones, so a task that had none still has none).
    """
    plan = shape.plan
    rewritten = {tasks[pos].key: tasks[pos] for pos in changed if tasks[pos].after_ids != plan.tasks[pos].after_ids}
    if not rewritten:
        return list(plan.dependencies)
    result: list[Dependency] = []
    done: set[str] = set()
    for dep in plan.dependencies:
        task = rewritten.get(dep.to_key) if dep.source == "after" else None
        if task is None:
            result.append(dep)
        elif task.key not in done:
            done.add(task.key)
            result.extend(
                Dependency.fast(key, task.key, FINISH_TO_START, None, "after", task.line)
                for key in task.after_ids
                if key in shape.by_key
            )
    return result
