"""Launch the teams (the plan's "Phase 1") and remove a finished team's worktree.

Launch creates what is missing and nothing else: the integration branch at the baseline, each team's
branch from the integration branch, its worktree beside the repository (``git worktree add``), the
untracked files it should have (``copy``), and runs its ``setup`` commands there. Running it again
changes nothing and says so. An existing branch is adopted only if it descends from the baseline.

Nothing here ever deletes unmerged work, rewrites a team's branch, or touches the lead's own
working tree, index or HEAD: branches are created with ``git branch``, worktrees with
``git worktree add`` and removed with ``git worktree remove`` only when clean and integrated.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mission_control.config import ProjectConfig
from mission_control.repo.baseline import resolve_baseline
from mission_control.teams.model import TeamError, TeamSpec, fill, integration_branch
from mission_control.teams.tracking import list_worktrees
from mission_control.util.fsutil import UnsafePathError, atomic_write_bytes, write_target
from mission_control.util.git import Git, GitError
from mission_control.util.progress import CancelToken

#: ``on_output(team, line)``: a line of a setup command's output, as it comes.
OutputCallback = Callable[[str, str], None]


@dataclass(frozen=True)
class LaunchStep:
    """One thing launch did or found already done (``team`` None for the integration branch)."""

    team: str | None
    action: str
    detail: str
    changed: bool

    def __str__(self) -> str:
        who = self.team or "integration"
        return f"{who}: {self.action}: {self.detail}"


@dataclass(frozen=True)
class LaunchResult:
    """Every step, and the teams that could not be launched (with why)."""

    steps: tuple[LaunchStep, ...]
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(step.changed for step in self.steps)

    def to_json(self) -> dict[str, object]:
        return {
            "changed": self.changed,
            "steps": [
                {"team": s.team, "action": s.action, "detail": s.detail, "changed": s.changed} for s in self.steps
            ],
            "refused": dict(self.refused),
        }


def launch(
    git: Git,
    specs: list[TeamSpec],
    config: ProjectConfig,
    *,
    on_output: OutputCallback | None = None,
    cancel: CancelToken | None = None,
) -> LaunchResult:
    """Create what is missing for ``specs`` (the integration branch, branches, worktrees), copy, set up.

    Raises:
        TeamError: there is no baseline, or the integration branch exists but does not descend from it.
    """
    baseline = resolve_baseline(git, config)
    if baseline.commit is None:
        raise TeamError(f"{baseline.problem or 'no baseline'}: the teams start from the mission's baseline")
    steps: list[LaunchStep] = []
    integration = integration_branch(config)
    start = _ensure_integration(git, integration, baseline.commit, steps)
    refused: dict[str, str] = {}
    for spec in specs:
        if cancel is not None and cancel.cancelled:
            break
        try:
            _launch_team(git, spec, start, baseline.commit, steps, on_output)
        except TeamError as exc:
            refused[spec.name] = str(exc)
    return LaunchResult(tuple(steps), refused)


def remove_team(git: Git, spec: TeamSpec, config: ProjectConfig) -> str:
    """Remove ``spec``'s worktree (its branch stays) when it is clean and its work integrated.

    Returns:
        What was removed.

    Raises:
        TeamError: uncommitted changes, commits not on the integration branch (listed), a locked
            worktree, or no worktree at all.
    """
    worktree = next((w for w in list_worktrees(git) if w.branch == f"refs/heads/{spec.branch}"), None)
    if worktree is None:
        raise TeamError(f"team {spec.name}: {spec.branch} has no worktree; nothing to remove")
    if worktree.locked:
        raise TeamError(f"team {spec.name}: {worktree.path} is locked ({worktree.locked}); unlock it first")
    if worktree.path.is_dir():
        dirty = Git(worktree.path).text("status", "--porcelain", "--untracked-files=all")
        if dirty:
            shown = "; ".join(line[3:] for line in dirty.splitlines()[:8])
            raise TeamError(f"team {spec.name}: {worktree.path} has uncommitted changes that would be lost: {shown}")
    integration = integration_branch(config)
    if git.resolve_commit(f"refs/heads/{integration}") is None:
        raise TeamError(f"team {spec.name}: there is no integration branch {integration}; nothing is integrated yet")
    unmerged = [line[2:] for line in git.text("cherry", "-v", integration, spec.branch).splitlines() if line[:1] == "+"]
    if unmerged:
        shown = "; ".join(unmerged[:8]) + (f" and {len(unmerged) - 8} more" if len(unmerged) > 8 else "")
        raise TeamError(f"team {spec.name}: {len(unmerged)} commit(s) of {spec.branch} are not integrated: {shown}")
    if worktree.path.is_dir():
        git.run("worktree", "remove", str(worktree.path))
    else:
        git.run("worktree", "prune")
    return f"removed the worktree {worktree.path} of team {spec.name} (branch {spec.branch} kept)"


def _ensure_integration(git: Git, integration: str, baseline: str, steps: list[LaunchStep]) -> str:
    head = git.resolve_commit(f"refs/heads/{integration}")
    if head is None:
        git.run("branch", "--no-track", integration, baseline)
        steps.append(LaunchStep(None, "created branch", f"{integration} at the baseline {baseline[:7]}", True))
        return baseline
    if not git.is_ancestor(baseline, head):
        raise TeamError(
            f"the integration branch {integration} does not descend from the baseline {baseline[:7]}; "
            "rename it or set `integration` in mission-control.toml"
        )
    steps.append(LaunchStep(None, "unchanged", f"{integration} exists ({head[:7]})", False))
    return head


def _launch_team(
    git: Git, spec: TeamSpec, start: str, baseline: str, steps: list[LaunchStep], on_output: OutputCallback | None
) -> None:
    head = git.resolve_commit(f"refs/heads/{spec.branch}")
    if head is None:
        git.run("branch", "--no-track", spec.branch, start)
        steps.append(LaunchStep(spec.name, "created branch", f"{spec.branch} from the integration branch", True))
    elif not git.is_ancestor(baseline, head):
        raise TeamError(
            f"team {spec.name}: the existing branch {spec.branch} does not descend from the baseline {baseline[:7]}; "
            "it is not adopted (rename it, or name another branch in [teams.…])"
        )
    else:
        steps.append(LaunchStep(spec.name, "unchanged", f"{spec.branch} exists and descends from the baseline", False))
    if _ensure_worktree(git, spec, steps):
        _copy_files(git.root, spec, steps)
        _run_setup(spec, steps, on_output)


def _ensure_worktree(git: Git, spec: TeamSpec, steps: list[LaunchStep]) -> bool:
    """Add the team's worktree if it has none; True when a new one was made."""
    ref = f"refs/heads/{spec.branch}"
    mine = next((w for w in list_worktrees(git) if w.branch == ref), None)
    if mine is not None and mine.path.is_dir():
        steps.append(LaunchStep(spec.name, "unchanged", f"worktree {mine.path}", False))
        return False
    if mine is not None:  # registered, but its folder was deleted by hand
        if mine.locked:
            raise TeamError(
                f"team {spec.name}: the worktree {mine.path} is gone but locked ({mine.locked}); "
                f"`git worktree unlock {mine.path}` if it is not on a removable disk, then launch again"
            )
        git.run("worktree", "prune")
        steps.append(LaunchStep(spec.name, "pruned", f"the missing worktree {mine.path}", True))
    if spec.worktree.exists():
        raise TeamError(
            f"team {spec.name}: {spec.worktree} exists and is not a worktree of {spec.branch}; move it away"
        )
    spec.worktree.parent.mkdir(parents=True, exist_ok=True)
    try:
        git.run("worktree", "add", str(spec.worktree), spec.branch)
    except GitError as exc:
        raise TeamError(f"team {spec.name}: cannot add the worktree: {exc}") from None
    steps.append(LaunchStep(spec.name, "created worktree", str(spec.worktree), True))
    return True


def _copy_files(repo: Path, spec: TeamSpec, steps: list[LaunchStep]) -> None:
    """Copy the configured untracked files from the lead's tree into the new worktree."""
    for rel in spec.copy:
        source = repo / rel
        try:
            real = write_target(source, repo)  # a link leading outside the repository is not followed
        except (UnsafePathError, IsADirectoryError) as exc:
            steps.append(LaunchStep(spec.name, "not copied", f"{rel}: {exc}", False))
            continue
        if not real.is_file():
            steps.append(LaunchStep(spec.name, "not copied", f"{rel}: no such file in {repo}", False))
            continue
        target = spec.worktree / rel
        if target.exists():
            steps.append(LaunchStep(spec.name, "unchanged", f"{rel} is already in the worktree", False))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, real.read_bytes(), root=spec.worktree)
        shutil.copymode(real, target)
        steps.append(LaunchStep(spec.name, "copied", rel, True))


def _run_setup(spec: TeamSpec, steps: list[LaunchStep], on_output: OutputCallback | None) -> None:
    """Run each setup command in the worktree, its output line by line; stop at the first failure."""
    values = {"team": spec.name, "branch": spec.branch, "worktree": str(spec.worktree)}
    for template in spec.setup:
        command = fill(template, values, shell=True)
        code = run_streaming(command, spec.worktree, lambda line: on_output(spec.name, line) if on_output else None)
        if code != 0:
            steps.append(LaunchStep(spec.name, "setup failed", f"{command!r} exited {code}", True))
            raise TeamError(f"team {spec.name}: setup command {command!r} exited {code} in {spec.worktree}")
        steps.append(LaunchStep(spec.name, "ran setup", command, True))


def run_streaming(command: str | list[str], cwd: Path, on_line: Callable[[str], object]) -> int:
    """Run ``command`` (a shell string or an argument list) in its own process group; each output line
    goes to ``on_line``; return the exit code. Ctrl-C here ends the whole group."""
    proc = subprocess.Popen(
        command,
        shell=isinstance(command, str),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        text=True,
        errors="replace",
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            on_line(line.rstrip("\n"))
        return proc.wait()
    except BaseException:
        _kill_group(proc)
        raise


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
