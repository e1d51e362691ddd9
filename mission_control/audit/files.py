"""Which files of a repository are its Python code, and what their module names are.

The files come from the one walker (:mod:`mission_control.util.files`), so the audit, the codemods,
the affected-test selection and the watcher skip the same things.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path, PurePosixPath

SOURCE_ROOTS = ("src/",)


class NotARepository(Exception):
    """The folder does not exist or is not a folder; the message names it."""


def check_repo(repo: str | os.PathLike[str]) -> Path:
    """Return ``repo`` as an absolute Path, or raise :class:`NotARepository` naming it."""
    path = Path(repo).expanduser()
    if not path.exists():
        raise NotARepository(f"{path}: no such folder")
    if not path.is_dir():
        raise NotARepository(f"{path}: not a folder")
    return path.resolve()


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
