"""Tests for selections: the ast import graph, affected tests, components, tasks, last failed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import git

from mission_control.config import ComponentConfig, ProjectConfig
from mission_control.testing import Selection, SelectionError, changed_files, current_commit, resolve_selection
from mission_control.testing.imports import affected_tests, build_import_graph, is_test_file


def write(repo: Path, rel: str, text: str = "") -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


@pytest.fixture
def app_repo(git_repo: Path) -> Path:
    """app.core ← app.service ← tests; app.util used only through a relative import; a test helper."""
    write(git_repo, "app/__init__.py")
    write(git_repo, "app/core.py", "VALUE = 1\n")
    write(git_repo, "app/util.py", "def f():\n    return 2\n")
    write(git_repo, "app/service.py", "from app.core import VALUE\nfrom . import util\n")
    write(git_repo, "app/lonely.py", "import os\n")
    write(git_repo, "tests/helpers.py", "import app.service\n")
    write(git_repo, "tests/test_core.py", "from app import core\n\ndef test_core():\n    assert core.VALUE\n")
    write(git_repo, "tests/test_service.py", "import helpers\n\ndef test_service():\n    pass\n")
    write(git_repo, "tests/test_util.py", "from app.util import f\n\ndef test_util():\n    assert f() == 2\n")
    write(git_repo, "tests/unit/conftest.py", "")
    write(git_repo, "tests/unit/test_unit.py", "def test_unit():\n    pass\n")
    write(git_repo, ".venv/lib/site.py", "import app.core\n")  # never scanned
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "app")
    return git_repo


def test_import_graph_follows_absolute_relative_and_rootdir_imports(app_repo: Path) -> None:
    graph = build_import_graph(app_repo)
    assert ".venv/lib/site.py" not in graph.files
    assert graph.imported_by["app/core.py"] == {"app/service.py", "tests/test_core.py"}
    assert "app/service.py" in graph.imported_by["app/util.py"]  # from . import util
    assert graph.imported_by["app/service.py"] == {"tests/helpers.py"}
    assert graph.imported_by["tests/helpers.py"] == {"tests/test_service.py"}
    assert graph.problems == []


def test_affected_tests_are_transitive(app_repo: Path) -> None:
    graph = build_import_graph(app_repo)
    assert affected_tests(graph, ["app/core.py"]) == (["tests/test_core.py", "tests/test_service.py"], False)
    assert affected_tests(graph, ["app/util.py"])[0] == ["tests/test_service.py", "tests/test_util.py"]
    assert affected_tests(graph, ["app/lonely.py", "README.md"]) == ([], False)
    assert affected_tests(graph, ["tests/unit/conftest.py"]) == (["tests/unit"], False)
    write(app_repo, "conftest.py")
    assert affected_tests(build_import_graph(app_repo), ["conftest.py"]) == ([], True)


def test_unparsable_file_is_a_problem_naming_file_and_line(app_repo: Path) -> None:
    write(app_repo, "app/broken.py", "x = 1\ndef oops(:\n")
    graph = build_import_graph(app_repo)
    assert any(p.startswith("app/broken.py:2:") for p in graph.problems)


def test_is_test_file() -> None:
    assert is_test_file("tests/test_a.py") and is_test_file("pkg/a_test.py")
    assert not is_test_file("tests/helpers.py") and not is_test_file("tests/conftest.py")


def test_affected_since_a_commit_includes_uncommitted_and_untracked(app_repo: Path) -> None:
    green = current_commit(app_repo)
    write(app_repo, "app/core.py", "VALUE = 3\n")
    git(app_repo, "commit", "-qam", "change core")
    write(app_repo, "app/util.py", "def f():\n    return 3\n")  # unstaged
    write(app_repo, "app/new.py", "")  # untracked
    assert changed_files(app_repo, green) == ["app/core.py", "app/new.py", "app/util.py"]
    resolved = resolve_selection(app_repo, Selection("affected"), green_commit=green)
    assert resolved.args == ("tests/test_core.py", "tests/test_service.py", "tests/test_util.py")
    assert "3 changed file(s)" in resolved.note


def test_affected_edge_cases(app_repo: Path) -> None:
    green = current_commit(app_repo)
    assert resolve_selection(app_repo, Selection("affected"), green_commit=None).args == ()
    assert resolve_selection(app_repo, Selection("affected"), has_testmon=True).args == ("--testmon",)
    with pytest.raises(SelectionError, match="nothing changed") as info:
        resolve_selection(app_repo, Selection("affected"), green_commit=green)
    assert info.value.exit_code == 5
    write(app_repo, "app/lonely.py", "import sys\n")
    with pytest.raises(SelectionError, match="no test is affected"):
        resolve_selection(app_repo, Selection("affected"), green_commit=green)


def _config() -> ProjectConfig:
    return ProjectConfig(
        components={
            "core": ComponentConfig("core", paths=("app/core.py",), tasks=("alpha1",), tests=("tests/test_core.py",)),
            "svc": ComponentConfig("svc", paths=("app/service.py", "app/util.py"), tasks=("alpha1", "beta")),
            "ghost": ComponentConfig("ghost", paths=("nothing/*.py",), tasks=("gamma",)),
        }
    )


def test_component_and_task_selections(app_repo: Path) -> None:
    config = _config()
    assert resolve_selection(app_repo, Selection("component", "core"), config).args == ("tests/test_core.py",)
    # no tests configured: the tests importing the component's files
    assert resolve_selection(app_repo, Selection("component", "svc"), config).args == (
        "tests/test_service.py",
        "tests/test_util.py",
    )
    task = resolve_selection(app_repo, Selection("task", "alpha1"), config)
    assert task.args == ("tests/test_core.py", "tests/test_service.py", "tests/test_util.py")
    assert "core" in task.note and "svc" in task.note
    assert Selection("task", "alpha1").label == "task:alpha1"


def test_bad_component_or_task_says_what_to_do(app_repo: Path) -> None:
    config = _config()
    with pytest.raises(SelectionError, match=r"unknown component 'nope' \(components: core, ghost, svc\)") as info:
        resolve_selection(app_repo, Selection("component", "nope"), config)
    assert info.value.exit_code == 4
    with pytest.raises(SelectionError, match=r"\[components.ghost\]"):
        resolve_selection(app_repo, Selection("component", "ghost"), config)
    with pytest.raises(SelectionError, match="no component lists task 'zeta'"):
        resolve_selection(app_repo, Selection("task", "zeta"), config)


def test_failed_selection_from_history(app_repo: Path) -> None:
    last = {
        "tests/test_core.py::test_core": "failed",
        "tests/test_util.py::test_util": "error",
        "tests/test_service.py::test_service": "passed",
        "tests/gone.py::test_x": "failed",
    }
    resolved = resolve_selection(app_repo, Selection("failed"), last_outcomes=last)
    assert resolved.args == ("tests/test_core.py::test_core", "tests/test_util.py::test_util")
    assert resolve_selection(app_repo, Selection("failed")).args == ("--lf", "--lfnf=none")
    with pytest.raises(SelectionError, match="no failed tests"):
        resolve_selection(app_repo, Selection("failed"), last_outcomes={"t.py::a": "passed"})


def test_current_commit_outside_git(tmp_path: Path, git_repo: Path) -> None:
    assert current_commit(tmp_path) is None
    assert current_commit(git_repo) == git(git_repo, "rev-parse", "HEAD").strip()
