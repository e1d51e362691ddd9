"""What changed since the baseline, per component, as git itself sees it.

The working tree is compared with the baseline commit, so committed, staged, unstaged and
untracked-but-not-ignored changes all count. It is done with a throw-away copy of the index
(``GIT_INDEX_FILE``) into which ``git add -A`` stages everything, then ``git diff-index
--cached`` against the baseline; the real index is never touched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from mission_control.config import ProjectConfig, load_config
from mission_control.repo.baseline import Baseline, resolve_baseline
from mission_control.repo.components import Components, load_components
from mission_control.repo.config_check import config_warnings
from mission_control.repo.snapshots import last_rollbacks
from mission_control.util.files import project_files
from mission_control.util.git import Git, RepoError, open_repo
from mission_control.util.progress import CancelToken, Progress, ProgressCallback, no_progress

_CHANGE: Final = {"A": "added", "M": "modified", "D": "deleted", "T": "modified"}


@dataclass(frozen=True)
class FileChange:
    """One file that differs from the baseline.

    Attributes:
        change: ``"added"``, ``"modified"`` or ``"deleted"`` (a rename is a deletion plus an
            addition; a mode-only change is ``"modified"``).
        added, removed: changed line counts; None for binary files.
        old_mode, new_mode: git modes (``""`` where the file does not exist).
    """

    path: str
    change: str
    added: int | None = 0
    removed: int | None = 0
    old_mode: str = ""
    new_mode: str = ""

    @property
    def binary(self) -> bool:
        """Whether git treats the file as binary (no line counts)."""
        return self.added is None

    def to_json(self) -> dict[str, Any]:
        """The file as the ``status --json`` output shows it."""
        return {
            "path": self.path,
            "change": self.change,
            "added": self.added,
            "removed": self.removed,
            "binary": self.binary,
            "old_mode": self.old_mode,
            "new_mode": self.new_mode,
        }


@dataclass(frozen=True)
class ComponentStatus:
    """A component's changes since the baseline.

    Attributes:
        state: ``"no paths"``, ``"no files"`` (its paths match no file: a typo, see the notes),
            ``"clean"``, ``"changed"`` or ``"rolled back"`` (clean, and its last rollback was not undone).
        last_rollback: the id of the component's latest rollback snapshot not undone, if any.
    """

    name: str
    files: tuple[FileChange, ...]
    has_paths: bool
    tasks: tuple[str, ...] = ()
    last_rollback: str | None = None
    owns_files: bool = True

    @property
    def state(self) -> str:
        """One word for the row: no paths / no files / clean / changed / rolled back."""
        if not self.has_paths:
            return "no paths"
        if self.files:
            return "changed"
        if not self.owns_files:
            return "no files"
        return "rolled back" if self.last_rollback else "clean"

    @property
    def summary(self) -> str:
        """The row's text: ``clean``, ``3 files changed (+10 -2)``, ``rolled back``, ``no paths``."""
        if self.state != "changed":
            return self.state
        added, removed = sum(f.added or 0 for f in self.files), sum(f.removed or 0 for f in self.files)
        noun = "file" if len(self.files) == 1 else "files"
        return f"{len(self.files)} {noun} changed (+{added} -{removed})"


@dataclass(frozen=True)
class RepoStatus:
    """The whole repository's status: baseline, per-component changes, and the rest."""

    root: Path
    baseline: Baseline
    components: dict[str, ComponentStatus] = field(default_factory=dict)
    changes: tuple[FileChange, ...] = ()
    unassigned: tuple[FileChange, ...] = ()
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """``{"baseline", "components": {NAME: {"files": [{"path", "change", ...}]}}, ...}``."""
        return {
            "root": str(self.root),
            "baseline": self.baseline.ref,
            "baseline_commit": self.baseline.commit,
            "baseline_problem": self.baseline.problem,
            "components": {
                name: {
                    "state": c.state,
                    "summary": c.summary,
                    "has_paths": c.has_paths,
                    "tasks": list(c.tasks),
                    "last_rollback": c.last_rollback,
                    "files": [f.to_json() for f in c.files],
                }
                for name, c in self.components.items()
            },
            "unassigned": [f.to_json() for f in self.unassigned],
            "notes": list(self.notes),
        }


def changes_since(git: Git, baseline: str) -> list[FileChange]:
    """Every file whose working-tree state differs from commit ``baseline`` (sorted by path)."""
    with git.temp_index(seed=git.git_path("index")) as index:
        git.run("add", "-A", "--ignore-errors", "--", ".", index=index, ok_codes=(0, 1))
        raw = git.run("diff-index", "--cached", "--no-renames", "-z", "--raw", baseline, index=index)
        numstat = git.run("diff-index", "--cached", "--no-renames", "-z", "--numstat", baseline, index=index)
    counts = _parse_numstat(numstat)
    changes = []
    fields = raw.split(b"\0")
    for meta, path_bytes in zip(fields[0::2], fields[1::2]):
        if not meta:
            continue
        old_mode, new_mode, _old, _new, letter = meta.decode().lstrip(":").split()
        path = os.fsdecode(path_bytes)
        added, removed = counts.get(path, (0, 0))
        changes.append(
            FileChange(
                path,
                _CHANGE.get(letter[0], "modified"),
                added,
                removed,
                "" if old_mode == "000000" else old_mode,
                "" if new_mode == "000000" else new_mode,
            )
        )
    return sorted(changes, key=lambda c: c.path)


def _parse_numstat(out: bytes) -> dict[str, tuple[int | None, int | None]]:
    counts: dict[str, tuple[int | None, int | None]] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        added, removed, path = record.split(b"\t", 2)
        if added == b"-":
            counts[os.fsdecode(path)] = (None, None)
        else:
            counts[os.fsdecode(path)] = (int(added), int(removed))
    return counts


def repo_status(
    repo: Path | str | Git,
    *,
    config: ProjectConfig | None = None,
    components: Components | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> RepoStatus:
    """The status of every component since the baseline (files, change kinds, line counts).

    Without a usable baseline the result has no changes and ``baseline.problem`` says why.

    Raises:
        NotARepository: ``repo`` is not a git working tree.
        ConfigError: the configuration is invalid.
    """
    git = repo if isinstance(repo, Git) else open_repo(repo)
    report = on_progress or no_progress
    config = load_config(git.root) if config is None else config
    comps = load_components(git.root, config) if components is None else components
    baseline = resolve_baseline(git, config)
    report(Progress(0, 2, "comparing the working tree with the baseline"))
    changes = changes_since(git, baseline.commit) if baseline.commit else []
    if cancel:
        cancel.raise_if_cancelled()
    rolled = last_rollbacks(git)
    notes = list(comps.notes)
    files = project_files(git.root, None) if comps.source == "config" else []
    statuses, unassigned = _assign(comps, changes, rolled, notes, lambda _name, belongs: _owns(comps, files, belongs))
    if comps.source == "config":
        notes += [str(p) for p in config_warnings(git.root, config, files=files)]
    notes += [baseline.problem] if baseline.problem else []
    report(Progress(2, 2, f"{len(changes)} files changed since the baseline"))
    return RepoStatus(git.root, baseline, statuses, tuple(changes), unassigned, tuple(notes))


def rescan_changes(
    previous: RepoStatus, git: Git, components: Components, *, cancel: CancelToken | None = None
) -> RepoStatus:
    """``previous`` with the working tree compared with its baseline again, and nothing else read.

    For changes that leave the configuration, the plan and (for configured components) the set of
    the project's files alone: the components (as ``components``, the ones ``previous`` was read
    with), each component's ownership of files and the notes are as ``previous`` found them; the
    files that differ from the baseline and the latest rollbacks are read again. The caller checks
    that the baseline still resolves to ``previous.baseline.commit``.
    """
    baseline = previous.baseline
    changes = changes_since(git, baseline.commit) if baseline.commit else []
    if cancel:
        cancel.raise_if_cancelled()
    rolled = last_rollbacks(git)
    notes: list[str] = []
    owns = {name: comp.owns_files for name, comp in previous.components.items()}
    statuses, unassigned = _assign(components, changes, rolled, notes, lambda name, _belongs: owns.get(name, True))
    return RepoStatus(git.root, baseline, statuses, tuple(changes), unassigned, previous.notes)


def _assign(
    comps: Components,
    changes: list[FileChange],
    rolled: dict[str, str],
    notes: list[str],
    owns: Callable[[str, Callable[[str], bool] | None], bool],
) -> tuple[dict[str, ComponentStatus], tuple[FileChange, ...]]:
    """Each component's status from ``changes``, and the changes no component claims."""
    statuses: dict[str, ComponentStatus] = {}
    assigned: set[str] = set()
    for name, comp in comps.components.items():
        try:
            belongs: Callable[[str], bool] | None = comp.matcher()
        except RepoError as exc:
            notes.append(str(exc))
            belongs = None
        mine = [c for c in changes if belongs and belongs(c.path)]
        assigned.update(c.path for c in mine)
        statuses[name] = ComponentStatus(
            name, tuple(mine), bool(comp.paths), comp.tasks, rolled.get(name), owns(name, belongs)
        )
    return statuses, tuple(c for c in changes if c.path not in assigned)


def _owns(comps: Components, files: list[str], belongs: Callable[[str], bool] | None) -> bool:
    """Whether a component's paths match a file of the project (only asked of configured components)."""
    return comps.source != "config" or (belongs is not None and any(belongs(f) for f in files))


def status_json(status: RepoStatus) -> str:
    """The status as indented JSON text."""
    return json.dumps(status.to_json(), indent=2)
