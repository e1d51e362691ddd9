"""Run a team's command (its agent, or any script) in its worktree, for a task of the plan.

The command is the team's ``command`` from the config, or the one given; ``{team}``, ``{task}``,
``{task_name}``, ``{branch}`` and ``{worktree}`` are filled in. In a shell command the values keep
only letters, digits, spaces and harmless punctuation, so a task name can never run code of its own;
the exact values are also in the environment (``MC_TEAM``, ``MC_TASK``, ``MC_TASK_NAME``,
``MC_BRANCH``, ``MC_WORKTREE``). The output streams live and is kept per team in the user's data
folder; a cancel ends the whole process group. A task whose finish-to-start predecessor in another
team is not yet integrated is blocked: the run is refused unless forced.
"""

from __future__ import annotations

import hashlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from mission_control.plan import Plan
from mission_control.teams.model import TeamError, TeamSpec, fill
from mission_control.teams.tracking import MissionTeams, blocked_by
from mission_control.util import appdirs
from mission_control.util.progress import CancelToken

GRACE_SECONDS = 3.0


@dataclass(frozen=True)
class TeamRun:
    """A finished run: the command, its exit code (negative: killed by that signal), the log file."""

    team: str
    task: str | None
    command: str | list[str]
    exit_code: int
    log: Path
    cancelled: bool = False


def placeholders(spec: TeamSpec, plan: Plan, task: str | None) -> dict[str, str]:
    """The values of ``{team}``, ``{task}``, ``{task_name}``, ``{branch}``, ``{worktree}``."""
    found = plan.find_task(task) if task else None
    return {
        "team": spec.name,
        "task": task or "",
        "task_name": found.name if found is not None else "",
        "branch": spec.branch,
        "worktree": str(spec.worktree),
    }


def build_command(spec: TeamSpec, values: dict[str, str], given: list[str] | None) -> str | list[str]:
    """The command to run: ``given`` (argument list, values as they are) or the team's shell command.

    Raises:
        TeamError: neither is set.
    """
    if given:
        return [fill(arg, values, shell=False) for arg in given]
    if not spec.command:
        raise TeamError(f'team {spec.name} has no command: set [teams.{spec.name}] command = "…" or give one after --')
    return fill(spec.command, values, shell=True)


def check_not_blocked(plan: Plan, mission: MissionTeams, specs: list[TeamSpec], task: str) -> None:
    """Refuse a task that waits on another team's unintegrated task (TeamError with the reason)."""
    team_of = {key: spec for spec in specs for key in spec.tasks}
    why = blocked_by(plan, task, mission.integrated_tasks(), team_of)
    if why:
        raise TeamError(f"{task}: {why}; run it anyway with --force")


def log_path(repo: Path, team: str) -> Path:
    """Where a team's run output is kept (per repository, in the user's data folder)."""
    digest = hashlib.sha256(str(Path(os.path.abspath(repo))).encode()).hexdigest()[:12]
    return appdirs.data_dir() / "teams" / f"{Path(repo).name}-{digest}" / f"{team}.log"


def run_team(
    repo: Path,
    spec: TeamSpec,
    command: str | list[str],
    values: dict[str, str],
    *,
    on_line: Callable[[str], object] | None = None,
    cancel: CancelToken | None = None,
) -> TeamRun:
    """Run ``command`` in the team's worktree, streaming its lines to ``on_line`` and the team's log.

    Raises:
        TeamError: the team's worktree does not exist (launch the team first).
    """
    if not spec.worktree.is_dir():
        raise TeamError(f"team {spec.name}: no worktree at {spec.worktree}; run `mission-control teams launch`")
    log = log_path(repo, spec.name)
    log.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, **{f"MC_{k.upper()}": v for k, v in values.items()})
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n=== {datetime.now(UTC).isoformat()} {values.get('task') or '-'}: {command}\n")
        proc = subprocess.Popen(
            command,
            shell=isinstance(command, str),
            cwd=spec.worktree,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            text=True,
            errors="replace",
            bufsize=1,
        )
        cancelled = _pump(proc, out, on_line, cancel)
    return TeamRun(spec.name, values.get("task") or None, command, proc.returncode, log, cancelled)


def _pump(
    proc: subprocess.Popen[str], out: TextIO, on_line: Callable[[str], object] | None, cancel: CancelToken | None
) -> bool:
    """Copy lines until the process ends; on a cancel (or an exception here) end its whole group."""
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    try:
        while True:
            if cancel is not None and cancel.cancelled:
                stop_group(proc)
                return True
            if not selector.select(timeout=0.1):
                if proc.poll() is not None:
                    break
                continue
            line = proc.stdout.readline()
            if not line:
                break
            out.write(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        proc.wait()
        return False
    except BaseException:
        stop_group(proc)
        raise
    finally:
        selector.close()


def stop_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the process group, then SIGKILL what is left after a grace period."""
    for sig, wait in ((signal.SIGTERM, GRACE_SECONDS), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            break
        if wait is None:
            break
        deadline = time.monotonic() + wait
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is not None:
            break
    proc.wait()
