"""Turn a plan's text into a :class:`~mission_control.plan.model.Plan`.

The Markdown layer finds the blocks; the first ``gantt`` block gives the tasks; every flowchart
block gives edges. Flowchart nodes map to tasks by id, else by label (normalised; exact name,
then a word-prefix match, then all words contained — the first tier with any match decides, and
only a single match counts). ``after`` gives finish-to-start; an edge labelled "Can Start
Parallel" gives start-to-start, any other edge finish-to-start.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Final, TypeAlias

from mission_control.plan.flowchart import Flowchart, parse_flowchart
from mission_control.plan.gantt import GanttChart, default_today, parse_gantt, resolve
from mission_control.plan.markdown import Structure, parse_structure
from mission_control.plan.model import (
    FINISH_TO_START,
    START_TO_START,
    Dependency,
    Diagnostic,
    Graph,
    GraphEdge,
    GraphNode,
    Plan,
    Task,
    id_list,
)

START_TO_START_LABELS: Final = frozenset(
    {"can start parallel", "can start in parallel", "start to start", "start-to-start", "ss"}
)
_FENCE_LINE_RE: Final = re.compile(r"^\s*(`{3,}|~{3,})")

#: A diagram's lines inside its fence: (0-based line index, text) pairs.
Body: TypeAlias = list[tuple[int, str]]
#: What a flowchart's parse depends on: the file it is reported against and its lines.
FlowchartKey: TypeAlias = tuple[str | None, tuple[tuple[int, str], ...]]
#: A flowchart node's match: (task key or None, problem or None).
NodeMatch: TypeAlias = tuple[str | None, str | None]
#: What node matching depends on: the tasks' (key, name) and the nodes' (id, label).
MatchKey: TypeAlias = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


def parse_plan(text: str, path: Path | str | None = None, today: datetime | None = None) -> Plan:
    """Parse a whole plan document. Never raises for bad content: problems become diagnostics."""
    with gc_paused():
        return build_plan(text, parse_structure(text), path, today)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a parse builds its (acyclic) objects.

    A 20,000-task plan allocates a few hundred thousand objects; the collector would walk the
    growing heap again and again (a fifth of the parse). The previous state is restored, so a
    caller that keeps collection off (the desktop app collects on the GUI thread) keeps it off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ParseMemo:
    """What the last parse of one file learnt that the next may reuse when its input is equal.

    Flowchart blocks are parsed again only when their lines changed, and flowchart nodes are
    matched to tasks again only when the nodes or the tasks' keys and names changed.
    """

    def __init__(self) -> None:
        self.flowcharts: dict[FlowchartKey, Flowchart] = {}
        self.matches: tuple[MatchKey, list[NodeMatch]] | None = None
        self.chart: GanttChart | None = None  # the last parse's gantt (its settings: incremental edits)
        self.forward = False  # the last parse's dependencies all point further down the file

    def flowchart(self, body: Body, file: str | None) -> tuple[FlowchartKey, Flowchart]:
        key = (file, tuple(body))
        chart = self.flowcharts.get(key)
        if chart is None:
            chart = parse_flowchart(body, file)
        return key, chart


def build_plan(
    text: str,
    structure: Structure,
    path: Path | str | None = None,
    today: datetime | None = None,
    memo: ParseMemo | None = None,
) -> Plan:
    """Build the plan from ``text`` and its Markdown ``structure`` (reusing ``memo`` if given)."""
    file = str(path) if path is not None else None
    plan = Plan(text=text, path=Path(path) if path is not None else None)
    plan.headings = list(structure.headings)
    plan.code_blocks = list(structure.code_blocks)
    plan.checklist = list(structure.checklist)
    plan.components = list(structure.components)
    lines = text.split("\n") if "\r" not in text else re.split(r"\r\n|\r|\n", text)  # the split is 6x faster
    gantts, flows = _mermaid_blocks(plan, lines)
    chart = None
    if gantts:
        chart = _read_gantt(plan, gantts[0], today, file)
        for extra in gantts[1:]:
            plan.diagnostics.append(
                Diagnostic(
                    "warning",
                    extra[0][0] + 1 if extra else None,
                    "only the first gantt block is used; this one is ignored",
                    file,
                )
            )
    else:
        plan.diagnostics.append(Diagnostic("warning", None, "the plan has no ```mermaid gantt block: no tasks", file))
    _read_flowcharts(plan, flows, file, memo)
    forward = plan.forward = _after_dependencies(plan)
    if not forward:  # else the file's order is a topological order: no cycle
        _report_cycles(plan, file)
    if memo is not None:
        memo.chart, memo.forward = chart, forward
    return plan


def _mermaid_blocks(plan: Plan, lines: list[str]) -> tuple[list[Body], list[Body]]:
    """Split ```mermaid blocks into gantt and flowchart blocks of (line index, text) pairs."""
    gantts: list[Body] = []
    flows: list[Body] = []
    for block in plan.code_blocks:
        if block.lang != "mermaid":
            continue
        # block.line is the opening fence (1-based), so content starts at 0-based index block.line
        body = [(i, lines[i]) for i in range(block.line, min(block.end_line, len(lines)))]
        if body and _FENCE_LINE_RE.match(body[-1][1]):
            body = body[:-1]  # the closing fence (absent when the block runs to the end)
        kind = _diagram_kind(body)
        if kind == "gantt":
            gantts.append(body)
            if plan.gantt_line is None:
                plan.gantt_line = block.line
        elif kind == "flowchart":
            flows.append(body)
    return gantts, flows


def _diagram_kind(body: Body) -> str | None:
    in_front_matter = False
    opened = False
    for _, text in body:
        stripped = text.strip()
        if stripped == "---" and not opened:  # the parser reports a misplaced or unclosed one
            in_front_matter = opened = True
            continue
        if in_front_matter:
            in_front_matter = stripped != "---"
            continue
        if not stripped or stripped.startswith("%%"):
            continue
        word = stripped.split()[0].lower()
        if word.startswith("gantt"):
            return "gantt"
        if word in ("graph", "flowchart", "flowchart-elk") or re.match(r"(graph|flowchart)\b", word):
            return "flowchart"
        return None
    return None


def _read_gantt(plan: Plan, body: Body, today: datetime | None, file: str | None) -> GanttChart:
    chart = parse_gantt(body, file)
    plan.title = chart.title
    plan.date_format = chart.date_format
    plan.axis_format = chart.axis_format
    plan.excludes = chart.excludes
    plan.includes = chart.includes
    plan.sections = chart.sections
    plan.tasks = chart.tasks
    plan.diagnostics.extend(chart.diagnostics)
    if not chart.date_format:
        plan.diagnostics.append(
            Diagnostic(
                "warning",
                body[0][0] + 1 if body else None,
                "no dateFormat line: dates are read as ISO dates (YYYY-MM-DD)",
                file,
            )
        )
    seen: dict[str, Task] = {}
    for task in chart.tasks:
        if task.id and task.id in seen:
            plan.diagnostics.append(
                Diagnostic(
                    "warning",
                    task.line,
                    f"duplicate task id {task.id!r} (also on line {seen[task.id].line}); Mermaid uses the last one for every reference",
                    file,
                )
            )
        seen[task.key] = task
    if today is None:
        today = default_today(chart.date_format)
    plan.diagnostics.extend(resolve(chart, today, file))
    plan.reference_day = today
    return chart


def _after_dependencies(plan: Plan) -> bool:
    """Add the finish-to-start dependencies of ``after`` (ids that exist) before the graph's.

    Returns whether every dependency points from a task to one further down the file (the usual
    plan: the file's order is then a topological order, no cycle search needed). Both come from one
    pass over the tasks: a 5,000-task plan pays ~1 ms here instead of building a graph for Tarjan.
    """
    tasks = plan.tasks
    position = {t.key: pos for pos, t in enumerate(tasks)}
    forward = len(position) == len(tasks)  # else a duplicate id: leave it to the general search
    get = position.get
    deps = []
    fast = Dependency.fast
    for pos, task in enumerate(tasks):
        start_item = task.start_item
        if start_item is None:  # an implicit start names no ids; it waits for the previous line
            prev = task.prev_key
            if prev is not None and get(prev, -1) >= pos:
                forward = False
        elif start_item.startswith("after"):
            key_ = task.key
            for key in id_list(start_item, "after"):
                before = get(key)
                if before is not None:
                    deps.append(fast(key, key_, FINISH_TO_START, None, "after", task.line))
                    if before >= pos:
                        forward = False
        end_item = task.end_item
        if forward and end_item.startswith("until") and any(get(key, -1) >= pos for key in id_list(end_item, "until")):
            forward = False
    count = len(tasks)
    if forward:
        for dep in plan.dependencies:  # the graph's edges
            if get(dep.from_key, count) >= get(dep.to_key, -1):
                forward = False
                break
    plan.dependencies = deps + plan.dependencies
    return forward


def _read_flowcharts(plan: Plan, flows: list[Body], file: str | None, memo: ParseMemo | None = None) -> None:
    nodes: dict[str, str] = {}
    node_lines: dict[str, int] = {}
    edges: list[tuple[str, str, str | None, str, int]] = []
    direction = "TD"
    charts: dict[FlowchartKey, Flowchart] = {}
    for index, body in enumerate(flows):
        if memo is not None:
            key, chart = memo.flowchart(body, file)
            charts[key] = chart
        else:
            chart = parse_flowchart(body, file)
        plan.diagnostics.extend(chart.diagnostics)
        if index == 0:
            direction = chart.direction
        for node_id, label in chart.nodes.items():
            nodes[node_id] = label
            node_lines.setdefault(node_id, chart.node_lines[node_id])
        edges.extend(chart.edges)
    if memo is not None:
        memo.flowcharts = charts
    graph_nodes = []
    for (node_id, label), (task, problem) in zip(nodes.items(), _matches(plan.tasks, nodes, memo)):
        if problem:
            plan.diagnostics.append(Diagnostic("warning", node_lines[node_id], problem, file))
        graph_nodes.append(GraphNode(node_id, label, task, node_lines[node_id]))
    task_of = {n.id: n.task for n in graph_nodes}
    graph_edges = []
    for a, b, edge_label, kind, line in edges:
        graph_edges.append(GraphEdge(a, b, edge_label, kind, line))
        from_task, to_task = task_of.get(a), task_of.get(b)
        if from_task and to_task:
            dep_kind = START_TO_START if _normal(edge_label or "") in START_TO_START_LABELS else FINISH_TO_START
            plan.dependencies.append(Dependency.fast(from_task, to_task, dep_kind, edge_label, "graph", line))
    plan.graph = Graph(tuple(graph_nodes), tuple(graph_edges), direction)


def _matches(tasks: list[Task], nodes: dict[str, str], memo: ParseMemo | None) -> list[NodeMatch]:
    """(task key or None, problem or None) per node, in order; reused while its inputs are equal."""
    if memo is None:
        matcher = _TaskMatcher(tasks)
        return [matcher.match(node_id, label) for node_id, label in nodes.items()]
    key: MatchKey = (tuple((t.key, t.name) for t in tasks), tuple(nodes.items()))
    if memo.matches is not None and memo.matches[0] == key:
        return memo.matches[1]
    matcher = _TaskMatcher(tasks)
    result = [matcher.match(node_id, label) for node_id, label in nodes.items()]
    memo.matches = (key, result)
    return result


_WORD_RE: Final = re.compile(r"[a-z0-9]+")
_NON_WORD_RE: Final = re.compile(r"[^a-z0-9\n]+")
_EDGE_BLANK_RE: Final = re.compile(r" ?\n ?")
_ODD_RE: Final = re.compile(r"[^a-z0-9\n ]|  ")  # what _NON_WORD_RE would change in plain "word word" names
_NAME: Final = attrgetter("name")


def _normal(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


class _TaskMatcher:
    """Maps a flowchart node to a task: by id, else by an unambiguous label match.

    Three tiers, the first that finds anything decides: the same words; the node's words start the
    task's (the last may be cut short: Refactor ⊂ Refactoring); every node word starts some task word.
    Indexed by words, so a plan whose labels each match many tasks stays linear, not nodes × tasks.
    The indexes are built when first needed: a graph of task ids needs none, labels that are task
    names only the first.
    """

    def __init__(self, tasks: list[Task]) -> None:
        self.by_key = {t.key: t for t in tasks}
        self.tasks = tasks
        self.normal: list[str] = []  # _normal() of each task's name, once a node is matched by label
        self.words: list[list[str]] = []
        self.exact: dict[str, int] = {}  # a normalised name -> the (last) task of that name
        self.alike: dict[str, list[int]] = {}  # a name several tasks have -> all of them
        self.indexed = False

    def _index_names(self) -> None:
        # _normal() of every name in C-level passes over all names joined (names are single lines,
        # so "\n" separates them), instead of one regex call per task: 4x faster.
        joined = "\n".join(map(_NAME, self.tasks)).lower()
        if _ODD_RE.search(joined):  # else the names are plain words already (a search is 5x cheaper)
            joined = _NON_WORD_RE.sub(" ", joined)
        self.normal = normal = _EDGE_BLANK_RE.sub("\n", joined).strip(" ").split("\n")
        self.exact = dict(zip(normal, range(len(normal))))  # the last task of each name
        if len(self.exact) < len(normal):  # names alike: list every task of those names
            for name, count in Counter(normal).items():
                if count > 1:
                    self.alike[name] = [i for i, other in enumerate(normal) if other == name]

    def _index(self) -> None:
        self.indexed = True
        self.words = [name.split() for name in self.normal]
        self.by_first: dict[str, list[int]] = {}
        self.containing: dict[str, set[int]] = {}
        for index, words in enumerate(self.words):
            if words:
                self.by_first.setdefault(words[0], []).append(index)
            for word in words:
                self.containing.setdefault(word, set()).add(index)
        self.first_words = sorted(self.by_first)
        self.vocabulary = sorted(self.containing)

    def match(self, node_id: str, label: str) -> tuple[str | None, str | None]:
        if node_id in self.by_key:
            return node_id, None
        words = _normal(label).split()
        if not words:
            return None, f"flowchart node {node_id!r} has no label to match a task"
        if not self.normal and self.tasks:
            self._index_names()
        for tier in (self._exact, self._prefix, self._contains):
            found = sorted(tier(words))
            unique = list(dict.fromkeys(self.tasks[i].key for i in found))
            if len(unique) == 1:
                return unique[0], None
            if len(unique) > 1:
                names = ", ".join(repr(self.by_key[k].name) for k in unique[:4])
                return (
                    None,
                    f"flowchart node {node_id!r} ({label!r}) matches several tasks ({names}); use a task id as the node id",
                )
        return None, f"flowchart node {node_id!r} ({label!r}) matches no gantt task; it adds no dependency"

    def _exact(self, node: list[str]) -> list[int]:
        name = " ".join(node)
        alike = self.alike.get(name)
        if alike is not None:
            return alike
        index = self.exact.get(name)
        return [] if index is None else [index]

    def _prefix(self, node: list[str]) -> list[int]:
        """Tasks whose words start with the node's; the node's last word may be cut short."""
        if not self.indexed:
            self._index()
        if len(node) == 1:
            return [i for word in _starting_with(self.first_words, node[0]) for i in self.by_first[word]]
        found = []
        for index in self.by_first.get(node[0], ()):
            task = self.words[index]
            if (
                len(node) <= len(task)
                and node[:-1] == task[: len(node) - 1]
                and task[len(node) - 1].startswith(node[-1])
            ):
                found.append(index)
        return found

    def _contains(self, node: list[str]) -> set[int]:
        """Tasks in which every node word starts some word."""
        result: set[int] | None = None
        for word in sorted(set(node), key=len, reverse=True):  # the longest word narrows most
            having = set().union(*(self.containing[w] for w in _starting_with(self.vocabulary, word)))
            result = having if result is None else result & having
            if not result:
                return set()
        return result or set()


def _starting_with(sorted_words: list[str], prefix: str) -> list[str]:
    """The words of ``sorted_words`` that start with ``prefix`` (a bisected range)."""
    start = bisect.bisect_left(sorted_words, prefix)
    end = start
    while end < len(sorted_words) and sorted_words[end].startswith(prefix):
        end += 1
    return sorted_words[start:end]


def _report_cycles(plan: Plan, file: str | None) -> None:
    """Report every dependency cycle (after, implicit order and graph edges) with its members."""
    succ: dict[str, set[str]] = {t.key: set() for t in plan.tasks}
    for dep in plan.dependencies:
        succ.setdefault(dep.from_key, set()).add(dep.to_key)
    for task in plan.tasks:
        if task.start_item is None and task.prev_key in succ:
            succ[task.prev_key].add(task.key)
        for key in task.until_ids:
            if key in succ:
                succ[key].add(task.key)
    for cycle in _cycles(succ) if not _acyclic(succ) else ():
        names = " → ".join(cycle + [cycle[0]])
        first = plan.find_task(cycle[0])
        plan.diagnostics.append(Diagnostic("error", first.line if first else None, f"dependency cycle: {names}", file))


def _acyclic(succ: dict[str, set[str]]) -> bool:
    """Whether ``succ`` has no cycle (Kahn's count: cheaper than Tarjan when, as usual, there is none)."""
    indegree = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for target in targets:
            indegree[target] = indegree.get(target, 0) + 1
    ready = [node for node, count in indegree.items() if count == 0]
    seen = 0
    while ready:
        seen += 1
        for target in succ.get(ready.pop(), ()):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return seen == len(indegree)


def _cycles(succ: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member, or a self-loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in succ:
        if root in index:
            continue
        work = [(root, iter(sorted(succ.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(succ.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1 or node in succ.get(node, ()):
                    result.append(list(reversed(members)))
    return result
