"""Issue 18, "Tests": `test --failed` forgets deleted tests, failure details outside the GUI,
``--no-history`` only stops recording, tests importing an installed copy, when to use xdist.

The fixture is a small ``src/``-layout project with its own suite in a real git repository; every
run is a real pytest subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import git

from mission_control.history import open_history
from mission_control.testing import Selection, run_project_tests, service
from mission_control.testing.interpreter import Interpreter
from mission_control.testing.service import decide_parallelism


def write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


GOOD_CALC = "def add(a, b):\n    return a + b\n"
BAD_CALC = "def add(a, b):\n    return a - b\n"


@pytest.fixture
def src_repo(git_repo: Path) -> Path:
    """A ``src/`` layout: ``src/calc`` with its tests; pytest finds it through ``pythonpath``."""
    write(git_repo, "src/calc/__init__.py", GOOD_CALC)
    write(
        git_repo,
        "tests/test_calc.py",
        """
        from calc import add


        def test_add():
            assert add(2, 2) == 4


        def test_x():
            print("checking add(1, 1)")
            assert add(1, 1) == 2
        """,
    )
    write(git_repo, "tests/test_more.py", "from calc import add\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n")
    write(git_repo, "pyproject.toml", '[tool.pytest.ini_options]\npythonpath = ["src"]\n')
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "calc")
    return git_repo


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mission_control", "test", *args], capture_output=True, text=True, timeout=120
    )


def test_failed_forgets_a_deleted_failing_test_and_a_green_full_run_clears_the_set(src_repo: Path) -> None:
    write(src_repo, "tests/test_calc.py", "from calc import add\n\n\ndef test_x():\n    assert add(1, 1) == 3\n")
    assert run_project_tests(src_repo, workers=None).result.exit_code == 1
    # the failing test is deleted (its file stays): --failed has nothing left to rerun
    write(src_repo, "tests/test_calc.py", "from calc import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n")
    rerun = run_project_tests(src_repo, Selection("failed"), workers=None)
    assert rerun.result.exit_code == 5, rerun.result.message
    assert "no longer exist" in (rerun.result.message or "")
    with open_history(src_repo) as history:
        assert "tests/test_calc.py::test_x" not in history.last_outcomes()


def test_a_green_full_run_forgets_tests_it_did_not_see(src_repo: Path) -> None:
    with open_history(src_repo) as history:  # a failure recorded for a test that has since gone
        history.record_test_run(
            selection="failed",
            exit_code=1,
            duration=0.1,
            totals={"failed": 1},
            outcomes={"tests/test_calc.py::test_renamed_away[1]": "failed"},
        )
    assert run_project_tests(src_repo, workers=None).result.ok
    with open_history(src_repo) as history:
        last = history.last_outcomes()
    assert set(last) == {"tests/test_calc.py::test_add", "tests/test_calc.py::test_x", "tests/test_more.py::test_zero"}
    proc = cli("--repo", str(src_repo), "--failed", "--no-parallel")
    assert proc.returncode == 5 and "not found" not in proc.stderr + proc.stdout
    assert "no failed tests to rerun" in proc.stderr


def test_no_history_still_reads_history_for_failed_and_affected(src_repo: Path) -> None:
    write(src_repo, "tests/test_more.py", "from calc import add\n\n\ndef test_zero():\n    assert add(0, 0) == 1\n")
    assert run_project_tests(src_repo, workers=None).result.exit_code == 1
    failed = run_project_tests(src_repo, Selection("failed"), workers=None, store=False)
    assert [t.nodeid for t in failed.result.tests] == ["tests/test_more.py::test_zero"]
    assert failed.record is None
    write(src_repo, "tests/test_more.py", "from calc import add\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n")
    assert run_project_tests(src_repo, workers=None).result.ok
    with open_history(src_repo) as history:
        stored = len(history.test_runs())
    write(src_repo, "tests/test_more.py", "from calc import add\n\n\ndef test_zero():\n    assert add(0, 1) == 1\n")
    proc = cli("--repo", str(src_repo), "--affected", "--no-parallel", "--no-history", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [t["nodeid"] for t in json.loads(proc.stdout)["tests"]] == ["tests/test_more.py::test_zero"]
    with open_history(src_repo) as history:
        assert len(history.test_runs()) == stored  # not recorded


def test_failure_details_in_text_and_json(src_repo: Path) -> None:
    write(src_repo, "src/calc/__init__.py", BAD_CALC)
    proc = cli("--repo", str(src_repo), "--no-parallel", "--no-history")
    assert proc.returncode == 1, proc.stderr
    assert "short test summary info" in proc.stdout
    assert "FAILED tests/test_calc.py::test_add - assert 0 == 4" in proc.stdout
    assert "FAILED tests/test_calc.py::test_x - assert 0 == 2" in proc.stdout
    proc = cli("--repo", str(src_repo), "--no-parallel", "--no-history", "--json")
    tests = {t["nodeid"]: t for t in json.loads(proc.stdout)["tests"]}
    failed = tests["tests/test_calc.py::test_x"]
    assert failed["message"] == "assert 0 == 2"
    assert "def test_x():" in failed["longrepr"] and "assert add(1, 1) == 2" in failed["longrepr"]
    assert {"title": "Captured stdout call", "text": "checking add(1, 1)\n"} in failed["sections"]
    assert "longrepr" not in tests["tests/test_more.py::test_zero"]  # a pass has no failure text


@pytest.mark.parametrize(
    ("requested", "cores", "last", "xdist", "workers", "reason"),
    [
        ("auto", 8, 3.2, True, None, "serial: last run 3 s"),
        ("auto", 1, 120.0, True, None, "serial: 1 core"),
        ("auto", 4, None, True, None, "serial: no recorded run to judge the suite's length by"),
        ("auto", 2, 42.0, True, 2, "-n 2: last run 42 s"),
        ("auto", 8, 42.0, False, None, "serial: pytest-xdist is not installed"),
        (None, 8, 42.0, True, None, "serial: parallel runs are off"),
        (3, 8, 1.0, True, 3, "-n 3"),
    ],
)
def test_parallel_only_when_it_cannot_be_slower_than_plain_pytest(requested, cores, last, xdist, workers, reason):
    choice = decide_parallelism(requested, cores=cores, last_duration=last, has_xdist=xdist)
    assert (choice.workers, choice.reason) == (workers, reason)


@pytest.mark.parametrize(
    ("cores", "load", "workers", "reason"),
    [
        (2, 0.2, 2, "-n 2: last run 42 s, load 0.2 on 2 cores"),
        (2, 0.7, None, "serial: the machine is busy (load 0.7 on 2 cores)"),
        (2, 3.9, None, "serial: the machine is busy (load 3.9 on 2 cores)"),
        (8, 3.0, 5, "-n 5: last run 42 s, load 3.0 on 8 cores"),
        (4, 0.0, 4, "-n 4: last run 42 s, load 0.0 on 4 cores"),
    ],
)
def test_parallel_only_on_cores_the_machine_leaves_free(cores, load, workers, reason):
    choice = decide_parallelism("auto", cores=cores, last_duration=42.0, has_xdist=True, load=load)
    assert (choice.workers, choice.reason) == (workers, reason)


def test_the_parallel_choice_is_shown(src_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_project_tests(src_repo, workers=None).result.ok
    monkeypatch.setattr(Interpreter, "has_xdist", property(lambda self: True))
    monkeypatch.setattr(service, "available_cores", lambda: 2)
    run = run_project_tests(src_repo, workers="auto")
    assert run.result.ok and run.parallel.startswith("serial: last run ") and "-n" not in run.result.command
    proc = cli("--repo", str(src_repo), "--no-history")
    assert proc.returncode == 0 and "serial: " in proc.stderr
    proc = cli("--repo", str(src_repo), "--no-history", "--json")
    assert json.loads(proc.stdout)["parallel"].startswith("serial: ")


def test_tests_that_import_an_installed_copy_are_flagged_until_the_config_points_at_src(
    src_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a non-editable install: a copy of calc outside the repository, on the interpreter's path
    site = tmp_path / "site-packages"
    write(site, "calc/__init__.py", GOOD_CALC)
    monkeypatch.setenv("PYTHONPATH", str(site))
    write(src_repo, "pyproject.toml", "[tool.pytest.ini_options]\n")  # no pythonpath = ["src"]
    write(src_repo, "src/calc/__init__.py", BAD_CALC)  # the working tree is broken
    run = run_project_tests(src_repo, workers=None, store=False)
    assert run.result.exit_code == 0  # green, but against the installed copy
    assert run.result.outside_imports == {"calc": str(site / "calc" / "__init__.py")}
    assert run.result.message and run.result.message.startswith("WARNING: the tests imported calc from")
    proc = cli("--repo", str(src_repo), "--no-history")
    assert proc.returncode == 0 and "WARNING: the tests imported calc from" in proc.stderr
    assert "not your working tree" in proc.stderr
    proc = cli("--repo", str(src_repo), "--no-history", "--json")
    assert json.loads(proc.stdout)["outside_imports"] == {"calc": str(site / "calc" / "__init__.py")}
    # the lead points pytest at the working tree: the broken code is now tested, and no warning
    write(src_repo, "mission-control.toml", '[tests]\nenv = { PYTHONPATH = "src" }\npytest_args = ["-q"]\n')
    run = run_project_tests(src_repo, workers=None, store=False)
    assert run.result.exit_code == 1 and run.result.outside_imports == {}
    assert "WARNING" not in (run.result.message or "")
    assert "-q" in run.result.command


def test_tests_config_is_validated(src_repo: Path) -> None:
    write(src_repo, "mission-control.toml", '[tests]\nenv = { PYTHONPATH = 1 }\npytest_args = "-q"\nextra = 1\n')
    run = run_project_tests(src_repo, workers=None, store=False)
    assert run.result.exit_code == 4
    message = run.result.message or ""
    assert "tests.env: must be a table of strings" in message
    assert "tests.pytest_args: must be a list" in message and "tests.extra: unknown key" in message
