"""pytest never outlives ``mission-control test``: Ctrl-C, SIGTERM and a hung test all end its process group.

pytest runs in a session of its own (so a cancel can interrupt its whole group); before this fix, a
Ctrl-C or SIGTERM to the CLI left it running forever. Real processes, real signals.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import process_alive, wait_until

ROOT = Path(__file__).resolve().parent.parent
HANGING_TEST = """\
import os
import pathlib
import time


def test_quick():
    assert True


def test_hangs():
    pathlib.Path(os.environ["MC_TEST_PID_FILE"]).write_text(str(os.getpid()))
    time.sleep(600)
"""


@pytest.fixture
def hanging_project(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_hang.py").write_text(HANGING_TEST)
    return project, tmp_path / "pytest.pid"


def _start(project: Path, pid_file: Path, *extra: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MC_TEST_PID_FILE=str(pid_file))
    return subprocess.Popen(
        [sys.executable, "-m", "mission_control", "test", "--repo", str(project), "--no-history", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_to_the_cli_ends_pytest_too(hanging_project, signum):
    project, pid_file = hanging_project
    cli = _start(project, pid_file)
    try:
        assert wait_until(pid_file.exists, 60), "the hanging test never started"
        pytest_pid = int(pid_file.read_text())
        cli.send_signal(signum)  # to the CLI only, as a terminal's Ctrl-C or a service manager would
        _out, err = cli.communicate(timeout=60)
    finally:
        cli.kill()
    assert cli.returncode == 128 + signum, err
    assert signal.Signals(signum).name in err and "test_hangs" in err
    assert wait_until(lambda: not process_alive(pytest_pid), 10), "pytest outlived mission-control test"


def test_a_run_without_progress_is_stopped_after_the_idle_timeout(hanging_project):
    project, pid_file = hanging_project
    cli = _start(project, pid_file, "--idle-timeout", "2")
    try:
        _out, err = cli.communicate(timeout=120)
    finally:
        cli.kill()
    assert cli.returncode == 2, err
    assert "no output and no result for 2 s" in err and "test_hangs" in err
    assert wait_until(lambda: not process_alive(int(pid_file.read_text())), 10)
