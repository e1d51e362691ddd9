"""The ``status``, ``start-mission``, ``snapshots`` and ``rollback`` commands, in a real subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git

CONFIG = '[components.ws]\npaths = ["app/ws/*.py"]\n[components.fac]\npaths = ["app/fac.py"]\n'


def mc(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "mission_control", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app/ws").mkdir(parents=True)
    (git_repo / "app/ws/manager.py").write_text("ok = True\n")
    (git_repo / "app/fac.py").write_text("fac = 1\n")
    (git_repo / "mission-control.toml").write_text(CONFIG)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "base")
    return git_repo


def test_the_whole_flow(repo: Path) -> None:
    started = mc("start-mission", "--json", cwd=repo)
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["commit"] == git(repo, "rev-parse", "HEAD").strip()

    (repo / "app/ws/manager.py").write_text("ok = False\n")
    (repo / "app/ws/extra.py").write_text("extra = 1\n")
    (repo / "app/fac.py").write_text("fac = 2\n")
    status = json.loads(mc("status", "--json", cwd=repo).stdout)
    assert status["baseline"] == "refs/mission-control/baseline"
    files = status["components"]["ws"]["files"]
    assert [(f["path"], f["change"]) for f in files] == [
        ("app/ws/extra.py", "added"),
        ("app/ws/manager.py", "modified"),
    ]

    dry = mc("rollback", "--component", "ws", "--dry-run", cwd=repo)
    assert (
        dry.returncode == 0 and "would roll back component ws" in dry.stdout and "remove  app/ws/extra.py" in dry.stdout
    )
    assert (repo / "app/ws/extra.py").exists()

    done = mc("rollback", "--component", "ws", "--json", cwd=repo)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["removed"] == ["app/ws/extra.py"] and not (repo / "app/ws/extra.py").exists()
    assert (repo / "app/ws/manager.py").read_text() == "ok = True\n"
    assert (repo / "app/fac.py").read_text() == "fac = 2\n"

    listed = json.loads(mc("snapshots", "--json", cwd=repo).stdout)["snapshots"]
    assert [s["id"] for s in listed] == [result["snapshot"]]

    undo = mc("rollback", "--undo", cwd=repo)
    assert undo.returncode == 0 and f"restored snapshot {result['snapshot']}" in undo.stdout
    assert (repo / "app/ws/extra.py").read_text() == "extra = 1\n"
    assert (repo / "app/ws/manager.py").read_text() == "ok = False\n"
    again = mc("rollback", "--undo", cwd=repo)
    assert again.returncode == 1 and "nothing to undo" in again.stderr


def test_full_rollback_and_undo_by_id(repo: Path) -> None:
    mc("start-mission", cwd=repo)
    (repo / "app/fac.py").write_text("fac = 2\n")
    done = json.loads(mc("rollback", "--full", "--json", "--repo", str(repo), cwd=repo.parent).stdout)
    assert (repo / "app/fac.py").read_text() == "fac = 1\n"
    undo = mc("rollback", "--undo", done["snapshot"], "--repo", str(repo), cwd=repo.parent)
    assert undo.returncode == 0 and (repo / "app/fac.py").read_text() == "fac = 2\n"


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["rollback", "--component", "ws"], 1, "refused: .*no baseline"),
        (["rollback", "--component", "nope"], 2, "no component named 'nope' \\(known: ws, fac\\)"),
        (["rollback"], 2, "one of the arguments --component --full --undo is required"),
        (["rollback", "--component", "ws", "--full"], 2, "not allowed with"),
        (["rollback", "--undo", "missing"], 1, "no snapshot match 'missing'"),
    ],
)
def test_refusals_and_bad_usage(repo: Path, args: list[str], code: int, message: str) -> None:
    proc = mc(*args, cwd=repo)
    assert proc.returncode == code
    assert re.search(message, proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr


def test_not_a_repository(tmp_path: Path) -> None:
    for args in (["status"], ["rollback", "--full"], ["snapshots"], ["start-mission"]):
        proc = mc(*args, cwd=tmp_path)
        assert proc.returncode == 1 and "not a git repository" in proc.stderr and "Traceback" not in proc.stderr


def test_invalid_config_is_bad_usage_naming_file_and_key(repo: Path) -> None:
    (repo / "mission-control.toml").write_text('[components.ws]\npaths = "x"\nbogus = 1\n')
    proc = mc("status", cwd=repo)
    assert proc.returncode == 2 and "mission-control.toml: components.ws.bogus: unknown key" in proc.stderr


def test_status_text(repo: Path) -> None:
    mc("start-mission", cwd=repo)
    (repo / "app/fac.py").write_text("fac = 2\n")
    out = mc("status", cwd=repo).stdout
    assert "baseline: mission start (" in out and "fac: 1 file changed (+1 -1)" in out and "ws: clean" in out
