"""`mission-control components add-paths`: the Components dock's "Add paths…" from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import git, write_file

from mission_control.cli import run as cli
from mission_control.config import load_config


def test_add_paths_writes_the_config_and_status_then_sees_the_component(git_repo: Path, capsys) -> None:
    write_file(git_repo, "app/ws/server.py", "x = 1\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "app")
    assert cli(["start-mission", "--repo", str(git_repo)]) == 0
    (git_repo / "app" / "ws" / "server.py").write_text("x = 2\n")
    capsys.readouterr()

    code = cli(["components", "add-paths", "websocket", "app/ws/**", "--task", "a2", "--repo", str(git_repo), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "component": "websocket",
        "paths": ["app/ws/**"],
        "tasks": ["a2"],
        "file": str(git_repo / "mission-control.toml"),
    }
    comp = load_config(git_repo).components["websocket"]
    assert comp.paths == ("app/ws/**",) and comp.tasks == ("a2",)
    assert cli(["status", "--repo", str(git_repo), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in status["components"]["websocket"]["files"]] == ["app/ws/server.py"]


def test_refusals_exit_1_and_change_nothing(git_repo: Path, tmp_path: Path, capsys) -> None:
    assert cli(["components", "add-paths", "core", "app/core.py", "--repo", str(git_repo)]) == 0
    before = (git_repo / "mission-control.toml").read_text()
    capsys.readouterr()
    assert cli(["components", "add-paths", "core", "app/other.py", "--repo", str(git_repo)]) == 1
    assert "already has paths: app/core.py" in capsys.readouterr().err
    assert cli(["components", "add-paths", "ws", "../outside/*.py", "--repo", str(git_repo)]) == 1
    assert "leads outside the repository" in capsys.readouterr().err
    assert (git_repo / "mission-control.toml").read_text() == before
    (tmp_path / "plain").mkdir()
    assert cli(["components", "add-paths", "ws", "ws.py", "--repo", str(tmp_path / "plain")]) == 1
    assert "not a git repository" in capsys.readouterr().err
    assert not (tmp_path / "plain" / "mission-control.toml").exists()


def test_usage_errors_exit_2(git_repo: Path) -> None:
    assert cli(["components", "add-paths", "core", "--repo", str(git_repo)]) == 2  # no PATH
    assert cli(["components"]) == 2
    assert not (git_repo / "mission-control.toml").exists()


def test_the_installed_command_runs_from_a_subfolder(git_repo: Path) -> None:
    (git_repo / "docs").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "mission_control", "components", "add-paths", "docs", "docs/*.md"],
        cwd=git_repo / "docs",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"written to {git_repo / 'mission-control.toml'}" in result.stdout
    assert load_config(git_repo).components["docs"].paths == ("docs/*.md",)
