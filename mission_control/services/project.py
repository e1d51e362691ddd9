"""One open project: a repository, its configuration and its plan, with the actions the faces call.

The CLI and the Qt UI both drive a :class:`Project`; the UI observes it through its own signals.
It is Qt-free and holds the only copy of the loaded plan, so every view shows the same state.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from mission_control.config import ConfigError, ProjectConfig, is_config_path, load_config
from mission_control.plan import DiskMerge, EditResult, LineEdit, Plan, PlanError, PlanFile
from mission_control.plan.discover import find_plan
from mission_control.schedule import ScheduleAnalysis, analyse
from mission_control.services.status_cache import StatusCache
from mission_control.watch import ChangeSet


class ProjectError(Exception):
    """A project that cannot be opened; the message names the folder or file."""


@dataclass(frozen=True)
class Preview:
    """What a reschedule would do, computed on a scratch copy (for live drag feedback)."""

    plan: Plan
    analysis: ScheduleAnalysis
    result: EditResult | None
    error: str | None = None


class Project:
    """A repository (may be None for a lone plan file), its config and its loaded plan."""

    def __init__(self, repo: Path | None, plan_file: PlanFile, config: ProjectConfig) -> None:
        self.repo = repo
        self.plan_file = plan_file
        self.config = config
        self._status_cache: StatusCache | None = None

    def reload_config(self, change: ChangeSet) -> str | None:
        """Read the configuration again when ``change`` touched its file; a message if it is invalid.

        The docks that read :attr:`config` (Teams, Checklist) then see the edit; an invalid file
        keeps the configuration last read and says why (file and line).
        """
        if self.repo is None or not any(is_config_path(path) for path in change.paths):
            return None
        try:
            self.config = load_config(self.repo)
        except ConfigError as exc:
            return f"{exc} (the configuration last read stays in use)"
        return None

    @classmethod
    def open(cls, repo: str | Path | None = None, plan: str | Path | None = None) -> Project:
        """Open ``repo`` (and ``plan``, else the configured or discovered plan).

        Raises:
            ProjectError: the folder or plan is missing, or the config is invalid.
        """
        repo_path = Path(repo).resolve() if repo is not None else None
        if repo_path is not None and not repo_path.is_dir():
            raise ProjectError(f"{repo_path}: no such folder")
        config = ProjectConfig()
        if repo_path is not None:
            try:
                config = load_config(repo_path)
            except ConfigError as exc:
                raise ProjectError(str(exc)) from None
        plan_path = Path(plan).resolve() if plan is not None else config.plan
        if plan_path is None and repo_path is not None:
            plan_path = find_plan(repo_path)
        if plan_path is None:
            raise ProjectError(
                f"{repo_path}: no plan found (a Markdown file with a ```mermaid gantt block); pass --plan"
            )
        if repo_path is None:
            repo_path = _enclosing_repo(plan_path)
        try:
            plan_file = PlanFile.load(plan_path)
        except PlanError as exc:
            raise ProjectError(str(exc)) from None
        return cls(repo_path, plan_file, config)

    @property
    def status_cache(self) -> StatusCache | None:
        """The repository's component status, shared by the views of this project (None without a repository)."""
        if self._status_cache is None and self.repo is not None:
            self._status_cache = StatusCache(self.repo)
        return self._status_cache

    @property
    def plan(self) -> Plan:
        """The live plan model (re-parsed after every edit)."""
        return self.plan_file.plan

    @property
    def analysis(self) -> ScheduleAnalysis:
        return self.plan_file.analysis

    @property
    def name(self) -> str:
        """What the window title shows: the plan's title, else its file name."""
        return self.plan.title or (self.plan_file.path.name if self.plan_file.path else "plan")

    @property
    def modified(self) -> bool:
        return self.plan_file.modified

    def reschedule(
        self, key: str, start: datetime | None = None, duration: timedelta | None = None, cascade: bool = False
    ) -> EditResult:
        """Move/resize a task in the plan (in memory until :meth:`save`)."""
        return self.plan_file.reschedule(key, start=start, duration=duration, cascade=cascade)

    def preview(
        self, key: str, start: datetime | None = None, duration: timedelta | None = None, cascade: bool = False
    ) -> Preview:
        """What :meth:`reschedule` would give, without touching the project."""
        scratch = copy.copy(self.plan_file)
        scratch.document = copy.copy(self.plan_file.document)
        scratch.document.lines = list(self.plan_file.document.lines)
        try:
            result = scratch.reschedule(key, start=start, duration=duration, cascade=cascade)
        except PlanError as exc:
            return Preview(self.plan, self.analysis, None, str(exc))
        return Preview(scratch.plan, analyse(scratch.plan), result)

    def prepare_edits(self) -> None:
        """Get ready for a fast first drop (see :meth:`PlanFile.prepare_edits`): call when idle."""
        self.plan_file.prepare_edits()

    def apply(self, edits: list[LineEdit]) -> None:
        self.plan_file.apply(edits)

    def undo(self, edits: list[LineEdit]) -> None:
        self.plan_file.undo(edits)

    def save(self, force: bool = False) -> None:
        self.plan_file.save(force=force)

    def reload(self) -> None:
        self.plan_file.reload()

    def save_as(self, path: Path) -> None:
        """Write the plan to ``path`` and go on editing that file."""
        self.plan_file.save_as(path)

    def merge_with_disk(self) -> DiskMerge:
        """The plan changed on disk while edited: the three-way merge (see :class:`DiskMerge`)."""
        return self.plan_file.merge_with_disk()

    def save_merged(self, merge: DiskMerge) -> None:
        """Take a clean merge and write it (both sides' edits kept).

        Raises:
            PlanChangedOnDisk: the file changed again since the merge was made.
        """
        self.plan_file.take_merge(merge)
        self.plan_file.save()


def _enclosing_repo(path: Path) -> Path | None:
    for parent in [path.parent, *path.parent.parents]:
        if (parent / ".git").exists():
            return parent
    return None
