"""Tests for the pytest runner: real pytest subprocesses on small suites made in tmp_path."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import process_alive, wait_until

from mission_control.testing import (
    Collected,
    Collecting,
    CollectionFailed,
    TestFinished,
    TestStarted,
    choose_interpreter,
    find_interpreter,
    run_tests,
)
from mission_control.testing.runner import PLUGIN_DIR
from mission_control.util.progress import CancelToken

MIXED = """
    import pytest

    def test_pass():
        print("hello from stdout")

    def test_fail():
        assert 1 + 1 == 3, "arithmetic is broken"

    @pytest.fixture
    def broken():
        raise RuntimeError("fixture boom")

    def test_error(broken):
        pass

    @pytest.mark.skip(reason="not today")
    def test_skip():
        pass

    @pytest.mark.xfail(reason="known bug")
    def test_xfail():
        assert False

    @pytest.mark.xfail(reason="fixed already?")
    def test_xpass():
        pass

    @pytest.fixture
    def bad_teardown():
        yield
        raise ValueError("teardown boom")

    def test_teardown_error(bad_teardown):
        pass

    class TestGroup:
        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_param(self, n):
            assert n < 3
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def mixed_suite(tmp_path: Path) -> Path:
    repo = tmp_path / "suite"
    write(repo / "tests" / "test_mixed.py", MIXED)
    write(repo / "tests" / "test_broken.py", "import no_such_module_anywhere\n")
    write(repo / "tests" / "test_skipmod.py", "import pytest\npytest.skip('module off', allow_module_level=True)\n")
    return repo


def pytest_summary_counts(repo: Path, *args: str) -> dict[str, int]:
    """Run plain pytest (no plugin) and parse the numbers of its own summary line."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--color=no", *args],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    last = proc.stdout.strip().splitlines()[-1]
    counts = {}
    for number, word in re.findall(r"(\d+) (\w+)", last):
        if word in ("passed", "failed", "skipped", "xfailed", "xpassed", "error", "errors"):
            counts["error" if word == "errors" else word] = int(number)
    return counts


def nonzero(totals: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in totals.items() if v}


def test_totals_equal_pytests_own_summary_line(mixed_suite: Path) -> None:
    expected = pytest_summary_counts(mixed_suite, "--continue-on-collection-errors")
    result = run_tests(mixed_suite, ["--continue-on-collection-errors"], workers=None)
    assert expected == {"passed": 4, "failed": 2, "error": 3, "skipped": 2, "xfailed": 1, "xpassed": 1}
    assert nonzero(result.totals) == expected
    assert nonzero(result.pytest_counts) == expected
    assert result.exit_code == 1 and result.message is None


def test_per_test_outcomes_failure_text_and_captured_output(mixed_suite: Path) -> None:
    result = run_tests(mixed_suite, ["--continue-on-collection-errors"], workers=None)
    by_id = {t.nodeid: t for t in result.tests}
    assert {n.split("::", 1)[1]: t.outcome for n, t in by_id.items()} == {
        "test_pass": "passed",
        "test_fail": "failed",
        "test_error": "error",
        "test_skip": "skipped",
        "test_xfail": "xfailed",
        "test_xpass": "xpassed",
        "test_teardown_error": "error",
        "TestGroup::test_param[1]": "passed",
        "TestGroup::test_param[2]": "passed",
        "TestGroup::test_param[3]": "failed",
    }
    failed = by_id["tests/test_mixed.py::test_fail"]
    assert "arithmetic is broken" in failed.longrepr and failed.file == "tests/test_mixed.py"
    assert failed.line == 7  # 1-based; MIXED starts with a blank line
    assert "fixture boom" in by_id["tests/test_mixed.py::test_error"].longrepr
    assert "teardown boom" in by_id["tests/test_mixed.py::test_teardown_error"].longrepr
    assert "not today" in by_id["tests/test_mixed.py::test_skip"].longrepr
    passed = by_id["tests/test_mixed.py::test_pass"]
    assert passed.longrepr is None and any("hello from stdout" in text for _, text in passed.sections)
    assert all(t.duration >= 0 for t in result.tests)
    [error] = result.collection_errors
    assert error.nodeid == "tests/test_broken.py" and "no_such_module_anywhere" in error.longrepr


def test_events_stream_in_order_with_progress(mixed_suite: Path) -> None:
    events, progress = [], []
    result = run_tests(
        mixed_suite,
        ["--continue-on-collection-errors"],
        workers=None,
        on_event=events.append,
        on_progress=progress.append,
    )
    kinds = [type(e) for e in events]
    assert kinds.count(CollectionFailed) == 1 and kinds.count(Collected) == 1
    assert kinds.index(Collected) < kinds.index(TestStarted)
    finished = [e for e in events if isinstance(e, TestFinished)]
    assert [e.done for e in finished] == list(range(1, 11)) and {e.total for e in finished} == {10}
    assert [e.result for e in finished] == list(result.tests)
    assert progress[-1].done == progress[-1].total == 10
    started = [e.nodeid for e in events if isinstance(e, TestStarted)]
    assert started == [t.nodeid for t in result.tests]


def test_collection_streams_before_the_first_result(tmp_path: Path) -> None:
    """A large suite collects for seconds: the tests found so far stream after each test file."""
    for name, count in (("a", 3), ("b", 0), ("c", 2)):
        body = "".join(f"def test_{i}():\n    pass\n" for i in range(count)) or "X = 1\n"
        (tmp_path / f"test_{name}.py").write_text(body)
    (tmp_path / "test_d.py").write_text(
        "import pytest\n@pytest.mark.parametrize('n', range(4))\ndef test_p(n):\n    pass\n"
    )
    events: list[object] = []
    result = run_tests(tmp_path, ["-p", "no:cacheprovider"], workers=None, on_event=events.append)
    assert result.ok and len(result.tests) == 9
    found = [e.count for e in events if isinstance(e, Collecting)]
    assert found == [3, 5, 9]  # after test_a, test_c and test_d; test_b adds nothing
    kinds = [type(e) for e in events]
    assert kinds.index(Collected) > max(i for i, k in enumerate(kinds) if k is Collecting)


def test_collection_error_interrupts_like_pytest(mixed_suite: Path) -> None:
    result = run_tests(mixed_suite, workers=None)
    assert result.exit_code == 2 and result.tests == ()
    assert nonzero(result.totals) == pytest_summary_counts(mixed_suite) == {"error": 1, "skipped": 1}
    assert "tests/test_broken.py" in result.message


def test_under_xdist_results_still_stream_and_totals_match(mixed_suite: Path) -> None:
    interpreter = find_interpreter(mixed_suite)
    if not interpreter.has_xdist:
        pytest.skip("pytest-xdist is not installed here")
    (mixed_suite / "tests" / "test_broken.py").unlink()
    expected = pytest_summary_counts(mixed_suite, "-n", "2")
    events = []
    result = run_tests(mixed_suite, interpreter=interpreter, workers=2, on_event=events.append)
    assert "-n" in result.command
    assert nonzero(result.totals) == expected
    assert sum(isinstance(e, TestFinished) for e in events) == 10
    assert any(isinstance(e, Collected) and e.count == 10 for e in events)


HANG = """
    import os, subprocess, sys, time

    def test_quick():
        pass

    def test_hang(tmp_path_factory):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open(os.environ["HANG_PID_FILE"], "w") as f:
            f.write(str(child.pid))
        time.sleep(600)
"""


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_cancel_stops_a_hanging_test_and_kills_the_process_tree(tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "hang"
    write(repo / "test_hang.py", HANG)
    pid_file = tmp_path / "child.pid"
    monkeypatch.setenv("HANG_PID_FILE", str(pid_file))
    token = CancelToken()

    def on_event(event) -> None:
        if isinstance(event, TestStarted) and event.nodeid.endswith("test_hang"):
            wait_until(pid_file.exists, timeout=30)  # let the test start its child first
            token.cancel()

    result = run_tests(repo, workers=None, on_event=on_event, cancel=token, grace=5)
    assert result.cancelled and result.exit_code == 2
    assert "test_hang.py::test_hang" in result.message and "cancelled" in result.message
    assert [t.outcome for t in result.tests] == ["passed"]
    child = int(pid_file.read_text())
    wait_until(lambda: not process_alive(child), timeout=5)
    assert not process_alive(child), "the test's child process survived the cancel"


def test_timeout_names_a_hung_collection(tmp_path: Path) -> None:
    repo = tmp_path / "slowcollect"
    write(repo / "test_slow.py", "import time\ntime.sleep(600)\n\ndef test_never():\n    pass\n")
    result = run_tests(repo, workers=None, timeout=1.5, grace=1)
    assert result.timed_out and not result.cancelled and result.exit_code == 2
    assert "timed out after 1.5 s while collecting tests" in result.message


def test_crashing_interpreter_is_a_clear_message(tmp_path: Path) -> None:
    repo = tmp_path / "crash"
    write(
        repo / "test_crash.py",
        """
        import os, signal
        def test_ok():
            pass
        def test_crash():
            os.kill(os.getpid(), signal.SIGKILL)
    """,
    )
    result = run_tests(repo, workers=None)
    assert result.exit_code == 3
    assert "ended without finishing" in result.message
    assert "SIGKILL" in result.message or "exit code" in result.message
    assert "test_crash.py::test_crash" in result.message
    assert [t.outcome for t in result.tests] == ["passed"]


def test_repo_with_no_tests(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    write(repo / "app.py", "x = 1\n")
    result = run_tests(repo, workers=None)
    assert result.exit_code == 5 and "no tests were collected" in result.message


def test_usage_error_shows_pytests_words(tmp_path: Path) -> None:
    repo = tmp_path / "usage"
    write(repo / "test_a.py", "def test_a():\n    pass\n")
    result = run_tests(repo, ["tests/missing_file.py"], workers=None)
    assert result.exit_code == 4 and "missing_file.py" in result.message


def test_missing_pytest_in_the_target_environment(tmp_path: Path) -> None:
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    repo = tmp_path / "r"
    write(repo / "test_a.py", "def test_a():\n    pass\n")
    result = run_tests(repo, python=python)
    assert result.exit_code == 4
    assert "pytest is not installed" in result.message and python in result.message


def test_unknown_interpreter_is_a_clear_message(tmp_path: Path) -> None:
    result = run_tests(tmp_path, python="nowhere/bin/python")
    assert result.exit_code == 4 and "not found" in result.message and "nowhere" in result.message


def test_interpreter_choice_order(tmp_path: Path) -> None:
    assert choose_interpreter(tmp_path) == (sys.executable, "Mission Control's own Python")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    path, why = choose_interpreter(tmp_path)
    assert path == str(tmp_path / ".venv" / "bin" / "python") and ".venv" in why
    path, why = choose_interpreter(tmp_path, "tools/py")
    assert path == str(tmp_path / "tools" / "py") and why == "config python"
    probed = find_interpreter(tmp_path)
    assert probed.has_pytest and probed.python_version.startswith(f"{sys.version_info[0]}.")


def test_plugin_folder_holds_only_the_plugin() -> None:
    # everything in this folder lands on the target's sys.path: it must not shadow their modules
    names = {p.name for p in PLUGIN_DIR.iterdir() if p.suffix == ".py"}
    assert names == {"__init__.py", "mission_control_stream.py"}


@pytest.mark.slow
def test_third_party_suite_totals_equal_plain_pytest() -> None:
    """boltons' own suite (sdist in benchmarks/.data, downloaded once): totals equal pytest's summary."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        from bench_test_runner import fetch_suite
    finally:
        sys.path.pop(0)
    try:
        suite = fetch_suite()
    except (subprocess.CalledProcessError, OSError) as exc:
        pytest.skip(f"cannot download the boltons sdist: {exc}")
    expected = pytest_summary_counts(suite)
    result = run_tests(suite, ["-p", "no:cacheprovider"], workers=None)
    assert nonzero(result.totals) == expected and sum(expected.values()) > 500
    assert len(result.tests) == result.collected
