"""Team commands: ``teams list|launch|run|remove`` — the plan's teams as branches and worktrees.

``teams list --json`` is a contract machines rely on::

    {"integration": {"branch", "head"},
     "teams": [{"team", "section", "branch", "worktree", "launched", "head", "base", "ahead", "behind",
                "uncommitted", "state", "tasks": [ids],
                "commits": [{"sha", "subject", "author", "at", "task", "why"}]}]}

Exit codes: 0 ok, 1 refused or problems (a team not launched, a blocked task, unmerged work), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys

from mission_control.cli import EXIT_OK, EXIT_PROBLEMS, CliError, add_json_flag, print_json
from mission_control.services import teams as flows
from mission_control.teams.forecast import ForecastError
from mission_control.teams.launch import OutputCallback
from mission_control.teams.model import TeamError
from mission_control.teams.tracking import MissionTeams, TeamStatus
from mission_control.util.progress import CancelToken


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``teams``."""
    teams = subparsers.add_parser("teams", help="the plan's teams as git branches and worktrees")
    actions = teams.add_subparsers(dest="teams_command", metavar="ACTION", required=True)

    show = actions.add_parser("list", help="each team: branch, worktree, commits mapped to tasks, state")
    _common(show)
    show.set_defaults(handler=cmd_list)

    launch = actions.add_parser("launch", help="create the integration branch, team branches and worktrees")
    launch.add_argument("--teams", metavar="A,B", help="only these teams (comma-separated)")
    _common(launch)
    launch.set_defaults(handler=cmd_launch)

    run = actions.add_parser("run", help="run the team's command (or CMD after --) in its worktree")
    run.add_argument("team", metavar="TEAM")
    run.add_argument("--task", metavar="ID", help="the task (default: the team's current task)")
    run.add_argument("--force", action="store_true", help="run a blocked task anyway")
    run.add_argument("cmd", nargs="*", metavar="CMD", help="after --: a command instead of the team's")
    _common(run, json=False)
    run.set_defaults(handler=cmd_run)

    conflicts = actions.add_parser("conflicts", help="forecast conflicts between teams before integration")
    _common(conflicts)
    conflicts.set_defaults(handler=cmd_conflicts)

    order = actions.add_parser("order", help="the proposed integration order, each position explained")
    _common(order)
    order.set_defaults(handler=cmd_order)

    integrate = actions.add_parser(
        "integrate", help="merge a team into the integration branch after its tests pass on the merged tree"
    )
    integrate.add_argument("team", metavar="TEAM", nargs="*", help="one team, or several: a speculative queue")
    integrate.add_argument("--all", action="store_true", help="every team, in the proposed order (teams order)")
    integrate.add_argument("--undo", action="store_true", help="undo the last integration instead")
    integrate.add_argument("--retries", type=int, default=0, metavar="N", help="rerun failing tests N times (flaky)")
    _common(integrate)
    integrate.set_defaults(handler=cmd_integrate)

    remove = actions.add_parser("remove", help="remove a team's worktree once it is clean and integrated")
    remove.add_argument("team", metavar="TEAM")
    _common(remove)
    remove.set_defaults(handler=cmd_remove)


def _common(parser: argparse.ArgumentParser, json: bool = True) -> None:
    parser.add_argument("--repo", default=".", metavar="R", help="the repository (default: the current folder)")
    parser.add_argument("--plan", metavar="P", help="the plan file (default: configured or discovered)")
    if json:
        add_json_flag(parser)


def _open(ns: argparse.Namespace) -> flows.TeamsContext:
    try:
        return flows.open_teams(ns.repo, ns.plan)
    except TeamError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None


def cmd_list(ns: argparse.Namespace) -> int:
    context = _open(ns)
    mission = flows.overview(context)
    per_task, end = flows.progress(context, mission)
    if ns.json:
        data = mission.to_json()
        data["progress"] = {key: item.to_json() for key, item in per_task.items()}
        data["mission_end"] = (
            None
            if end is None
            else {"planned": end.planned.isoformat(), "projected": end.projected.isoformat(), "summary": end.describe()}
        )
        print_json(data)
        return EXIT_OK
    _print_mission(mission)
    for key, item in per_task.items():
        if item.commits:
            print(f"{key}: {item.describe()}")
    if end is not None:
        print(end.describe())
    return EXIT_OK


def cmd_launch(ns: argparse.Namespace) -> int:
    context = _open(ns)
    names = [n.strip() for n in ns.teams.split(",") if n.strip()] if ns.teams else None
    cancel = CancelToken()
    try:
        result = flows.launch(context, names, on_output=_echo_output(ns.json), cancel=cancel)
    except TeamError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    if ns.json:
        print_json(result.to_json())
    else:
        for step in result.steps:
            print(step)
        for team, why in result.refused.items():
            print(f"{team}: refused: {why}", file=sys.stderr)
        if not result.changed and not result.refused:
            print("nothing to do: every team is launched")
    return EXIT_PROBLEMS if result.refused else EXIT_OK


def cmd_run(ns: argparse.Namespace) -> int:
    context = _open(ns)
    command = list(ns.cmd)
    try:
        run = flows.run(context, ns.team, task=ns.task, command=command or None, force=ns.force, on_line=print)
    except TeamError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    print(f"team {run.team}: exited {run.exit_code} (output kept in {run.log})", file=sys.stderr)
    return EXIT_OK if run.exit_code == 0 else EXIT_PROBLEMS


def cmd_conflicts(ns: argparse.Namespace) -> int:
    """Exit 1 when a pair conflicts (textually or semantically), as ``check`` does for a plan."""
    try:
        result = flows.conflicts(_open(ns))
    except ForecastError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    if ns.json:
        print_json(result.to_json())
    else:
        for pair in result.pairs:
            print(f"{pair.a} × {pair.b}: {pair.status}" + (f" ({', '.join(pair.files)})" if pair.files else ""))
            for kind_path, kind in pair.kinds.items():
                print(f"  {kind_path}: {kind}")
            for item in pair.semantic:
                print(f"  {item.message}")
        for overlap in result.planned:
            print(
                f"planned overlap: {overlap.a_task} and {overlap.b_task} share {', '.join(overlap.paths)} at the same "
                "time; consider serialising them"
            )
    bad = any(p.status in ("conflict", "semantic") for p in result.pairs)
    return EXIT_PROBLEMS if bad else EXIT_OK


def cmd_order(ns: argparse.Namespace) -> int:
    try:
        result = flows.order(_open(ns))
    except ForecastError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    if ns.json:
        print_json(result.to_json())
    else:
        for team in result.order:
            print(f"{team}: {result.reasons[team]}")
    return EXIT_OK


def cmd_integrate(ns: argparse.Namespace) -> int:
    """Exit 0 integrated (or undone), 1 refused or ejected (the reason printed), 2 bad usage."""
    context = _open(ns)
    try:
        if ns.undo:
            message = flows.undo_integration(context)
            if ns.json:
                print_json({"undone": True, "message": message})
            else:
                print(message)
            return EXIT_OK
        names = list(flows.order(context).order) if ns.all else list(ns.team)
        if not names:
            raise CliError("teams integrate needs TEAM (several for a queue), --all or --undo")
        if len(names) == 1:
            results = [flows.integrate(context, names[0], retries=ns.retries)]
        else:
            results = flows.integrate_queue(context, names, retries=ns.retries)
    except TeamError as exc:
        raise CliError(f"refused: {exc}", EXIT_PROBLEMS) from None
    if ns.json:
        print_json(results[0].to_json() if len(names) == 1 else {"results": [r.to_json() for r in results]})
    else:
        for result in results:
            print(f"{result.team}: {result.outcome}: {result.reason}")
            if result.output and result.outcome != "integrated":
                print(result.output[-2000:], file=sys.stderr)
    return EXIT_OK if results and all(r.outcome == "integrated" for r in results) else EXIT_PROBLEMS


def cmd_remove(ns: argparse.Namespace) -> int:
    context = _open(ns)
    try:
        message = flows.remove(context, ns.team)
    except TeamError as exc:
        raise CliError(f"refused: {exc}", EXIT_PROBLEMS) from None
    if ns.json:
        print_json({"team": ns.team, "removed": True, "message": message})
    else:
        print(message)
    return EXIT_OK


def _echo_output(quiet: bool) -> OutputCallback:
    def echo(team: str, line: str) -> None:
        print(f"[{team}] {line}", file=sys.stderr if quiet else sys.stdout, flush=True)

    return echo


def _print_mission(mission: MissionTeams) -> None:
    head = mission.integration_head[:7] if mission.integration_head else "not created"
    print(f"integration branch {mission.integration} ({head})")
    for team in mission.teams:
        _print_team(team)


def _print_team(team: TeamStatus) -> None:
    where = (
        "" if not team.launched else f" ahead {team.ahead}, behind {team.behind}, {len(team.uncommitted)} uncommitted"
    )
    print(f"{team.name:<10} {team.state:<12} {team.spec.branch}{where}")
    if team.current_task:
        print(
            f"  current task: {team.current_task}"
            + (f" ({team.blocked[team.current_task]})" if team.current_task in team.blocked else "")
        )
    for commit in team.commits:
        mapped = f"{commit.task} ({commit.why})" if commit.task else "unmapped"
        print(f"  {commit.sha[:7]} {mapped:<22} {commit.subject}")
    for problem in team.problems:
        print(f"  problem: {problem}")
