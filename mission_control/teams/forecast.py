"""Conflict forecast between teams, before anyone integrates: textual, semantic, overlap, planned.

For every pair of launched teams, and every team against the integration branch, the merge is
computed without touching any working tree (``git merge-tree --write-tree``, git ≥ 2.38). Its exit
code says clean or conflicted; the conflicted paths and their kinds (content, add/add,
modify/delete, rename…) come from its messages. The objects it writes go to a temporary object
directory (the repository's own objects serve as an alternate), so nothing piles up.

- **overlap**: files changed on both sides that still merge cleanly — a softer warning;
- **semantic**: on a clean merge, a name or module one side removed (or renamed) that the other
  side's changed code still imports, with file, line and name — read from blobs, no checkout;
- **planned**: before any code exists, two tasks of different teams that overlap in time and whose
  components share files.

Pairs are cached by their commit triple (both heads and their merge base), in memory and in the
user's cache folder, so an unchanged pair costs nothing.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from mission_control.audit.files import module_name
from mission_control.plan import Plan
from mission_control.repo.components import Component
from mission_control.teams.tracking import MissionTeams
from mission_control.util import appdirs, pyast
from mission_control.util.files import project_files
from mission_control.util.fsutil import atomic_write_text
from mission_control.util.git import Git, GitError, run_git

CONFLICT, SEMANTIC, OVERLAP, CLEAN = "conflict", "semantic", "overlap", "clean"
INTEGRATION = "integration"
_SEVERITY = {CLEAN: 0, OVERLAP: 1, SEMANTIC: 2, CONFLICT: 3}
_CACHE_VERSION = 2
_KIND = re.compile(r"CONFLICT \(([^)]*)\)")


class ForecastError(Exception):
    """The forecast cannot be computed (git too old); the message says why."""


@dataclass(frozen=True)
class SemanticConflict:
    """A name one side removed that the other side's code still imports."""

    path: str
    line: int
    name: str
    message: str


@dataclass(frozen=True)
class PairForecast:
    """What merging ``a`` and ``b`` would give (``b`` may be ``"integration"``)."""

    a: str
    b: str
    status: str
    files: tuple[str, ...] = ()
    kinds: dict[str, str] = field(default_factory=dict)
    semantic: tuple[SemanticConflict, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "a": self.a,
            "b": self.b,
            "status": self.status,
            "files": list(self.files),
            "kinds": dict(self.kinds),
            "semantic": [asdict(s) for s in self.semantic],
        }


@dataclass(frozen=True)
class PlannedOverlap:
    """Two tasks of different teams, at the same time, on the same files."""

    a_task: str
    b_task: str
    paths: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"a_task": self.a_task, "b_task": self.b_task, "paths": list(self.paths)}


@dataclass(frozen=True)
class Forecast:
    """Every pair's forecast and the planned overlaps."""

    pairs: tuple[PairForecast, ...]
    planned: tuple[PlannedOverlap, ...]

    def pair(self, a: str, b: str) -> PairForecast | None:
        return next((p for p in self.pairs if {p.a, p.b} == {a, b}), None)

    def to_json(self) -> dict[str, object]:
        return {"pairs": [p.to_json() for p in self.pairs], "planned": [p.to_json() for p in self.planned]}


_MEMORY: dict[tuple[str, str, str], PairForecast] = {}


def forecast(git: Git, mission: MissionTeams, plan: Plan, components: Iterable[Component] = ()) -> Forecast:
    """The forecast for every pair of launched teams and each team against the integration branch.

    Raises:
        ForecastError: git is older than 2.38 (no ``merge-tree --write-tree``).
    """
    heads = {t.name: t.branch_head for t in mission.teams if t.branch_head and t.launched}
    sides = sorted(heads.items())
    if mission.integration_head:
        sides.append((INTEGRATION, mission.integration_head))
    wanted = [
        (a, a_head, b, b_head)
        for index, (a, a_head) in enumerate(sides)
        for b, b_head in sides[index + 1 :]
        if a != INTEGRATION and (b == INTEGRATION or a_head != b_head)
    ]
    found = {(a, b): _cached(git, a, a_head, b, b_head) for a, a_head, b, b_head in wanted}
    missing = [w for w in wanted if found[(w[0], w[2])] is None]
    if missing:  # only now: a scratch object folder, merge bases, merges
        with _scratch_objects(git) as env:
            sides_memo: dict[tuple[str, str], dict[str, _Removed]] = {}
            for a, a_head, b, b_head in missing:  # two teams at the same commit: computed once
                found[(a, b)] = _cached(git, a, a_head, b, b_head) or _pair(git, env, a, a_head, b, b_head, sides_memo)
    pairs = tuple(p for p in found.values() if p is not None)
    return Forecast(pairs, tuple(planned_overlaps(git.root, plan, mission, list(components))))


def planned_overlaps(
    repo: Path, plan: Plan, mission: MissionTeams, components: list[Component]
) -> list[PlannedOverlap]:
    """Tasks of different teams overlapping in time whose components share files."""
    team_of = {key: t.spec.name for t in mission.teams for key in t.spec.tasks}
    with_paths = [c for c in components if c.paths and c.tasks]
    if not with_paths:
        return []
    files = project_files(repo, None)
    owned: dict[str, set[str]] = {}
    for component in with_paths:
        mine = set(component.files(files))
        for task in component.tasks:
            owned.setdefault(task, set()).update(mine)
    tasks = [t for t in plan.tasks if t.key in owned and t.times is not None and t.key in team_of]
    found = []
    for index, first in enumerate(tasks):
        for second in tasks[index + 1 :]:
            if team_of[first.key] == team_of[second.key]:
                continue
            a, b = first.times, second.times
            assert a is not None and b is not None
            if a[0] < b[1] and b[0] < a[1]:
                shared = owned[first.key] & owned[second.key]
                if shared:
                    found.append(PlannedOverlap(first.key, second.key, tuple(sorted(shared))))
    return found


def _cached(git: Git, a: str, a_head: str, b: str, b_head: str) -> PairForecast | None:
    """The pair's forecast if these two heads were forecast before (their merge base is fixed by them)."""
    key = (str(git.root), a_head, b_head)
    cached = _MEMORY.get(key) or _read_cache(key)
    if cached is None:
        return None
    _MEMORY[key] = cached
    return PairForecast(a, b, cached.status, cached.files, cached.kinds, cached.semantic)


def _pair(
    git: Git,
    env: dict[str, str],
    a: str,
    a_head: str,
    b: str,
    b_head: str,
    sides: dict[tuple[str, str], dict[str, _Removed]],
) -> PairForecast:
    base = _merge_base(git, a_head, b_head)
    result = _compute(git, env, a, a_head, b, b_head, base, sides)
    key = (str(git.root), a_head, b_head)
    _MEMORY[key] = result
    _write_cache(key, result)
    return result


def _compute(
    git: Git,
    env: dict[str, str],
    a: str,
    a_head: str,
    b: str,
    b_head: str,
    base: str | None,
    sides: dict[tuple[str, str], dict[str, _Removed]],
) -> PairForecast:
    try:
        out = run_git(
            git.root, "merge-tree", "--write-tree", "-z", "--name-only", a_head, b_head, ok_codes=(0, 1), extra_env=env
        )
    except GitError as exc:
        if "write-tree" in str(exc) or "unknown option" in str(exc):
            raise ForecastError(f"git 2.38 or newer is needed for the conflict forecast: {exc}") from None
        raise
    tree, conflicted, kinds = _parse_merge_tree(out)
    if conflicted:
        return PairForecast(a, b, CONFLICT, tuple(sorted(conflicted)), kinds)
    changed_a = _changed(git, base, a_head)
    changed_b = _changed(git, base, b_head)
    semantic = _semantic(git, env, base, a, a_head, changed_a, b, b_head, changed_b, tree, sides)
    if semantic:
        return PairForecast(a, b, SEMANTIC, tuple(sorted({s.path for s in semantic})), semantic=tuple(semantic))
    both = sorted(set(changed_a) & set(changed_b))
    return PairForecast(a, b, OVERLAP if both else CLEAN, tuple(both))


def _parse_merge_tree(out: bytes) -> tuple[str, list[str], dict[str, str]]:
    """(tree, conflicted paths, path -> conflict kind) from ``merge-tree --write-tree -z --name-only``."""
    fields = os.fsdecode(out).split("\0")
    tree = fields[0]
    conflicted = []
    index = 1
    while index < len(fields) and fields[index]:
        conflicted.append(fields[index])
        index += 1
    kinds: dict[str, str] = {}
    index += 1
    while index < len(fields) and fields[index].isdigit():
        count = int(fields[index])
        paths = fields[index + 1 : index + 1 + count]
        kind = fields[index + 1 + count] if index + 1 + count < len(fields) else ""
        index += count + 3
        if kind.startswith("CONFLICT"):
            match = _KIND.match(kind)
            for path in paths:
                kinds.setdefault(path, (match.group(1) if match else kind).replace("contents", "content"))
    return tree, conflicted, kinds


def _merge_base(git: Git, a: str, b: str) -> str | None:
    out = git.run("merge-base", a, b, ok_codes=(0, 1)).decode().strip()
    return out or None


def _changed(git: Git, base: str | None, head: str) -> dict[str, str]:
    """Path -> status letter (A, M, D, R…) of what ``head`` changed since ``base`` (renames as delete + add)."""
    if base is None:
        return {}
    out = os.fsdecode(git.run("diff", "--name-status", "--no-renames", "-z", base, head))
    fields = [f for f in out.split("\0") if f]
    return {fields[i + 1]: fields[i] for i in range(0, len(fields) - 1, 2)}


@dataclass(frozen=True)
class _Removed:
    """What one side removed from a module: the whole file, or some top-level names."""

    path: str
    whole_module: bool
    names: frozenset[str]


def _semantic(
    git: Git,
    env: dict[str, str],
    base: str | None,
    a: str,
    a_head: str,
    changed_a: dict[str, str],
    b: str,
    b_head: str,
    changed_b: dict[str, str],
    merged_tree: str,
    sides: dict[tuple[str, str], dict[str, _Removed]],
) -> list[SemanticConflict]:
    """Imports in one side's changed files of names or modules the other side removed.

    What a side removed depends only on (base, head): computed once per forecast. Only the other
    side's files that mention a removed name are parsed.
    """
    if base is None:
        return []
    found = []
    for remover, remover_head, remover_changes, user, user_changes in (
        (a, a_head, changed_a, b, changed_b),
        (b, b_head, changed_b, a, changed_a),
    ):
        if (base, remover_head) not in sides:
            sides[(base, remover_head)] = _removed_names(git, base, remover_head, remover_changes)
        removed = sides[(base, remover_head)]
        if not removed:
            continue
        words = {w for module, gone in removed.items() for w in (*gone.names, module.rsplit(".", 1)[-1])}
        users = [p for p, status in user_changes.items() if status != "D" and p.endswith(".py")]
        blobs = _read(git, env, [f"{merged_tree}:{p}" for p in users])
        for path in users:
            text = blobs.get(f"{merged_tree}:{path}")
            if text is None or not any(w in text for w in words):
                continue  # cannot import anything that was removed
            for line, module, name in _imports(text, path):
                hit = _still_missing(git, env, merged_tree, removed, module, name)
                if hit is None:
                    continue
                gone, shown = hit
                found.append(
                    SemanticConflict(
                        path, line, shown, f"{user}: {path}:{line} imports {shown}, removed by {remover} in {gone.path}"
                    )
                )
    return found


def _still_missing(
    git: Git, env: dict[str, str], tree: str, removed: dict[str, _Removed], module: str, name: str | None
) -> tuple[_Removed, str] | None:
    """(what was removed, the name as imported) when the import fails in the merged tree, else None."""
    submodule = removed.get(f"{module}.{name}") if name else None
    if submodule is not None and submodule.whole_module:  # from package import removed_module
        return (submodule, str(name)) if _defined_in_tree(git, env, tree, submodule.path) is None else None
    gone = removed.get(module)
    if gone is None:
        return None
    defined = _defined_in_tree(git, env, tree, gone.path)
    if name is None or gone.whole_module:
        return (gone, name or module) if defined is None else None
    if name in gone.names and defined is not None and name not in defined:
        return gone, name
    return None


def _removed_names(git: Git, base: str, head: str, changes: dict[str, str]) -> dict[str, _Removed]:
    """Module -> what ``head`` removed from it since ``base`` (deleted files, vanished top-level names)."""
    py = [p for p, status in changes.items() if p.endswith(".py") and status == "D"]
    modified = [p for p, status in changes.items() if p.endswith(".py") and status == "M"]
    py += _losing_top_level_lines(git, base, head, modified)
    if not py:
        return {}
    before = _read(git, {}, [f"{base}:{p}" for p in py])
    after = _read(git, {}, [f"{head}:{p}" for p in py if changes[p] != "D"])
    removed: dict[str, _Removed] = {}
    for path in py:
        old = _top_level_names(before.get(f"{base}:{path}"))
        if old is None:
            continue
        if changes[path] == "D":
            removed[module_name(path)] = _Removed(path, True, frozenset(old))
            continue
        new = _top_level_names(after.get(f"{head}:{path}")) or frozenset()
        if old - new:
            removed[module_name(path)] = _Removed(path, False, frozenset(old - new))
    return removed


_TOP_LEVEL_LINE = re.compile(rb"^-(?:async def |def |class |import |from |[A-Za-z_]\w*\s*[:=(,])")


def _losing_top_level_lines(git: Git, base: str, head: str, paths: list[str]) -> list[str]:
    """The files whose diff deletes an unindented line: only they can lose a top-level name."""
    if not paths:
        return []
    out = git.run("diff", "-U0", "--no-color", "--no-ext-diff", base, head, "--", *paths)
    losing, current = set(), None
    for line in out.splitlines():
        if line.startswith(b"--- a/"):
            current = os.fsdecode(line[6:])
        elif current is not None and _TOP_LEVEL_LINE.match(line):
            losing.add(current)
    return sorted(losing)


def _defined_in_tree(git: Git, env: dict[str, str], tree: str, path: str) -> frozenset[str] | None:
    """Top-level names of ``path`` in the merged tree (None: the module is not there)."""
    text = _read(git, env, [f"{tree}:{path}"]).get(f"{tree}:{path}")
    return _top_level_names(text)


def _top_level_names(text: str | None) -> frozenset[str] | None:
    return None if text is None else _names_of(text)


@lru_cache(maxsize=4096)
def _names_of(text: str) -> frozenset[str] | None:
    """Top-level names of a module's text (memoised: a file is parsed once per process)."""
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError):
        return None
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(names)


def _imports(text: str | None, path: str) -> tuple[tuple[int, str, str | None], ...]:
    """(line, module, name) of each import in ``text`` (name None for ``import module``)."""
    return () if text is None else _imports_of(text, path)


@lru_cache(maxsize=4096)
def _imports_of(text: str, path: str) -> tuple[tuple[int, str, str | None], ...]:
    return tuple(_walk_imports(text, path))


def _walk_imports(text: str, path: str) -> Iterator[tuple[int, str, str | None]]:
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError):
        return
    package = module_name(path).rsplit(".", 1)[0] if "." in module_name(path) else ""
    if path.endswith("__init__.py"):
        package = module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node.module or "", node.level, package)
            for alias in node.names:
                yield node.lineno, module, alias.name


def _absolute(module: str, level: int, package: str) -> str:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*base, module] if module else base)


def _read(git: Git, env: dict[str, str], specs: list[str]) -> dict[str, str]:
    """``rev:path`` -> text, for the specs that exist (one ``cat-file --batch`` call)."""
    if not specs:
        return {}
    request = "".join(f"{spec}\n" for spec in specs).encode()
    out = run_git(git.root, "cat-file", "--batch", input=request, extra_env=env)
    result: dict[str, str] = {}
    position = 0
    for spec in specs:
        end = out.index(b"\n", position)
        header = out[position:end].decode()
        position = end + 1
        if header.endswith("missing"):
            continue
        size = int(header.split()[2])
        result[spec] = out[position : position + size].decode("utf-8", "replace")
        position += size + 1
    return result


@contextmanager
def _scratch_objects(git: Git) -> Iterator[dict[str, str]]:
    """An environment sending new objects to a temporary folder, the repository's as an alternate."""
    objects = Path(git.text("rev-parse", "--git-common-dir"))
    objects = (objects if objects.is_absolute() else git.root / objects) / "objects"
    with tempfile.TemporaryDirectory(prefix="mc-forecast-") as scratch:
        yield {"GIT_OBJECT_DIRECTORY": scratch, "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(objects.resolve())}


def _cache_file(key: tuple[str, str, str]) -> Path:
    digest = hashlib.sha256("\0".join((str(_CACHE_VERSION), *key)).encode()).hexdigest()[:32]
    return appdirs.cache_dir() / "forecast" / f"{digest}.json"


def _read_cache(key: tuple[str, str, str]) -> PairForecast | None:
    try:
        data = json.loads(_cache_file(key).read_text(encoding="utf-8"))
        semantic = tuple(SemanticConflict(**s) for s in data["semantic"])
        return PairForecast(data["a"], data["b"], data["status"], tuple(data["files"]), dict(data["kinds"]), semantic)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(key: tuple[str, str, str], result: PairForecast) -> None:
    path = _cache_file(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(result.to_json()))
    except OSError:
        pass  # a cache that cannot be written only costs time


@dataclass(frozen=True)
class IntegrationOrder:
    """The proposed order of integration and, per team, why it stands where it does."""

    order: tuple[str, ...]
    reasons: dict[str, str]

    def to_json(self) -> dict[str, object]:
        return {"order": list(self.order), "reasons": dict(self.reasons)}


def integration_order(
    plan: Plan, mission: MissionTeams, result: Forecast, critical_path: Iterable[str] = ()
) -> IntegrationOrder:
    """A team goes after every team whose tasks block its tasks, then the fewest predicted conflicts
    with what is integrated before it, then teams on the critical path first, then by name."""
    team_of = {key: t.spec.name for t in mission.teams for key in t.spec.tasks}
    names = [t.spec.name for t in mission.teams]
    after: dict[str, set[str]] = {n: set() for n in names}
    for dep in plan.dependencies:
        a, b = team_of.get(dep.from_key), team_of.get(dep.to_key)
        if a and b and a != b:
            after[b].add(a)
    critical = {team_of[k] for k in critical_path if k in team_of}
    placed: list[str] = []
    reasons: dict[str, str] = {}
    while len(placed) < len(names):
        ready = [n for n in names if n not in placed and after[n] <= set(placed)]
        if not ready:  # a cycle between teams: take them by name, and say so
            ready = [n for n in names if n not in placed]
        scored = sorted(ready, key=lambda n: (_clashes(result, n, placed), n not in critical, n))
        chosen = scored[0]
        reasons[chosen] = _reason(chosen, after[chosen], _clashes(result, chosen, placed), chosen in critical, placed)
        placed.append(chosen)
    return IntegrationOrder(tuple(placed), reasons)


def _clashes(result: Forecast, team: str, placed: list[str]) -> int:
    """Predicted conflicts (textual or semantic) of ``team`` with the integration branch and ``placed``."""
    count = 0
    for other in [INTEGRATION, *placed]:
        pair = result.pair(team, other)
        if pair is not None and _SEVERITY[pair.status] >= _SEVERITY[SEMANTIC]:
            count += 1
    return count


def _reason(team: str, waits_for: set[str], clashes: int, critical: bool, placed: list[str]) -> str:
    parts = []
    if waits_for:
        parts.append(f"after {', '.join(sorted(waits_for))} (its tasks wait on theirs)")
    parts.append(
        "no predicted conflict with what is integrated before it"
        if clashes == 0
        else f"{clashes} predicted conflict(s) with what is integrated before it"
    )
    if critical:
        parts.append("on the critical path")
    position = len(placed) + 1
    return f"#{position}: " + "; ".join(parts)
