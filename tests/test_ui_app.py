"""Starting the app as a user does: the console script, the demo, the welcome screen."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6 import QtWidgets

from mission_control.services.settings import load_settings
from mission_control.ui.main_window import MainWindow


def test_demo_launches_offscreen_and_exits_zero(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MISSION_CONTROL_HOME=str(tmp_path / "home"))
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "mission_control", "--demo", "--exit-after", "600", "--screenshot", str(shot)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "home" / "data" / "demo-mission" / "docs" / "ssot-refactor-plan.md").is_file()
    assert shot.stat().st_size > 20_000


def test_bad_repository_argument_is_a_clear_error(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MISSION_CONTROL_HOME=str(tmp_path / "home"))
    result = subprocess.run(
        [sys.executable, "-m", "mission_control", str(tmp_path / "nope")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no such folder" in result.stderr and "Traceback" not in result.stderr


def test_welcome_screen_opens_the_demo_and_lists_it_as_recent(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.stack.currentWidget() is window.welcome
    button = window.findChild(QtWidgets.QPushButton, "openDemoButton")
    button.click()
    assert window.project is not None and len(window.project.plan.tasks) == 20
    assert window.stack.currentWidget() is window.splitter
    assert load_settings().recent[0].repo.endswith("demo-mission")
    assert window.watch is not None
    window.close()
