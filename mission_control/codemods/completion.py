"""Qualified-name completion data: every module and top-level definition of the repository.

The Codemods dock completes ``old_name``/``canonical``/``duplicates`` from this list. Files are
read with the stdlib ``ast`` only (fast), and the answer is cached by file size and mtime.
"""

from __future__ import annotations

from pathlib import Path

from mission_control.codemods.resolve import defined_names, module_and_package
from mission_control.util import pyast

_CACHE: dict[tuple[str, int, int], list[tuple[str, str, int]]] = {}


def qualified_names(repo: str | Path, prefix: str = "") -> list[tuple[str, str, int]]:
    """``(qualified name, path, line)`` of every module and top-level definition starting with ``prefix``."""
    from mission_control.util.files import python_files

    root = Path(repo)
    out: list[tuple[str, str, int]] = []
    for rel in python_files(root):
        module = module_and_package(rel)[0]
        if prefix and not (module.startswith(prefix) or prefix.startswith(module)):
            continue
        out.extend(n for n in _names(root, rel, module) if n[0].startswith(prefix))
    return sorted(out)


def _names(root: Path, rel: str, module: str) -> list[tuple[str, str, int]]:
    try:
        stat = (root / rel).stat()
    except OSError:
        return []
    key = (str(root / rel), stat.st_size, stat.st_mtime_ns)
    if key not in _CACHE:
        try:
            tree = pyast.parse((root / rel).read_bytes())
            names = [(f"{module}.{n}", rel, line) for n, line in defined_names(tree)]
        except (SyntaxError, ValueError, OSError):
            names = []
        _CACHE[key] = [(module, rel, 1), *names]
    return _CACHE[key]
