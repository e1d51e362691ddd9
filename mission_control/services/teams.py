"""The teams flows the faces call: overview, launch, run, remove (see :mod:`mission_control.teams`).

Each opens the project (repository, config, plan), works out the teams from the plan's sections and
the config, and calls the Qt-free core; the CLI and the Teams dock share these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mission_control.config import ConfigError, is_config_path
from mission_control.repo.components import Component, load_components
from mission_control.services.project import Project, ProjectError
from mission_control.signoff.mission import MissionError, read_mission, to_plan_time
from mission_control.teams import forecast as forecasting
from mission_control.teams import integrate as integrating
from mission_control.teams import launch as launching
from mission_control.teams import progress as progressing
from mission_control.teams import runner
from mission_control.teams.model import TeamError, TeamSpec, find_team, integration_branch, team_specs
from mission_control.teams.tracking import MissionTeams, read_teams
from mission_control.util.git import Git, RepoError, open_repo
from mission_control.util.progress import CancelToken, ProgressCallback
from mission_control.watch import ChangeSet


@dataclass(frozen=True)
class TeamsContext:
    """An opened project with its git gateway and teams."""

    project: Project
    git: Git
    specs: list[TeamSpec]


def open_teams(repo: str | Path = ".", plan: str | Path | None = None) -> TeamsContext:
    """The project at ``repo`` and its teams.

    Raises:
        TeamError: not a git repository, no plan, a bad config, or teams that cannot be named.
    """
    try:
        git = open_repo(repo)
        project = Project.open(git.root, plan)
        return TeamsContext(project, git, team_specs(project.plan, project.config, git.root))
    except (RepoError, ProjectError, ConfigError) as exc:
        raise TeamError(str(exc)) from None


def context_of(project: Project) -> TeamsContext:
    """The teams of a project already open (the app's: its plan as edited, not read again from disk).

    Raises:
        TeamError: the plan is not in a git repository, or its teams cannot be named.
    """
    if project.repo is None:
        raise TeamError("the plan is not in a git repository: teams need one")
    try:
        git = open_repo(project.repo)
    except RepoError as exc:
        raise TeamError(str(exc)) from None
    return TeamsContext(project, git, team_specs(project.plan, project.config, git.root))


def change_stamp(context: TeamsContext) -> tuple[str, ...]:
    """A cheap signature of what the teams' git state looks like, for polling (one git call).

    The heads of the team and integration branches, and for each worktree the change times of its
    index and HEAD (a commit, a checkout, ``git add``) and of its top folder. When the signature
    is unchanged, :func:`overview` would read the same commits (edits not yet staged aside).
    """
    branches = [spec.branch for spec in context.specs] + [integration_branch(context.project.config)]
    refs = context.git.text("for-each-ref", "--format=%(refname) %(objectname)", *(f"refs/heads/{b}" for b in branches))
    stamp = [refs]
    for spec in context.specs:
        stamp.append(f"{spec.name}:{_worktree_stamp(spec.worktree)}")
    return tuple(stamp)


def _worktree_stamp(folder: Path) -> str:
    try:
        pointer = (folder / ".git").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "absent"
    gitdir = Path(pointer.removeprefix("gitdir:").strip())
    gitdir = gitdir if gitdir.is_absolute() else folder / gitdir
    parts = []
    for path in (gitdir / "index", gitdir / "HEAD", folder):
        try:
            info = path.stat()
            parts.append(f"{info.st_mtime_ns}/{info.st_size}")
        except OSError:
            parts.append("-")
    return ",".join(parts)


def affected_by(change: ChangeSet) -> bool:
    """Whether a change set of the lead's working tree can change what :func:`overview` reads.

    Only the repository vanishing or the configuration's file changing can: the teams are read
    from git (branches, refs, commits, and worktrees, which lie outside the lead's tree), from the
    open plan and from the project's configuration (read again by
    :meth:`~mission_control.services.project.Project.reload_config`). An edit of the plan reaches
    the views as a new plan, not as a change set; git's own changes never come as change sets
    (:func:`change_stamp` polling sees them).
    """
    return change.repo_deleted or any(is_config_path(path) for path in change.paths)


def overview(context: TeamsContext, now: datetime | None = None) -> MissionTeams:
    """Every team's status, read from git now (a team whose last integration failed shows why)."""
    ejections = {
        team: (str(entry.extra.get("team_head")), entry.reason)
        for team, entry in integrating.last_outcomes(context.git).items()
        if entry.extra.get("outcome") == integrating.EJECTED
    }
    return read_teams(
        context.git,
        context.project.plan,
        context.project.config,
        context.specs,
        components=_components(context),
        now=now,
        ejections=ejections,
    )


def launch(
    context: TeamsContext,
    names: list[str] | None = None,
    *,
    on_output: launching.OutputCallback | None = None,
    cancel: CancelToken | None = None,
) -> launching.LaunchResult:
    """Launch ``names`` (default: every team); see :func:`mission_control.teams.launch.launch`."""
    specs = [find_team(context.specs, n) for n in names] if names else context.specs
    return launching.launch(context.git, specs, context.project.config, on_output=on_output, cancel=cancel)


def run(
    context: TeamsContext,
    name: str,
    *,
    task: str | None = None,
    command: list[str] | None = None,
    force: bool = False,
    on_line: Callable[[str], object] | None = None,
    cancel: CancelToken | None = None,
) -> runner.TeamRun:
    """Run the team's command (or ``command``) for ``task`` (default: its current task) in its worktree.

    Raises:
        TeamError: unknown team or task, the task is another team's or blocked (unless ``force``),
            no command, or the team is not launched.
    """
    spec = find_team(context.specs, name)
    plan = context.project.plan
    mission = overview(context)
    if task is None:
        status = mission.team(name)
        task = status.current_task if status is not None else None
    elif plan.find_task(task) is None:
        raise TeamError(f"no task {task!r} in the plan")
    elif task not in spec.tasks:
        raise TeamError(f"{task} is not a task of team {name} ({spec.section}); its tasks are {', '.join(spec.tasks)}")
    if task is not None and not force:
        runner.check_not_blocked(plan, mission, context.specs, task)
    values = runner.placeholders(spec, plan, task)
    built = runner.build_command(spec, values, command)
    return runner.run_team(context.git.root, spec, built, values, on_line=on_line, cancel=cancel)


def remove(context: TeamsContext, name: str) -> str:
    """Remove the team's worktree when clean and integrated (TeamError listing what would be lost)."""
    return launching.remove_team(context.git, find_team(context.specs, name), context.project.config)


def worktree_of(repo: str | Path, name: str) -> Path:
    """A launched team's worktree folder (for ``test --team``), TeamError if it has none."""
    context = open_teams(repo)
    spec = find_team(context.specs, name)
    if not spec.worktree.is_dir():
        raise TeamError(f"team {name} is not launched: no worktree at {spec.worktree}")
    return spec.worktree


def conflicts(context: TeamsContext) -> forecasting.Forecast:
    """The conflict forecast for every pair of launched teams and against the integration branch."""
    return forecasting.forecast(context.git, overview(context), context.project.plan, _components(context))


def order(context: TeamsContext) -> forecasting.IntegrationOrder:
    """The proposed integration order, each position explained."""
    mission = overview(context)
    result = forecasting.forecast(context.git, mission, context.project.plan, _components(context))
    return forecasting.integration_order(context.project.plan, mission, result, context.project.analysis.critical_path)


def _components(context: TeamsContext) -> list[Component]:
    """The components (configured, else the open plan's rollback ones: no plan is looked for on disk)."""
    names = list(context.project.plan.components)
    try:
        return list(load_components(context.git.root, context.project.config, names).components.values())
    except (ConfigError, RepoError):
        return []


def integrate(
    context: TeamsContext,
    name: str,
    *,
    retries: int = 0,
    tests: integrating.TestRunner | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> integrating.IntegrationResult:
    """Merge the team into the integration branch in a throwaway worktree, test, move it if green.

    The tests are those of the components serving the team's tasks, or the whole suite when none
    are configured.
    """
    spec = find_team(context.specs, name)
    args = sorted({test for c in _components(context) if set(c.tasks) & set(spec.tasks) for test in c.tests})
    return integrating.integrate(
        context.git,
        spec,
        context.project.config,
        args,
        tests=tests,
        retries=retries,
        on_progress=on_progress,
        cancel=cancel,
    )


def undo_integration(context: TeamsContext) -> str:
    """Undo the latest integration (see :func:`mission_control.teams.integrate.undo_last`)."""
    return integrating.undo_last(context.git, context.project.config)


def progress(
    context: TeamsContext, mission: MissionTeams | None = None, now: datetime | None = None
) -> tuple[dict[str, progressing.TaskProgress], progressing.MissionEnd | None]:
    """Planned against actual per task, and the mission's projected end (``now``: real time, aware)."""
    mission = mission or overview(context)
    try:
        clock = read_mission(context.git.root)
    except MissionError:
        clock = None
    plan = context.project.plan
    per_task = progressing.task_progress(plan, mission, clock)
    at = to_plan_time(plan, clock, now or datetime.now(UTC))
    return per_task, progressing.mission_end(plan, context.project.analysis.critical_path, per_task, at)


def integrate_queue(
    context: TeamsContext,
    names: list[str],
    *,
    retries: int = 0,
    parallel: int | None = None,
    tests: integrating.TestRunner | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[integrating.IntegrationResult]:
    """Integrate ``names`` in that order, speculatively (see :func:`mission_control.teams.integrate.integrate_queue`)."""
    specs = [find_team(context.specs, n) for n in names]
    components = _components(context)
    args = {
        s.name: sorted({test for c in components if set(c.tasks) & set(s.tasks) for test in c.tests}) for s in specs
    }
    return integrating.integrate_queue(
        context.git,
        specs,
        context.project.config,
        args,
        tests=tests,
        retries=retries,
        parallel=parallel,
        on_progress=on_progress,
        cancel=cancel,
    )


def forecast_with_order(
    context: TeamsContext, mission: MissionTeams | None = None
) -> tuple[forecasting.Forecast, forecasting.IntegrationOrder]:
    """The conflict forecast and the proposed order in one go (``mission``: a status already read)."""
    mission = mission or overview(context)
    result = forecasting.forecast(context.git, mission, context.project.plan, _components(context))
    ordered = forecasting.integration_order(
        context.project.plan, mission, result, context.project.analysis.critical_path
    )
    return result, ordered


def side_diffs(context: TeamsContext, a: str, b: str, path: str) -> tuple[str, str]:
    """What each side of the pair ``a``/``b`` changed in ``path`` since their merge base.

    A side is a team's name or ``"integration"``; each text is ``git diff <merge-base> <head> -- <path>``
    (empty when that side did not touch the file).

    Raises:
        TeamError: a side has no branch yet.
    """
    heads = []
    for side in (a, b):
        branch = (
            integration_branch(context.project.config)
            if side == forecasting.INTEGRATION
            else find_team(context.specs, side).branch
        )
        head = context.git.resolve_commit(f"refs/heads/{branch}")
        if head is None:
            raise TeamError(f"{side} has no branch {branch} yet")
        heads.append(head)
    base = context.git.run("merge-base", heads[0], heads[1], ok_codes=(0, 1)).decode().strip()
    if not base:
        return "", ""
    texts = tuple(
        context.git.run("diff", "--no-color", "--no-ext-diff", base, head, "--", path).decode("utf-8", "replace")
        for head in heads
    )
    return texts[0], texts[1]
