"""A repository's import graph from ``ast``, to find the tests a change can affect.

Each ``.py`` file gets a module name from its path under the repo root (and ``src/`` when
present); ``import``/``from ... import`` statements, relative ones included, become edges to the
repository's own files. Imports that also resolve next to the importing file count too, because
pytest's rootdir insertion lets ``tests/test_x.py`` import ``tests/helpers.py`` as ``helpers``.
Trees are parsed, walked for imports and dropped (keeping them alive is slow and large).
"""

from __future__ import annotations

import ast
import fnmatch
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mission_control.util import pyast
from mission_control.util.files import python_files

TEST_PATTERNS = ("test_*.py", "*_test.py")


@dataclass
class ImportGraph:
    """Files (repo-relative POSIX paths) and who imports whom; ``problems`` lists unparsable files."""

    files: set[str] = field(default_factory=set)
    imported_by: dict[str, set[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def dependents(self, changed: Iterable[str]) -> set[str]:
        """Every file that imports one of ``changed``, directly or through others (and ``changed``)."""
        seen = set(changed)
        queue = deque(seen)
        while queue:
            for importer in self.imported_by.get(queue.popleft(), ()):
                if importer not in seen:
                    seen.add(importer)
                    queue.append(importer)
        return seen


def is_test_file(rel: str) -> bool:
    """Whether pytest's default patterns would collect ``rel`` as a test module."""
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, pattern) for pattern in TEST_PATTERNS)


def _module_names(rel: str) -> list[str]:
    parts = rel[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    names = [".".join(parts)] if parts else []
    if parts and parts[0] == "src" and len(parts) > 1:
        names.append(".".join(parts[1:]))
    return names


def build_import_graph(repo: Path, files: list[str] | None = None) -> ImportGraph:
    """Parse every Python file of ``repo`` and link it to the repo files it imports."""
    repo = Path(repo)
    files = python_files(repo) if files is None else files
    modules: dict[str, str] = {}
    for rel in files:
        for name in _module_names(rel):
            modules.setdefault(name, rel)
    graph = ImportGraph(files=set(files))
    for rel in files:
        for target in _imports_of(repo, rel, modules, graph.problems):
            if target != rel:
                graph.imported_by.setdefault(target, set()).add(rel)
    return graph


def _imports_of(repo: Path, rel: str, modules: dict[str, str], problems: list[str]) -> set[str]:
    try:
        tree = pyast.parse((repo / rel).read_bytes(), filename=rel)
    except (SyntaxError, ValueError) as exc:
        problems.append(f"{rel}:{getattr(exc, 'lineno', 0) or 0}: cannot parse: {getattr(exc, 'msg', exc)}")
        return set()
    except OSError as exc:
        problems.append(f"{rel}: cannot read: {exc.strerror}")
        return set()
    package = rel.rsplit("/", 1)[0].replace("/", ".") if "/" in rel else ""
    here = package  # the importing file's folder, as a dotted prefix
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(node, package)
            if base is None:
                continue
            names.add(base)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    targets = set()
    for name in names:
        for candidate in _prefixes(name) + ([f"{here}.{name}"] if here else []):
            if candidate in modules:
                targets.add(modules[candidate])
    return targets


def _resolve_from(node: ast.ImportFrom, package: str) -> str | None:
    if not node.level:
        return node.module or ""
    parts = package.split(".") if package else []
    if node.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (node.level - 1)]
    if node.module:
        base.append(node.module)
    return ".".join(base)


def _prefixes(name: str) -> list[str]:
    """``a.b.c`` → ``a``, ``a.b``, ``a.b.c``: importing a module runs every parent package."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts)) if parts[0]]


def affected_tests(graph: ImportGraph, changed: Iterable[str]) -> tuple[list[str], bool]:
    """The test files ``changed`` files can affect, and whether a conftest change means "all".

    A changed ``conftest.py`` affects every test under its folder; returned as that folder.
    """
    changed = [c for c in changed if c.endswith(".py")]
    hit = graph.dependents(c for c in changed if c in graph.files)
    tests = {f for f in hit if is_test_file(f)}
    folders = set()
    for rel in hit:
        if rel.rsplit("/", 1)[-1] == "conftest.py":
            folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
            if folder == "":
                return [], True
            folders.add(folder)
    tests = {t for t in tests if not any(t.startswith(f + "/") for f in folders)}
    return sorted(tests | folders), False
