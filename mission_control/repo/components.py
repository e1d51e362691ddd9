"""Components: named groups of files (globs) that can be inspected and rolled back on their own.

They come from ``[components.NAME]`` in the configuration. Without a configuration they come
from the plan's rollback commands (``--component NAME``) and have no paths yet; the notes say
so, and a rollback of such a component is refused with that reason.

Globs follow git's ``:(glob)`` pathspec rules, relative to the repository root: ``*`` and ``?``
stay inside one folder, ``**`` spans folders, ``[abc]`` is a class, and a pattern that names a
folder (with or without a trailing ``/``) covers every file under it. A pattern starting with ``!``
excludes what it matches, with git's own rule for ``.gitignore``: the last pattern that matches
a path decides (``["docs", "!docs/plan.md"]`` is every file under ``docs/`` but the plan); ``\\!``
starts a pattern with a literal ``!``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from mission_control.config import ProjectConfig, load_config
from mission_control.util.git import RepoError

_GLOB_CHARS: Final = "*?["


@dataclass(frozen=True)
class Component:
    """A component: its name, path globs, linked plan task ids and tests; ``source`` is
    ``"config"`` or ``"plan"`` (then it has no paths)."""

    name: str
    paths: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    source: str = "config"

    def matcher(self) -> Callable[[str], bool]:
        """A predicate telling whether a repo-relative path belongs to this component.

        Raises:
            RepoError: a glob leads outside the repository.
        """
        return paths_matcher(self.paths, self.name)

    def files(self, candidates: Iterable[str]) -> list[str]:
        """The sorted ``candidates`` that belong to this component."""
        belongs = self.matcher()
        return sorted(p for p in candidates if belongs(p))


@dataclass(frozen=True)
class Components:
    """The project's components (config order), where they came from, and notes for the user.

    ``source`` is ``"config"``, ``"plan"`` or ``"none"``; ``config_file`` the file they were
    read from, if any.
    """

    components: dict[str, Component] = field(default_factory=dict)
    source: str = "none"
    config_file: Path | None = None
    notes: tuple[str, ...] = ()

    def get(self, name: str) -> Component:
        """The component ``name``.

        Raises:
            UnknownComponent: there is no such component; the message lists the known ones.
        """
        if name not in self.components:
            known = ", ".join(self.components) or "none"
            raise UnknownComponent(f"no component named {name!r} (known: {known})")
        return self.components[name]


class UnknownComponent(RepoError):
    """A component name that the configuration and the plan do not know."""


def load_components(
    repo: Path, config: ProjectConfig | None = None, plan_components: list[str] | None = None
) -> Components:
    """The components of ``repo``: from its configuration, else from its plan.

    ``plan_components`` (the plan's rollback component names) is looked up from the plan file
    when not given.

    Raises:
        ConfigError: the configuration file is unreadable or invalid.
    """
    config = load_config(repo) if config is None else config
    if config.components:
        comps = {c.name: Component(c.name, c.paths, c.tasks, c.tests, "config") for c in config.components.values()}
        notes = tuple(
            f"{config.source}: components.{n}: no paths; it cannot be rolled back"
            for n, c in comps.items()
            if not c.paths
        )
        return Components(comps, "config", config.source, notes)
    names, note = (plan_components, None) if plan_components is not None else plan_component_names(repo, config)
    if not names:
        notes = (note,) if note else ()
        return Components(
            {},
            "none",
            config.source,
            notes + ("no components: add [components.NAME] with paths = [...] to mission-control.toml",),
        )
    comps = {n: Component(n, source="plan") for n in names}
    hint = (
        f"components {', '.join(names)} come from the plan's rollback commands and have no paths; "
        "add [components.NAME] paths = [...] to mission-control.toml to roll them back"
    )
    return Components(comps, "plan", config.source, (hint,))


def plan_component_names(repo: Path, config: ProjectConfig) -> tuple[list[str], str | None]:
    """The component names of the plan's rollback commands, and a note if the plan is unusable.

    The only place this package reads the plan, so plan-engine changes stay here.
    """
    from mission_control.plan import PlanError, load_plan
    from mission_control.plan.discover import find_plan

    path = config.plan or find_plan(repo)
    if path is None:
        return [], "no plan found"
    try:
        return list(load_plan(path).plan.components), None
    except PlanError as exc:
        return [], str(exc)


def negation(pattern: str) -> tuple[bool, str]:
    """``(excludes, the glob)`` of a component pattern: ``!x`` excludes ``x``; ``\\!x`` is the glob ``!x``."""
    if pattern.startswith("!"):
        return True, pattern[1:]
    if pattern.startswith("\\!"):
        return False, pattern[1:]
    return False, pattern


def paths_matcher(patterns: Iterable[str], component: str = "") -> Callable[[str], bool]:
    """A predicate for repo-relative paths: the last of ``patterns`` that matches decides (git's rule).

    Raises:
        RepoError: a glob leads outside the repository.
    """
    rules = [(excl, re.compile(glob_to_regex(glob, component))) for excl, glob in map(negation, patterns)]
    if not any(excl for excl, _ in rules):  # the common case: one regex
        regex = re.compile("|".join(f"(?:{r.pattern})" for _, r in rules) or "(?!)")
        return lambda path: regex.fullmatch(path) is not None

    def belongs(path: str) -> bool:
        for excl, regex in reversed(rules):
            if regex.fullmatch(path) is not None:
                return not excl
        return False

    return belongs


def glob_to_regex(pattern: str, component: str = "") -> str:
    """A regular expression for ``pattern`` (git ``:(glob)`` rules), also matching files under it.

    Raises:
        RepoError: the pattern is absolute or climbs out with ``..``.
    """
    where = f"component {component!r}: " if component else ""
    clean = pattern.replace("\\", "/")
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if clean.startswith("/") or os.path.isabs(pattern) or ".." in parts or not parts:
        raise RepoError(f"{where}path {pattern!r} leads outside the repository")
    regex = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            regex.append(".*" if last else "(?:.*/)?")
            continue
        regex.append(_part_regex(part) + ("" if last else "/"))
    if parts[-1] == "**":
        return "".join(regex)
    return "".join(regex) + "(?:/.*)?"


def _part_regex(part: str) -> str:
    out, i = [], 0
    while i < len(part):
        char = part[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and part.find("]", i + 2) != -1:
            end = part.find("]", i + 2)
            body = part[i + 1 : end].replace("\\", "\\\\")
            out.append("[^" + body[1:] + "]" if body.startswith("!") else f"[{body}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def literal_prefix(pattern: str) -> str:
    """The leading folders of ``pattern`` that contain no glob characters."""
    parts = []
    for part in pattern.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if any(c in part for c in _GLOB_CHARS):
            break
        parts.append(part)
    return "/".join(parts)


def check_symlinks(root: Path, component: Component) -> None:
    """Refuse a component whose paths lead through a symlink to outside the repository.

    Raises:
        RepoError: naming the component, the glob and the symlink.
    """
    real_root = root.resolve()
    for excl, pattern in map(negation, component.paths):
        if excl:
            continue  # an exclusion takes files away; it never reaches any
        current = root
        for part in literal_prefix(pattern).split("/"):
            if not part:
                break
            current = current / part
            if current.is_symlink():
                target = current.resolve()
                if target != real_root and real_root not in target.parents:
                    raise RepoError(
                        f"component {component.name!r}: path {pattern!r} goes through the symlink "
                        f"{current.relative_to(root)} -> {target}, outside the repository"
                    )
            if not current.exists():
                break
