"""The repository's component status, shared by every view of a project and read only as far as needed.

The Components dock and the Checklist's task evidence both show what changed since the baseline. Each
used to read the whole status again on every change set the watcher delivered: the configuration, the
components (with no configured ones, a plan discovered by listing every file of the project), the
baseline, a diff of the working tree and, for configured components, every file of the project again.
On a large tree that is ~100 ms of Python per dock per change set, competing for the interpreter with
the Dashboard's audit of the same change.

Most change sets cannot change the status, and the rest rarely need all of it. :func:`status_scope`
decides per change set:

- ``"full"``: the inputs of the status changed (the configuration, a ``.gitignore``, a Markdown file
  (the plan the components may come from), the open plan, the set of files when configured components
  must own some), or nothing was read yet: everything is read again;
- ``"changes"``: only files' contents or the set of unconfigured files changed, and a baseline exists:
  only the working tree is compared with it again (:func:`~mission_control.repo.status.rescan_changes`);
- ``"none"``: there is no baseline to differ from, and nothing the status is made of changed.

:class:`StatusCache` keeps the last status, takes each change set's verdict once (both docks ask about
the same change set), and serves concurrent readers one read: the second waits and gets the same answer.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Final

from mission_control.config import ProjectConfig, is_config_path, load_config
from mission_control.repo.baseline import resolve_baseline
from mission_control.repo.components import Components, load_components
from mission_control.repo.status import RepoStatus, repo_status, rescan_changes
from mission_control.util.git import Git, open_repo
from mission_control.util.progress import CancelToken
from mission_control.watch import ChangeSet

FULL: Final = "full"
CHANGES: Final = "changes"
NONE: Final = "none"

#: Files anywhere in the tree that change which files git lists or how it compares them.
_GIT_RULES: Final = (".gitignore", ".gitattributes")
_MARKDOWN: Final = (".md", ".markdown")


def status_scope(
    change: ChangeSet, status: RepoStatus | None, components: Components | None, plan: str | None = None
) -> str:
    """How much of ``status`` a change set can alter: ``"full"``, ``"changes"`` or ``"none"`` (module docstring).

    ``components`` are the ones ``status`` was read with, ``plan`` the configured plan's repo-relative path.
    """
    if status is None or components is None or change.plan_changed or change.plan_deleted or change.repo_deleted:
        return FULL
    for path in change.paths:
        if (
            is_config_path(path)
            or path.rsplit("/", 1)[-1] in _GIT_RULES
            or path.lower().endswith(_MARKDOWN)
            or path == plan
        ):
            return FULL
    if components.source == "config" and (change.created or change.deleted or change.moved):
        return FULL  # which files each component owns, and the config's warnings, read the file list
    if status.baseline.commit is None or not change.paths:
        return NONE
    return CHANGES


class StatusCache:
    """The last :class:`RepoStatus` of ``repo`` and what must be read again (thread-safe).

    The GUI thread calls :meth:`note_change` and :meth:`invalidate` (quick: no I/O); workers call
    :meth:`read`, which reads only what the changes noted since the last read require.
    """

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._state = threading.Lock()  # guards the fields below; held briefly, also by the GUI thread
        self._reading = threading.Lock()  # one read at a time: a second reader waits and shares its answer
        self._status: RepoStatus | None = None
        self._components: Components | None = None
        self._config: ProjectConfig | None = None
        self._git: Git | None = None
        self._plan: str | None = None  # the configured plan, repo-relative (None: none, or outside)
        self._full = True  # the next read starts from scratch
        self._stale = True  # the next read must read something
        self._noted: tuple[ChangeSet, bool] | None = None
        #: How many reads of each kind ran (``"full"``, ``"changes"``): what the docks cost, for tests.
        self.reads = {FULL: 0, CHANGES: 0}

    @property
    def status(self) -> RepoStatus | None:
        """The last status read (None before the first read)."""
        return self._status

    def note_change(self, change: ChangeSet) -> bool:
        """Take a watcher change set into account; True if the status may differ (a :meth:`read` is due).

        Asking again about the same change set gives the same answer and records nothing more.
        """
        with self._state:
            if self._noted is not None and self._noted[0] is change:
                return self._noted[1]
            scope = status_scope(change, self._status, self._components, self._plan)
            if scope == FULL:
                self._full = True
            verdict = scope != NONE or self._stale
            self._stale = verdict
            self._noted = (change, verdict)
            return verdict

    def invalidate(self) -> None:
        """Read everything again next time (after a rollback, a new baseline, the lead's Refresh)."""
        with self._state:
            self._full = self._stale = True

    def read(self, cancel: CancelToken | None = None) -> RepoStatus:
        """The status, read again as far as the noted changes require (the last one when none did).

        Raises:
            NotARepository: the folder is not a git working tree.
            ConfigError: the configuration is invalid.
            Cancelled: ``cancel`` was set (what was due stays due).
        """
        with self._reading:
            with self._state:
                full, stale, previous = self._full, self._stale, self._status
                self._full = self._stale = False
            if previous is not None and not stale:
                return previous
            try:
                status = self._read(full, previous, cancel)
            except BaseException:
                with self._state:
                    self._stale, self._full = True, self._full or full
                raise
            with self._state:
                self._status = status
            return status

    def _read(self, full: bool, previous: RepoStatus | None, cancel: CancelToken | None) -> RepoStatus:
        git, config, components = self._git, self._config, self._components
        if not full and previous is not None and git is not None and config is not None and components is not None:
            baseline = resolve_baseline(git, config)
            if baseline == previous.baseline:
                self.reads[CHANGES] += 1
                return rescan_changes(previous, git, components, cancel=cancel)
        self.reads[FULL] += 1
        git = open_repo(self.repo)
        config = load_config(git.root)
        components = load_components(git.root, config)
        status = repo_status(git, config=config, components=components, cancel=cancel)
        plan = _inside(config.plan, git.root)
        with self._state:
            self._git, self._config, self._components, self._plan = git, config, components, plan
        return status


def _inside(path: Path | None, root: Path) -> str | None:
    """``path`` relative to ``root`` (POSIX), or None when it is None or lies outside."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
