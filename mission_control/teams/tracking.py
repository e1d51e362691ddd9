"""What each team has done, read from git: head, base, ahead/behind, uncommitted files, commits → tasks.

A commit is mapped to a task, and the reason kept:

1. ``trailer``: a ``Task: alpha2`` trailer naming a plan task;
2. ``subject``: a task id as a word in the subject (``alpha2: …``, ``[alpha2] …``), the team's own
   tasks first;
3. ``paths``: the one task of the team whose components' paths the commit touches;
4. none: listed as unmapped, never guessed from time alone.

A team's state is ``not launched``, ``working``, ``idle`` (no commit or file change for
``idle_minutes``), ``blocked`` (its current task waits on another team's task that is not
integrated), ``ready`` (every task has commits, the worktree is clean and its last recorded test
run, if any, is green), ``integrated``
(every commit of its branch is on the integration branch, by ancestry or as an equivalent patch) or
``ejected`` (its last integration failed and its branch has not moved since).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mission_control.config import ProjectConfig
from mission_control.history import HistoryError, history_path, open_history
from mission_control.plan import FINISH_TO_START, Plan
from mission_control.repo.baseline import resolve_baseline
from mission_control.repo.components import Component
from mission_control.teams.model import TeamSpec, integration_branch
from mission_control.util.git import Git, GitError, run_git

NOT_LAUNCHED = "not launched"
WORKING = "working"
IDLE = "idle"
BLOCKED = "blocked"
READY = "ready"
INTEGRATED = "integrated"
EJECTED = "ejected"
STATES = (NOT_LAUNCHED, WORKING, IDLE, BLOCKED, READY, INTEGRATED, EJECTED)
DEFAULT_IDLE_MINUTES = 30.0

_RECORD, _FIELD = "\x1e", "\x1f"
_LOG_FORMAT = (
    f"{_RECORD}%H{_FIELD}%s{_FIELD}%an{_FIELD}%aI{_FIELD}%(trailers:key=Task,valueonly,separator=%x2C){_FIELD}"
)


@dataclass(frozen=True)
class Commit:
    """A commit on a team's branch, not yet on the integration branch when it was read.

    ``task`` is the plan task it serves (None: unmapped) and ``why`` the rule that said so
    (``trailer``, ``subject``, ``paths``); ``integrated`` whether it is on the integration branch.
    """

    sha: str
    subject: str
    author: str
    at: datetime
    files: tuple[str, ...]
    task: str | None = None
    why: str | None = None
    integrated: bool = False
    trailers: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "sha": self.sha,
            "subject": self.subject,
            "author": self.author,
            "at": self.at.isoformat(),
            "task": self.task,
            "why": self.why,
            "integrated": self.integrated,
        }


@dataclass(frozen=True)
class WorktreeInfo:
    """One entry of ``git worktree list --porcelain``."""

    path: Path
    head: str | None
    branch: str | None
    locked: str | None = None
    prunable: str | None = None


@dataclass(frozen=True)
class TeamStatus:
    """A team as git shows it now."""

    spec: TeamSpec
    branch_head: str | None
    worktree: WorktreeInfo | None
    base: str | None = None
    ahead: int = 0
    behind: int = 0
    uncommitted: tuple[str, ...] = ()
    commits: tuple[Commit, ...] = ()
    last_activity: datetime | None = None
    current_task: str | None = None
    blocked: dict[str, str] = field(default_factory=dict)
    state: str = NOT_LAUNCHED
    problems: tuple[str, ...] = ()
    ejected: str | None = None
    tests: str | None = None  # "green" or "red": the last test run recorded in its worktree

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def launched(self) -> bool:
        """The branch exists and its worktree is registered and present."""
        return self.branch_head is not None and self.worktree is not None and self.worktree.path.is_dir()

    def task_commits(self, task: str) -> list[Commit]:
        return [c for c in self.commits if c.task == task]

    def to_json(self) -> dict[str, object]:
        return {
            "team": self.spec.name,
            "section": self.spec.section,
            "branch": self.spec.branch,
            "worktree": str(self.spec.worktree),
            "launched": self.launched,
            "head": self.branch_head,
            "base": self.base,
            "ahead": self.ahead,
            "behind": self.behind,
            "uncommitted": list(self.uncommitted),
            "state": self.state,
            "current_task": self.current_task,
            "blocked": dict(self.blocked),
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "tasks": list(self.spec.tasks),
            "commits": [c.to_json() for c in self.commits],
            "problems": list(self.problems),
            "ejected": self.ejected,
            "tests": self.tests,
        }


@dataclass(frozen=True)
class MissionTeams:
    """The integration branch and every team's status."""

    integration: str
    integration_head: str | None
    teams: tuple[TeamStatus, ...]

    def team(self, name: str) -> TeamStatus | None:
        return next((t for t in self.teams if t.spec.name == name), None)

    def integrated_tasks(self) -> set[str]:
        """Tasks with commits, all of them on the integration branch."""
        done: set[str] = set()
        for team in self.teams:
            for task in team.spec.tasks:
                commits = team.task_commits(task)
                if commits and all(c.integrated for c in commits):
                    done.add(task)
        return done

    def to_json(self) -> dict[str, object]:
        return {
            "integration": {"branch": self.integration, "head": self.integration_head},
            "teams": [t.to_json() for t in self.teams],
        }


def list_worktrees(git: Git) -> list[WorktreeInfo]:
    """The repository's worktrees (``git worktree list --porcelain``), the main one first."""
    out = git.run("worktree", "list", "--porcelain").decode("utf-8", "surrogateescape")
    found: list[WorktreeInfo] = []
    current: dict[str, str] = {}
    for line in [*out.splitlines(), ""]:
        if not line:
            if "worktree" in current:
                found.append(
                    WorktreeInfo(
                        Path(current["worktree"]),
                        current.get("HEAD"),
                        current.get("branch"),
                        current.get("locked"),
                        current.get("prunable"),
                    )
                )
            current = {}
            continue
        key, _, value = line.partition(" ")
        current[key] = value if value or key not in ("locked", "prunable") else "(no reason given)"
    return found


def read_teams(
    git: Git,
    plan: Plan,
    config: ProjectConfig,
    specs: list[TeamSpec],
    *,
    components: Iterable[Component] = (),
    now: datetime | None = None,
    ejections: dict[str, tuple[str, str]] | None = None,
) -> MissionTeams:
    """Every team's status from git: branches, worktrees, commits (mapped to tasks), state.

    ``ejections`` (team -> (its head when ejected, why)) marks a team ejected by its last integration
    attempt, while its branch has not moved since.
    """
    now = now or datetime.now(UTC)
    integration = integration_branch(config)
    integration_head = git.resolve_commit(f"refs/heads/{integration}")
    worktrees = {_branch_name(w.branch): w for w in list_worktrees(git) if w.branch}
    mapper = _TaskMapper(plan, list(components))
    baseline = resolve_baseline(git, config).commit
    first = [_read_team(git, spec, integration_head, baseline, worktrees.get(spec.branch), mapper) for spec in specs]
    mission = MissionTeams(integration, integration_head, tuple(first))
    done = mission.integrated_tasks()
    idle = timedelta(minutes=config.idle_minutes or DEFAULT_IDLE_MINUTES)
    section_of = {t.key: t.section for t in plan.tasks}
    team_of = {key: spec for spec in specs for key in spec.tasks}
    final = tuple(_with_state(t, plan, done, team_of, section_of, now, idle, ejections or {}) for t in first)
    return MissionTeams(integration, integration_head, final)


def blocked_by(plan: Plan, task: str, done: set[str], team_of: dict[str, TeamSpec]) -> str | None:
    """Why ``task`` cannot start: a finish-to-start predecessor of another team not yet integrated."""
    mine = team_of.get(task)
    for dep in plan.dependencies:
        if dep.to_key != task or dep.kind != FINISH_TO_START or dep.from_key in done:
            continue
        other = team_of.get(dep.from_key)
        if other is not None and (mine is None or other.name != mine.name):
            return f"blocked by {dep.from_key} ({other.section}, not integrated)"
    return None


def _branch_name(ref: str | None) -> str | None:
    return ref[len("refs/heads/") :] if ref and ref.startswith("refs/heads/") else ref


def _read_team(
    git: Git,
    spec: TeamSpec,
    integration_head: str | None,
    baseline: str | None,
    worktree: WorktreeInfo | None,
    mapper: _TaskMapper,
) -> TeamStatus:
    """The team's branch and worktree; its commits are its own line since the baseline, each marked
    integrated when the integration branch has it (the same commit or an equivalent patch)."""
    head = git.resolve_commit(f"refs/heads/{spec.branch}")
    problems = _worktree_problems(spec, worktree, head)
    if head is None:
        return TeamStatus(spec, None, worktree, problems=problems)
    base = ahead = behind = None
    commits: list[Commit] = []
    if baseline is not None and not git.is_ancestor(baseline, head):
        problems += (
            f"{spec.branch} no longer contains the baseline {baseline[:7]} (force-moved or rebased by someone?); "
            "its commits are not read. Nothing was changed: inspect it with `git log` or its reflog",
        )
        return TeamStatus(spec, head, worktree, problems=problems)
    if integration_head is not None:
        base = git.text("merge-base", integration_head, head) or None
        counts = git.text("rev-list", "--left-right", "--count", f"{integration_head}...{head}").split()
        behind, ahead = int(counts[0]), int(counts[1])
        since = baseline or base
        on_integration = set(git.text("rev-list", f"{since}..{integration_head}").split()) if since else set()
        on_integration |= _equivalent_commits(git, integration_head, head)
        revisions = f"{since}..{head}" if since else head
        commits = [
            replace(mapper.mapped(c, spec), integrated=c.sha in on_integration)
            for c in _log(git, revisions, first_parent=True)
        ]
    present = worktree is not None and worktree.path.is_dir()
    uncommitted = _uncommitted(worktree.path) if present and worktree is not None else ()
    times = [c.at for c in commits]
    if present and worktree is not None:
        times += _mtimes(worktree.path, uncommitted)
    last = max(times, default=None)
    return TeamStatus(
        spec,
        head,
        worktree,
        base=base,
        ahead=ahead or 0,
        behind=behind or 0,
        uncommitted=uncommitted,
        commits=tuple(commits),
        last_activity=last,
        problems=problems,
    )


def _equivalent_commits(git: Git, upstream: str, head: str) -> set[str]:
    """Commits of ``head`` whose patch is already on ``upstream`` (``git cherry``'s ``-`` lines)."""
    out = git.text("cherry", upstream, head)
    return {line[2:].strip() for line in out.splitlines() if line.startswith("- ")}


def _log(git: Git, revisions: str, *, first_parent: bool = False) -> list[Commit]:
    """The commits of ``revisions``, oldest first (``first_parent``: the branch's own line, not what it merged)."""
    extra = ["--first-parent", "--no-merges"] if first_parent else []
    out = git.run("log", "--reverse", *extra, "--name-only", f"--format={_LOG_FORMAT}", revisions).decode(
        "utf-8", "surrogateescape"
    )
    commits = []
    for record in out.split(_RECORD)[1:]:
        sha, subject, author, at, trailers, rest = record.split(_FIELD, 5)
        files = tuple(line for line in rest.splitlines() if line)
        values = tuple(v.strip() for v in trailers.split(",") if v.strip())
        commits.append(Commit(sha, subject, author, datetime.fromisoformat(at), files, trailers=values))
    return commits


def _uncommitted(worktree: Path) -> tuple[str, ...]:
    """Paths with changes in the worktree (staged, unstaged or untracked-not-ignored)."""
    try:
        out = run_git(worktree, "status", "--porcelain", "-z", "--untracked-files=all", timeout=60)
    except GitError:
        return ()
    entries = [e for e in os.fsdecode(out).split("\0") if e]
    paths, skip = [], False
    for entry in entries:
        if skip:  # the source path of a rename or copy
            skip = False
            continue
        paths.append(entry[3:])
        skip = entry[0] in "RC"
    return tuple(sorted(paths))


def _mtimes(folder: Path, paths: Iterable[str]) -> list[datetime]:
    times = []
    for rel in paths:
        try:
            times.append(datetime.fromtimestamp((folder / rel).stat().st_mtime, UTC))
        except OSError:
            continue
    return times


def _worktree_problems(spec: TeamSpec, worktree: WorktreeInfo | None, head: str | None) -> tuple[str, ...]:
    problems = []
    if head is not None and worktree is None and spec.worktree.exists():
        problems.append(f"{spec.worktree}: exists but is not the worktree of {spec.branch}")
    if worktree is not None and not worktree.path.is_dir():
        problems.append(
            f"{worktree.path}: the worktree of {spec.branch} is gone (deleted by hand?); its commits are safe on the "
            "branch: `mission-control teams launch` makes it again"
        )
    if worktree is not None and worktree.locked:
        problems.append(f"{worktree.path}: locked ({worktree.locked})")
    return tuple(problems)


def _with_state(
    team: TeamStatus,
    plan: Plan,
    done: set[str],
    team_of: dict[str, TeamSpec],
    section_of: dict[str, str],
    now: datetime,
    idle: timedelta,
    ejections: dict[str, tuple[str, str]],
) -> TeamStatus:
    team = replace(team, tests=_last_tests(team))
    ejected_at = ejections.get(team.spec.name)
    ejected = ejected_at[1] if ejected_at is not None and ejected_at[0] == team.branch_head else None
    blocked = {t: why for t in team.spec.tasks if t not in done and (why := blocked_by(plan, t, done, team_of))}
    current = next((t for t in team.spec.tasks if not team.task_commits(t)), None)
    if current is None and team.commits:
        current = next((c.task for c in reversed(team.commits) if c.task), None)
    state = EJECTED if ejected and team.launched else _state(team, blocked, current, now, idle)
    return replace(team, current_task=current, blocked=blocked, state=state, ejected=ejected)


def _last_tests(team: TeamStatus) -> str | None:
    """``green``/``red`` from the last test run recorded for the team's worktree (``test --team``), if any."""
    if not team.launched or team.worktree is None:
        return None
    if not history_path(team.worktree.path).exists():
        return None
    try:
        with open_history(team.worktree.path) as history:
            runs = history.test_runs(limit=1)
    except HistoryError:
        return None
    return None if not runs else ("green" if runs[0].green else "red")


def _state(team: TeamStatus, blocked: dict[str, str], current: str | None, now: datetime, idle: timedelta) -> str:
    if not team.launched:
        return NOT_LAUNCHED
    if team.commits and all(c.integrated for c in team.commits) and not team.uncommitted:
        return INTEGRATED
    if current is not None and current in blocked and not team.task_commits(current):
        return BLOCKED
    done = team.spec.tasks and all(team.task_commits(t) for t in team.spec.tasks)
    if done and not team.uncommitted and team.tests != "red":
        return READY
    if team.last_activity is None or now - team.last_activity > idle:
        return IDLE
    return WORKING


class _TaskMapper:
    """Maps a commit to a task by trailer, subject word or component paths, keeping the reason."""

    def __init__(self, plan: Plan, components: list[Component]) -> None:
        self.keys = {t.key for t in plan.tasks}
        self.by_task: dict[str, list[Callable[[str], bool]]] = {}
        for component in components:
            if not component.paths:
                continue
            matcher = component.matcher()
            for task in component.tasks:
                self.by_task.setdefault(task, []).append(matcher)

    def mapped(self, commit: Commit, spec: TeamSpec) -> Commit:
        task, why = self.task_for(commit, spec)
        return replace(commit, task=task, why=why)

    def task_for(self, commit: Commit, spec: TeamSpec) -> tuple[str | None, str | None]:
        for value in commit.trailers:
            if value in self.keys:
                return value, "trailer"
        words = re.findall(r"[A-Za-z0-9_.-]+", commit.subject)
        for candidates in (spec.tasks, sorted(self.keys)):
            found = next((w for w in words if w in candidates), None)
            if found is not None:
                return found, "subject"
        touched = [t for t in spec.tasks if any(m(f) for m in self.by_task.get(t, ()) for f in commit.files)]
        if len(touched) == 1:
            return touched[0], "paths"
        return None, None
