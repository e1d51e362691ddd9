"""Roll a component (or the whole tree) back to the baseline, safely and undoably.

Every file matching the component's paths, in the baseline or in the working tree, returns to
its baseline content, mode and existence (files added since are removed; ignored files are left
alone). Before anything changes, the current state of those files, untracked ones and their
index entries included, is stored as a snapshot (see :mod:`.snapshots`), and
:func:`undo_rollback` restores it byte for byte.

The result stays in the working tree for review: no commit, no history rewrite. The index
entries of the component's files are reset to HEAD (unstaged), so ``git diff`` shows exactly
what the rollback did and a stray ``git commit`` does not record it by accident. Nothing outside
the component changes, in the working tree or in the index.

Refused, before anything changes (:class:`RollbackRefused`): not a git repository, no baseline,
a merge/rebase/cherry-pick/revert in progress, a locked index, a component without paths, a
glob or symlink leading outside the repository, a component that matches no file, or a write
that would go through a symlinked folder.

A rollback, full or of a component, keeps Mission Control's own files (``mission-control.toml``,
the file holding ``[tool.mission-control]``, ``.mission-control/`` and the plan, configured or
discovered), so the mission's plan, config and sign-offs survive it; a component whose paths name
one of them exactly (no glob) does roll it back: it was asked for by name.

Typical use (the Components dock)::

    preview = plan_rollback(repo, "websocket")      # files + diff stat for the confirmation
    result = rollback(repo, "websocket", on_progress=cb, cancel=token)
    undo_rollback(repo, result.snapshot)             # the "Undo" button
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from mission_control.config import CONFIG_FILE, ConfigError, ProjectConfig, load_config
from mission_control.repo.baseline import Baseline, resolve_baseline
from mission_control.repo.components import Component, Components, UnknownComponent, check_symlinks, load_components
from mission_control.repo.config_check import shared_files
from mission_control.repo.snapshots import (
    FULL,
    RestoreResult,
    Snapshot,
    create_snapshot,
    restore_snapshot,
    undoable_rollbacks,
)
from mission_control.repo.status import FileChange, changes_since
from mission_control.repo.worktree import FileState, State, apply_state, preflight, read_state
from mission_control.util.git import GITLINK_MODE, Git, RepoError, TreeEntry, open_repo
from mission_control.util.progress import CancelToken, Progress, ProgressCallback, no_progress

_IN_PROGRESS: Final = (
    ("MERGE_HEAD", "a merge"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase or am"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
)


class RollbackRefused(RepoError):
    """A rollback or undo that was refused; nothing was changed. The message says why."""


@dataclass(frozen=True)
class RollbackPlan:
    """What a rollback would do (the dry run, and the confirmation dialog's content).

    Attributes:
        component: the component's name, or None for a full rollback.
        paths: every path the rollback covers (and its snapshot stores).
        files: the files that will change, with the kind of change since the baseline and line
            counts: ``added`` ones are removed, ``modified``/``deleted`` ones rewritten.
        notes: things the user should know (kept files, skipped submodules).
        shared: of the files that will change, those other components own too (other -> files):
            rolling them back rolls them back for those components as well, so the faces ask.
    """

    root: Path
    component: str | None
    baseline: Baseline
    paths: tuple[str, ...]
    files: tuple[FileChange, ...]
    notes: tuple[str, ...] = ()
    shared: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def shared_text(self) -> list[str]:
        """One line per other component: ``also in component cart: src/a.py, src/b.py``."""
        return [f"also in component {name}: {', '.join(files)}" for name, files in self.shared.items()]

    @property
    def target(self) -> str:
        """``component NAME`` or ``the whole tree``."""
        return f"component {self.component}" if self.component else "the whole tree"

    @property
    def diffstat(self) -> str:
        """``3 files, +10 -2`` (lines the rollback undoes: added since baseline, removed since)."""
        added = sum(f.added or 0 for f in self.files)
        removed = sum(f.removed or 0 for f in self.files)
        noun = "file" if len(self.files) == 1 else "files"
        return f"{len(self.files)} {noun}, +{added} -{removed}"

    def to_json(self) -> dict[str, Any]:
        """The plan for ``rollback --dry-run --json``."""
        return {
            "component": self.component,
            "full": self.component is None,
            "baseline": self.baseline.ref,
            "baseline_commit": self.baseline.commit,
            "diffstat": self.diffstat,
            "files": [_action_json(f) for f in self.files],
            "notes": list(self.notes),
            "shared": {name: list(files) for name, files in self.shared.items()},
        }


@dataclass(frozen=True)
class RollbackResult:
    """A done rollback: its plan, the snapshot that undoes it, and the files written/removed."""

    plan: RollbackPlan
    snapshot: Snapshot
    written: tuple[str, ...]
    removed: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The result for ``rollback --json``."""
        return {
            **self.plan.to_json(),
            "snapshot": self.snapshot.id,
            "written": list(self.written),
            "removed": list(self.removed),
        }


@dataclass(frozen=True)
class _Prepared:
    git: Git
    plan: RollbackPlan
    wanted: State
    current: State
    index_reset: dict[str, TreeEntry | None]


def plan_rollback(
    repo: Path | str | Git,
    component: str | None = None,
    *,
    full: bool = False,
    config: ProjectConfig | None = None,
    components: Components | None = None,
) -> RollbackPlan:
    """What rolling back ``component`` (or, with ``full``, the whole tree) would do; changes nothing.

    Raises:
        RollbackRefused: the rollback would be refused (same checks as :func:`rollback`).
        ConfigError: the configuration is invalid.
    """
    return _prepare(repo, component, full, config, components).plan


def rollback(
    repo: Path | str | Git,
    component: str | None = None,
    *,
    full: bool = False,
    config: ProjectConfig | None = None,
    components: Components | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> RollbackResult:
    """Roll ``component`` (or, with ``full``, the whole tree) back to the baseline.

    A snapshot of the current state is stored first; pass it to :func:`undo_rollback` to undo.
    The cancel token is honoured until the snapshot is stored; after that the rollback runs to
    the end, so the component is never left half rolled back.

    Raises:
        RollbackRefused: refused before anything changed; the message says why.
        ConfigError: the configuration is invalid.
        Cancelled: cancelled before any file changed.
    """
    report = on_progress or no_progress
    report(Progress(0, 4, "checking the repository"))
    prep = _prepare(repo, component, full, config, components)
    git, plan = prep.git, prep.plan
    if cancel:
        cancel.raise_if_cancelled()
    report(Progress(1, 4, f"saving a snapshot of {len(plan.paths)} files"))
    info = {
        "kind": "rollback",
        "component": plan.component or FULL,
        "baseline": plan.baseline.commit or "",
        "baseline_ref": plan.baseline.ref or "",
    }
    snapshot = create_snapshot(
        git, plan.paths, f"rollback-{plan.component or 'full'}", info=info, expand_folders=False, cancel=cancel
    )
    report(Progress(2, 4, f"rolling back {plan.target}"))
    blobs = git.read_blobs(s.sha for s in prep.wanted.values() if s is not None)
    written, removed = apply_state(git, prep.wanted, blobs, prep.current)
    report(Progress(3, 4, "unstaging the rolled-back files"))
    git.update_index(prep.index_reset)
    git.run("update-index", "-q", "--refresh", ok_codes=(0, 1))
    report(Progress(4, 4, f"rolled back {plan.target}: {plan.diffstat}"))
    return RollbackResult(plan, snapshot, tuple(written), tuple(removed))


def undo_rollback(
    repo: Path | str | Git,
    which: Snapshot | str | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> RestoreResult:
    """Restore the snapshot ``which`` (any snapshot), by default the latest rollback not yet undone.

    Raises:
        RollbackRefused: nothing to undo, a merge/rebase in progress or a locked index.
        SnapshotNotFound: ``which`` names no snapshot.
        RepoError: a file cannot be restored safely; nothing changed.
    """
    git = repo if isinstance(repo, Git) else _open(repo)
    check_ready(git)
    if which is None:
        pending = undoable_rollbacks(git)
        if not pending:
            raise RollbackRefused(
                f"{git.root}: nothing to undo: no rollback snapshot that was not undone "
                "(name one: `mission-control snapshots`)"
            )
        which = pending[0]
    return restore_snapshot(git, which, on_progress=on_progress, cancel=cancel)


def check_ready(git: Git) -> None:
    """Refuse while git is in the middle of something or another process holds the index.

    Raises:
        RollbackRefused: naming what is in progress or the lock file.
    """
    names = [name for name, _ in _IN_PROGRESS] + ["index.lock"]
    paths = git.git_paths(*names)
    for (_name, what), path in zip(_IN_PROGRESS, paths):
        if path.exists():
            raise RollbackRefused(f"{git.root}: {what} is in progress ({path.name}); finish or abort it first")
    if paths[-1].exists():
        raise RollbackRefused(
            f"{paths[-1]}: the index is locked by another git process (remove the file if no git command is running)"
        )


def _open(repo: Path | str) -> Git:
    try:
        return open_repo(repo)
    except RepoError as exc:
        raise RollbackRefused(str(exc)) from None


def _prepare(
    repo: Path | str | Git,
    component: str | None,
    full: bool,
    config: ProjectConfig | None,
    components: Components | None,
) -> _Prepared:
    if full == (component is not None):
        raise ValueError("pass exactly one of component or full=True")
    git = repo if isinstance(repo, Git) else _open(repo)
    check_ready(git)
    config = load_config(git.root) if config is None else config
    # exactly one of the two was given: a component, or None for a full rollback
    comp = None if component is None else _component(git, config, components, component)
    baseline = resolve_baseline(git, config)
    if baseline.commit is None:
        raise RollbackRefused(baseline.problem or "no baseline")
    base_entries = git.ls_tree(baseline.commit)
    head = git.head()
    head_entries = git.ls_tree(head) if head else {}
    index_entries = git.index_entries()
    candidates = set(base_entries) | set(head_entries) | set(index_entries) | set(git.list_files())
    notes: list[str] = []
    if comp is None:
        paths = _full_paths(git, config, candidates, notes)
    else:
        paths = _component_paths(comp, candidates)
        paths = _without_own_files(git, config, paths, notes, named=set(comp.paths))
    gitlinks = {p for p in paths if _is_gitlink(p, base_entries, index_entries)}
    if gitlinks:
        notes.append(f"submodules are left alone: {', '.join(sorted(gitlinks))}")
    paths = sorted(set(paths) - gitlinks)
    wanted: State = {p: _baseline_state(base_entries.get(p)) for p in paths}
    current = read_state(git, paths)
    try:
        changed = preflight(git.root, wanted, current)
    except RepoError as exc:
        raise RollbackRefused(f"{exc}") from None
    files = _listing(git, baseline.commit, changed, base_entries, current)
    index_reset = {p: head_entries.get(p) for p in paths if index_entries.get(p) != head_entries.get(p)}
    shared = {}
    if comp is not None:
        others = (components or load_components(git.root, config)).components
        shared = shared_files(config, comp.name, [f.path for f in files], others)
    plan = RollbackPlan(
        git.root, None if full else component, baseline, tuple(paths), tuple(files), tuple(notes), shared
    )
    return _Prepared(git, plan, wanted, current, index_reset)


def _component(git: Git, config: ProjectConfig, components: Components | None, name: str) -> Component:
    """The component ``name``, checked: it has paths and none leads outside the repository."""
    try:
        comps = load_components(git.root, config) if components is None else components
        comp = comps.get(name)
    except UnknownComponent:
        raise
    except (RepoError, ConfigError) as exc:
        raise RollbackRefused(str(exc)) from None
    if not comp.paths:
        where = "comes from the plan's rollback commands and " if comp.source == "plan" else ""
        raise RollbackRefused(
            f"component {name!r} {where}has no paths; add [components.{name}] "
            f"paths = [...] to {CONFIG_FILE} to roll it back"
        )
    try:
        comp.matcher()
        check_symlinks(git.root, comp)
    except RepoError as exc:
        raise RollbackRefused(str(exc)) from None
    return comp


def _component_paths(comp: Component, candidates: set[str]) -> list[str]:
    paths = comp.files(candidates)
    if not paths:
        raise RollbackRefused(
            f"component {comp.name!r}: its paths ({', '.join(comp.paths)}) match no file "
            "in the baseline or the working tree"
        )
    return paths


def _full_paths(git: Git, config: ProjectConfig, candidates: set[str], notes: list[str]) -> list[str]:
    paths = _without_own_files(git, config, sorted(candidates), notes)
    if not paths:
        raise RollbackRefused(f"{git.root}: nothing to roll back: no file in the baseline or the working tree")
    return paths


def own_files(root: Path, config: ProjectConfig) -> set[str]:
    """Mission Control's own files (repo-relative): the config file(s) and the plan, configured or found."""
    from mission_control.plan.discover import find_plan

    own = {CONFIG_FILE}
    for path in (config.source, config.plan or find_plan(root)):
        if path is not None:
            with contextlib.suppress(ValueError):
                own.add(path.resolve().relative_to(root.resolve()).as_posix())
    return own


def _without_own_files(
    git: Git, config: ProjectConfig, paths: list[str], notes: list[str], named: set[str] | None = None
) -> list[str]:
    """``paths`` less Mission Control's own files (those in ``named``, asked for by name, stay in)."""
    own = own_files(git.root, config) - (named or set())
    keep = [p for p in paths if (p in own or p.startswith(".mission-control/")) and p not in (named or set())]
    if keep:
        notes.append(f"Mission Control's own files are kept: {', '.join(sorted(keep))}")
    return [p for p in paths if p not in set(keep)]


def _is_gitlink(path: str, base: dict[str, TreeEntry], index: dict[str, TreeEntry]) -> bool:
    return any(e.get(path) is not None and e[path].mode == GITLINK_MODE for e in (base, index))


def _baseline_state(entry: TreeEntry | None) -> FileState | None:
    return FileState(entry.mode, entry.sha) if entry is not None else None


def _listing(git: Git, baseline: str, changed: State, base: dict[str, TreeEntry], current: State) -> list[FileChange]:
    """The files the rollback changes, with change kind since the baseline and line counts."""
    if not changed:
        return []
    counts = {c.path: c for c in changes_since(git, baseline) if c.path in changed}
    files = []
    for path in sorted(changed):
        if path in counts:
            files.append(counts[path])
            continue
        old, new = base.get(path), current.get(path)
        kind = "added" if old is None else "deleted" if new is None else "modified"
        files.append(FileChange(path, kind, 0, 0, old.mode if old else "", new.mode if new else ""))
    return files


def _action_json(change: FileChange) -> dict[str, Any]:
    action = "remove" if change.change == "added" else "restore"
    return {**change.to_json(), "action": action}
