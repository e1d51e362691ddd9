"""From per-module facts to the repo-wide audit: duplicates, roles, sizes, broken imports.

Pure functions over ``{relative path: facts}``; no file system access, so the working tree
and any baseline tree go through exactly the same code.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from mission_control.audit import extract as fx
from mission_control.audit.files import is_package_init, module_name
from mission_control.repo.components import paths_matcher
from mission_control.util.git import RepoError

DEFAULT_ROLES = (
    "Manager",
    "Factory",
    "Registry",
    "Dispatcher",
    "Engine",
    "Emitter",
    "Handler",
    "Service",
    "Provider",
    "Builder",
    "Adapter",
    "Controller",
    "Executor",
    "Processor",
    "Router",
    "Repository",
    "Helper",
)
# Modules left out of the duplicate search: tests and migrations repeat names by design.
DEFAULT_DUPLICATE_EXCLUDES = (
    "test_*.py",
    "*/test_*.py",
    "*_test.py",
    "conftest.py",
    "*/conftest.py",
    "tests/*",
    "*/tests/*",
    "test/*",
    "*/test/*",
    "*/migrations/*",
)
SIMILARITY_SAMPLE = 16  # pairwise comparisons use at most this many modules per name
# Below this, two bodies share (almost) nothing: a thin wrapper and the implementation it calls
# (click's termui.getchar and _termui_impl.getchar), or each script's own ``main``. Not one
# concept defined twice, so not an SSOT candidate.
MIN_SIMILARITY = 0.1
WRAPPER_SIMILARITY = 0.5  # a definition less alike than this to the one it imports wraps it


@dataclass(frozen=True)
class ParseProblem:
    """A file skipped because it does not parse."""

    path: str
    line: int
    message: str


@dataclass(frozen=True)
class Duplicate:
    """A name defined at top level in two or more modules: an SSOT violation candidate.

    ``similarity`` is the mean Jaccard similarity of the bodies' line sets (1.0 = copies); it is
    at least :data:`MIN_SIMILARITY`.
    """

    name: str
    kind: str  # "class" | "function"
    modules: tuple[str, ...]
    similarity: float


@dataclass(frozen=True)
class BrokenImport:
    """An import of a module or name of this repository that does not exist."""

    path: str
    line: int
    import_: str


@dataclass(frozen=True)
class ComponentSize:
    """Files and physical lines matched by a component's path globs."""

    files: int
    lines: int


@dataclass(frozen=True)
class ModuleSummary:
    """What the metrics need of one module beyond the JSON report."""

    path: str
    module: str
    lines: int
    classes: tuple[str, ...]
    functions: tuple[str, ...]


@dataclass(frozen=True)
class AuditResult:
    """The audit of one tree (the working tree when ``ref`` is None).

    ``parsed`` counts files actually parsed in this run (0 on a warm run), ``read`` the
    files whose bytes were read; both are for benchmarks and status lines.
    """

    files: int
    lines: int
    parse_errors: tuple[ParseProblem, ...]
    duplicates: tuple[Duplicate, ...]
    roles: dict[str, int]
    broken_imports: tuple[BrokenImport, ...]
    components: dict[str, ComponentSize]
    modules: tuple[ModuleSummary, ...] = field(default=(), repr=False)
    ref: str | None = None
    parsed: int = 0
    read: int = 0

    def to_json(self) -> dict[str, Any]:
        """The ``audit --json`` object, exactly the documented shape."""
        return {
            "files": self.files,
            "lines": self.lines,
            "parse_errors": [{"path": p.path, "line": p.line, "message": p.message} for p in self.parse_errors],
            "duplicates": [
                {"name": d.name, "kind": d.kind, "modules": list(d.modules), "similarity": d.similarity}
                for d in self.duplicates
            ],
            "roles": dict(self.roles),
            "broken_imports": [{"path": b.path, "line": b.line, "import": b.import_} for b in self.broken_imports],
            "components": {name: {"files": c.files, "lines": c.lines} for name, c in self.components.items()},
        }

    def metrics(self) -> dict[str, float]:
        """Flat numeric metrics (for history and success-metric gauges).

        Names: ``files``, ``lines``, ``parse_errors``, ``duplicates`` (SSOT violation
        candidates), ``broken_imports``, ``roles.<Role>``, ``components.<name>.files``,
        ``components.<name>.lines``.
        """
        values: dict[str, float] = {
            "files": self.files,
            "lines": self.lines,
            "parse_errors": len(self.parse_errors),
            "duplicates": len(self.duplicates),
            "broken_imports": len(self.broken_imports),
        }
        values.update({f"roles.{role}": n for role, n in self.roles.items()})
        for name, size in self.components.items():
            values[f"components.{name}.files"] = size.files
            values[f"components.{name}.lines"] = size.lines
        return values


def analyse(
    facts_by_path: Mapping[str, fx.Facts],
    *,
    components: Mapping[str, Sequence[str]] | None = None,
    roles: Sequence[str] = DEFAULT_ROLES,
    duplicate_excludes: Sequence[str] = DEFAULT_DUPLICATE_EXCLUDES,
    ref: str | None = None,
    others: Mapping[str, int] | None = None,
) -> AuditResult:
    """Build the repo-wide audit from the facts of every file (keys: repo-relative paths).

    ``others``: the lines of the components' files that are not Python (path -> lines), so a
    component of docs or data has its size too.
    """
    paths = sorted(facts_by_path)
    good = [p for p in paths if facts_by_path[p][fx.ERROR] is None]
    modules = {p: module_name(p) for p in paths}
    return AuditResult(
        files=len(paths),
        lines=sum(facts_by_path[p][fx.LINES] for p in paths),
        parse_errors=_parse_errors(facts_by_path, paths),
        duplicates=_duplicates(facts_by_path, good, modules, duplicate_excludes),
        roles=_roles(facts_by_path, good, roles),
        broken_imports=_broken_imports(facts_by_path, good, modules),
        components=_components(facts_by_path, paths, components or {}, others or {}),
        modules=tuple(_summary(p, modules[p], facts_by_path[p]) for p in paths),
        ref=ref,
    )


class LiveAnalysis:
    """:func:`analyse` for a long-lived auditor: after one changed file, only that file is analysed.

    Facts objects of unchanged files are the same objects from run to run (the auditor keeps
    them), so "changed" is "another object". The module index (which modules exist, which names
    each binds) is rebuilt only when files come or go; else the changed files' imports are checked
    again, plus, when a changed file binds other names than before, the imports of the files that
    asked that module for a name; only the changed files' roles and summaries are redone.
    Duplicates, parse errors, lines and components are recomputed from the kept per-file parts.
    The result always equals :func:`analyse` of the same facts (``tests/test_audit.py`` checks).
    """

    def __init__(self) -> None:
        self._facts: dict[str, fx.Facts] = {}
        self._key: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._modules: dict[str, str] = {}
        self._index: _ModuleIndex | None = None
        self._broken: dict[str, list[BrokenImport]] = {}
        self._importers: dict[str, set[str]] = {}  # module -> the files that asked it for a name
        self._roles: dict[str, tuple[str, ...]] = {}
        self._summaries: dict[str, ModuleSummary] = {}
        self._imported: dict[str, set[tuple[str, str]]] = {}  # path -> the (module, name)s it imports

    def analyse(
        self,
        facts_by_path: Mapping[str, fx.Facts],
        *,
        components: Mapping[str, Sequence[str]] | None = None,
        roles: Sequence[str] = DEFAULT_ROLES,
        duplicate_excludes: Sequence[str] = DEFAULT_DUPLICATE_EXCLUDES,
        others: Mapping[str, int] | None = None,
    ) -> AuditResult:
        """The audit of ``facts_by_path`` (and ``others`` as :func:`analyse`), reusing what the previous call learnt."""
        key = (tuple(roles), tuple(duplicate_excludes))
        changed = [p for p, facts in facts_by_path.items() if self._facts.get(p) is not facts]
        if key != self._key or self._index is None or facts_by_path.keys() != self._facts.keys():
            self._rebuild(facts_by_path, key)
        else:
            again = set(changed)
            for path in changed:
                if _interface(facts_by_path[path]) != _interface(self._facts[path]):
                    again |= self._importers.get(self._modules[path], set())
            self._update(facts_by_path, sorted(again))
        self._facts = dict(facts_by_path)
        paths = sorted(facts_by_path)
        good = [p for p in paths if facts_by_path[p][fx.ERROR] is None]
        counts = dict.fromkeys(roles, 0)
        for path in good:
            for role in self._roles[path]:
                counts[role] += 1
        return AuditResult(
            files=len(paths),
            lines=sum(facts_by_path[p][fx.LINES] for p in paths),
            parse_errors=_parse_errors(facts_by_path, paths),
            duplicates=_duplicates(facts_by_path, good, self._modules, duplicate_excludes, self._imported),
            roles=counts,
            broken_imports=tuple(b for p in good for b in self._broken[p]),
            components=_components(facts_by_path, paths, components or {}, others or {}),
            modules=tuple(self._summaries[p] for p in paths),
        )

    def _rebuild(self, facts_by_path: Mapping[str, fx.Facts], key: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
        self._key = key
        self._modules = {p: module_name(p) for p in facts_by_path}
        self._index = _ModuleIndex(facts_by_path, sorted(facts_by_path), self._modules)
        self._broken, self._roles, self._summaries, self._importers, self._imported = {}, {}, {}, {}, {}
        self._update(facts_by_path, list(facts_by_path))

    def _update(self, facts_by_path: Mapping[str, fx.Facts], paths: Iterable[str]) -> None:
        index = self._index
        assert index is not None and self._key is not None
        ordered = sorted(self._key[0], key=len, reverse=True)  # "ToolRegistryManager" is a Manager
        paths = list(paths)
        for path in paths:  # first the index, then the imports that read it
            module = self._modules[path]
            if module and index.files.get(module) is self._facts.get(path):
                index.files[module] = facts_by_path[path]
        for path in paths:
            facts, module = facts_by_path[path], self._modules[path]
            index.queried = set()
            self._broken[path] = _file_broken_imports(index, path, facts)
            for target in index.queried:
                self._importers.setdefault(target, set()).add(path)
            index.queried = None
            found = (next((r for r in ordered if name.endswith(r)), None) for name, _line, _fp in facts[fx.CLASSES])
            self._roles[path] = tuple(role for role in found if role is not None)
            self._summaries[path] = _summary(path, module, facts)
            self._imported[path] = _imported_names(path, module, facts)


def _interface(facts: fx.Facts) -> tuple[object, ...]:
    """What other files' imports can see of a module: the names it binds, ``*`` or ``__getattr__``."""
    return (facts[fx.FLAGS] & (fx.STAR_IMPORT | fx.HAS_GETATTR), facts[fx.BOUND])


def _summary(path: str, module: str, facts: fx.Facts) -> ModuleSummary:
    return ModuleSummary(
        path=path,
        module=module,
        lines=facts[fx.LINES],
        classes=tuple(d[0] for d in facts[fx.CLASSES]),
        functions=tuple(d[0] for d in facts[fx.FUNCTIONS]),
    )


def _parse_errors(facts_by_path: Mapping[str, fx.Facts], paths: list[str]) -> tuple[ParseProblem, ...]:
    problems = []
    for path in paths:
        error = facts_by_path[path][fx.ERROR]
        if error is not None:
            problems.append(ParseProblem(path, error[0], error[1]))
    return tuple(problems)


def _duplicates(
    facts_by_path: Mapping[str, fx.Facts],
    paths: list[str],
    modules: Mapping[str, str],
    excludes: Sequence[str],
    imported_by_path: Mapping[str, set[tuple[str, str]]] | None = None,
) -> tuple[Duplicate, ...]:
    """``imported_by_path``: each path's :func:`_imported_names`, when the caller keeps them."""
    groups: dict[tuple[str, str], dict[str, tuple[int, ...]]] = defaultdict(dict)
    imported: dict[str, set[tuple[str, str]]] = {}  # module -> (module, name) it imports
    for path in paths:
        if matches_any(path, excludes):
            continue
        facts = facts_by_path[path]
        imported[modules[path]] = (
            imported_by_path[path] if imported_by_path is not None else _imported_names(path, modules[path], facts)
        )
        for kind, definitions in (("class", facts[fx.CLASSES]), ("function", facts[fx.FUNCTIONS])):
            for name, _line, fingerprint in definitions:
                groups[(kind, name)].setdefault(modules[path], fingerprint)
    found = []
    for (kind, name), members in groups.items():
        if len(members) < 2:
            continue
        # a module that imports the name from another member and whose own body is unlike it wraps
        # it (click's termui.getchar calls _termui_impl.getchar): one concept, not two. A near copy
        # kept as a fallback (boltons' urlutils.OrderedMultiDict) is still a copy to maintain.
        members = {
            m: f
            for m, f in members.items()
            if not any((o, name) in imported[m] and fx.similarity(f, members[o]) < WRAPPER_SIMILARITY for o in members)
        }
        if len(members) < 2:
            continue
        names = tuple(sorted(members))
        score = _group_similarity([members[m] for m in names[:SIMILARITY_SAMPLE]])
        if score >= MIN_SIMILARITY:
            found.append(Duplicate(name, kind, names, score))
    found.sort(key=lambda d: (-d.similarity, -len(d.modules), d.name, d.kind))
    return tuple(found)


def _imported_names(path: str, module: str, facts: fx.Facts) -> set[tuple[str, str]]:
    """``(module, name)`` of every ``from module import name`` in the file (relative ones resolved)."""
    package = module if is_package_init(path) else module.rpartition(".")[0]
    found: set[tuple[str, str]] = set()
    for _line, level, source, names, _guarded in facts[fx.IMPORTS]:
        if level:
            base = _relative_base(package, level)
            if base is None:
                continue
            source = f"{base}.{source}" if base and source else (base or source)
        found.update((source, name) for name in names)
    return found


def _group_similarity(fingerprints: list[tuple[int, ...]]) -> float:
    sets = [set(f) for f in fingerprints]
    scores = []
    for a, b in combinations(sets, 2):
        union = len(a | b)
        scores.append(len(a & b) / union if union else 1.0)
    return round(sum(scores) / len(scores), 3) if scores else 1.0


def _roles(facts_by_path: Mapping[str, fx.Facts], paths: list[str], roles: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(roles, 0)
    ordered = sorted(roles, key=len, reverse=True)  # "ToolRegistryManager" is a Manager
    for path in paths:
        for name, _line, _fp in facts_by_path[path][fx.CLASSES]:
            for role in ordered:
                if name.endswith(role):
                    counts[role] += 1
                    break
    return counts


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    """Whether a repo-relative path matches one of the globs (a bare folder matches inside)."""
    return _compiled(tuple(patterns)).match(path) is not None


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a set of globs: ``fnmatch`` semantics, plus folder prefixes."""
    alternatives = []
    for pattern in patterns:
        pattern = pattern.strip()
        if pattern.startswith("./"):
            pattern = pattern[2:]
        alternatives.append(fnmatch.translate(pattern))
        folder = pattern.rstrip("/")
        if pattern.endswith("/**"):
            alternatives.append(re.escape(pattern[:-3]) + "/.*")
        elif folder and not any(ch in folder for ch in "*?["):
            alternatives.append(re.escape(folder) + "/.*")
    return re.compile("|".join(f"(?:{alt})" for alt in alternatives) or r"(?!)", re.S)


def _components(
    facts_by_path: Mapping[str, fx.Facts],
    paths: list[str],
    components: Mapping[str, Sequence[str]],
    others: Mapping[str, int],
) -> dict[str, ComponentSize]:
    """Files and lines per component: its Python files and its other files (docs, data) alike."""
    lines = {**others, **{p: facts_by_path[p][fx.LINES] for p in paths}}
    sizes = {}
    for name, patterns in components.items():
        belongs = component_matcher(patterns)
        hits = [p for p in lines if belongs(p)]
        sizes[name] = ComponentSize(len(hits), sum(lines[p] for p in hits))
    return sizes


def component_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """Whether a path belongs to a component with these globs: the same git rules (``!`` included)
    as its status and rollback; a glob leading outside the repository matches nothing."""
    try:
        return paths_matcher(patterns)
    except RepoError:
        return lambda _path: False


class _ModuleIndex:
    """Every module and package of the tree, and the names each module binds."""

    def __init__(self, facts_by_path: Mapping[str, fx.Facts], paths: list[str], modules: Mapping[str, str]) -> None:
        self.files: dict[str, fx.Facts] = {}  # module name -> facts (file modules and __init__s)
        self.packages: set[str] = set()  # every dotted prefix that is a folder
        self.package_of: dict[str, str] = {}
        for path, facts in facts_by_path.items():
            module = modules[path]
            if module:
                self.files[module] = facts
            parts = module.split(".") if module else []
            upto = len(parts) if is_package_init(path) else len(parts) - 1
            for i in range(1, upto + 1):
                self.packages.add(".".join(parts[:i]))
            self.package_of[path] = ".".join(parts[:upto])
        self.roots = {m.split(".")[0] for m in list(self.files) + list(self.packages)}
        self.roots -= set(sys.stdlib_module_names)
        self.queried: set[str] | None = None  # when a set: the modules asked for a name (LiveAnalysis)

    def exists(self, module: str) -> bool:
        return module in self.files or module in self.packages

    def provides(self, module: str, name: str) -> bool:
        """Whether ``from module import name`` can succeed."""
        if self.queried is not None:
            self.queried.add(module)
        if self.exists(f"{module}.{name}"):
            return True
        facts = self.files.get(module)
        if facts is None:
            return False  # a namespace package offers only its submodules
        if facts[fx.FLAGS] & (fx.STAR_IMPORT | fx.HAS_GETATTR | fx.DYNAMIC_GLOBALS):
            return True
        return name in facts[fx.BOUND]


def _broken_imports(
    facts_by_path: Mapping[str, fx.Facts], paths: list[str], modules: Mapping[str, str]
) -> tuple[BrokenImport, ...]:
    index = _ModuleIndex(facts_by_path, paths, modules)
    return tuple(b for path in paths for b in _file_broken_imports(index, path, facts_by_path[path]))


def _file_broken_imports(index: _ModuleIndex, path: str, facts: fx.Facts) -> list[BrokenImport]:
    broken = []
    for line, level, module, names, guarded in facts[fx.IMPORTS]:
        if guarded:
            continue
        problem = _check_import(index, path, level, module, names)
        if problem:
            broken.append(BrokenImport(path, line, problem))
    return broken


def _check_import(index: _ModuleIndex, path: str, level: int, module: str, names: tuple[str, ...]) -> str | None:
    """Return the text of the missing import, or None when it resolves or is external."""
    if level:
        base = _relative_base(index.package_of[path], level)
        shown = "." * level + module
        if base is None:
            return shown
        target = f"{base}.{module}" if base and module else (base or module)
    else:
        shown = target = module
        if target.split(".")[0] not in index.roots:
            return None
    if not names:
        return None if index.exists(target) else shown
    if not target or not index.exists(target):
        return shown
    for name in names:
        if name != "*" and not index.provides(target, name):
            return f"{shown}.{name}" if not shown.endswith(".") else f"{shown}{name}"
    return None


def _relative_base(package: str, level: int) -> str | None:
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    return ".".join(parts[: len(parts) - (level - 1)])
