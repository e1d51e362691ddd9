"""Who the teams are: one per gantt section, named, with a branch, a worktree and a command.

The short name is the word after "Team" in the section name, lowercased ("Team Alpha (Critical
Path)" -> ``alpha``), else a slug of the whole name; ``[teams.<name>]`` in the configuration
overrides the section it stands for, the branch, the worktree folder, the command, the setup
commands and the untracked files copied into a new worktree.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from mission_control.config import ProjectConfig, TeamConfig
from mission_control.plan import Plan

DEFAULT_INTEGRATION = "mission/integration"
BRANCH_PREFIX = "mission/"
_TEAM_WORD = re.compile(r"\bteam\s+([a-z0-9][a-z0-9_-]*)", re.IGNORECASE)


class TeamError(Exception):
    """A team operation that cannot be done; the message names the team and says why."""


@dataclass(frozen=True)
class TeamSpec:
    """A team as the plan and the config define it (nothing read from git yet).

    Attributes:
        name: the short name (``alpha``), used in branch names, folders and the CLI.
        section: the gantt section it stands for.
        branch: its branch (``mission/alpha``).
        worktree: the folder of its worktree (absolute).
        tasks: the keys of its tasks, in plan order.
        command: what ``teams run`` starts in the worktree (placeholders ``{team}`` ``{task}``...).
        setup: commands run once in a new worktree (create a venv, install the project).
        copy: untracked files of the lead's tree copied into a new worktree (``.env``).
    """

    name: str
    section: str
    branch: str
    worktree: Path
    tasks: tuple[str, ...]
    command: str | None = None
    setup: tuple[str, ...] = ()
    copy: tuple[str, ...] = ()


def team_name(section: str) -> str:
    """The short name of a section: ``Team Alpha (Critical Path)`` -> ``alpha``, else a slug."""
    match = _TEAM_WORD.search(section)
    if match:
        return match.group(1).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")
    return slug or "team"


def integration_branch(config: ProjectConfig) -> str:
    """The mission's integration branch (config ``integration``, default ``mission/integration``)."""
    return config.integration or DEFAULT_INTEGRATION


def teams_folder(repo: Path) -> Path:
    """Where team worktrees go by default: ``<repo>.teams/`` beside the repository."""
    repo = Path(os.path.abspath(repo))
    return repo.parent / f"{repo.name}.teams"


def team_specs(plan: Plan, config: ProjectConfig, repo: Path) -> list[TeamSpec]:
    """Every team of the plan, in section order, with the config's overrides applied.

    Raises:
        TeamError: two sections get the same name, a configured team names no section, or a
            worktree would lie inside the lead's working tree.
    """
    overrides = dict(config.teams)
    by_section = {o.section: o for o in overrides.values() if o.section}
    specs: list[TeamSpec] = []
    seen: dict[str, str] = {}
    for section in plan.sections:
        override = by_section.get(section) or overrides.get(team_name(section))
        name = override.name if override is not None else team_name(section)
        if name in seen:
            raise TeamError(f"sections {seen[name]!r} and {section!r} are both team {name!r}; name one in [teams.…]")
        seen[name] = section
        tasks = tuple(t.key for t in plan.tasks if t.section == section)
        specs.append(_spec(name, section, tasks, override, repo))
    unknown = sorted(set(overrides) - set(seen))
    if unknown:
        raise TeamError(
            f"[teams.{unknown[0]}] matches no gantt section (sections: {', '.join(plan.sections) or 'none'})"
        )
    return specs


def find_team(specs: list[TeamSpec], name: str) -> TeamSpec:
    """The team called ``name`` (TeamError listing the teams if there is none)."""
    for spec in specs:
        if spec.name == name:
            return spec
    raise TeamError(f"no team {name!r}; the plan's teams are {', '.join(s.name for s in specs) or 'none'}")


def _spec(name: str, section: str, tasks: tuple[str, ...], override: TeamConfig | None, repo: Path) -> TeamSpec:
    repo = Path(os.path.abspath(repo))
    folder = teams_folder(repo) / name
    if override is not None and override.worktree:
        folder = Path(os.path.abspath(repo / override.worktree))
    if folder == repo or repo in folder.parents:
        raise TeamError(
            f"team {name!r}: worktree {folder} is inside the lead's working tree {repo}; "
            "put it beside the repository (the default is ../<repo>.teams/<team>)"
        )
    return TeamSpec(
        name=name,
        section=section,
        branch=(override.branch if override is not None and override.branch else f"{BRANCH_PREFIX}{name}"),
        worktree=folder,
        tasks=tasks,
        command=override.command if override is not None else None,
        setup=override.setup if override is not None else (),
        copy=override.copy if override is not None else (),
    )


PLACEHOLDERS = ("team", "task", "task_name", "branch", "worktree")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
_SHELL_SAFE = re.compile(r"[^\w .,:/+=@%#-]")  # anything else could quote, expand or chain


def fill(template: str, values: dict[str, str], *, shell: bool) -> str:
    """``template`` with ``{team}``, ``{task}``, ``{task_name}``, ``{branch}``, ``{worktree}`` filled in.

    Other braces stay as they are (``awk '{print}'``). For a shell command the values keep only
    letters, digits, spaces and ``.,:/+=@%#-``: no quote, ``$``, backtick, parenthesis, glob or ``;``
    survives, so a task name can never run code of its own (scripts get the exact text from the
    ``MC_*`` environment variables).
    """

    def value(match: re.Match[str]) -> str:
        text = values.get(match.group(1), "")
        return _SHELL_SAFE.sub("", text.replace("\n", " ")) if shell else text

    return _PLACEHOLDER.sub(value, template)
