"""Benchmark: parse + schedule a generated 5,000-task plan, next to plain markdown-it.

Generates a plan with sections, task ids, ``after`` chains, implicit starts, a checklist and a
flowchart over some of the tasks, then times (best of a few runs):

* markdown-it tokenising the same text (the floor any Markdown-based parser pays);
* ``parse_plan`` (Markdown structure, gantt, Mermaid date resolution, flowchart, matching, cycles);
* ``analyse`` (conflicts and the CPM critical path);
* one reschedule (a drag's drop: the edited line re-read, the tasks downstream re-resolved) and a
  cascade that moves every section head;
* the same parse + CPM at 1k, 5k and 20k tasks (``--scaling``), per task, to show it is linear.

Run: ``nice .venv/bin/python benchmarks/bench_plan.py [--tasks 5000] [--repeat 5] [--no-scaling]``.
Targets: parse + CPM ≤ 5x markdown-it's tokenising of the same text; a reschedule ≤ 0.1x a full
parse. Every figure is the best of ``--repeat`` runs; the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchutil import load_note, verdict

from mission_control.plan import PlanFile, parse_plan
from mission_control.plan.document import Document
from mission_control.schedule import analyse


def generate(tasks: int, per_section: int = 50) -> str:
    """A plan with ``tasks`` gantt tasks in sections of ``per_section``, plus graph and checklist."""
    lines = ["# Generated plan", "", "```mermaid", "gantt", "    title Generated", "    dateFormat YYYY-MM-DD HH:mm"]
    for i in range(tasks):
        if i % per_section == 0:
            lines.append(f"    section Team {i // per_section}")
        first = i % per_section == 0
        if first:  # section heads follow each other (graph edges below): a cascade moves them all
            head = datetime(2024, 1, 1) + timedelta(hours=4 * (i // per_section))
            lines.append(f"    Task number {i} :t{i}, {head:%Y-%m-%d %H:%M}, 4h")
        elif i % 7 == 0:
            lines.append(f"    Task number {i} :2h")  # implicit start
        elif i % 3 == 0:
            lines.append(f"    Task number {i} :crit, t{i}, after {ref(i - 1)} {ref(i - 2)}, 3h")
        else:
            lines.append(f"    Task number {i} :t{i}, after {ref(i - 1)}, 1h")
    lines += ["```", "", "## Dependencies", "", "```mermaid", "graph TD"]
    for i in range(1, tasks, 10):
        target = i + 5 if (i + 5) % 7 else i + 6
        if target < tasks:
            lines.append(f"    t{i}[Task number {i}] -->|Blocks| t{target}")
    for head in range(per_section, tasks, per_section):
        lines.append(f"    t{head - per_section} --> t{head}")
    lines += ["```", "", "## Checklist", ""]
    lines += [f"- [{'x' if i % 2 else ' '}] item {i}" for i in range(200)]
    lines += ["", "```bash", "rollback --component core", "```"]
    return "\n".join(lines) + "\n"


def ref(index: int, per_section: int = 50) -> str:
    """The id of task ``index`` or, when it has none (implicit start), of the nearest task before it."""
    while index % 7 == 0 and index % per_section:
        index -= 1
    return f"t{index}"


def best_of(repeat: int, func) -> float:
    """The fastest of ``repeat`` runs of ``func`` in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-scaling", action="store_true", help="skip the 1k/5k/20k series")
    args = parser.parse_args()
    text = generate(args.tasks)
    plan = parse_plan(text)
    assert len(plan.tasks) == args.tasks and all(t.resolved for t in plan.tasks), "generated plan did not resolve"
    md = MarkdownIt("commonmark")
    # Interleaved, so the anchor and the parse see the same moments of a busy machine.
    t_md, t_parse, t_cpm = (
        min(times)
        for times in zip(
            *(
                (
                    best_of(1, lambda: md.parse(text)),
                    best_of(1, lambda: parse_plan(text)),
                    best_of(1, lambda: analyse(plan)),
                )
                for _ in range(args.repeat)
            )
        )
    )
    n = args.tasks
    print(f"plan: {n} tasks, {len(plan.dependencies)} dependencies, {len(text.splitlines())} lines, {len(text)} chars")
    print(f"markdown-it tokenise : {t_md * 1000:8.1f} ms  ({t_md / n * 1e6:6.1f} µs/task)")
    print(f"parse_plan           : {t_parse * 1000:8.1f} ms  ({t_parse / n * 1e6:6.1f} µs/task)")
    print(f"analyse (CPM)        : {t_cpm * 1000:8.1f} ms  ({t_cpm / n * 1e6:6.1f} µs/task)")
    total = t_parse + t_cpm
    print(f"parse + CPM          : {total * 1000:8.1f} ms  ({total / n * 1e6:6.1f} µs/task)")
    print(
        f"ratio (parse + CPM) / markdown-it: {total / t_md:.1f}x   target ≤ 5x -> {verdict(total / t_md, 5)}   {load_note()}"
    )
    edits(text, args, t_parse)
    if not args.no_scaling:
        scaling(args.repeat)


def scaling(repeat: int) -> None:
    """parse + CPM per task at 1k, 5k and 20k tasks: linear when the µs/task stay level."""
    print("scaling (parse + CPM, and markdown-it, per task):")
    for n in (1000, 5000, 20000):
        text = generate(n)
        plan = parse_plan(text)
        md = MarkdownIt("commonmark")
        t_md = best_of(max(1, repeat // 2), lambda md=md, text=text: md.parse(text))
        t_total = best_of(max(1, repeat // 2), lambda text=text: analyse(parse_plan(text)))
        print(
            f"  {n:6,} tasks: {t_total * 1000:8.1f} ms = {t_total / n * 1e6:5.1f} µs/task"
            f"   (markdown-it {t_md / n * 1e6:4.1f} µs/task, ratio {t_total / t_md:4.1f}x, {len(plan.tasks)} tasks)"
        )
    print(f"  {load_note()}")


def edits(text: str, args, t_parse: float) -> None:
    """One reschedule (a drag's drop) and a cascade that moves every section head."""
    n = args.tasks
    middle = (n // 2) // 50 * 50 + 1  # an ``after`` task in a middle section

    def one_reschedule():
        pf = PlanFile(Document(text.encode()))
        task = pf.plan.task(f"t{middle}")
        start = time.perf_counter()
        pf.reschedule(task.key, start=task.start + timedelta(hours=1))
        return time.perf_counter() - start

    def cascade():
        pf = PlanFile(Document(text.encode()))
        start = time.perf_counter()
        result = pf.reschedule("t0", start=pf.plan.task("t0").start + timedelta(hours=1), cascade=True)
        return time.perf_counter() - start, result

    t_one = min(one_reschedule() for _ in range(args.repeat))
    t_cascade, result = cascade()
    ratio = t_one / t_parse
    print(
        f"reschedule one task  : {t_one * 1000:8.1f} ms  ({ratio:.2f}x a full parse; target ≤ 0.1x -> {verdict(ratio, 0.1)})"
    )
    print(
        f"cascade              : {t_cascade * 1000:8.1f} ms  ({len(result.edits)} lines rewritten, {len(result.moves)} tasks moved)"
    )


if __name__ == "__main__":
    main()
