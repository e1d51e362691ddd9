"""The project configuration: ``mission-control.toml`` or ``[tool.mission-control]``.

Example::

    plan = "docs/ssot-refactor-plan.md"
    baseline = "pre-ssot"            # git ref the rollback returns to
    python = ".venv/bin/python"      # interpreter for tests and the repo's own codemods
    [components.factory]
    paths = ["app/agents/agent_instance_factory*.py"]
    tasks = ["alpha1"]
    tests = ["tests/agents/test_factory.py"]
    integration = "mission/integration"   # the branch the teams' work is integrated on
    [teams.alpha]                    # a gantt section as a team (every key optional)
    section = "Team Alpha (Critical Path)"
    branch = "mission/alpha"
    worktree = "../repo.teams/alpha"
    command = "claude -p 'Do {task}: {task_name}'"
    setup = ["python -m venv .venv", ".venv/bin/pip install -e ."]
    copy = [".env"]
    [tests]                          # how pytest is run (both keys optional)
    env = { PYTHONPATH = "src" }     # added to pytest's environment (relative paths: the repo)
    pytest_args = ["-p", "no:cacheprovider"]   # put before the selection's own arguments

Every problem in a file is collected into one :class:`ConfigError`, each naming the file and
the key, so a lead fixes them all in one go.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_FILE = "mission-control.toml"
#: The files, at the repository's top, a configuration is read from (see :func:`find_config_table`).
CONFIG_FILES = (CONFIG_FILE, "pyproject.toml")
_TOP_KEYS = {"plan", "baseline", "python", "components", "metrics", "tests", "integration", "teams", "idle_minutes"}
_COMPONENT_KEYS = {"paths", "tasks", "tests", "description"}
_TEAM_KEYS = {"section", "branch", "worktree", "command", "setup", "copy"}
_TESTS_KEYS = {"env", "pytest_args"}


@dataclass(frozen=True)
class ConfigProblem:
    """One problem: the file, the dotted key and what is wrong."""

    file: Path
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else str(self.file)
        where = f"{place}: {self.key}" if self.key else place
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """``{"file", "line", "key", "message"}``."""
        return {"file": str(self.file), "line": self.line, "key": self.key, "message": self.message}


class ConfigError(Exception):
    """A configuration file that cannot be used; ``problems`` lists every issue found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class ComponentConfig:
    """A component: the files it owns (globs), the plan tasks it serves, its tests."""

    name: str
    paths: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeamConfig:
    """Overrides for one team (a gantt section); None/empty means "the default"."""

    name: str
    section: str | None = None
    branch: str | None = None
    worktree: str | None = None
    command: str | None = None
    setup: tuple[str, ...] = ()
    copy: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectConfig:
    """Everything read from the configuration; ``source`` is None when there is none."""

    source: Path | None = None
    plan: Path | None = None
    baseline: str | None = None
    python: str | None = None
    components: dict[str, ComponentConfig] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    integration: str | None = None
    teams: dict[str, TeamConfig] = field(default_factory=dict)
    idle_minutes: float | None = None
    test_env: dict[str, str] = field(default_factory=dict)
    pytest_args: tuple[str, ...] = ()


def is_config_path(rel: str) -> bool:
    """Whether the repo-relative POSIX path ``rel`` is a file the configuration may be read from."""
    return rel in CONFIG_FILES


def find_config_table(repo: Path) -> tuple[Path, dict[str, Any], str] | None:
    """Return (file, table, key prefix) of the repo's configuration, or None if it has none."""
    toml_path = repo / CONFIG_FILE
    if toml_path.is_file():
        return toml_path, _read_toml(toml_path), ""
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("mission-control")
        if isinstance(table, dict):
            return pyproject, table, "tool.mission-control."
    return None


def load_config(repo: str | Path) -> ProjectConfig:
    """Read the configuration of ``repo``; an empty config when the repo has none.

    Raises:
        ConfigError: the file is not valid TOML or a key has the wrong type.
    """
    repo = Path(repo)
    found = find_config_table(repo)
    if found is None:
        return ProjectConfig()
    path, table, prefix = found
    problems: list[ConfigProblem] = []
    for key in sorted(set(table) - _TOP_KEYS):
        problems.append(ConfigProblem(path, prefix + key, "unknown key"))
    plan = _string(table, "plan", path, prefix, problems)
    baseline = _string(table, "baseline", path, prefix, problems)
    python = _string(table, "python", path, prefix, problems)
    components = _components(table.get("components", {}), path, prefix, problems)
    integration = _string(table, "integration", path, prefix, problems)
    teams = _teams(table.get("teams", {}), path, prefix, problems)
    idle = table.get("idle_minutes")
    if idle is not None and (not isinstance(idle, int | float) or isinstance(idle, bool) or idle <= 0):
        problems.append(ConfigProblem(path, prefix + "idle_minutes", f"must be a positive number, not {idle!r}"))
        idle = None
    test_env, pytest_args = _tests(table.get("tests", {}), path, prefix, problems)
    metrics = table.get("metrics", {})
    if not isinstance(metrics, dict):
        problems.append(ConfigProblem(path, prefix + "metrics", "must be a table"))
        metrics = {}
    if problems:
        raise ConfigError(problems)
    return ProjectConfig(
        source=path,
        plan=(repo / plan) if plan else None,
        baseline=baseline,
        python=python,
        components=components,
        metrics=metrics,
        raw=table,
        integration=integration,
        teams=teams,
        idle_minutes=float(idle) if idle is not None else None,
        test_env=test_env,
        pytest_args=pytest_args,
    )


def _tests(
    value: Any, path: Path, prefix: str, problems: list[ConfigProblem]
) -> tuple[dict[str, str], tuple[str, ...]]:
    """``[tests]``: ``env`` (a table of strings) and ``pytest_args`` (a list of strings)."""
    key = prefix + "tests"
    if not isinstance(value, dict):
        problems.append(ConfigProblem(path, key, "must be a table"))
        return {}, ()
    for extra in sorted(set(value) - _TESTS_KEYS):
        problems.append(ConfigProblem(path, f"{key}.{extra}", "unknown key"))
    env = value.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        problems.append(ConfigProblem(path, f"{key}.env", 'must be a table of strings, e.g. { PYTHONPATH = "src" }'))
        env = {}
    args = value.get("pytest_args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) and a for a in args):
        problems.append(ConfigProblem(path, f"{key}.pytest_args", "must be a list of non-empty strings"))
        args = []
    return dict(env), tuple(args)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigProblem(path, "", f"not valid TOML: {exc}")]) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem(path, "", f"cannot be read: {exc.strerror}")]) from None


def _string(table: Mapping[str, Any], key: str, path: Path, prefix: str, problems: list[ConfigProblem]) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(ConfigProblem(path, prefix + key, f"must be a non-empty string, not {value!r}"))
        return None
    return value


def _tables(
    value: Any, path: Path, prefix: str, name: str, known: set[str], problems: list[ConfigProblem]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """``[name.X]`` tables: X -> (its dotted key, its table); a wrong shape or unknown key is a problem."""
    if not isinstance(value, dict):
        problems.append(ConfigProblem(path, prefix + name, "must be a table of tables"))
        return {}
    found = {}
    for item, body in value.items():
        key = f"{prefix}{name}.{item}"
        if not isinstance(body, dict):
            problems.append(ConfigProblem(path, key, "must be a table"))
            continue
        for extra in sorted(set(body) - known):
            problems.append(ConfigProblem(path, f"{key}.{extra}", "unknown key"))
        found[item] = (key, body)
    return found


def _string_list(
    table: Mapping[str, Any], field_name: str, path: Path, key: str, problems: list[ConfigProblem]
) -> tuple[str, ...]:
    """A list of non-empty strings (a lone string counts as a list of one); empty with a problem otherwise."""
    items = table.get(field_name, [])
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        problems.append(ConfigProblem(path, f"{key}.{field_name}", "must be a list of non-empty strings"))
        return ()
    return tuple(items)


def _components(value: Any, path: Path, prefix: str, problems: list[ConfigProblem]) -> dict[str, ComponentConfig]:
    return {
        name: ComponentConfig(
            name=name,
            paths=_string_list(body, "paths", path, key, problems),
            tasks=_string_list(body, "tasks", path, key, problems),
            tests=_string_list(body, "tests", path, key, problems),
        )
        for name, (key, body) in _tables(value, path, prefix, "components", _COMPONENT_KEYS, problems).items()
    }


def _teams(value: Any, path: Path, prefix: str, problems: list[ConfigProblem]) -> dict[str, TeamConfig]:
    return {
        name: TeamConfig(
            name=name,
            section=_string(body, "section", path, f"{key}.", problems),
            branch=_string(body, "branch", path, f"{key}.", problems),
            worktree=_string(body, "worktree", path, f"{key}.", problems),
            command=_string(body, "command", path, f"{key}.", problems),
            setup=_string_list(body, "setup", path, key, problems),
            copy=_string_list(body, "copy", path, key, problems),
        )
        for name, (key, body) in _tables(value, path, prefix, "teams", _TEAM_KEYS, problems).items()
    }
