"""Which files of a repository are its Python code, and what their module names are.

Shared by the audit and the watcher so both ignore the same things: version-control
folders, virtual environments, caches and build output, plus whatever git ignores.
"""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path, PurePosixPath

IGNORED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".tox", ".nox", ".venv", "venv", ".eggs", "node_modules", "site-packages",
        ".hypothesis", ".ipynb_checkpoints", ".idea", ".vscode",
    }
)
SOURCE_ROOTS = ("src/",)


class NotARepository(Exception):
    """The folder does not exist or is not a folder; the message names it."""


def is_ignored_part(name: str) -> bool:
    """Whether a path component marks a folder nobody refactors (VCS, venv, cache)."""
    return name in IGNORED_DIRS or name.endswith(".egg-info")


def is_venv(folder: Path) -> bool:
    """Whether ``folder`` is a virtual environment, whatever its name."""
    return (folder / "pyvenv.cfg").is_file()


def check_repo(repo: str | os.PathLike[str]) -> Path:
    """Return ``repo`` as an absolute Path, or raise :class:`NotARepository` naming it."""
    path = Path(repo).expanduser()
    if not path.exists():
        raise NotARepository(f"{path}: no such folder")
    if not path.is_dir():
        raise NotARepository(f"{path}: not a folder")
    return path.resolve()


def is_git_repo(repo: Path) -> bool:
    """Whether ``repo`` is inside a git work tree."""
    proc = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=repo, capture_output=True, text=True
    )
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def list_python_files(repo: Path) -> list[str]:
    """Repo-relative POSIX paths of the ``.py`` files to audit, sorted.

    In a git work tree: tracked plus untracked-but-not-ignored files (``git ls-files``);
    elsewhere a directory walk. Either way ignored folders and virtual environments are
    skipped.
    """
    listed = _git_list(repo)
    if listed is None:
        listed = _walk(repo)
    venv_cache: dict[str, bool] = {}
    return sorted(rel for rel in listed if not _in_ignored_folder(repo, rel, venv_cache))


def _git_list(repo: Path) -> list[str] | None:
    proc = subprocess.run(
        ["git", "ls-files", "-z", "-c", "-o", "--exclude-standard", "--", "*.py"],
        cwd=repo,
        capture_output=True,
    )
    if proc.returncode != 0:
        return None
    names = {os.fsdecode(raw) for raw in proc.stdout.split(b"\0") if raw}
    return [name for name in names if name.endswith(".py")]


def _walk(repo: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(repo):
        dirs[:] = [d for d in dirs if not is_ignored_part(d) and not is_venv(Path(folder, d))]
        rel_folder = os.path.relpath(folder, repo)
        for name in files:
            if name.endswith(".py"):
                rel = name if rel_folder == "." else f"{rel_folder}/{name}"
                found.append(rel.replace(os.sep, "/"))
    return found


def _in_ignored_folder(repo: Path, rel: str, venv_cache: dict[str, bool]) -> bool:
    parts = rel.split("/")[:-1]
    for index, part in enumerate(parts):
        if is_ignored_part(part):
            return True
        prefix = "/".join(parts[: index + 1])
        if prefix not in venv_cache:
            venv_cache[prefix] = is_venv(repo / prefix)
        if venv_cache[prefix]:
            return True
    return False


@lru_cache(maxsize=65536)
def module_name(rel: str) -> str:
    """Dotted module name of a repo-relative path (``src/`` layouts stripped); memoised."""
    for root in SOURCE_ROOTS:
        if rel.startswith(root):
            rel = rel[len(root) :]
            break
    stem = rel[: -len(PurePosixPath(rel).suffix)] if PurePosixPath(rel).suffix else rel
    parts = [part for part in stem.split("/") if part]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package_init(rel: str) -> bool:
    """Whether the file is a package's ``__init__.py``."""
    return rel == "__init__.py" or rel.endswith("/__init__.py")
