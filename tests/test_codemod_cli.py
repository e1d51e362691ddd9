"""``mission-control codemod`` end to end, through the real CLI in a subprocess and in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import git

from mission_control.cli import run


def make_repo(root: Path) -> None:
    (root / "pkg").mkdir()
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/new.py").write_text("class Thing:\n    pass\n")
    (root / "pkg/old.py").write_text("from pkg.new import Thing  # moved; the rename points its users there\n")
    (root / "pkg/user.py").write_text("from pkg.old import Thing\n\nx = Thing()\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "code")


def test_dry_run_prints_the_diff_and_writes_nothing(git_repo: Path) -> None:
    make_repo(git_repo)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mission_control",
            "codemod",
            "run",
            "rename",
            "--arg",
            "old_name=pkg.old.Thing",
            "--arg",
            "new_name=pkg.new.Thing",
            "--repo",
            str(git_repo),
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "--- a/pkg/user.py\n+++ b/pkg/user.py\n" in done.stdout
    assert "+from pkg.new import Thing" in done.stdout
    assert "1 changed" in done.stderr
    assert (git_repo / "pkg/user.py").read_text() == "from pkg.old import Thing\n\nx = Thing()\n"


def test_run_applies_then_undo_restores(git_repo: Path, capsys) -> None:
    make_repo(git_repo)
    code = run(
        [
            "codemod",
            "run",
            "rename",
            "--arg",
            "old_name=pkg.old.Thing",
            "--arg",
            "new_name=pkg.new.Thing",
            "--repo",
            str(git_repo),
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["applied"]["written"] == ["pkg/user.py"]
    assert data["changed"][0]["path"] == "pkg/user.py" and data["changed"][0]["hunks"] == 1
    assert "pkg.new" in (git_repo / "pkg/user.py").read_text()
    assert run(["codemod", "undo", "--repo", str(git_repo)]) == 0
    assert git(git_repo, "status", "--porcelain").strip() == ""


def test_usage_errors_exit_2_with_a_message(git_repo: Path, tmp_path: Path, capsys) -> None:
    assert run(["codemod", "run", "rename", "--arg", "old_name", "--repo", str(git_repo)]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err
    assert run(["codemod", "run", "rename", "--arg", "new_name=a.b", "--repo", str(git_repo)]) == 2
    assert "old_name" in capsys.readouterr().err
    assert run(["codemod", "run", "rename", "--repo", str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_failed_files_exit_1(git_repo: Path, capsys) -> None:
    make_repo(git_repo)
    (git_repo / "pkg/broken.py").write_text("from pkg.old import Thing\ndef (:\n")
    code = run(
        [
            "codemod",
            "run",
            "rename",
            "--arg",
            "old_name=pkg.old.Thing",
            "--arg",
            "new_name=pkg.new.Thing",
            "--repo",
            str(git_repo),
            "--dry-run",
        ]
    )
    assert code == 1
    assert "failed pkg/broken.py:2" in capsys.readouterr().err


def test_list_names_the_builtins(capsys, tmp_path: Path) -> None:
    assert run(["codemod", "list", "--repo", str(tmp_path), "--json"]) == 0
    names = [c["name"] for c in json.loads(capsys.readouterr().out)["codemods"]]
    assert names == ["rename", "consolidate", "remove-unused-imports", "remove-commented-code"]


def test_task_is_recorded_and_history_shows_undone(git_repo: Path, capsys) -> None:
    make_repo(git_repo)
    assert (
        run(
            [
                "codemod",
                "run",
                "rename",
                "--arg",
                "old_name=pkg.old.Thing",
                "--arg",
                "new_name=pkg.new.Thing",
                "--repo",
                str(git_repo),
                "--task",
                "alpha2",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert run(["codemod", "history", "--repo", str(git_repo), "--json"]) == 0
    applied = json.loads(capsys.readouterr().out)["applied"]
    assert [(a["codemod"], a["task"], a["files"], a["undone"]) for a in applied] == [
        ("rename", "alpha2", ["pkg/user.py"], False)
    ]
    assert applied[0]["args"] == {"old_name": "pkg.old.Thing", "new_name": "pkg.new.Thing"}
    assert run(["codemod", "undo", "--repo", str(git_repo)]) == 0
    capsys.readouterr()
    assert run(["codemod", "history", "--repo", str(git_repo)]) == 0
    out = capsys.readouterr().out
    assert "rename for task alpha2: 1 files (undone)" in out
