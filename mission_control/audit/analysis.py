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
) -> tuple[Duplicate, ...]:
    groups: dict[tuple[str, str], dict[str, tuple[int, ...]]] = defaultdict(dict)
    imported: dict[str, set[tuple[str, str]]] = {}  # module -> (module, name) it imports
    for path in paths:
        if matches_any(path, excludes):
            continue
        facts = facts_by_path[path]
        imported[modules[path]] = _imported_names(path, modules[path], facts)
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

    def exists(self, module: str) -> bool:
        return module in self.files or module in self.packages

    def provides(self, module: str, name: str) -> bool:
        """Whether ``from module import name`` can succeed."""
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
    broken = []
    for path in paths:
        for line, level, module, names, guarded in facts_by_path[path][fx.IMPORTS]:
            if guarded:
                continue
            problem = _check_import(index, path, level, module, names)
            if problem:
                broken.append(BrokenImport(path, line, problem))
    return tuple(broken)


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
