"""The one file walker: which files of a project Mission Control reads, rewrites or watches.

Git's view first: tracked files plus untracked files git does not ignore (``git ls-files -c -o
--exclude-standard``), so a ``build/`` copy or anything in ``.gitignore`` is never audited, rewritten
by a codemod or collected as a test. Outside git, a walk of the folder. Either way the same folders
are skipped: version control, virtual environments (by name or by their ``pyvenv.cfg``), caches,
``*.egg-info`` and Mission Control's own state. The audit, the codemods, the affected-test selection,
plan discovery and the watcher's filter all ask this module, so they agree on what a project's files are.
"""

from __future__ import annotations

import os
from pathlib import Path

from mission_control.util.git import files_in

#: Folders nobody refactors, whatever git says about them.
IGNORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".eggs",
        "node_modules",
        "site-packages",
        ".hypothesis",
        ".ipynb_checkpoints",
        ".idea",
        ".vscode",
        ".mission-control",
    }
)


def is_ignored_part(name: str) -> bool:
    """Whether a path component marks a folder nobody refactors (VCS, venv, cache, our state)."""
    return name in IGNORED_DIRS or name.endswith(".egg-info")


def is_venv(folder: Path) -> bool:
    """Whether ``folder`` is a virtual environment, whatever its name."""
    return (folder / "pyvenv.cfg").is_file()


def project_files(root: str | os.PathLike[str], suffixes: tuple[str, ...] | None = (".py",)) -> list[str]:
    """Root-relative POSIX paths of the project's files ending in one of ``suffixes`` (None: all), sorted.

    In a git working tree, git's view of the files; elsewhere a walk. Skipped folders and virtual
    environments are left out in both cases.
    """
    folder = Path(root)
    listed = files_in(folder)
    if listed is None:
        listed = _walk(folder)
    wanted = [rel for rel in listed if suffixes is None or rel.endswith(suffixes)]
    venv_cache: dict[str, bool] = {}
    return sorted(rel for rel in wanted if not _in_ignored_folder(folder, rel, venv_cache))


def python_files(root: str | os.PathLike[str]) -> list[str]:
    """The project's ``.py`` files (see :func:`project_files`)."""
    return project_files(root, (".py",))


def _walk(root: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not is_ignored_part(d) and not is_venv(Path(folder, d))]
        rel_folder = os.path.relpath(folder, root)
        for name in files:
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            found.append(rel.replace(os.sep, "/"))
    return found


def _in_ignored_folder(root: Path, rel: str, venv_cache: dict[str, bool]) -> bool:
    parts = rel.split("/")[:-1]
    for index, part in enumerate(parts):
        if is_ignored_part(part):
            return True
        prefix = "/".join(parts[: index + 1])
        if prefix not in venv_cache:
            venv_cache[prefix] = is_venv(root / prefix)
        if venv_cache[prefix]:
            return True
    return False
