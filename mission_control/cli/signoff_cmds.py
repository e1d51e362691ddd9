"""Sign-off commands: ``signoff``, ``checklist``, ``runbook list|run``, ``mission start|show``, ``tasks``.

Exit codes: 0 done, 1 refused (an item text matching no item or several, a revoke without a
reason, a failed runbook command), 2 bad usage or an unreadable project.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mission_control.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, add_json_flag, print_json

if TYPE_CHECKING:
    from mission_control.services.project import Project
    from mission_control.signoff import ChecklistState, Evidence, LedgerEntry, LedgerRead


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the sign-off, checklist, runbook, mission and tasks subcommands."""
    sign = subparsers.add_parser("signoff", help="sign a checklist item off (or --revoke it) in plan and ledger")
    _add_project(sign)
    sign.add_argument("item", nargs="?", metavar="ITEM TEXT", help="the item's text (unambiguous part of it)")
    sign.add_argument("--note", default="", help="a note kept in the ledger")
    sign.add_argument("--revoke", metavar="ITEM TEXT", help="revoke the sign-off of this item (needs --reason)")
    sign.add_argument("--reason", default="", help="why the sign-off is revoked")
    sign.add_argument("--heading", help="only items under a heading containing this text")
    sign.add_argument(
        "--force", action="store_true", help="sign off even when the evidence says otherwise (a red test run, …)"
    )
    add_json_flag(sign)
    sign.set_defaults(handler=cmd_signoff)

    check = subparsers.add_parser("checklist", help="the plan's checklist with sign-offs and discrepancies")
    _add_project(check)
    add_json_flag(check)
    check.set_defaults(handler=cmd_checklist)

    runbook = subparsers.add_parser("runbook", help="the plan's shell commands: list, run")
    rsub = runbook.add_subparsers(dest="runbook_command", metavar="ACTION", required=True)
    rlist = rsub.add_parser("list", help="list the plan's shell blocks")
    _add_project(rlist)
    add_json_flag(rlist)
    rlist.set_defaults(handler=cmd_runbook_list)
    rrun = rsub.add_parser("run", help="run block N (from `runbook list`) in the repository")
    _add_project(rrun)
    rrun.add_argument("number", type=int, help="the block's number in `runbook list`")
    rrun.add_argument("--yes", action="store_true", help="run without asking (the command is still printed)")
    add_json_flag(rrun)
    rrun.set_defaults(handler=cmd_runbook_run)

    mission = subparsers.add_parser("mission", help="the mission clock: start (Hour 0 + baseline) or show")
    msub = mission.add_subparsers(dest="mission_command", metavar="ACTION", required=True)
    mstart = msub.add_parser("start", help="set Hour 0 to now and the baseline to HEAD")
    _mission_start_args(mstart)
    # `start-mission` is the same verb under its old name: it works, but only `mission start` is listed
    _mission_start_args(subparsers.add_parser("start-mission", description=mstart.description))
    mshow = msub.add_parser("show", help="when the mission started")
    _add_project(mshow, plan=False)
    add_json_flag(mshow)
    mshow.set_defaults(handler=cmd_mission_show)

    tasks = subparsers.add_parser("tasks", help="each task's state from evidence: planned/active/done/late/blocked")
    _add_project(tasks)
    add_json_flag(tasks)
    tasks.set_defaults(handler=cmd_tasks)


def _mission_start_args(parser: argparse.ArgumentParser) -> None:
    _add_project(parser, plan=False)
    parser.add_argument("--rev", default="HEAD", help="the commit to record as the baseline (default: HEAD)")
    parser.add_argument("--force", action="store_true", help="restart a mission that already started")
    add_json_flag(parser)
    parser.set_defaults(handler=cmd_mission_start)


def _add_project(parser: argparse.ArgumentParser, plan: bool = True) -> None:
    parser.add_argument("--repo", default=".", metavar="R", help="the repository (default: the current folder)")
    if plan:
        parser.add_argument("--plan", metavar="P", help="the plan file (default: configured or discovered)")


def _project(ns: argparse.Namespace) -> Project:
    from mission_control.services.project import Project, ProjectError

    try:
        project = Project.open(ns.repo, getattr(ns, "plan", None))
    except ProjectError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if project.repo is None:
        raise CliError(f"{ns.repo}: not inside a git repository (the ledger lives in the repository)", EXIT_USAGE)
    return project


def _repo(project: Project) -> Path:
    """The project's repository (``_project`` refused a project without one)."""
    assert project.repo is not None
    return project.repo


def _state(project: Project) -> tuple[ChecklistState, LedgerRead]:
    from mission_control.signoff import checklist_state, read_ledger

    ledger = read_ledger(_repo(project))
    return checklist_state(project.plan.checklist, ledger.entries, ledger.problems), ledger


# -- signoff / checklist -------------------------------------------------------------------------


def cmd_signoff(ns: argparse.Namespace) -> int:
    """Sign ``ITEM`` off (tick + ledger + save), or revoke it with a reason."""
    from mission_control.plan import PlanError
    from mission_control.services import signoff as flow
    from mission_control.signoff import LedgerError, SignoffError

    query = ns.revoke if ns.revoke is not None else ns.item
    if not query:
        raise CliError('name the item: mission-control signoff "ITEM TEXT" (or --revoke "ITEM TEXT" --reason R)')
    project = _project(ns)
    item = _one_item(project, query, ns.heading)
    evidence = None if ns.revoke is not None else _check_evidence(project, item, ns.force)
    try:
        entry = flow.sign_off(project, item, revoke=ns.revoke is not None, note=ns.note, reason=ns.reason)
    except (SignoffError, LedgerError, PlanError) as exc:
        raise CliError(f"refused: {exc}", EXIT_PROBLEMS) from None
    if ns.json:
        print_json(
            {
                "entry": entry.to_json(),
                "plan": str(project.plan_file.path),
                "line": item.line,
                "evidence": evidence.to_json() if evidence is not None else None,
            }
        )
    else:
        verb = "revoked" if entry.kind == "revoke" else "signed off"
        print(
            f"{verb}: {item.text} ({' › '.join(item.heading)}) — {entry.who} <{entry.email}>, "
            f"{entry.at:%Y-%m-%d %H:%M} UTC, {project.plan_file.path}:{item.line}"
        )
    return EXIT_OK


def _check_evidence(project: Project, item: Any, force: bool) -> Evidence | None:
    """Show the item's evidence as the Checklist dock does; evidence against it is refused (as the
    dock's "Sign it off anyway?" defaults to No) unless ``force`` or the lead answers yes."""
    from mission_control.signoff import evidence_for, gather_facts, read_ledger

    evidence = evidence_for(item.text, gather_facts(_repo(project), read_ledger(_repo(project)).entries))
    if evidence is None:
        return None
    print(f"evidence: {evidence.text}", file=sys.stderr)
    if evidence.ok is None and "latest run was" in evidence.text:
        print(f"mission-control: warning: {item.text!r}: {evidence.text}", file=sys.stderr)
    if evidence.ok is False and not force:
        if not _confirm(f"The evidence says otherwise: {evidence.text}. Sign it off anyway? [y/N] "):
            raise CliError(
                f"refused: {item.text!r}: the evidence says otherwise: {evidence.text} (sign it off anyway with --force)",
                EXIT_PROBLEMS,
            )
    elif evidence.ok is False:
        print(f"mission-control: warning: signed off against the evidence: {evidence.text}", file=sys.stderr)
    return evidence


def _one_item(project: Project, query: str, heading: str | None) -> Any:
    from mission_control.signoff import find_items

    found = find_items(project.plan.checklist, query, heading)
    if not found:
        raise CliError(f"{project.plan_file.path}: no checklist item matches {query!r}", EXIT_PROBLEMS)
    if len(found) > 1:
        listed = "\n".join(f"  {project.plan_file.path}:{i.line}: {i.text}  ({' › '.join(i.heading)})" for i in found)
        raise CliError(
            f"{query!r} matches {len(found)} items; be more precise (or --heading):\n{listed}", EXIT_PROBLEMS
        )
    return found[0]


def cmd_checklist(ns: argparse.Namespace) -> int:
    """Print every item with who signed it, and the discrepancies (exit 1 if any)."""
    from mission_control.signoff import evidence_for, gather_facts

    project = _project(ns)
    state, ledger = _state(project)
    facts = gather_facts(_repo(project), ledger.entries)
    evidence = {(s.text, s.item.line): evidence_for(s.text, facts) for s in state.items}
    if ns.json:
        data = state.to_json()
        for item, s in zip(data["items"], state.items, strict=True):
            found = evidence[(s.text, s.item.line)]
            item["evidence"] = found.to_json() if found is not None else None
        print_json(data)
    else:
        _print_checklist(state, evidence)
    for problem in state.problems:
        print(f"mission-control: {problem}", file=sys.stderr)
    return EXIT_PROBLEMS if state.discrepancies else EXIT_OK


def _print_checklist(state: ChecklistState, evidence: dict[tuple[str, int], Evidence | None]) -> None:
    heading = None
    for s in state.items:
        if s.heading != heading:
            heading = s.heading
            print(f"\n{' › '.join(heading)}")
        who = f"  — {s.signed_by}, {s.signed_at:%Y-%m-%d %H:%M} UTC" if s.signed and s.signed_at else ""
        found = evidence.get((s.text, s.item.line))
        shown = f"  [{found.text}]" if found is not None else ""
        print(f"  [{'x' if s.done else ' '}] {s.text}{who}{shown}")
    if state.discrepancies:
        print("\nDiscrepancies:")
        for d in state.discrepancies:
            where = f"line {d.line}: " if d.line else ""
            print(f"  ! {where}{d.text}: {d.message}")


# -- runbook -------------------------------------------------------------------------------------


def cmd_runbook_list(ns: argparse.Namespace) -> int:
    """List the plan's shell blocks with their last recorded run."""
    from mission_control.signoff import read_ledger
    from mission_control.signoff.runbook import last_runs, runbook_blocks

    project = _project(ns)
    blocks = runbook_blocks(project.plan)
    runs = last_runs(read_ledger(_repo(project)).entries)
    if ns.json:
        print_json(
            {
                "blocks": [
                    {**b.to_json(), "number": n, "last_run": _run_json(runs.get((b.heading, b.text)))}
                    for n, b in enumerate(blocks, 1)
                ]
            }
        )
        return EXIT_OK
    for number, block in enumerate(blocks, 1):
        last = runs.get((block.heading, block.text))
        when = f", {last.at:%Y-%m-%d %H:%M}" if last is not None and last.at is not None else ""
        status = f"  [last run: exit {last.extra.get('exit_status')}{when}]" if last else ""
        print(f"{number}. {' › '.join(block.heading)} (line {block.line}){status}\n   {block.summary}")
    return EXIT_OK


def _run_json(entry: LedgerEntry | None) -> dict[str, Any] | None:
    return (
        None
        if entry is None
        else {
            "exit_status": entry.extra.get("exit_status"),
            "at": entry.at.isoformat() if entry.at else None,
            "who": entry.who,
            "stopped": entry.extra.get("stopped"),
        }
    )


def cmd_runbook_run(ns: argparse.Namespace) -> int:
    """Show block N in full, ask (unless --yes), run it with live output, record it."""
    from mission_control.signoff.runbook import record_run, run_block, runbook_blocks

    project = _project(ns)
    blocks = runbook_blocks(project.plan)
    if not 1 <= ns.number <= len(blocks):
        raise CliError(f"{project.plan_file.path}: no runbook block {ns.number} (there are {len(blocks)})")
    block = blocks[ns.number - 1]
    print(f"# {' › '.join(block.heading)} — {project.plan_file.path}:{block.line}\n{block.text}", file=sys.stderr)
    if not ns.yes and not _confirm(f"Run this in {project.repo}? [y/N] "):
        print("mission-control: not run", file=sys.stderr)
        return EXIT_PROBLEMS
    echo = (lambda line: print(line, file=sys.stderr)) if ns.json else print
    result = run_block(_repo(project), block, on_event=echo)
    record_run(_repo(project), block, result)
    if ns.json:
        print_json(
            {
                "exit_status": result.exit_status,
                "stopped": result.stopped,
                "duration": result.duration,
                "output_tail": list(result.output_tail),
                "error": result.error,
            }
        )
    else:
        print(f"mission-control: {result.summary()} (recorded in the ledger)", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def _confirm(prompt: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(prompt).strip().lower() in ("y", "yes")


# -- mission and tasks ---------------------------------------------------------------------------


def cmd_mission_start(ns: argparse.Namespace) -> int:
    """Start the mission clock (Hour 0 = now) and record the baseline."""
    from mission_control.config import ConfigError
    from mission_control.repo.baseline import BASELINE_REF, resolve_baseline
    from mission_control.signoff import MissionError, start_mission
    from mission_control.util.git import RepoError

    try:
        mission = start_mission(Path(ns.repo), force=ns.force, rev=ns.rev)
    except MissionError as exc:
        raise CliError(f"refused: {exc}", EXIT_PROBLEMS) from None
    try:
        effective = resolve_baseline(Path(ns.repo)).ref
    except (RepoError, ConfigError):
        effective = None
    if ns.json:
        print_json(
            {**mission.to_json(), "commit": mission.baseline, "ref": BASELINE_REF, "effective_baseline": effective}
        )
    else:
        print(f"mission started {mission.started_at:%Y-%m-%d %H:%M} UTC, baseline {(mission.baseline or '?')[:7]}")
    if effective is not None and effective != BASELINE_REF:
        print(f"note: the configuration's baseline {effective!r} takes precedence", file=sys.stderr)
    return EXIT_OK


def cmd_mission_show(ns: argparse.Namespace) -> int:
    """Print the mission's start (exit 1 when not started)."""
    from mission_control.signoff import MissionError, elapsed_label, read_mission, utc_now

    try:
        mission = read_mission(Path(ns.repo))
    except MissionError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if ns.json:
        print_json(None if mission is None else {**mission.to_json(), "elapsed": elapsed_label(mission, utc_now())})
    elif mission is None:
        print("the mission has not started (mission-control mission start)")
    else:
        print(
            f"started {mission.started_at:%Y-%m-%d %H:%M} UTC by {mission.started_by or '?'}; "
            f"{elapsed_label(mission, utc_now())}"
        )
    return EXIT_OK if mission else EXIT_PROBLEMS


def cmd_tasks(ns: argparse.Namespace) -> int:
    """Print each task's state from the clock, component changes, tests and checklist."""
    from mission_control.signoff import (
        MissionError,
        gather_task_evidence,
        read_mission,
        task_states,
        to_plan_time,
        utc_now,
    )

    project = _project(ns)
    try:
        mission = read_mission(_repo(project))
    except MissionError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    state, _ledger = _state(project)
    evidence = gather_task_evidence(_repo(project), project.config)
    now = to_plan_time(project.plan, mission, utc_now())
    states = task_states(project.plan, now, evidence, state)
    if ns.json:
        print_json(
            {
                "mission": mission.to_json() if mission else None,
                "tasks": [s.to_json() for s in states.values()],
                "notes": list(evidence.notes),
            }
        )
        return EXIT_OK
    for task in project.plan.tasks:
        s = states[task.key]
        print(f"{task.key:<12} {s.state:<8} {task.name}" + (f"  ({'; '.join(s.reasons)})" if s.reasons else ""))
    return EXIT_OK
