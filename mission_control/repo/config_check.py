"""Mistakes in the configuration that only the repository and the plan reveal, found at load.

:func:`load_config` checks the file's shape; this module checks what it points at, so a typo never
passes silently ("clean" for a component that owns nothing, "no tests were collected"):

- a component glob that matches no file, or a ``!`` glob that excludes none of its files;
- a test path that does not exist;
- a task id the plan does not have;
- a rollback command of the plan for a component the configuration does not define;
- components that share files (a rollback of one rolls back part of the other).

Each is a :class:`ConfigProblem` naming the file, the key and, where it can be found, the line.
They are warnings: the configuration still loads. ``check`` prints them and the Components dock
shows them with the status's notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mission_control.config import ConfigProblem, ProjectConfig
from mission_control.repo.components import Component, glob_to_regex, negation, paths_matcher
from mission_control.util.files import project_files
from mission_control.util.git import RepoError

if TYPE_CHECKING:
    from mission_control.plan import Plan

_SHOWN = 5  # shared files named in a message; the rest are counted


def config_warnings(
    root: Path, config: ProjectConfig, plan: Plan | None = None, files: Iterable[str] | None = None
) -> list[ConfigProblem]:
    """Every mistake above in ``config`` (empty when it has no file or no components).

    ``plan`` defaults to the configured (or discovered) plan; ``files`` to the project's files.
    """
    if config.source is None or not config.components:
        return []
    listed = sorted(files) if files is not None else project_files(root, None)
    lines = _Lines(config.source)
    prefix = "tool.mission-control." if config.source.name == "pyproject.toml" else ""
    problems: list[ConfigProblem] = []
    owned: dict[str, set[str]] = {}
    for comp in config.components.values():
        key = f"{prefix}components.{comp.name}"
        owned[comp.name] = _check_paths(root, comp.name, comp.paths, listed, key, lines, problems)
        for test in comp.tests:
            target = test.split("::", 1)[0]
            if not (root / target).exists():
                problems.append(
                    ConfigProblem(config.source, f"{key}.tests", f"{test!r} does not exist", lines.find(key, test))
                )
    plan = _plan(root, config) if plan is None else plan
    if plan is not None:
        _check_plan(config, plan, prefix, lines, problems)
    _check_overlaps(config, owned, prefix, lines, problems)
    return problems


def shared_files(
    config: ProjectConfig, name: str, paths: Iterable[str], components: dict[str, Component] | None = None
) -> dict[str, tuple[str, ...]]:
    """Of ``paths`` (component ``name``'s files), those that other components own too: other -> files."""
    others = components or {c.name: Component(c.name, c.paths) for c in config.components.values()}
    chosen = list(paths)
    shared = {}
    for other in others.values():
        if other.name == name or not other.paths:
            continue
        try:
            mine = other.files(chosen)
        except RepoError:
            continue
        if mine:
            shared[other.name] = tuple(mine)
    return shared


def _check_paths(
    root: Path,
    name: str,
    patterns: tuple[str, ...],
    files: list[str],
    key: str,
    lines: _Lines,
    problems: list[ConfigProblem],
) -> set[str]:
    """Warn about globs that match nothing; the component's files."""
    source = lines.path
    try:
        belongs = paths_matcher(patterns, name)
    except RepoError as exc:
        problems.append(ConfigProblem(source, f"{key}.paths", str(exc), lines.find(key, "paths")))
        return set()
    candidates = [f for f in files if f not in ("", ".")]
    for pattern in patterns:
        excludes, glob = negation(pattern)
        regex = re.compile(glob_to_regex(glob, name))
        hits = [f for f in candidates if regex.fullmatch(f)]
        if excludes:
            positive = paths_matcher([p for p in patterns if not negation(p)[0]], name)
            if not any(positive(f) for f in hits):
                problems.append(
                    ConfigProblem(
                        source, f"{key}.paths", f"{pattern!r} excludes none of its files", lines.find(key, pattern)
                    )
                )
        elif not hits:
            problems.append(
                ConfigProblem(source, f"{key}.paths", f"{pattern!r} matches no file", lines.find(key, pattern))
            )
    return {f for f in candidates if belongs(f)}


def _plan(root: Path, config: ProjectConfig) -> Plan | None:
    from mission_control.plan import PlanError, load_plan
    from mission_control.plan.discover import find_plan

    path = config.plan or find_plan(root)
    if path is None:
        return None
    try:
        return load_plan(path).plan
    except PlanError:
        return None  # the plan's own problems are reported where the plan is loaded


def _check_plan(config: ProjectConfig, plan: Plan, prefix: str, lines: _Lines, problems: list[ConfigProblem]) -> None:
    assert config.source is not None
    known = {t.key for t in plan.tasks}
    for comp in config.components.values():
        key = f"{prefix}components.{comp.name}"
        for task in comp.tasks:
            if task not in known:
                problems.append(
                    ConfigProblem(
                        config.source, f"{key}.tasks", f"{task!r} is not a task of the plan", lines.find(key, task)
                    )
                )
    for name in plan.components:
        if name not in config.components:
            where = _command_place(plan, name)
            problems.append(
                ConfigProblem(
                    config.source,
                    f"{prefix}components",
                    f"the plan's rollback command names component {name!r} ({where}), which is not defined here",
                )
            )


def _command_place(plan: Plan, name: str) -> str:
    """``plan.md:42``: where the plan's first rollback command for ``name`` is."""
    where = plan.path.name if plan.path else "the plan"
    command = re.compile(rf"--component[=\s]+['\"]?{re.escape(name)}(?![\w.-])")
    for block in plan.code_blocks:
        for offset, text in enumerate(block.text.splitlines()):
            if command.search(text):
                return f"{where}:{block.line + 1 + offset}"
    return where


def _check_overlaps(
    config: ProjectConfig, owned: dict[str, set[str]], prefix: str, lines: _Lines, problems: list[ConfigProblem]
) -> None:
    assert config.source is not None
    names = list(owned)
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            shared = sorted(owned[first] & owned[second])
            if not shared:
                continue
            shown = ", ".join(shared[:_SHOWN]) + (f" and {len(shared) - _SHOWN} more" if len(shared) > _SHOWN else "")
            key = f"{prefix}components.{second}"
            problems.append(
                ConfigProblem(
                    config.source,
                    f"{key}.paths",
                    f"shares {len(shared)} file{'s' if len(shared) != 1 else ''} with component {first!r}: {shown} "
                    f"(a rollback of one rolls them back for both; exclude them with '!path')",
                    lines.find(key, "paths"),
                )
            )


class _Lines:
    """Finds the line of a value inside a ``[components.NAME]`` table of the config file's text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            self.lines = []

    def find(self, table: str, value: str) -> int | None:
        """The 1-based line of ``value`` (quoted, or a bare key) after the ``[table]`` header, if found."""
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(_key_part(p) for p in table.split(".")) + r"\s*\]")
        start = next((i for i, text in enumerate(self.lines) if header.match(text)), None)
        if start is None:
            return None
        wanted = [f'"{value}"', f"'{value}'", f'"{value.replace(chr(92), chr(92) * 2)}"']
        for number in range(start + 1, len(self.lines)):
            text = self.lines[number]
            if re.match(r"^\s*\[", text):
                break
            if any(w in text for w in wanted) or re.match(rf"^\s*{re.escape(value)}\s*=", text):
                return number + 1
        return start + 1


def _key_part(part: str) -> str:
    escaped = re.escape(part)
    return rf"(?:{escaped}|\"{escaped}\"|'{escaped}')"
