"""Tests for run_project_tests (history, regression alert, affected after green) and the `test` CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import ROOT, git

from mission_control.history import open_history
from mission_control.testing import Selection, run_project_tests

DEMO = ROOT / "mission_control" / "resources" / "demo"


def write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


@pytest.fixture
def calc_repo(git_repo: Path) -> Path:
    write(git_repo, "calc.py", "def add(a, b):\n    return a + b\n")
    write(git_repo, "other.py", "X = 1\n")
    write(git_repo, "tests/test_calc.py", "from calc import add\n\ndef test_add():\n    assert add(2, 2) == 4\n")
    write(git_repo, "tests/test_other.py", "from other import X\n\ndef test_x():\n    assert X == 1\n")
    write(
        git_repo,
        "mission-control.toml",
        """
        [components.calc]
        paths = ["calc.py"]
        tasks = ["alpha1"]
        tests = ["tests/test_calc.py"]
    """,
    )
    write(git_repo, "pyproject.toml", '[tool.pytest.ini_options]\npythonpath = ["."]\n')
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "calc")
    return git_repo


def test_runs_are_stored_and_a_regression_raises_the_critical_alert(calc_repo: Path) -> None:
    first = run_project_tests(calc_repo, workers=None)
    assert first.result.exit_code == 0 and first.record.green and first.alerts == ()
    assert first.record.commit == git(calc_repo, "rev-parse", "HEAD").strip()
    write(calc_repo, "calc.py", "def add(a, b):\n    return a - b\n")
    second = run_project_tests(calc_repo, workers=None)
    assert second.result.exit_code == 1
    [alert] = second.alerts
    assert alert.level == "critical" and alert.title == "Test regression detected"
    assert alert.nodeids == ("tests/test_calc.py::test_add",)
    with open_history(calc_repo) as history:
        runs = history.test_runs()
        assert [r.id for r in runs] == [second.record.id, first.record.id]
        assert runs[0].failing == ("tests/test_calc.py::test_add",)
        assert runs[0].totals["failed"] == 1 and runs[0].totals["passed"] == 1
    rerun = run_project_tests(calc_repo, Selection("failed"), workers=None)
    assert [t.nodeid for t in rerun.result.tests] == ["tests/test_calc.py::test_add"]
    assert rerun.alerts == ()  # failing again is not a new regression


def test_affected_runs_only_tests_touched_since_the_last_green_run(calc_repo: Path) -> None:
    assert run_project_tests(calc_repo, workers=None).result.ok
    write(calc_repo, "other.py", "X = 1  # touched\n")
    run = run_project_tests(calc_repo, Selection("affected"), workers=None)
    assert [t.nodeid for t in run.result.tests] == ["tests/test_other.py::test_x"]
    assert run.result.selection == "affected"


def test_component_task_and_bad_selection(calc_repo: Path) -> None:
    comp = run_project_tests(calc_repo, Selection("component", "calc"), workers=None, store=False)
    assert [t.nodeid for t in comp.result.tests] == ["tests/test_calc.py::test_add"] and comp.record is None
    task = run_project_tests(calc_repo, Selection("task", "alpha1"), workers=None, store=False)
    assert task.result.totals["passed"] == 1
    bad = run_project_tests(calc_repo, Selection("component", "nope"), workers=None)
    assert bad.result.exit_code == 4 and "unknown component 'nope'" in bad.result.message
    with open_history(calc_repo) as history:
        assert history.test_runs() == []


def test_bad_config_is_a_message_naming_the_file(calc_repo: Path) -> None:
    (calc_repo / "mission-control.toml").write_text("components = [\n")
    run = run_project_tests(calc_repo, workers=None)
    assert run.result.exit_code == 4 and "mission-control.toml" in run.result.message


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "demo"
    shutil.copytree(DEMO, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "demo")
    return repo


def test_the_demo_missions_suite_and_a_component(demo_repo: Path) -> None:
    run = run_project_tests(demo_repo, workers=None)
    assert run.result.exit_code == 0, run.result.message
    assert run.result.totals["passed"] == run.result.collected > 0
    factory = run_project_tests(demo_repo, Selection("component", "factory"), workers=None)
    assert factory.result.ok
    assert {t.file for t in factory.result.tests} == {"tests/agents/test_factory.py"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mission_control", "test", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_cli_json_shape_and_exit_code(calc_repo: Path) -> None:
    write(calc_repo, "tests/test_calc.py", "from calc import add\n\ndef test_add():\n    assert add(2, 2) == 5\n")
    proc = _cli("--repo", str(calc_repo), "--json", "--no-parallel")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= {"exit_code", "duration", "totals", "tests", "collection_errors"}
    assert data["totals"] == {"passed": 1, "failed": 1, "error": 0, "skipped": 0, "xfailed": 0, "xpassed": 0}
    assert {t["nodeid"]: t["outcome"] for t in data["tests"]} == {
        "tests/test_calc.py::test_add": "failed",
        "tests/test_other.py::test_x": "passed",
    }
    assert "[2/2]" in proc.stderr  # live progress goes to stderr


def test_cli_text_summary_and_usage_errors(calc_repo: Path, tmp_path: Path) -> None:
    proc = _cli("--repo", str(calc_repo), "--component", "calc", "--no-parallel", "--no-history")
    assert proc.returncode == 0 and proc.stdout.strip().startswith("1 passed in ")
    proc = _cli("--repo", str(calc_repo), "--component", "nope")
    assert proc.returncode == 4 and "unknown component 'nope'" in proc.stderr and "Traceback" not in proc.stderr
    proc = _cli("--repo", str(tmp_path / "missing"))
    assert proc.returncode == 2 and "repository folder not found" in proc.stderr
    proc = _cli("--failed", "--affected")
    assert proc.returncode == 2
