"""Plan commands: ``plan show``, ``check`` and ``reschedule``."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mission_control.cli import EXIT_OK, EXIT_PROBLEMS, CliError, add_json_flag, print_json
from mission_control.config import ConfigError, ConfigProblem, load_config
from mission_control.plan import PlanChangedOnDisk, PlanError, PlanFile, load_plan
from mission_control.plan.dates import DateFormat, parse_duration
from mission_control.plan.export import iso, plan_to_json
from mission_control.repo.config_check import config_warnings
from mission_control.schedule import format_time
from mission_control.util.git import RepoError, open_repo


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``plan show``, ``check`` and ``reschedule``."""
    plan = subparsers.add_parser("plan", help="inspect an execution plan")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    show = plan_sub.add_parser("show", help="tasks, dependencies, critical path, conflicts, checklist")
    show.add_argument("plan", help="the plan's Markdown file")
    add_json_flag(show)
    show.set_defaults(handler=cmd_show)

    check = subparsers.add_parser(
        "check", help="report errors, warnings and conflicts (exit 1 if any error or conflict)"
    )
    check.add_argument("plan", help="the plan's Markdown file")
    add_json_flag(check)
    check.set_defaults(handler=cmd_check)

    move = subparsers.add_parser("reschedule", help="move a task (and optionally its dependents) in the plan file")
    move.add_argument("plan", help="the plan's Markdown file")
    move.add_argument("task_id", help="the task's id")
    move.add_argument("--start", help="new start: HH:MM for date-less plans, else a date in the plan's dateFormat")
    move.add_argument("--duration", help="new duration, e.g. 6h, 90m, 1.5h, 2d")
    move.add_argument(
        "--cascade", action="store_true", help="move dependents the least needed to keep every dependency"
    )
    move.add_argument("--dry-run", action="store_true", help="print what would move; do not write the file")
    add_json_flag(move)
    move.set_defaults(handler=cmd_reschedule)


def _load(path: str) -> PlanFile:
    try:
        return load_plan(path)
    except PlanError as exc:
        raise CliError(str(exc)) from None


def counted(count: int, word: str, plural: str | None = None) -> str:
    """``1 conflict``, ``2 conflicts``, ``1 dependency`` (``plural`` when not ``word + "s"``)."""
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 4)


def show_json(pf: PlanFile) -> dict[str, Any]:
    """``plan show --json``: the plan's JSON with each task's duration and total float (hours)."""
    data = plan_to_json(pf.plan, pf.analysis)
    for task, item in zip(pf.plan.tasks, data["tasks"], strict=True):
        item["duration_hours"] = _hours(task.end - task.start if task.start and task.end else None)
        item["float_hours"] = _hours(pf.analysis.total_float.get(task.key))
    return data


def cmd_show(ns: argparse.Namespace) -> int:
    pf = _load(ns.plan)
    if ns.json:
        print_json(show_json(pf))
        return EXIT_OK
    plan, analysis = pf.plan, pf.analysis
    linked = {(d.from_key, d.to_key) for d in plan.dependencies}  # an `after` and its graph edge: one
    print(plan.title or "(untitled plan)")
    print(
        f"dateFormat {plan.date_format or '(none)'} · {counted(len(plan.sections), 'section')} · "
        f"{counted(len(plan.tasks), 'task')} · {counted(len(linked), 'dependency', 'dependencies')} · "
        f"{counted(len(plan.checklist), 'checklist item')}"
    )
    critical = set(analysis.critical_path)
    for section in plan.sections or [""]:
        print(f"\n{section or '(no section)'}")
        for task in (t for t in plan.tasks if t.section == section):
            marks = " ".join(task.tags) + (" [critical path]" if task.key in critical else "")
            print(
                f"  {task.key:<12} {format_time(plan, task.start):>9} – {format_time(plan, task.end):<9} {task.name}  {marks}".rstrip()
            )
    if plan.dependencies:
        print("\nDependencies")
        for dep in plan.dependencies:
            print(
                f"  {dep.from_key} → {dep.to_key}  {dep.kind}{f' ({dep.label})' if dep.label else ''}  [{dep.source}]"
            )
    print(f"\nCritical path: {' → '.join(analysis.critical_path) or '(none)'}")
    _print_problems(pf)
    done = sum(1 for item in plan.checklist if item.done)
    print(f"\nChecklist: {done}/{len(plan.checklist)} done · components: {', '.join(plan.components) or '(none)'}")
    return EXIT_OK


def _print_problems(pf: PlanFile) -> None:
    for conflict in pf.analysis.conflicts:
        print(f"conflict: {conflict.message}")
    for diag in pf.plan.diagnostics:
        print(str(diag))


def cmd_check(ns: argparse.Namespace) -> int:
    pf = _load(ns.plan)
    plan, analysis = pf.plan, pf.analysis
    config_file, config_errors, config_warnings = _check_config(pf)
    failed = bool(plan.errors or analysis.conflicts or config_errors)
    if ns.json:
        print_json(
            {
                "ok": not failed,
                "errors": [{"line": d.line, "message": d.message} for d in plan.errors],
                "warnings": [{"line": d.line, "message": d.message} for d in plan.warnings],
                "conflicts": [
                    {"task": c.task, "depends_on": c.depends_on, "kind": c.kind, "message": c.message}
                    for c in analysis.conflicts
                ],
                "config": {
                    "file": str(config_file) if config_file else None,
                    "errors": [p.to_json() for p in config_errors],
                    "warnings": [p.to_json() for p in config_warnings],
                },
            }
        )
        return EXIT_PROBLEMS if failed else EXIT_OK
    _print_problems(pf)
    for problem in config_errors:
        print(f"error: {problem}")
    for problem in config_warnings:
        print(f"warning: {problem}")
    summary = (
        f"{ns.plan}: {counted(len(plan.tasks), 'task')}, {counted(len(plan.errors), 'error')}, "
        f"{counted(len(plan.warnings), 'warning')}, {counted(len(analysis.conflicts), 'conflict')}"
    )
    if config_file is not None:
        summary += (
            f"; {config_file.name}: {counted(len(config_errors), 'error')}, {counted(len(config_warnings), 'warning')}"
        )
    print(summary)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _check_config(pf: PlanFile) -> tuple[Path | None, list[ConfigProblem], list[ConfigProblem]]:
    """The configuration of the repository holding the plan: (its file, errors, warnings)."""
    if pf.path is None:
        return None, [], []
    try:
        root = open_repo(pf.path.resolve().parent).root
    except RepoError:
        return None, [], []
    try:
        config = load_config(root)
    except ConfigError as exc:
        return (exc.problems[0].file if exc.problems else None), exc.problems, []
    if config.source is None:
        return None, [], []
    same = config.plan is None or config.plan.resolve() == pf.path.resolve()
    return config.source, [], config_warnings(root, config, pf.plan if same else None)


def parse_when(pf: PlanFile, text: str) -> datetime:
    """A user's start time: the plan's dateFormat, ``H:MM`` for date-less plans, or ISO 8601."""
    plan = pf.plan
    fmt = DateFormat(plan.date_format)
    reference = plan.reference_day or datetime(1970, 1, 1)
    value = fmt.parse(text, reference.date()) if plan.date_format else None
    if value is not None:
        return value
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if clock and not fmt.has_date:
        hours, minutes, seconds = int(clock[1]), int(clock[2]), int(clock[3] or 0)
        if hours > 23 or minutes > 59 or seconds > 59:
            raise CliError(f"--start {text!r} is not a time of day (00:00 to 23:59)")
        return reference + timedelta(hours=hours, minutes=minutes, seconds=seconds)
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        expected = "HH:MM" if plan.date_format and not fmt.has_date else f"a date in {plan.date_format or 'YYYY-MM-DD'}"
        raise CliError(f"--start {text!r} is not {expected}") from None


def parse_length(text: str, start: datetime) -> timedelta:
    """A user's duration (``6h``, ``90m``, ``1.5d``) as a timedelta from ``start``."""
    duration = parse_duration(text)
    if duration is None:
        raise CliError(f"--duration {text!r} is not a duration like 6h, 90m or 2d")
    try:
        return duration.add_to(start) - start
    except (OverflowError, ValueError):
        raise CliError(f"--duration {text!r} is too long for a calendar") from None


def span(pf: PlanFile, start: datetime | None, end: datetime | None) -> str:
    """``2026-03-09 00:00 – 2026-03-09 08:00``: both ends alike (a time on one gives both a time)."""
    first, last = format_time(pf.plan, start), format_time(pf.plan, end)
    if DateFormat(pf.plan.date_format).has_date and start is not None and end is not None:
        midnight = datetime.min.time()
        if start.time() != midnight or end.time() != midnight:
            first, last = f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}"
    return f"{first} – {last}"


def cmd_reschedule(ns: argparse.Namespace) -> int:
    if ns.start is None and ns.duration is None:
        raise CliError("reschedule needs --start and/or --duration")
    pf = _load(ns.plan)
    task = pf.plan.find_task(ns.task_id)
    if task is None:
        raise CliError(f"{ns.plan}: unknown task id {ns.task_id!r}", EXIT_PROBLEMS)
    if task.start is None or task.end is None:
        raise CliError(f"{ns.plan}:{task.line}: task {task.name!r} is not scheduled and cannot be moved", EXIT_PROBLEMS)
    start = parse_when(pf, ns.start) if ns.start else None
    origin = start or task.start
    if ns.duration and origin is None:
        raise CliError(f"{ns.plan}: task {ns.task_id!r} has no start; give --start with --duration", EXIT_PROBLEMS)
    duration = parse_length(ns.duration, origin) if ns.duration and origin is not None else None
    try:
        result = pf.reschedule(ns.task_id, start=start, duration=duration, cascade=ns.cascade)
        if not ns.dry_run:
            pf.save()
    except PlanChangedOnDisk as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    except PlanError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    if ns.json:
        print_json(
            {
                "written": not ns.dry_run,
                "moved": [
                    {
                        "task": m.key,
                        "name": m.name,
                        "old_start": iso(m.old_start),
                        "old_end": iso(m.old_end),
                        "new_start": iso(m.new_start),
                        "new_end": iso(m.new_end),
                    }
                    for m in result.moves
                ],
                "lines": [e.index + 1 for e in result.edits],
                "notes": result.notes,
                "conflicts": [c.message for c in pf.analysis.conflicts],
            }
        )
        return EXIT_OK
    for move in result.moves:
        print(
            f"{move.key}: {span(pf, move.old_start, move.old_end)} → {span(pf, move.new_start, move.new_end)}  "
            f"{move.name}"
        )
    if not result.moves:
        print("nothing moved")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    for conflict in pf.analysis.conflicts:
        print(f"conflict remains: {conflict.message}", file=sys.stderr)
    print(
        f"{'would change' if ns.dry_run else 'changed'} line(s) {', '.join(str(e.index + 1) for e in result.edits) or '-'} of {ns.plan}"
    )
    return EXIT_OK
