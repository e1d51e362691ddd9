"""Give a component its paths from the app: write ``[components.NAME] paths = [...]`` safely.

Components that come from the plan's rollback commands have no paths, so they cannot be
rolled back. The Components dock offers to add them; this module edits the project's
configuration file for it. It is Qt-free (only the dock calls it, hence its place here).

The edit is minimal and checked: the new text must parse as TOML and load as a valid
configuration before it replaces the file (atomically); the lead's comments and layout stay.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from mission_control.config import CONFIG_FILE, ConfigError, load_config
from mission_control.repo.components import glob_to_regex, negation, plan_component_names
from mission_control.util.fsutil import atomic_write_text
from mission_control.util.git import RepoError

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class ComponentConfigError(Exception):
    """The paths cannot be added; the message names the file and what is wrong."""


def add_component_paths(repo: Path, name: str, globs: list[str], tasks: list[str] | None = None) -> Path:
    """Record ``globs`` (and optionally task ids) as component ``name``'s paths; return the file.

    Writes to the configuration the project already uses (``mission-control.toml``, or the
    ``[tool.mission-control]`` table of pyproject.toml), creating ``mission-control.toml`` when
    there is none. An existing ``[components.NAME]`` table without paths gets a ``paths`` line.

    Raises:
        ComponentConfigError: no glob given, a glob leads outside the repository, the component
            already has paths, or the result would not be a valid configuration.
    """
    globs = [g.strip() for g in globs if g.strip()]
    if not globs:
        raise ComponentConfigError(f"component {name!r}: enter at least one path or glob")
    for glob in globs:
        try:
            glob_to_regex(negation(glob)[1], name)
        except RepoError as exc:
            raise ComponentConfigError(str(exc)) from None
    try:
        config = load_config(repo)
    except ConfigError as exc:
        raise ComponentConfigError(f"fix the configuration first: {exc}") from None
    current = config.components.get(name)
    if current is not None and current.paths:
        raise ComponentConfigError(f"component {name!r} already has paths: {', '.join(current.paths)}")
    # Components listed in the configuration replace the plan's: the first one written must bring the
    # plan's others along (as tables without paths), or they vanish from the project.
    others = [] if config.components else [n for n in plan_component_names(repo, config)[0] if n != name]
    path, prefix = _config_file(repo)
    existed = path.exists()
    old = path.read_text(encoding="utf-8") if existed else ""
    new = _with_paths(old, prefix, name, globs, tasks or [])
    for other in others:
        new = _with_table(new, prefix, other)
    _check_toml(path, new)
    atomic_write_text(path, new)
    try:
        config = load_config(repo)
        problem = (
            None
            if config.components.get(name) and config.components[name].paths
            else (f"{path}: components.{name}: the paths were not picked up")
        )
    except ConfigError as exc:
        problem = str(exc)
    if problem:
        _put_back(path, old, existed)
        raise ComponentConfigError(f"{problem} (the change was undone)")
    return path


def _put_back(path: Path, old: str, existed: bool) -> None:
    if existed:
        atomic_write_text(path, old)
    else:
        path.unlink(missing_ok=True)


def _config_file(repo: Path) -> tuple[Path, str]:
    """The file to edit and the table prefix its keys need."""
    toml_path = repo / CONFIG_FILE
    if toml_path.is_file():
        return toml_path, ""
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("mission-control")
        except tomllib.TOMLDecodeError as exc:
            raise ComponentConfigError(f"{pyproject}: not valid TOML: {exc}") from None
        if table is not None:
            return pyproject, "tool.mission-control."
    return toml_path, ""


def _with_paths(text: str, prefix: str, name: str, globs: list[str], tasks: list[str]) -> str:
    """``text`` with the component's paths (and tasks) added, in place or as a new table."""
    key = name if _BARE_KEY.fullmatch(name) else json.dumps(name)
    lines = [f"paths = {_toml_list(globs)}"] + ([f"tasks = {_toml_list(tasks)}"] if tasks else [])
    header = re.compile(
        r"^\s*\[\s*"
        + re.escape(f"{prefix}components.")
        + r"(?:"
        + re.escape(name)
        + "|"
        + re.escape(json.dumps(name))
        + r")\s*\]\s*(?:#.*)?$",
        re.MULTILINE,
    )
    match = header.search(text)
    if match:
        return text[: match.end()] + "\n" + "\n".join(lines) + text[match.end() :]
    sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return f"{text}{sep}[{prefix}components.{key}]\n" + "\n".join(lines) + "\n"


def _with_table(text: str, prefix: str, name: str) -> str:
    """``text`` with an empty ``[components.NAME]`` table appended (a component without paths yet)."""
    key = name if _BARE_KEY.fullmatch(name) else json.dumps(name)
    sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return f"{text}{sep}[{prefix}components.{key}]\n"


def _toml_list(items: list[str]) -> str:
    # JSON strings are valid TOML basic strings
    return "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"


def _check_toml(path: Path, text: str) -> None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ComponentConfigError(f"{path}: adding the paths would break the file ({exc}); edit it by hand") from None
