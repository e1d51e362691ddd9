"""Nothing leaked: no write of Mission Control's goes through a symlink that leads outside the repository.

Regression tests for the hostile-repository findings: a committed symlink made sign-off append plan
text to ``~/.bashrc``; a symlinked ``.mission-control/`` made ``mission start`` create files outside;
a symlinked plan or source file was replaced by a copy (the link lost, the real file unchanged);
a hard-linked plan was detached.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mission_control import cli
from mission_control.codemods import apply_run, run_codemod
from mission_control.signoff import read_ledger
from mission_control.util.fsutil import (
    UnsafePathError,
    atomic_write_text,
    ensure_dir,
    open_for_append,
    stray_temp_files,
    write_target,
)

PLAN = """# Plan

- [ ] deploy $(touch ~/PWNED)
- [ ] second item

```mermaid
gantt
  dateFormat HH:mm
  section Team Alpha
  First task :a1, 00:00, 2h
  Second task :a2, after a1, 1h
```
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository standing for the user's home: nothing may change in it."""
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / ".bashrc").write_text("# my shell\n")
    return folder


@pytest.fixture
def plan_repo(git_repo: Path) -> Path:
    (git_repo / "plan.md").write_text(PLAN)
    _git(git_repo, "add", "-A")
    _git(git_repo, "commit", "-qm", "plan")
    return git_repo


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_committed_ledger_symlink_to_outside_is_never_written_through(plan_repo, outside, capsys):
    (plan_repo / ".mission-control").mkdir()
    (plan_repo / ".mission-control" / "signoffs.jsonl").symlink_to(outside / ".bashrc")
    _git(plan_repo, "add", "-A")
    _git(plan_repo, "commit", "-qm", "hostile link")
    before = _snapshot(outside)

    code = cli.run(["signoff", "deploy", "--repo", str(plan_repo)])

    assert code == 0, capsys.readouterr().err  # the ledger lives in git now: the link is neither read nor written
    assert _snapshot(outside) == before
    assert [e.text for e in read_ledger(plan_repo).entries] == ["deploy $(touch ~/PWNED)"]


def test_mission_start_never_writes_into_a_symlinked_state_folder(plan_repo, outside, capsys):
    (plan_repo / ".mission-control").symlink_to(outside, target_is_directory=True)
    before = _snapshot(outside)

    code = cli.run(["mission", "start", "--repo", str(plan_repo)])

    assert code == 0, capsys.readouterr().err
    assert _snapshot(outside) == before  # the clock is a git ref, not a file in that folder


def test_reschedule_writes_through_a_symlinked_plan_inside_the_repo(plan_repo):
    (plan_repo / "docs").mkdir()
    os.replace(plan_repo / "plan.md", plan_repo / "docs" / "real-plan.md")
    (plan_repo / "plan.md").symlink_to(Path("docs") / "real-plan.md")

    code = cli.run(["reschedule", str(plan_repo / "plan.md"), "a1", "--start", "01:00"])

    assert code == 0
    assert (plan_repo / "plan.md").is_symlink()
    assert "First task :a1, 01:00, 2h" in (plan_repo / "docs" / "real-plan.md").read_text()


def test_reschedule_refuses_a_plan_symlink_leading_outside_the_repo(plan_repo, outside, capsys):
    (outside / "plan.md").write_text(PLAN)
    (plan_repo / "plan.md").unlink()
    (plan_repo / "plan.md").symlink_to(outside / "plan.md")

    code = cli.run(["reschedule", str(plan_repo / "plan.md"), "a1", "--start", "01:00"])

    assert code in (1, 2)
    assert "outside" in capsys.readouterr().err
    assert (outside / "plan.md").read_text() == PLAN
    assert (plan_repo / "plan.md").is_symlink()


def test_reschedule_keeps_a_hard_linked_plan_linked(plan_repo):
    other = plan_repo / "copy-of-plan.md"
    os.link(plan_repo / "plan.md", other)

    assert cli.run(["reschedule", str(plan_repo / "plan.md"), "a1", "--start", "01:00"]) == 0

    assert os.path.samefile(plan_repo / "plan.md", other)
    assert "First task :a1, 01:00, 2h" in other.read_text()
    assert stray_temp_files(plan_repo) == []


def test_codemod_apply_writes_through_a_symlinked_module_and_refuses_one_outside(git_repo, outside):
    (git_repo / "pkg").mkdir()
    (git_repo / "pkg" / "__init__.py").write_text("")
    (git_repo / "pkg" / "old.py").write_text("class Thing:\n    pass\n")
    (git_repo / "pkg" / "real_user.py").write_text("from pkg.old import Thing\n\nx = Thing()\n")
    (git_repo / "pkg" / "user.py").symlink_to("real_user.py")
    (outside / "far.py").write_text("from pkg.old import Thing\n\ny = Thing()\n")
    (git_repo / "pkg" / "far.py").symlink_to(outside / "far.py")
    _git(git_repo, "add", "-A")
    _git(git_repo, "commit", "-qm", "code")
    before = _snapshot(outside)

    run = run_codemod(git_repo, "rename", {"old_name": "pkg.old.Thing", "new_name": "pkg.old.Widget"}, use_cache=False)
    result = apply_run(git_repo, run)

    assert (git_repo / "pkg" / "user.py").is_symlink()
    assert "Widget" in (git_repo / "pkg" / "real_user.py").read_text()
    assert _snapshot(outside) == before
    assert (git_repo / "pkg" / "far.py").is_symlink()
    assert any("far.py" in problem and "outside" in problem for problem in result.problems)


def test_write_target_follows_links_inside_and_refuses_links_outside(tmp_path):
    root, away = tmp_path / "root", tmp_path / "away"
    (root / "sub").mkdir(parents=True)
    away.mkdir()
    (root / "sub" / "real.txt").write_text("x")
    (root / "link.txt").symlink_to("sub/real.txt")
    (root / "inner").symlink_to("sub", target_is_directory=True)
    (root / "escape").symlink_to(away, target_is_directory=True)
    (root / "far.txt").symlink_to(away / "f.txt")

    assert write_target(root / "link.txt", root) == (root / "sub" / "real.txt").resolve()
    assert write_target(root / "inner" / "new.txt", root) == (root / "sub" / "new.txt").resolve()
    for bad in (root / "escape" / "x.txt", root / "far.txt", tmp_path / "elsewhere.txt", root / ".." / "x.txt"):
        with pytest.raises(UnsafePathError):
            write_target(bad, root)
    with pytest.raises(UnsafePathError):
        ensure_dir(root / "escape" / "made", root)
    with pytest.raises(UnsafePathError):
        open_for_append(root / "escape" / "log", root)
    with pytest.raises(UnsafePathError):
        atomic_write_text(root / "far.txt", "no")  # default root: the file's own folder
    assert list(away.iterdir()) == []


def test_stray_temp_files_are_found(tmp_path):
    (tmp_path / "plan.md").write_text("x")
    (tmp_path / ".plan.md.k3j9x1.tmp").write_text("half")
    (tmp_path / ".hidden").write_text("keep")
    assert stray_temp_files(tmp_path) == [tmp_path / ".plan.md.k3j9x1.tmp"]
