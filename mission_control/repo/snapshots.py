"""Snapshots: the exact state of some files, stored as a git commit, restorable byte for byte.

Before Mission Control changes files (a rollback, a codemod), it stores what those files hold
right now, so the change can be undone. A snapshot is a commit (never on a branch) under
``refs/mission-control/snapshots/<timestamp>-<label>``, built with a throw-away index
(``GIT_INDEX_FILE``), ``hash-object -w``, ``write-tree`` and ``commit-tree``. Its tree holds:

- ``files/<path>``: the working-tree bytes and git mode of every path that existed,
  untracked files included;
- ``index/<path>``: the staged (index) entry of every path that had one;
- ``meta.json``: the label, time, extra info, each file's permission bits, the paths that did
  NOT exist (restoring removes them) and the folders that did exist.

Typical use::

    snap = create_snapshot(repo, ["app/x.py", "app/new.py"], "codemod-rename")
    ...change the files...
    restore_snapshot(repo, snap)          # or snap.id, snap.ref, or None for the latest
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, NotRequired, TypedDict

from mission_control.repo.refs import restored_prefix, snapshot_prefix
from mission_control.repo.worktree import FileState, State, apply_state, expand_paths, normalize_path, read_state
from mission_control.util.fsutil import stray_temp_files
from mission_control.util.git import Git, RepoError, TreeEntry, open_repo
from mission_control.util.progress import CancelToken, Progress, ProgressCallback, no_progress

#: The main working tree's snapshot refs (a linked worktree's are under :func:`snapshot_prefix`).
SNAPSHOT_PREFIX: Final = "refs/mission-control/snapshots/"
_FORMAT: Final = 1
_TIME_FORMAT: Final = "%Y%m%dT%H%M%S%fZ"


class SnapshotMeta(TypedDict):
    """A snapshot's ``meta.json``. Snapshots stored before ``head``, ``info`` and ``dirs`` existed lack them."""

    format: int
    label: str
    created: str  # ISO 8601, UTC
    info: NotRequired[dict[str, str]]
    head: NotRequired[str | None]
    files: dict[str, int | None]  # stored path -> permission bits (None: not a regular file)
    absent: list[str]  # paths that did not exist
    dirs: NotRequired[list[str]]  # folders that existed (a restore keeps them)


class SnapshotNotFound(RepoError):
    """No snapshot matches the requested id or ref."""


@dataclass(frozen=True)
class Snapshot:
    """A stored state of some files.

    Attributes:
        id: the short name, ``<timestamp>-<label>``; ``ref`` is the full git ref.
        commit: the snapshot commit's id.
        created: when it was taken (UTC).
        paths: every path the snapshot covers; ``absent`` those that did not exist.
        head: the commit HEAD pointed at, or None on an unborn branch.
        info: free-form strings from the creator (``kind``, ``component``, ``baseline``...).
    """

    id: str
    ref: str
    commit: str
    label: str
    created: datetime
    paths: tuple[str, ...]
    absent: tuple[str, ...]
    head: str | None
    info: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RestoreResult:
    """What :func:`restore_snapshot` did: files written and removed, and the backup it took."""

    snapshot: Snapshot
    written: tuple[str, ...]
    removed: tuple[str, ...]
    backup: Snapshot | None


def create_snapshot(
    repo: Path | str | Git,
    paths: Iterable[str | Path],
    label: str,
    *,
    info: dict[str, str] | None = None,
    expand_folders: bool = True,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Snapshot:
    """Store the current state of ``paths`` (files, or folders meaning every file under them).

    Paths that do not exist are recorded as absent, so restoring removes them. With
    ``expand_folders`` False a path that is a folder is recorded as absent (it is not a file)
    instead of standing for its files. Nothing in the working tree, the index or any branch
    changes.

    Raises:
        RepoError: not a repository, a path outside it, or git failed (message names which).
        Cancelled: ``cancel`` was set before the snapshot was stored.
    """
    git = repo if isinstance(repo, Git) else open_repo(repo)
    report = on_progress or no_progress
    if expand_folders:
        wanted = expand_paths(git.root, paths)
    else:
        wanted = sorted({normalize_path(git.root, p) for p in paths})
    report(Progress(0, 3, f"reading {len(wanted)} files"))
    state = read_state(git, wanted)
    if cancel:
        cancel.raise_if_cancelled()
    report(Progress(1, 3, "reading the index"))
    index = git.index_entries()
    created = datetime.now(UTC)
    meta = _meta(git.root, label, created, info or {}, git.head(), state)
    entries = {f"files/{p}": s.entry for p, s in state.items() if s is not None}
    entries.update({f"index/{p}": index[p] for p in wanted if p in index})
    entries["meta.json"] = TreeEntry("100644", git.hash_bytes(json.dumps(meta, indent=1).encode()))
    report(Progress(2, 3, "storing the snapshot"))
    commit = git.commit_tree(git.build_tree(entries), _message(meta))
    snapshot = _store_ref(git, commit, meta)
    report(Progress(3, 3, f"snapshot {snapshot.id} stored"))
    return snapshot


def list_snapshots(repo: Path | str | Git) -> list[Snapshot]:
    """Every snapshot of the repository, newest first."""
    git = repo if isinstance(repo, Git) else open_repo(repo)
    prefix = snapshot_prefix(git)
    rows = git.refs(prefix, "%(refname)%00%(objectname)")
    if not rows:
        return []
    blobs = git.read_blobs(f"{commit}:meta.json" for _ref, commit in rows)
    snapshots = [_from_meta(ref, commit, json.loads(blobs[f"{commit}:meta.json"]), prefix) for ref, commit in rows]
    return sorted(snapshots, key=lambda s: (s.created, s.id), reverse=True)


def find_snapshot(repo: Path | str | Git, which: Snapshot | str | None = None) -> Snapshot:
    """The snapshot named by ``which``: a Snapshot, an id, a full ref, a commit id or an id
    prefix; None means the latest.

    Raises:
        SnapshotNotFound: nothing (or more than one snapshot) matches.
    """
    git = repo if isinstance(repo, Git) else open_repo(repo)
    snapshots = list_snapshots(git)
    if isinstance(which, Snapshot):
        which = which.ref
    if which is None:
        if not snapshots:
            raise SnapshotNotFound(f"{git.root}: no snapshots yet")
        return snapshots[0]
    exact = [s for s in snapshots if which in (s.id, s.ref, s.commit)]
    matches = exact or [s for s in snapshots if s.id.startswith(which) or s.commit.startswith(which)]
    if len(matches) != 1:
        problem = "no snapshot" if not matches else f"{len(matches)} snapshots"
        raise SnapshotNotFound(f"{git.root}: {problem} match {which!r} (see `mission-control snapshots`)")
    return matches[0]


def restore_snapshot(
    repo: Path | str | Git,
    which: Snapshot | str | None = None,
    *,
    backup: bool = True,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> RestoreResult:
    """Put every path of a snapshot back exactly as it was (bytes, mode, existence, index entry).

    Only the snapshot's paths are touched. With ``backup`` the current state of those paths is
    first stored as a new snapshot (``info["kind"] = "undo-backup"``), so a restore can itself
    be undone; the restore counts as done (:func:`undone_ids`) only once every file is written, so
    a restore killed half-way is still pending and the next undo runs it again. Temp files a killed
    write left beside the snapshot's paths are removed first.

    Raises:
        SnapshotNotFound: ``which`` names no snapshot.
        RepoError: the index is locked, or a file cannot be written safely; nothing changed.
        Cancelled: ``cancel`` was set before any file was written.
    """
    git = repo if isinstance(repo, Git) else open_repo(repo)
    report = on_progress or no_progress
    snap = find_snapshot(git, which)
    report(Progress(0, 3, f"reading snapshot {snap.id}"))
    meta, files, index = _load_contents(git, snap)
    if git.git_path("index.lock").exists():
        raise RepoError(
            f"{git.git_path('index.lock')}: the index is locked by another git process; nothing was changed"
        )
    wanted: State = dict.fromkeys(meta["absent"])
    wanted.update({p: FileState(e.mode, e.sha, meta["files"].get(p)) for p, e in files.items()})
    blobs = git.read_blobs(e.sha for e in files.values())
    current = read_state(git, wanted)
    if cancel:
        cancel.raise_if_cancelled()
    saved = None
    if backup:
        report(Progress(1, 3, "saving the current state"))
        saved = create_snapshot(
            git,
            list(wanted),
            f"before-undo-{snap.label}",
            info={"kind": "undo-backup", "restores": snap.id, "undo": "pending"},
        )
    report(Progress(2, 3, f"restoring {len(wanted)} files"))
    _remove_stray_temps(git.root, wanted)
    written, removed = apply_state(git, wanted, blobs, current, keep_dirs=set(meta.get("dirs", [])))
    git.update_index({p: index.get(p) for p in wanted})
    git.run("update-index", "-q", "--refresh", ok_codes=(0, 1))
    if saved is not None:
        git.create_ref(restored_prefix(git) + saved.id, saved.commit)  # only now is the undo done
    report(Progress(3, 3, f"restored snapshot {snap.id}"))
    return RestoreResult(snap, tuple(written), tuple(removed), saved)


def _meta(
    root: Path,
    label: str,
    created: datetime,
    info: dict[str, str],
    head: str | None,
    state: State,
) -> SnapshotMeta:
    dirs = {"/".join(p.split("/")[:i]) for p in state for i in range(1, p.count("/") + 1)}
    return {
        "format": _FORMAT,
        "label": label,
        "created": created.isoformat(),
        "info": {str(k): str(v) for k, v in info.items()},
        "head": head,
        "files": {p: s.perms for p, s in sorted(state.items()) if s is not None},
        "absent": sorted(p for p, s in state.items() if s is None),
        "dirs": sorted(d for d in dirs if (root / d).is_dir() and not (root / d).is_symlink()),
    }


def _message(meta: SnapshotMeta) -> str:
    summary = f"Mission Control snapshot: {meta['label']}"
    body = f"{len(meta['files'])} files stored, {len(meta['absent'])} absent"
    extra = "".join(f"\n{k}: {v}" for k, v in meta.get("info", {}).items())
    return f"{summary}\n\n{body}{extra}\n"


def _store_ref(git: Git, commit: str, meta: SnapshotMeta) -> Snapshot:
    """Create a new, unique ref for the snapshot (never overwriting another)."""
    created = datetime.fromisoformat(meta["created"])
    base = f"{created.strftime(_TIME_FORMAT)}-{_slug(meta['label'])}"
    for n in range(1, 1000):
        snap_id = base if n == 1 else f"{base}-{n}"
        prefix = snapshot_prefix(git)
        if git.create_ref(prefix + snap_id, commit):
            return _from_meta(prefix + snap_id, commit, meta, prefix)
    raise RepoError(f"{git.root}: cannot name snapshot {base}")


def _slug(label: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")[:60]
    return slug or "snapshot"


def _from_meta(ref: str, commit: str, meta: SnapshotMeta, prefix: str) -> Snapshot:
    return Snapshot(
        id=ref[len(prefix) :],
        ref=ref,
        commit=commit,
        label=meta["label"],
        created=datetime.fromisoformat(meta["created"]),
        paths=tuple(sorted([*meta["files"], *meta["absent"]])),
        absent=tuple(meta["absent"]),
        head=meta.get("head"),
        info=dict(meta.get("info", {})),
    )


def _load_contents(git: Git, snap: Snapshot) -> tuple[SnapshotMeta, dict[str, TreeEntry], dict[str, TreeEntry]]:
    """The snapshot's metadata, stored files and stored index entries."""
    tree = git.ls_tree(snap.commit)
    meta_entry = tree.get("meta.json")
    if meta_entry is None:
        raise RepoError(f"{git.root}: {snap.ref} is not a Mission Control snapshot (no meta.json)")
    meta: SnapshotMeta = json.loads(git.read_blobs([meta_entry.sha])[meta_entry.sha])
    files = {p[len("files/") :]: e for p, e in tree.items() if p.startswith("files/")}
    index = {p[len("index/") :]: e for p, e in tree.items() if p.startswith("index/")}
    return meta, files, index


def undone_ids(repo: Path | str | Git, snapshots: list[Snapshot] | None = None) -> set[str]:
    """Ids of the snapshots a finished restore put back (their before-undo backup is complete).

    A backup marked ``undo: pending`` counts only once its restore finished; backups written
    before that mark existed count as they always did.
    """
    git = repo if isinstance(repo, Git) else open_repo(repo)
    snapshots = list_snapshots(git) if snapshots is None else snapshots
    prefix = restored_prefix(git)
    finished = {row[0][len(prefix) :] for row in git.refs(prefix, "%(refname)")}
    return {
        s.info["restores"]
        for s in snapshots
        if s.info.get("kind") == "undo-backup" and (s.info.get("undo") != "pending" or s.id in finished)
    }


def changed_since(repo: Path | str | Git, which: Snapshot | str) -> list[str]:
    """The snapshot's paths that no longer hold what it stored (content, mode or existence)."""
    git = repo if isinstance(repo, Git) else open_repo(repo)
    snap = find_snapshot(git, which)
    meta, files, _index = _load_contents(git, snap)
    current = read_state(git, [*files, *meta["absent"]])
    changed = [p for p, entry in files.items() if (now := current.get(p)) is None or now.entry != entry]
    changed += [p for p in meta["absent"] if current.get(p) is not None]
    return sorted(changed)


def _remove_stray_temps(root: Path, paths: Iterable[str]) -> None:
    """Delete the ``.NAME.XXXX.tmp`` files a killed atomic write left beside ``paths``."""
    names = {Path(p).name for p in paths}
    for folder in {(root / p).parent for p in paths}:
        for stray in stray_temp_files(folder):
            if any(stray.name.startswith(f".{name}.") for name in names):
                stray.unlink(missing_ok=True)


# The rollback flow's records among the snapshots (status and rollback both read them).
FULL: Final = "*"  # the component name of a full rollback


def undoable_rollbacks(repo: Path | str | Git) -> list[Snapshot]:
    """Rollback snapshots not yet undone (no later undo restored them), newest first."""
    git = repo if isinstance(repo, Git) else open_repo(repo)
    snapshots = list_snapshots(git)
    undone = undone_ids(git, snapshots)
    return [s for s in snapshots if s.info.get("kind") == "rollback" and s.id not in undone]


def last_rollbacks(repo: Path | str | Git) -> dict[str, str]:
    """Component name (``*`` for full rollbacks) -> id of its latest rollback not yet undone."""
    latest: dict[str, str] = {}
    for snap in undoable_rollbacks(repo):
        latest.setdefault(snap.info.get("component", FULL), snap.id)
    return latest
