"""Which tests a run covers: all, a component's, a task's, the last failed, or those affected.

A selection resolves to pytest arguments (paths or node ids) before the run, so the run itself
stays plain pytest. Every way a selection can be empty or impossible is a
:class:`SelectionError` with a message a lead can act on ("component 'x' has no tests ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mission_control.config import ProjectConfig
from mission_control.repo.components import paths_matcher
from mission_control.testing.imports import affected_tests, build_import_graph
from mission_control.testing.results import FAILING
from mission_control.util.files import project_files
from mission_control.util.git import GitError, RepoError, run_git

KINDS = ("all", "component", "task", "failed", "affected")


class SelectionError(Exception):
    """A selection that cannot be turned into a run; the message says why and what to do.

    ``exit_code`` follows pytest: 4 for a bad request (unknown component), 5 for nothing to run.
    """

    def __init__(self, message: str, exit_code: int = 4) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Selection:
    """What to run: ``kind`` is one of :data:`KINDS`; ``name`` the component or task for those."""

    kind: str = "all"
    name: str | None = None

    @property
    def label(self) -> str:
        """Stored in history: "all", "component:core", "task:alpha1", "failed", "affected"."""
        return f"{self.kind}:{self.name}" if self.name else self.kind


@dataclass(frozen=True)
class ResolvedSelection:
    """pytest arguments for a selection, and a human note on how they were chosen."""

    selection: Selection
    args: tuple[str, ...]
    note: str = ""
    forgotten: tuple[str, ...] = ()  # node ids in history whose test no longer exists


def resolve_selection(
    repo: Path,
    selection: Selection,
    config: ProjectConfig | None = None,
    *,
    last_outcomes: Mapping[str, str] | None = None,
    green_commit: str | None = None,
    has_testmon: bool = False,
) -> ResolvedSelection:
    """Turn ``selection`` into pytest arguments for ``repo``.

    ``last_outcomes`` (history's last known outcome per node id) drives "failed";
    ``green_commit`` (the last green run's commit) drives "affected"; ``has_testmon`` makes
    "affected" use pytest-testmon instead of the import graph.
    """
    config = config or ProjectConfig()
    kind = selection.kind
    if kind == "all":
        return ResolvedSelection(selection, ())
    if kind == "component":
        return ResolvedSelection(selection, tuple(_component_tests(repo, config, selection.name or "")))
    if kind == "task":
        return _task_selection(repo, config, selection)
    if kind == "failed":
        return _failed_selection(repo, selection, last_outcomes or {})
    if kind == "affected":
        return _affected_selection(repo, selection, green_commit, has_testmon)
    raise SelectionError(f"unknown selection {kind!r}; use one of {', '.join(KINDS)}")


def _component_tests(repo: Path, config: ProjectConfig, name: str) -> list[str]:
    component = config.components.get(name)
    if component is None:
        known = ", ".join(sorted(config.components)) or "none configured"
        raise SelectionError(f"unknown component {name!r} (components: {known})")
    if component.tests:
        return list(component.tests)
    files = _component_files(repo, component.paths)
    if not files:
        raise SelectionError(
            f"component {name!r} has no tests and its paths match no files; "
            f"add tests = [...] under [components.{name}] in the config"
        )
    tests, everything = affected_tests(build_import_graph(repo), files)
    if everything or not tests:
        raise SelectionError(
            f"component {name!r} has no tests configured and no test imports its files; "
            f"add tests = [...] under [components.{name}] in the config"
        )
    return tests


def _component_files(repo: Path, patterns: Iterable[str]) -> list[str]:
    """The component's Python files, by the same git glob rules (``!`` included) as its status and rollback."""
    try:
        belongs = paths_matcher(patterns)
    except RepoError:
        return []
    return [rel for rel in project_files(repo) if belongs(rel)]


def _task_selection(repo: Path, config: ProjectConfig, selection: Selection) -> ResolvedSelection:
    task = selection.name or ""
    names = [c.name for c in config.components.values() if task in c.tasks]
    if not names:
        raise SelectionError(
            f"no component lists task {task!r} in its tasks; add it under [components.NAME] tasks = [...] in the config"
        )
    args: list[str] = []
    for name in names:
        args += [a for a in _component_tests(repo, config, name) if a not in args]
    return ResolvedSelection(selection, tuple(args), f"components: {', '.join(names)}")


def _failed_selection(repo: Path, selection: Selection, last: Mapping[str, str]) -> ResolvedSelection:
    failed = [n for n, o in sorted(last.items()) if o in FAILING]
    failing = [n for n in failed if test_exists(repo, n)]
    gone = tuple(n for n in failed if n not in failing)
    if failing:
        note = f"{len(failing)} failing in the last runs"
        if gone:
            note += f"; {len(gone)} no longer exist"
        return ResolvedSelection(selection, tuple(failing), note, gone)
    if last:
        why = f" ({len(gone)} failed test(s) no longer exist)" if gone else ""
        raise SelectionError(f"no failed tests to rerun: every test passed the last time it ran{why}", 5)
    return ResolvedSelection(selection, ("--lf", "--lfnf=none"), "no history yet: pytest's --lf")


def test_exists(repo: Path, nodeid: str) -> bool:
    """Whether the test ``nodeid`` names can still be there: its file exists and names each part.

    A cheap textual check (no import, no collection): ``tests/t.py::TestX::test_y[1]`` exists
    while ``tests/t.py`` exists and mentions ``TestX`` and ``test_y`` as words. It errs on the
    side of "exists", so pytest, not this, has the last word.
    """
    file, _, rest = nodeid.partition("::")
    path = Path(repo) / file
    if not path.is_file():
        return False
    if not rest:
        return True
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return True
    for part in rest.split("::"):
        name = part.split("[", 1)[0]
        if name and not re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text):
            return False
    return True


def _affected_selection(repo: Path, selection: Selection, commit: str | None, testmon: bool) -> ResolvedSelection:
    if testmon:
        return ResolvedSelection(selection, ("--testmon",), "pytest-testmon")
    if commit is None:
        return ResolvedSelection(selection, (), "no green run yet: running everything")
    changed = changed_files(repo, commit)
    if not changed:
        raise SelectionError(f"nothing changed since the last green run (commit {commit[:10]})", 5)
    tests, everything = affected_tests(build_import_graph(repo), changed)
    if everything:
        return ResolvedSelection(selection, (), "the root conftest.py changed: running everything")
    if not tests:
        raise SelectionError(f"no test is affected by the {len(changed)} file(s) changed since commit {commit[:10]}", 5)
    return ResolvedSelection(selection, tuple(tests), f"{len(changed)} changed file(s) since {commit[:10]}")


def _git(repo: Path, *args: str) -> str:
    try:
        return run_git(repo, *args).decode(errors="replace")
    except GitError as exc:
        raise SelectionError(f"{repo}: git {' '.join(args)} failed: {exc.stderr.strip() or exc.returncode}") from None


def changed_files(repo: Path, commit: str) -> list[str]:
    """Files changed since ``commit``: committed, staged, unstaged and untracked (repo-relative)."""
    diff = _git(repo, "diff", "--name-only", "--no-renames", commit, "--")
    untracked = _git(repo, "ls-files", "--others", "--exclude-standard")
    return sorted({line for line in (diff + untracked).splitlines() if line})
