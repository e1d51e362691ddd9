"""Apply a reviewed dry run (all of it, some files, some hunks) after a snapshot; undo it.

Before any file is written, the files the run will touch are stored as a snapshot
(:mod:`mission_control.repo.snapshots`, the mechanism rollbacks use), so "Undo codemod"
restores them exactly, deleted modules included. Each file is written atomically and a
cancel stops between files, so every file is either untouched or fully transformed. A file
that changed on disk since the dry run is refused (listed in ``problems``), never overwritten.
After writing, the files' new state is stored too (a ``codemod-result`` snapshot), so an undo can
tell whether someone edited them since, and refuse rather than overwrite that work.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mission_control.codemods.diffs import apply_hunks
from mission_control.codemods.model import ApplyResult, CodemodRun, FileResult
from mission_control.repo.snapshots import (
    Snapshot,
    SnapshotNotFound,
    changed_since,
    create_snapshot,
    find_snapshot,
    list_snapshots,
    restore_snapshot,
    undone_ids,
)
from mission_control.util.fsutil import UnsafePathError, atomic_write_text, ensure_dir, write_target
from mission_control.util.git import RepoError
from mission_control.util.progress import CancelToken, Progress, ProgressCallback, no_progress

SNAPSHOT_KIND = "codemod"
RESULT_KIND = "codemod-result"


class CodemodUndoRefused(RepoError):
    """An undo would overwrite edits made after the codemod, or undo one already undone."""


#: What to apply: None = every changed file; paths = those files whole; a mapping
#: path -> None (whole file) or hunk indices (only those hunks).
Selection = Iterable[str] | Mapping[str, Iterable[int] | None] | None


def planned_changes(run: CodemodRun, accept: Selection = None) -> dict[str, str | None]:
    """The new content of each accepted file (None = delete it), hunks applied as chosen."""
    chosen = _normalise(run, accept)
    out: dict[str, str | None] = {}
    for result in run.changed:
        if result.path not in chosen:
            continue
        hunks = chosen[result.path]
        if hunks is None or result.new_text is None:
            out[result.path] = result.new_text
            continue
        selected = [h for h in result.hunks if h.index in hunks]
        if selected:
            out[result.path] = apply_hunks(result.old_text or "", selected)
    return out


def _normalise(run: CodemodRun, accept: Selection) -> dict[str, set[int] | None]:
    if accept is None:
        return {r.path: None for r in run.changed}
    if isinstance(accept, Mapping):
        return {p: (None if h is None else set(h)) for p, h in accept.items()}
    return dict.fromkeys(accept)


def apply_run(
    repo: str | os.PathLike[str],
    run: CodemodRun,
    accept: Selection = None,
    *,
    task: str | None = None,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ApplyResult:
    """Write the accepted changes of ``run`` after snapshotting the files they touch.

    A run with ``problems`` (its review found a file that would not compile, or a rename left
    half done) is refused, nothing written, unless ``force``.

    ``task`` (a plan task id) is recorded with the snapshot: the task the codemod served, so
    the Gantt can show on that task's bar that it ran (see :func:`codemod_history`).

    Raises:
        RepoError: not a git repository, or the snapshot cannot be stored (nothing written).
    """
    root = Path(repo).resolve()
    report = on_progress or no_progress
    if run.problems and not force:
        refused = [f"{p} (nothing written; fix it, or apply anyway with force)" for p in run.problems]
        return ApplyResult((), (), None, False, tuple(refused))
    changes = planned_changes(run, accept)
    current = {r.path: r for r in run.changed}
    stale = [p for p in changes if not _unchanged_since(root, current[p])]
    problems = [f"{p}: changed on disk since the dry run; not written (run the codemod again)" for p in stale]
    changes = {p: t for p, t in changes.items() if p not in stale}
    unsafe = _unsafe_targets(root, changes)
    problems += unsafe.values()
    changes = {p: t for p, t in changes.items() if p not in unsafe}
    if not changes:
        return ApplyResult((), (), None, False, tuple(problems))
    snapshot_id = take_snapshot(root, sorted(changes), run, task)
    written: list[str] = []
    deleted: list[str] = []
    for i, (path, text) in enumerate(sorted(changes.items())):
        report(Progress(i, len(changes), f"writing {path}"))
        if cancel and cancel.cancelled:
            _record_result(root, run, snapshot_id, [*written, *deleted])
            return ApplyResult(tuple(written), tuple(deleted), snapshot_id, True, tuple(problems))
        if text is None:
            (root / path).unlink()
            deleted.append(path)
        else:
            if current[path].created:  # a moved package's new folders
                ensure_dir((root / path).parent, root)
            atomic_write_text(root / path, text, root=root)  # a symlinked file: its target inside the repo
            written.append(path)
    _prune_emptied(root, deleted)
    _record_result(root, run, snapshot_id, [*written, *deleted])
    report(Progress(len(changes), len(changes), f"{len(written)} written, {len(deleted)} deleted"))
    return ApplyResult(tuple(written), tuple(deleted), snapshot_id, False, tuple(problems))


def _prune_emptied(root: Path, deleted: list[str]) -> None:
    """Remove the folders the deletions left empty (a moved package's), deepest first."""
    folders = {str(Path(p).parent) for p in deleted}
    for folder in sorted(folders, key=len, reverse=True):
        parts = Path(folder).parts
        while parts:
            try:
                (root.joinpath(*parts)).rmdir()
            except OSError:
                break
            parts = parts[:-1]


def _unsafe_targets(root: Path, changes: dict[str, str | None]) -> dict[str, str]:
    """Path -> why it is not written: a symlink (or symlinked folder) leading outside the repository."""
    unsafe = {}
    for path in changes:
        try:
            write_target(root / path, root)
        except UnsafePathError as exc:
            unsafe[path] = f"{exc}; not written"
    return unsafe


def _unchanged_since(root: Path, result: FileResult) -> bool:
    if result.created:
        return not (root / result.path).exists()
    try:
        return (root / result.path).read_bytes().decode("utf-8") == result.old_text
    except (OSError, UnicodeDecodeError):
        return False


def _record_result(root: Path, run: CodemodRun, snapshot_id: str, paths: list[str]) -> None:
    """Store what the codemod left in ``paths``, so an undo can see later edits."""
    info = {"kind": RESULT_KIND, "of": snapshot_id}
    create_snapshot(root, paths, f"codemod-{run.name}-result", expand_folders=False, info=info)


def take_snapshot(root: Path, paths: list[str], run: CodemodRun, task: str | None = None) -> str:
    """Store the files about to change; the snapshot id undoes the codemod."""
    info = {"kind": SNAPSHOT_KIND, "codemod": run.name, "args": json.dumps(run.args, sort_keys=True)}
    if task:
        info["task"] = task
    snapshot = create_snapshot(root, paths, f"codemod-{run.name}", expand_folders=False, info=info)
    return snapshot.id


@dataclass(frozen=True)
class AppliedCodemod:
    """A codemod applied in the repository (its snapshot), and whether it was undone since."""

    snapshot_id: str
    codemod: str
    args: dict[str, str]
    task: str | None
    created: datetime
    paths: tuple[str, ...]
    undone: bool


def codemod_history(repo: str | os.PathLike[str]) -> list[AppliedCodemod]:
    """Every codemod applied in ``repo``, newest first (an undo leaves an ``undo-backup`` snapshot).

    Raises:
        RepoError: not a git repository.
    """
    snapshots = list_snapshots(Path(repo))
    restored = undone_ids(Path(repo), snapshots)
    out = []
    for snap in snapshots:
        if snap.info.get("kind") != SNAPSHOT_KIND:
            continue
        try:
            args = json.loads(snap.info.get("args", "{}"))
        except ValueError:
            args = {}
        out.append(
            AppliedCodemod(
                snap.id,
                snap.info.get("codemod", snap.label),
                args,
                snap.info.get("task") or None,
                snap.created,
                snap.paths,
                snap.id in restored,
            )
        )
    return out


def undo_codemod(
    repo: str | os.PathLike[str],
    snapshot_id: str | None = None,
    *,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[str]:
    """Restore the files of a codemod's snapshot (default: the latest codemod not yet undone).

    Refuses when a file changed after the codemod (someone's edit would be lost) or the codemod
    was already undone, unless ``force``; the state before the undo is kept in a snapshot either way.

    Returns:
        The paths restored.

    Raises:
        SnapshotNotFound: no codemod left to undo (or none matching ``snapshot_id``).
        CodemodUndoRefused: files changed since the codemod, or it was already undone.
    """
    root = Path(repo)
    snapshots = list_snapshots(root)
    undone = undone_ids(root, snapshots)
    target = _undo_target(root, snapshots, undone, snapshot_id)
    if not force:
        if target.id in undone:
            raise CodemodUndoRefused(f"{repo}: codemod {target.id} was already undone (--force restores it again)")
        result = next(
            (s for s in snapshots if s.info.get("kind") == RESULT_KIND and s.info.get("of") == target.id), None
        )
        changed = changed_since(root, result) if result is not None else []
        if changed:
            shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
            raise CodemodUndoRefused(
                f"{repo}: {shown} changed after codemod {target.id}; undoing it would overwrite those edits. "
                "Undo anyway with --force (the current state is kept in a before-undo snapshot first)"
            )
    restored = restore_snapshot(root, target, on_progress=on_progress, cancel=cancel)
    return sorted({*restored.written, *restored.removed})


def _undo_target(repo: Path, snapshots: list[Snapshot], undone: set[str], snapshot_id: str | None) -> Snapshot:
    if snapshot_id is not None:
        return find_snapshot(repo, snapshot_id)
    pending = [s for s in snapshots if s.info.get("kind") == SNAPSHOT_KIND and s.id not in undone]
    if not pending:
        applied = any(s.info.get("kind") == SNAPSHOT_KIND for s in snapshots)
        raise SnapshotNotFound(
            f"{repo}: every codemod applied here was undone" if applied else f"{repo}: no codemod has been applied here"
        )
    return pending[0]
