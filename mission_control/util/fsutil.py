"""Safe file writes: atomic, and never through a symlink that leads outside the project.

Atomic: a temp file in the same folder, fsync, then rename over the target, so a reader (or a crash)
sees either the old file or the new one, never a half-written one.

Contained: every write names the folder it must stay inside (``root``: the repository, or the
per-user folder). Each path component from ``root`` down is checked; a symlink whose target lies
inside ``root`` is written *through* (the link stays a link, its target gets the bytes), one that
leads outside raises :class:`UnsafePathError` naming the link and where it leads, before anything
is written. A file with several hard links is rewritten in place (after a backup copy), so its other
names keep seeing it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

#: The prefix and suffix of the temp files this module writes (``.plan.md.k3j9.tmp``).
TEMP_SUFFIX = ".tmp"


class UnsafePathError(OSError):
    """A write would leave its folder (a symlink to outside, or a path that climbs out)."""


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def write_target(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> Path:
    """The real file a write of ``path`` must go to, checked to stay inside ``root``.

    Symlinked folders and a symlinked file are followed when their targets are inside ``root``.

    Raises:
        UnsafePathError: ``path`` is outside ``root``, or a component is a symlink leading outside it.
        IsADirectoryError: the target is a folder.
    """
    target = _resolve(path, root)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.path.abspath(path))
    return target


def ensure_dir(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> Path:
    """Create the folder ``path`` (and parents) inside ``root``; refuse symlinks that lead outside.

    Returns the real folder.
    """
    folder = _resolve(path, root)
    folder.mkdir(parents=True, exist_ok=True)
    return _resolve(path, root)  # checked again: nothing was swapped in while creating it


def _resolve(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> Path:
    root_real = Path(os.path.realpath(root))
    root_abs = Path(os.path.abspath(root))
    given = Path(os.path.abspath(path))
    if _inside(given, root_real):
        relative = given.relative_to(root_real)
    elif _inside(given, root_abs):
        relative = given.relative_to(root_abs)
    else:
        raise UnsafePathError(f"{given}: outside {root_abs}; refusing to write there")
    current = root_real
    for index, part in enumerate(relative.parts):
        candidate = current / part
        if candidate.is_symlink():
            resolved = Path(os.path.realpath(candidate))
            if not _inside(resolved, root_real):
                shown = root_abs.joinpath(*relative.parts[: index + 1])
                raise UnsafePathError(
                    f"{shown}: is a symlink to {resolved}, outside {root_abs}; refusing to write through it"
                )
            candidate = resolved
        current = candidate
    return current


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, root: str | os.PathLike[str] | None = None
) -> None:
    """Replace ``path`` with ``data`` atomically, keeping the file's permission bits and links.

    ``root`` is the folder the write must stay inside (default: the file's own folder, so only a
    symlinked file is followed, and only to a target beside it or below).

    Raises:
        UnsafePathError: the write would leave ``root`` (nothing is written).
        OSError: the write failed (the old file is intact).
    """
    target = write_target(path, root if root is not None else Path(os.path.abspath(path)).parent)
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    if info is not None and info.st_nlink > 1:
        _rewrite_in_place(target, data)
        return
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if info is not None:
            os.chmod(tmp, info.st_mode & 0o7777)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def atomic_write_text(
    path: str | os.PathLike[str], text: str, encoding: str = "utf-8", *, root: str | os.PathLike[str] | None = None
) -> None:
    """Replace ``path`` with ``text`` atomically (no newline translation); see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode(encoding), root=root)


def open_for_append(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> int:
    """A file descriptor appending to ``path`` (created if missing) that never follows a symlink outside ``root``.

    The caller closes it. The final component is opened with ``O_NOFOLLOW`` after the check, so a
    symlink swapped in between fails instead of being followed.
    """
    ensure_dir(Path(os.path.abspath(path)).parent, root)
    target = write_target(path, root)
    return os.open(target, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o644)


def stray_temp_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Temp files a killed atomic write left in ``folder`` (``.NAME.XXXXXXXX.tmp`` beside ``NAME``)."""
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            if (
                name.startswith(".")
                and name.endswith(TEMP_SUFFIX)
                and name.count(".") >= 3
                and entry.is_file(follow_symlinks=False)
            ):
                found.append(Path(entry.path))
    return sorted(found)


def _rewrite_in_place(target: Path, data: bytes) -> None:
    """Keep a hard-linked file's inode: back it up beside itself, write in place, drop the backup."""
    fd, backup = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(target.read_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        out = os.open(target, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(out, view) :]
            os.fsync(out)
        finally:
            os.close(out)
    except OSError as exc:
        raise OSError(exc.errno, f"rewriting in place failed; the old bytes are kept in {backup}", str(target)) from exc
    os.unlink(backup)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the platform allows syncing a directory."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
