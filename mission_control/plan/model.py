"""The execution plan as data: tasks, dependencies, the flowchart, checklists, diagnostics.

Everything here is plain, Qt-free data produced by :mod:`mission_control.plan.loader`. Line
numbers are 1-based file lines, as an editor shows them; ``Span`` columns are 0-based offsets in
the decoded line, used to rewrite exactly the characters an edit changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Final, NamedTuple

FINISH_TO_START: Final = "finish-to-start"
START_TO_START: Final = "start-to-start"
TAG_NAMES: Final = ("active", "done", "crit", "milestone", "vert")


@dataclass(frozen=True)
class Diagnostic:
    """An error or warning about the plan, naming the line and what was expected."""

    severity: str  # "error" | "warning"
    line: int | None
    message: str
    file: str | None = None

    def __str__(self) -> str:
        where = self.file or "<plan>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.severity}: {self.message}"


class Span(NamedTuple):
    """Columns ``start:end`` of the 0-based line ``index`` in the document.

    A named tuple, not a frozen dataclass: a 5,000-task plan makes ~20,000 of them per parse, and
    a tuple is built three times faster (``benchmarks/bench_plan.py``).
    """

    index: int  # type: ignore[assignment]  # the field hides tuple.index(), which nothing calls on a Span
    start: int
    end: int


@dataclass(slots=True)  # slots: a 5,000-task plan builds and reads these in every pass
class Task:
    """One gantt task line, as written and as resolved.

    ``key`` is the id Mermaid uses internally (the written id, or ``taskN`` for id-less tasks);
    ``id`` is what the author wrote (None when there is none).
    """

    key: str
    id: str | None
    name: str
    section: str
    tags: tuple[str, ...]
    line: int
    start_item: str | None  # None: implicit start (after the previous task line)
    end_item: str
    prev_key: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    data_span: Span | None = None
    # The text of the task's line: its items' spans are read from it when an edit asks for them
    # (a parse would otherwise build ~4 spans per task that only the few edited tasks ever use).
    source: str = field(default="", compare=False, repr=False)
    order: int = 0

    @property
    def item_spans(self) -> tuple[Span, ...]:
        """Where each item (id, start, end; tags excluded) is written in the line."""
        if self.data_span is None:
            return ()
        index, start, end = self.data_span
        return item_spans(self.source, start, end, index)[len(self.tags) :]

    @property
    def after_ids(self) -> tuple[str, ...]:
        """Ids named by an ``after`` start item (empty for other starts)."""
        return id_list(self.start_item, "after")

    @property
    def until_ids(self) -> tuple[str, ...]:
        """Ids named by an ``until`` end item."""
        return id_list(self.end_item, "until")

    @property
    def start_kind(self) -> str:
        """``implicit`` (previous task's end), ``after`` or ``date``."""
        if self.start_item is None:
            return "implicit"
        return "after" if re.match(r"after\s", self.start_item) else "date"

    @property
    def duration(self) -> timedelta | None:
        """End minus start, once resolved."""
        if self.start is None or self.end is None:
            return None
        return self.end - self.start

    @property
    def resolved(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def times(self) -> tuple[datetime, datetime] | None:
        """``(start, end)`` once resolved, else None: :attr:`resolved` in a form the type checker follows."""
        if self.start is None or self.end is None:
            return None
        return self.start, self.end

    def has_tag(self, tag: str) -> bool:
        return tag in self.tags

    @property
    def label(self) -> str:
        """How the task is named in messages: its name and, when it has one, its id."""
        return f"{self.name} ({self.id})" if self.id else self.name


def item_spans(text: str, start: int, end: int, index: int) -> tuple[Span, ...]:
    """The spans on line ``index`` of the comma-separated items of ``text[start:end]``, each trimmed."""
    spans = []
    pos = start
    for raw in text[start:end].split(","):
        lstripped = raw.lstrip()
        begin = pos + len(raw) - len(lstripped)
        spans.append(Span(index, begin, begin + len(lstripped.rstrip())))
        pos += len(raw) + 1
    return tuple(spans)


_ID_LIST_RES = {k: re.compile(rf"^{k}\s+([\w\- ]+)", re.ASCII) for k in ("after", "until")}


@lru_cache(maxsize=1 << 17)  # asked for again and again (CPM, conflicts, the Gantt): one regex per item
def id_list(item: str | None, keyword: str) -> tuple[str, ...]:
    r"""Mermaid's id list after ``after``/``until``: ``[\w\- ]+`` split on single spaces."""
    if not item:
        return ()
    match = _ID_LIST_RES[keyword].match(item)
    if not match:
        return ()
    return tuple(part for part in match.group(1).split(" ") if part)


@dataclass(frozen=True)
class Dependency:
    """``to`` may not start until ``from`` has finished (or started, for start-to-start)."""

    from_key: str
    to_key: str
    kind: str
    label: str | None
    source: str  # "after" | "graph"
    line: int

    @classmethod
    def fast(cls, from_key: str, to_key: str, kind: str, label: str | None, source: str, line: int) -> Dependency:
        """The same as ``Dependency(...)``, built twice as fast: a 5,000-task plan makes thousands.

        A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``; this fills
        the instance's ``__dict__`` in one step (``tests/test_plan_parse_fast.py`` keeps the two equal).
        """
        dep = object.__new__(cls)
        object.__setattr__(
            dep,
            "__dict__",
            {"from_key": from_key, "to_key": to_key, "kind": kind, "label": label, "source": source, "line": line},
        )
        return dep


@dataclass(frozen=True)
class GraphNode:
    """A flowchart node: its id, label, and the gantt task it was matched to (or None)."""

    id: str
    label: str
    task: str | None
    line: int


@dataclass(frozen=True)
class GraphEdge:
    """A flowchart edge as written: ``kind`` is the arrow's shortest spelling (``-->``...)."""

    from_id: str
    to_id: str
    label: str | None
    kind: str
    line: int


@dataclass(frozen=True)
class Graph:
    """One or more flowchart blocks, merged: nodes in order of first appearance."""

    nodes: tuple[GraphNode, ...] = ()
    edges: tuple[GraphEdge, ...] = ()
    direction: str = "TD"


@dataclass(frozen=True)
class ChecklistItem:
    """A ``- [ ]`` / ``- [x]`` item with the headings it stands under."""

    text: str
    heading: tuple[str, ...]
    done: bool
    line: int
    box: Span | None = None

    @property
    def heading_path(self) -> str:
        """The headings joined as a breadcrumb: ``Final Checklist › Mid-Execution (Hour 10):``."""
        return " › ".join(self.heading)


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block: its language, text, the headings it stands under, its first line."""

    lang: str
    text: str
    heading: tuple[str, ...]
    line: int
    end_line: int


@dataclass(frozen=True)
class Heading:
    """A Markdown heading (never a ``#`` line inside fenced code)."""

    level: int
    text: str
    line: int


@dataclass
class Plan:
    """A parsed execution plan. Produced by :func:`mission_control.plan.parse_plan`."""

    text: str
    path: Path | None = None
    title: str | None = None
    date_format: str = ""
    axis_format: str | None = None
    excludes: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    sections: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)
    checklist: list[ChecklistItem] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    gantt_line: int | None = None
    reference_day: datetime | None = None
    # Every dependency (``after``, ``until``, implicit starts, graph edges) points from a task to one
    # further down the file and no key repeats: the file's order is a topological order (the
    # parse knows it for free; the schedule's pass then needs no sort). False when unknown.
    forward: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key: dict[str, Task] | None = None

    def task(self, key: str) -> Task:
        """The task with internal id ``key`` (Mermaid's rule: the last one with that id).

        Raises:
            KeyError: no such task.
        """
        if self._by_key is None:
            self._by_key = {t.key: t for t in self.tasks}
        return self._by_key[key]

    def by_key(self) -> dict[str, Task]:
        """Every task by key (the last of a repeated key); built once per plan. Do not change it."""
        if self._by_key is None:
            self._by_key = {t.key: t for t in self.tasks}
        return self._by_key

    def keys_unique(self) -> bool:
        """Whether no two tasks share a key (an id written twice: Mermaid uses the last)."""
        if self._by_key is None:
            self._by_key = {t.key: t for t in self.tasks}
        return len(self._by_key) == len(self.tasks)

    def find_task(self, key: str) -> Task | None:
        """Like :meth:`task` but None when unknown."""
        try:
            return self.task(key)
        except KeyError:
            return None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def start(self) -> datetime | None:
        """The earliest task start (the mission's Hour 0 for date-less plans)."""
        starts = [t.start for t in self.tasks if t.start is not None]
        return min(starts) if starts else None

    @property
    def end(self) -> datetime | None:
        ends = [t.end for t in self.tasks if t.end is not None]
        return max(ends) if ends else None

    def dependencies_of(self, key: str) -> list[Dependency]:
        """Dependencies whose successor is ``key`` (what ``key`` waits for)."""
        return [d for d in self.dependencies if d.to_key == key]

    def dependents_of(self, key: str) -> list[Dependency]:
        """Dependencies whose predecessor is ``key`` (what waits for ``key``)."""
        return [d for d in self.dependencies if d.from_key == key]


@dataclass(frozen=True)
class Retiming:
    """How a plan differs from the one before when only times (and ``after`` links) changed.

    ``moved``: the keys of the tasks whose start or end differ. ``unlinked``: the dependencies the
    new plan no longer has (a drop turns ``after x`` into a fixed start); the rest are the same, in
    the same order. ``reread``: the keys of the tasks that are new objects, moved or not (an
    unmoved one may have a new start item). Shared by every caller: read it, never change it.
    """

    moved: set[str]
    unlinked: list[Dependency]
    reread: set[str] = field(default_factory=set, compare=False)


def retiming(old: Plan, new: Plan) -> Retiming | None:
    """What moved from ``old`` to ``new``, when that is all that changed; else None.

    "All" is what views and the schedule read besides times: the same tasks in the same order and
    sections (key, id, name, tags, line, implicit start and previous task), the same date format,
    and the same dependencies but for some dropped. A drop on the Gantt gives a Retiming (usually of
    a few tasks), so what is derived from the old plan can be brought up to date for those tasks
    only; anything else (a new task, a renamed one, a new dependency) gives None: derive everything
    again. Unchanged tasks of an incremental re-schedule are the same objects, which makes this cheap.
    """
    if _LAST_RETIMING and _LAST_RETIMING[0][0] is old and _LAST_RETIMING[0][1] is new:
        return _LAST_RETIMING[0][2]  # (a drop asks three times: the analysis, the Gantt, the task states)
    change = _retiming(old, new)
    _LAST_RETIMING[:] = [(old, new, change)]
    return change


_LAST_RETIMING: list[tuple[Plan, Plan, Retiming | None]] = []  # the last call's plans and answer


def _retiming(old: Plan, new: Plan) -> Retiming | None:
    if len(old.tasks) != len(new.tasks) or old.sections != new.sections or old.date_format != new.date_format:
        return None
    unlinked = _dropped(old.dependencies, new.dependencies)
    if unlinked is None:
        return None
    moved: set[str] = set()
    reread: set[str] = set()
    for a, b in zip(old.tasks, new.tasks):
        if a is b:
            continue
        reread.add(b.key)
        if (
            a.key != b.key
            or a.id != b.id
            or a.name != b.name
            or a.section != b.section
            or a.tags != b.tags
            or a.line != b.line
            or a.order != b.order
            or a.prev_key != b.prev_key
            or (a.start_item is None) != (b.start_item is None)
        ):
            return None
        if a.start != b.start or a.end != b.end:
            moved.add(b.key)
    return Retiming(moved, unlinked, reread)


def _dropped(old: list[Dependency], new: list[Dependency]) -> list[Dependency] | None:
    """The items of ``old`` missing from ``new`` when ``new`` is ``old`` with some dropped, else None."""
    if old == new:  # (a list compares its items by identity first: cheap for an untouched list)
        return []
    dropped: list[Dependency] = []
    j = 0
    for dep in old:
        if j < len(new) and (new[j] is dep or new[j] == dep):
            j += 1
        else:
            dropped.append(dep)
    return dropped if j == len(new) else None
