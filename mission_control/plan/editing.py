"""Edits to a loaded plan that rewrite only the characters they change.

:class:`PlanFile` couples a :class:`~mission_control.plan.document.Document` (bytes, encoding,
line endings) with its parsed :class:`~mission_control.plan.model.Plan`. Every edit is a list of
:class:`~mission_control.plan.document.LineEdit` — the undo stack in the UI and the CLI both work
with those — and after each edit the plan is parsed again, so Mermaid's semantics decide where
``after`` and implicit starts land.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from mission_control.plan import incremental

# ``schedule`` needs ``plan``'s model; binding the package (not its names) lets either be imported first.
from mission_control.plan import schedule as _schedule
from mission_control.plan.dates import DateFormat, format_duration, parse_duration
from mission_control.plan.document import Document, LineEdit, PlanError
from mission_control.plan.gantt import GanttChart, _Resolver, default_today, parse_gantt
from mission_control.plan.loader import ParseMemo, build_plan, gc_paused
from mission_control.plan.markdown import Structure, parse_structure, update_structure
from mission_control.plan.merge import MergeResult, merge3
from mission_control.plan.model import TAG_NAMES, ChecklistItem, Dependency, Plan, Span, Task


@dataclass(frozen=True)
class Move:
    """A task whose times changed: before and after."""

    key: str
    name: str
    old_start: datetime | None
    old_end: datetime | None
    new_start: datetime | None
    new_end: datetime | None


@dataclass(frozen=True)
class EditResult:
    """The line edits an operation made, the tasks that moved, and notes for the lead."""

    edits: list[LineEdit] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DiskMerge:
    """The file as loaded (``base``), the lead's version (``ours``), the file on disk now (``theirs``),
    as lines without endings for showing diffs, and their three-way merge."""

    base: list[str]
    ours: list[str]
    theirs: list[str]
    result: MergeResult
    disk: Document


class PlanFile:
    """A plan file loaded for viewing and editing; ``plan`` is always the current parse."""

    def __init__(self, document: Document, today: datetime | None = None) -> None:
        self.document = document
        self.today = today
        self._memo = ParseMemo()
        self._structure: Structure | None = None
        self._shape: incremental.Shape | None = None  # for incremental re-scheduling; made on the first edit
        self.plan: Plan = self._parse()
        self._analysis: _schedule.ScheduleAnalysis | None = None
        self._analysed: tuple[Plan, _schedule.ScheduleAnalysis] | None = None  # the last plan analysed

    @classmethod
    def load(cls, path: str | Path, today: datetime | None = None) -> PlanFile:
        """Read and parse ``path``; PlanError when the file cannot be read."""
        return cls(Document.read(path), today)

    @property
    def path(self) -> Path | None:
        return self.document.path

    @property
    def analysis(self) -> _schedule.ScheduleAnalysis:
        """Conflicts, floats and critical path of the current plan (cached until the next edit).

        After an edit that only moved tasks (a drop, its undo) the last analysis is brought up to
        date for what moved (:func:`~mission_control.plan.schedule.reanalyse`) instead of made again.
        """
        if self._analysis is None:
            last = self._analysed
            if last is not None and last[0] is not self.plan:
                self._analysis = _schedule.reanalyse(last[0], last[1], self.plan)
            else:
                self._analysis = _schedule.analyse(self.plan)
            self._analysed = (self.plan, self._analysis)
        return self._analysis

    @property
    def modified(self) -> bool:
        """Whether the lines differ from the file as loaded or last saved."""
        return self.document.modified

    def _parse(self) -> Plan:
        """A full parse of the document (Markdown included)."""
        text = self.document.text
        with gc_paused():
            self._structure = parse_structure(text)
            return build_plan(text, self._structure, self.document.path, self.today, self._memo)

    def _reparse(self, edits: list[LineEdit]) -> Plan:
        """The plan after ``edits`` (already in the document), re-reading only what they can change.

        Edits inside the gantt or flowchart fences keep the Markdown structure (and unchanged
        flowcharts and node matches, via the memo); checkbox flips change only their items.
        Anything else is a full parse. Always equal to :meth:`_parse` (a property test checks).
        """
        previous = self._structure
        structure = update_structure(previous, self.document.lines, edits) if previous is not None else None
        if previous is None or structure is None:
            return self._parse()
        text = self.document.text
        if structure.code_blocks is previous.code_blocks:
            self._structure = structure
            plan = replace(self.plan, text=text, checklist=list(structure.checklist))
            if self._shape is not None and self._shape.plan is self.plan:
                self._shape.plan = plan  # the same tasks: the shape still holds
            return plan
        self._structure = structure
        retimed = self._retime_incrementally(edits, text, structure)
        if retimed is not None:
            return retimed
        return build_plan(text, structure, self.document.path, self.today, self._memo)

    def _retime_incrementally(self, edits: list[LineEdit], text: str, structure: Structure) -> Plan | None:
        """The plan after edits of task lines, re-resolving only what they move (None: parse in full)."""
        self._learn_shape()
        shape = self._shape
        if shape is None:
            return None
        plan = incremental.retime(shape, self.document.lines, sorted({e.index for e in edits}), text, structure)
        if plan is None:
            self._shape = None  # a full parse follows
        return plan

    def prepare_edits(self) -> None:
        """Learn what re-scheduling incrementally needs of the current plan, and who waits for whom.

        An editor calls this when idle after a load: the first edit of a task line then neither
        learns the plan's shape (~3 ms at 10,000 tasks) nor scans the tasks below it (~4 ms): it
        follows the index of waiters (~5 ms to build, kept from edit to edit).
        """
        with gc_paused():  # (10,000 small lists: the collector would walk the whole plan for them)
            self._learn_shape()
            if self._shape is not None and self._shape.waiters is None:
                incremental.index_waiters(self._shape)
            if self._analysed is not None and self._analysed[0] is self.plan:  # (~2 ms at 10,000 tasks, off the drop)
                self._analysis = _schedule.prepared(self._analysed[1])
                self._analysed = (self.plan, self._analysis)

    def _learn_shape(self) -> None:
        """The incremental shape of the current plan, if not known yet (None: edits parse in full)."""
        if self._shape is not None and self._shape.plan is self.plan:
            return
        chart = self._memo.chart
        self._shape = incremental.shape_of(self.plan, chart, self._memo.forward) if chart is not None else None

    def apply(self, edits: list[LineEdit]) -> None:
        """Apply ``edits`` (e.g. an undo's inverse) and parse again (incrementally when safe)."""
        if not edits:
            return
        self.document.apply(edits)
        self.plan = self._reparse(edits)
        self._analysis = None

    def undo(self, edits: list[LineEdit]) -> None:
        """Revert ``edits`` made by an earlier operation."""
        self.apply([e.inverted() for e in reversed(edits)])

    def save(self, force: bool = False) -> None:
        """Write the file atomically; PlanChangedOnDisk if it changed since it was loaded."""
        self.document.save(force=force)

    def save_as(self, path: str | Path) -> None:
        """Write the plan to ``path``, which becomes its file (PlanError if it cannot be written)."""
        self.document.save_as(path)
        self.plan = self._parse()  # the plan knows its file
        self._analysis = None

    def merge_with_disk(self) -> DiskMerge:
        """The three-way merge of the file as loaded, the unsaved edits, and the file on disk now."""
        if self.document.path is None:
            raise PlanError("<plan>: has no file to merge with")
        disk = Document.read(self.document.path)
        base = Document(self.document.original, self.document.path)
        result = merge3(base.full_lines(), self.document.full_lines(), disk.full_lines())
        return DiskMerge(base.lines, list(self.document.lines), disk.lines, result, disk)

    def take_merge(self, merge: DiskMerge) -> None:
        """Make a clean merge the current version, relative to the disk version it merged (save then
        writes it without a warning, unless the file changed again)."""
        if not merge.result.clean:
            raise PlanError(f"{self.path or '<plan>'}: the merge has conflicts; it cannot be taken")
        self.document = self.document.rebased("".join(merge.result.lines), merge.disk)
        self._structure = None
        self.plan = self._parse()
        self._analysis = None

    def reload(self) -> None:
        """Read the file again from disk, dropping unsaved edits."""
        if self.document.path is None:
            raise PlanError("<plan>: has no file to reload")
        self.document = Document.read(self.document.path)
        self.plan = self._parse()
        self._analysis = None

    # ------------------------------------------------------------------ tasks

    def task(self, key: str) -> Task:
        """The task ``key``; PlanError naming the file if there is none."""
        task = self.plan.find_task(key)
        if task is None:
            raise PlanError(f"{self.path or '<plan>'}: unknown task id {key!r}")
        return task

    def reschedule(
        self,
        key: str,
        start: datetime | None = None,
        duration: timedelta | None = None,
        cascade: bool = False,
    ) -> EditResult:
        """Move task ``key`` to ``start`` and/or give it ``duration``; optionally cascade.

        With ``cascade``, every dependency downstream of the change that is now violated moves
        its successor to the earliest start it allows (the least move), repeatedly. All edits are
        applied; on any error nothing is changed and PlanError says why.
        """
        before = self.plan  # a plan is never changed in place: each edit makes a new one
        original = list(self.document.lines)
        notes: list[str] = []
        try:
            self._retime(self.task(key), start, duration, notes)
            if cascade:
                self._cascade(key, notes)
        except PlanError:
            self.document.lines[:] = original
            self.plan = self._parse()
            self._analysis = None
            raise
        edits = [LineEdit(i, old, new) for i, (old, new) in enumerate(zip(original, self.document.lines)) if old != new]
        self._analysis = None
        return EditResult(edits, self._moves(before), notes)

    def _moves(self, before: Plan) -> list[Move]:
        """The tasks whose times differ from ``before``'s task of the same key (Mermaid's: the last)."""
        moves = []
        old_tasks = before.tasks
        positional = len(old_tasks) == len(self.plan.tasks) and before.keys_unique()
        for pos, task in enumerate(self.plan.tasks):
            old = old_tasks[pos] if positional else None
            if old is task:
                continue  # an incremental edit keeps the tasks it did not visit
            if old is None or old.key != task.key:
                old = before.find_task(task.key)
            if old is not None and (old.start, old.end) != (task.start, task.end):
                moves.append(Move(task.key, task.name, old.start, old.end, task.start, task.end))
        return moves

    def _retime(self, task: Task, start: datetime | None, duration: timedelta | None, notes: list[str]) -> None:
        """Rewrite ``task``'s start and end items for a new start and/or duration."""
        new_start = start if start is not None else task.start
        index, line = self._retimed_line(task, self.document.lines[task.item_spans[0].index], start, duration, notes)
        edit = LineEdit(index, self.document.lines[index], line)
        self.document.apply([edit])
        self.plan = self._reparse([edit])
        moved = self.plan.find_task(task.key)
        if moved is None or moved.start != new_start:
            raise PlanError(
                f"{self.path or '<plan>'}:{task.line}: {task.name!r} cannot be moved to {new_start:%Y-%m-%d %H:%M} in this plan's dateFormat {self.plan.date_format!r}"
            )

    def _retimed_line(
        self, task: Task, line: str, start: datetime | None, duration: timedelta | None, notes: list[str]
    ) -> tuple[int, str]:
        """(line index, new text of ``line``) giving ``task`` a new start and/or duration."""
        if not task.resolved or task.start is None or task.end is None:
            raise PlanError(
                f"{self.path or '<plan>'}:{task.line}: task {task.name!r} is not scheduled and cannot be moved"
            )
        new_start = start if start is not None else task.start
        new_duration = duration if duration is not None else task.end - task.start
        if new_duration < timedelta(0):
            raise PlanError(f"{self.path or '<plan>'}:{task.line}: a duration cannot be negative")
        replacements: list[tuple[int, int, str]] = []
        if new_start != task.start:
            replacements.append(self._start_replacement(task, new_start, notes))
        end_text = self._end_text(task, new_start, new_duration, notes)
        if end_text is not None:
            span = task.item_spans[-1]
            replacements.append((span.start, span.end, end_text))
        for begin, end, text in sorted(replacements, reverse=True):
            line = line[:begin] + text + line[end:]
        return task.item_spans[0].index, line

    def _start_replacement(self, task: Task, new_start: datetime, notes: list[str]) -> tuple[int, int, str]:
        text = self._format(task, new_start)
        if task.start_item is None:
            end_span = task.item_spans[-1]
            notes.append(f"{task.label}: now starts at a fixed time instead of after the previous task")
            return (end_span.start, end_span.start, f"{text}, ")
        if task.start_kind == "after":
            notes.append(f"{task.label}: 'after {' '.join(task.after_ids)}' replaced by a fixed start {text}")
        span = task.item_spans[-2]
        return (span.start, span.end, text)

    def _end_text(self, task: Task, new_start: datetime, new_duration: timedelta, notes: list[str]) -> str | None:
        """New text for the end item, or None when it already gives the right end."""
        old = parse_duration(task.end_item)
        if old is not None:
            if new_duration == task.duration:
                return None
            return _duration_text(new_duration, old.unit)
        if task.until_ids:
            if new_start == task.start and new_duration == task.duration:
                return None
            notes.append(f"{task.label}: 'until {' '.join(task.until_ids)}' replaced by a duration")
            return _duration_text(new_duration, "h")
        new_end = new_start + new_duration
        if new_end == task.end:
            return None
        return self._format(task, new_end)

    def _format(self, task: Task, value: datetime) -> str:
        """``value`` in the plan's dateFormat; PlanError if that format cannot say it exactly."""
        fmt = DateFormat(self.plan.date_format)
        text = fmt.format(value)
        reference = self.plan.reference_day or value
        if fmt.parse(text, reference.date()) != value:
            if not fmt.has_date and self.plan.date_format and value.date() != reference.date():
                raise PlanError(
                    f"{self.path or '<plan>'}:{task.line}: {task.name!r} cannot start at {text} on another day than the plan's first: a {self.plan.date_format!r} plan only places tasks on its first day"
                )
            raise PlanError(
                f"{self.path or '<plan>'}:{task.line}: {value:%Y-%m-%d %H:%M:%S} cannot be written exactly in dateFormat {self.plan.date_format!r}"
            )
        return text

    def _cascade(self, key: str, notes: list[str]) -> None:
        """Push violated successors downstream of ``key`` to the earliest start they allow.

        One pass over the resolved model in topological order computes every move; all lines
        are written and the plan parsed once. If that pass cannot be trusted for this plan
        (a cycle, two moved tasks on one line, Mermaid's pass limit...), the parse disagrees
        with it and the step-by-step cascade (one re-parse per move) runs instead.
        """
        downstream = _descendants(self.plan, key)
        saved = list(self.document.lines)
        found: list[str] = []
        try:
            if self._cascade_one_pass(downstream, found):
                notes.extend(found)
                return
        except PlanError:
            pass
        if self.document.lines != saved:
            self.document.lines[:] = saved
            self.plan = self._parse()
        self._cascade_stepwise(downstream, notes)

    def _cascade_one_pass(self, downstream: set[str], notes: list[str]) -> bool:
        """Compute all moves in topological order, write them, parse once; False if unsure."""
        plan = self.plan
        order = _topological_tasks(plan)
        if order is None:
            return False
        copies = [replace(t) for t in plan.tasks]
        chart = GanttChart(date_format=plan.date_format, excludes=plan.excludes, includes=plan.includes, tasks=copies)
        resolver = _Resolver(chart, plan.reference_day or default_today(plan.date_format), None)
        incoming: dict[str, list[Dependency]] = {}
        for dep in plan.dependencies:
            incoming.setdefault(dep.to_key, []).append(dep)
        lines: dict[int, str] = {}
        for pos in order:
            task = copies[pos]
            resolver.compile(task)
            if task.key not in downstream or task.start is None:
                continue
            needs = [
                _schedule.required_start(d, resolver.by_key[d.from_key])
                for d in incoming.get(task.key, ())
                if d.from_key in resolver.by_key and resolver.by_key[d.from_key].resolved
            ]
            need = max((n for n in needs if n is not None), default=None)
            if need is None or need <= task.start:
                continue
            index, line = self._retimed_line(task, self.document.lines[task.item_spans[0].index], need, None, notes)
            if index in lines:
                return False  # two moved tasks on one line: their columns shift
            lines[index] = line
            _reread_items(task, index, line)
            resolver.compile(task)
        edits = [LineEdit(i, self.document.lines[i], text) for i, text in sorted(lines.items())]
        self.document.apply(edits)
        self.plan = self._reparse(edits)
        return [(t.start, t.end) for t in self.plan.tasks] == [(t.start, t.end) for t in copies]

    def _cascade_stepwise(self, downstream: set[str], notes: list[str]) -> None:
        """The reference cascade: move the earliest violated successor, re-parse, repeat."""
        for _ in range(len(self.plan.tasks) + 1):
            pending: dict[str, datetime] = {}
            for conflict in _schedule.find_conflicts(self.plan):
                if conflict.task in downstream and conflict.required_start is not None:
                    pending[conflict.task] = max(
                        conflict.required_start, pending.get(conflict.task, conflict.required_start)
                    )
            if not pending:
                return
            first = min(pending, key=lambda k: (self.plan.task(k).start, self.plan.task(k).order))
            self._retime(self.plan.task(first), pending[first], None, notes)
        raise PlanError(f"{self.path or '<plan>'}: cascade did not settle (a dependency cycle?)")

    # ------------------------------------------------------------------ checklists and tags

    def set_checked(self, item: ChecklistItem, done: bool) -> EditResult:
        """Flip one checkbox: ``[ ]`` ↔ ``[x]``; only that character of that line changes."""
        current = next((i for i in self.plan.checklist if i.line == item.line and i.text == item.text), None)
        if current is None or current.box is None:
            raise PlanError(f"{self.path or '<plan>'}:{item.line}: checklist item {item.text!r} is no longer there")
        if current.done == done:
            return EditResult()
        index, col = current.box.index, current.box.start
        old = self.document.lines[index]
        edit = LineEdit(index, old, old[:col] + ("x" if done else " ") + old[col + 1 :])
        self.apply([edit])
        return EditResult([edit])

    def set_tag(self, key: str, tag: str, on: bool) -> EditResult:
        """Add or remove a Mermaid tag (``active``, ``done``, ``crit``, ``milestone``) on a task."""
        if tag not in TAG_NAMES:
            raise PlanError(f"unknown tag {tag!r}; expected one of {', '.join(TAG_NAMES)}")
        task = self.task(key)
        if (tag in task.tags) == on:
            return EditResult()
        span = _data_span(task)
        old = self.document.lines[span.index]
        data = old[span.start : span.end]
        if on:
            body = data.lstrip()
            new_data = f"{data[: len(data) - len(body)]}{tag}, {body}"
        else:
            new_data = _without_tag(data, tag, len(task.tags))
        edit = LineEdit(span.index, old, old[: span.start] + new_data + old[span.end :])
        self.apply([edit])
        return EditResult([edit])


def _data_span(task: Task) -> Span:
    """Where ``task``'s data (after the colon) is on its line; every parsed task has one."""
    if task.data_span is None:
        raise PlanError(f"<plan>:{task.line}: task {task.name!r} was not read from a gantt line")
    return task.data_span


def _duration_text(value: timedelta, unit: str) -> str:
    return format_duration(value, prefer=unit)


def _without_tag(data: str, tag: str, tag_count: int) -> str:
    """``data`` without the tag item ``tag`` (and its comma) among the leading tag items."""
    pos = 0
    items = data.split(",")
    for item in items[:tag_count]:
        if item.strip() == tag:
            end = pos + len(item) + 1
            lead = len(item) - len(item.lstrip())
            rest = data[end:]
            return data[:pos] + item[:lead] + rest.lstrip(" ")
        pos += len(item) + 1
    return data


def _topological_tasks(plan: Plan) -> list[int] | None:
    """Task positions so that every task comes after all it waits for; None on a cycle."""
    pos_of = {t.key: pos for pos, t in enumerate(plan.tasks)}  # the last task with a key, as Mermaid
    after: list[set[int]] = [set() for _ in plan.tasks]
    for dep in plan.dependencies:
        if dep.from_key in pos_of and dep.to_key in pos_of:
            after[pos_of[dep.to_key]].add(pos_of[dep.from_key])
    for pos, task in enumerate(plan.tasks):
        for key in (
            task.after_ids + task.until_ids + ((task.prev_key,) if task.start_item is None and task.prev_key else ())
        ):
            if key in pos_of:
                after[pos].add(pos_of[key])
    indegree = [len(preds) for preds in after]
    succ: list[list[int]] = [[] for _ in plan.tasks]
    for pos, preds in enumerate(after):
        for pred in preds:
            succ[pred].append(pos)
    ready = [pos for pos, n in enumerate(indegree) if n == 0]
    order = []
    while ready:
        pos = ready.pop()
        order.append(pos)
        for nxt in succ[pos]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return order if len(order) == len(plan.tasks) else None


def _reread_items(task: Task, index: int, line: str) -> None:
    """Give ``task`` the start and end items its rewritten ``line`` now holds."""
    start = _data_span(task).start
    same = [t for t in parse_gantt([(index - 1, "gantt"), (index, line)]).tasks if _data_span(t).start == start]
    if not same:
        raise PlanError(f"<plan>:{index + 1}: the rewritten task line does not read back")
    task.start_item, task.end_item = same[0].start_item, same[0].end_item


def _descendants(plan: Plan, key: str) -> set[str]:
    links = _schedule.successors(plan)
    seen: set[str] = set()
    stack = [key]
    while stack:
        for succ, _ in links.get(stack.pop(), ()):
            if succ not in seen:
                seen.add(succ)
                stack.append(succ)
    return seen
