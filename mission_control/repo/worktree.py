"""Reading and writing working-tree files exactly, for snapshots, rollback and undo.

:func:`read_state` records what a set of paths holds right now (content as git blobs, the git
mode, the full permission bits, or absence). :func:`apply_state` makes those paths hold a wanted
state. It checks everything first and raises :class:`RepoError` before touching any file when
a write would go through a symlinked folder, land outside the repository, or clobber a folder
that holds files it was not asked about; so a refused call changes nothing. It only writes
files whose state differs, so unrelated files keep their bytes and timestamps.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypeAlias

from mission_control.util.fsutil import atomic_write_bytes
from mission_control.util.git import SYMLINK_MODE, Git, RepoError, TreeEntry


@dataclass(frozen=True)
class FileState:
    """What one path holds: a git mode and blob id, and for regular files the permission bits."""

    mode: str
    sha: str
    perms: int | None = None

    @property
    def entry(self) -> TreeEntry:
        """The (mode, blob) pair git stores for this file."""
        return TreeEntry(self.mode, self.sha)


State: TypeAlias = dict[str, "FileState | None"]


def normalize_path(root: Path, path: str | os.PathLike[str]) -> str:
    """``path`` (absolute, or relative to ``root``) as a repo-relative POSIX string.

    Raises:
        RepoError: the path leaves the repository or points into its ``.git`` folder.
    """
    raw = Path(path)
    if raw.is_absolute():
        try:
            raw = raw.relative_to(root)
        except ValueError:
            raise RepoError(f"{path}: outside the repository {root}") from None
    parts = [p for p in PurePosixPath(raw.as_posix()).parts if p not in ("", ".")]
    if not parts or ".." in parts or parts[0] == ".git" or raw.as_posix().startswith("/"):
        raise RepoError(f"{path}: not a file path inside the repository {root}")
    return "/".join(parts)


def expand_paths(root: Path, paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Normalised paths, with real folders replaced by every file under them (``.git`` skipped)."""
    result: set[str] = set()
    for path in paths:
        rel = normalize_path(root, path)
        full = root / rel
        if full.is_dir() and not full.is_symlink():
            for folder, dirs, files in os.walk(full):
                dirs[:] = [d for d in dirs if d != ".git"]
                base = Path(folder).relative_to(root).as_posix()
                result.update(f"{base}/{name}" for name in files)
                # a symlink to a folder is a file for git: keep it, never descend into it
                result.update(f"{base}/{d}" for d in dirs if (Path(folder) / d).is_symlink())
        else:
            result.add(rel)
    return sorted(result)


def read_state(git: Git, paths: Iterable[str]) -> State:
    """The current state of each path, storing its bytes as blobs (None where it does not exist).

    A path below a symlinked folder does not exist in the working tree (git sees only the link):
    it is None, never read through the link (the link itself is a path of its own).

    Raises:
        RepoError: a path is something git cannot store (a socket, a device...).
    """
    state: State = {}
    regular: list[tuple[str, int, str]] = []
    beyond: dict[str, bool] = {}
    for path in paths:
        full = git.root / path
        if _below_a_link(git.root, path, beyond):
            state[path] = None
            continue
        try:
            info = full.lstat()
        except (FileNotFoundError, NotADirectoryError):
            state[path] = None
            continue
        if stat.S_ISLNK(info.st_mode):
            state[path] = FileState(SYMLINK_MODE, git.hash_bytes(os.fsencode(os.readlink(full))))
        elif stat.S_ISREG(info.st_mode):
            mode = "100755" if info.st_mode & stat.S_IXUSR else "100644"
            regular.append((path, stat.S_IMODE(info.st_mode), mode))
        elif stat.S_ISDIR(info.st_mode):
            state[path] = None  # a folder is not a file; its files are listed on their own
        else:
            raise RepoError(f"{full}: not a regular file or symlink; cannot be stored")
    shas = git.hash_files([p for p, _, _ in regular])
    for (path, perms, mode), sha in zip(regular, shas):
        state[path] = FileState(mode, sha, perms)
    return state


def _below_a_link(root: Path, path: str, cache: dict[str, bool]) -> bool:
    """Whether a folder on the way to ``path`` is a symlink or not a folder (memoised per folder)."""
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        if folder not in cache:
            full = root / folder
            cache[folder] = os.path.islink(full) or (os.path.lexists(full) and not full.is_dir())
        if cache[folder]:
            return True
    return False


def default_perms(mode: str, current: int | None) -> int:
    """Permission bits for a file git checks out with ``mode`` over a file with ``current`` bits.

    Like git: an existing file keeps its bits with only the executable bits switched; a new file
    gets 0666/0777 minus the umask.
    """
    executable = mode == "100755"
    if current is None:
        return (0o777 if executable else 0o666) & ~_umask()
    if executable:
        return current | ((current & 0o444) >> 2)
    return current & ~0o111


def apply_state(
    git: Git, wanted: State, blobs: dict[str, bytes], current: State | None = None, keep_dirs: set[str] | None = None
) -> tuple[list[str], list[str]]:
    """Make each path of ``wanted`` hold its state (None: the file is removed).

    ``blobs`` holds the contents of every wanted blob. ``current`` (from :func:`read_state`)
    lets unchanged files be skipped. Folders emptied by removals are removed too, except those
    in ``keep_dirs``. Returns (written paths, removed paths).

    Raises:
        RepoError: before any change, when a path cannot be written safely.
    """
    current = read_state(git, wanted) if current is None else current
    changed = preflight(git.root, wanted, current)
    removed = [p for p in sorted(changed, key=len) if changed[p] is None and current.get(p)]
    for path in removed:
        full = git.root / path
        if os.path.lexists(full) and not (full.is_dir() and not full.is_symlink()):
            full.unlink()
    _prune_dirs(git.root, removed, keep_dirs)
    to_write = {p: w for p, w in changed.items() if w is not None}
    written = sorted(to_write)
    for path in written:
        _write(git.root, path, to_write[path], blobs, current.get(path))
    return written, removed


def preflight(root: Path, wanted: State, current: State) -> State:
    """The paths of ``wanted`` that differ from ``current``, after checking they can be written.

    Raises:
        RepoError: a write would go through a symlink or a file, or over a folder holding other
            files; the message names the path.
    """
    changed = {p: w for p, w in wanted.items() if not _same(current.get(p), w)}
    _preflight(root, changed)
    return changed


def _same(old: FileState | None, new: FileState | None) -> bool:
    if old is None or new is None:
        return old is new
    if (old.mode, old.sha) != (new.mode, new.sha):
        return False
    return new.perms is None or old.perms == new.perms


def _preflight(root: Path, changed: State) -> None:
    """Refuse, before any change, writes through symlinks or over folders holding other files."""
    for path, want in changed.items():
        parts = path.split("/")
        for depth in range(1, len(parts)):
            ancestor = "/".join(parts[:depth])
            full = root / ancestor
            if not os.path.lexists(full):
                break
            if full.is_symlink() or not full.is_dir():
                if ancestor in changed and changed[ancestor] is None:
                    break  # removed first, so the path below it simply does not exist
                kind = "a symlink" if full.is_symlink() else "a file"
                raise RepoError(f"{full}: is {kind}, so {path} cannot be written safely; nothing was changed")
        target = root / path
        if want is not None and target.is_dir() and not target.is_symlink():
            others = [f for f in expand_paths(root, [path]) if changed.get(f, "keep") is not None]
            if others:
                raise RepoError(
                    f"{target}: is a folder holding other files ({others[0]}); "
                    f"{path} cannot be written; nothing was changed"
                )


def _prune_dirs(root: Path, removed: list[str], keep_dirs: set[str] | None) -> None:
    for path in sorted(removed, key=len, reverse=True):
        parts = path.split("/")[:-1]
        while parts:
            folder = "/".join(parts)
            if keep_dirs is not None and folder in keep_dirs:
                break
            try:
                (root / folder).rmdir()
            except OSError:
                break
            parts.pop()


def _write(root: Path, path: str, want: FileState, blobs: dict[str, bytes], old: FileState | None) -> None:
    full = root / path
    if full.is_dir() and not full.is_symlink():
        _remove_empty_tree(full)
    full.parent.mkdir(parents=True, exist_ok=True)
    data = blobs[want.sha]
    if want.mode == SYMLINK_MODE:
        tmp = full.with_name(f".{full.name}.mc-link")
        if os.path.lexists(tmp):
            tmp.unlink()
        os.symlink(os.fsdecode(data), tmp)
        os.replace(tmp, full)
        return
    if os.path.lexists(full) and full.is_symlink():
        full.unlink()  # replace the link itself, never the file it points to
    atomic_write_bytes(full, data, root=root)
    perms = want.perms
    if perms is None:
        perms = default_perms(want.mode, old.perms if old is not None else None)
    os.chmod(full, perms)


def _remove_empty_tree(folder: Path) -> None:
    for sub, dirs, _files in os.walk(folder, topdown=False):
        for name in dirs:
            os.rmdir(Path(sub) / name)
    folder.rmdir()


def _umask() -> int:
    """The process umask, read without changing it where the platform allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
