"""Nothing lost: undo belongs to the worktree it was taken in, never runs twice, and survives kill -9.

Regression tests for the findings: a rollback in a second worktree undone from the main one gave
main the other tree's files and lost its edit; ``start-mission --force`` in one worktree moved the
other's baseline; ``codemod undo`` twice re-applied the same snapshot over newer edits; a killed
``rollback --undo`` left a half-restored tree that the next undo called "nothing to undo".
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mission_control.codemods import apply_run, run_codemod, undo_codemod
from mission_control.codemods.apply import CodemodUndoRefused
from mission_control.repo.baseline import resolve_baseline, start_mission
from mission_control.repo.rollback import RollbackRefused, rollback, undo_rollback
from mission_control.repo.snapshots import SnapshotNotFound, undoable_rollbacks

ROOT = Path(__file__).resolve().parent.parent
CONFIG = '[components.ws]\npaths = ["app/ws"]\n'


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "app" / "ws").mkdir(parents=True)
    for index in range(40):
        (git_repo / "app" / "ws" / f"m{index:02}.py").write_text(f"VALUE = {index}\n")
    (git_repo / "mission-control.toml").write_text(CONFIG)
    _git(git_repo, "add", "-A")
    _git(git_repo, "commit", "-qm", "baseline")
    start_mission(git_repo)
    return git_repo


@pytest.fixture
def worktree(repo: Path) -> Path:
    other = repo.parent / "team-bravo"
    _git(repo, "worktree", "add", "-q", "-b", "mission/bravo", str(other))
    return other


def test_a_rollback_in_another_worktree_is_not_undone_into_the_main_one(repo, worktree):
    start_mission(worktree)
    (worktree / "app/ws/m00.py").write_text("TEAM = 'bravo'\n")
    rollback(worktree, "ws")
    (repo / "app/ws/m01.py").write_text("LEAD = 'edit'\n")

    with pytest.raises(RollbackRefused, match="nothing to undo"):
        undo_rollback(repo)

    assert (repo / "app/ws/m01.py").read_text() == "LEAD = 'edit'\n"
    assert (repo / "app/ws/m00.py").read_text() == "VALUE = 0\n"
    assert [s.info["component"] for s in undoable_rollbacks(worktree)] == ["ws"]
    undo_rollback(worktree)
    assert (worktree / "app/ws/m00.py").read_text() == "TEAM = 'bravo'\n"


def test_moving_a_worktrees_baseline_leaves_the_main_baseline_alone(repo, worktree):
    main_before = resolve_baseline(repo).commit
    (worktree / "new.py").write_text("x = 1\n")
    _git(worktree, "add", "new.py")
    _git(worktree, "commit", "-qm", "team work")

    start_mission(worktree, force=True)

    assert resolve_baseline(worktree).commit == _git(worktree, "rev-parse", "HEAD").strip() != main_before
    assert resolve_baseline(repo).commit == main_before
    assert resolve_baseline(worktree).ref == "refs/mission-control/worktrees/team-bravo/baseline"


@pytest.fixture
def codemod_repo(git_repo: Path) -> Path:
    (git_repo / "pkg").mkdir()
    (git_repo / "pkg/__init__.py").write_text("")
    (git_repo / "pkg/old.py").write_text("class Thing:\n    pass\n")
    (git_repo / "pkg/user.py").write_text("from pkg.old import Thing\n\nx = Thing()\n")
    (git_repo / "pkg/other.py").write_text("from pkg.old import Thing\n\ny = Thing()\n")
    _git(git_repo, "add", "-A")
    _git(git_repo, "commit", "-qm", "code")
    return git_repo


def _rename(repo: Path, new: str) -> None:
    run = run_codemod(repo, "rename", {"old_name": "pkg.old.Thing", "new_name": f"pkg.old.{new}"}, use_cache=False)
    apply_run(repo, run)


def test_codemod_undo_walks_back_one_codemod_at_a_time(codemod_repo):
    original = (codemod_repo / "pkg/user.py").read_text()
    _rename(codemod_repo, "Widget")
    after_first = (codemod_repo / "pkg/user.py").read_text()
    run = run_codemod(codemod_repo, "rename", {"old_name": "pkg.old.Widget", "new_name": "pkg.old.Gadget"})
    apply_run(codemod_repo, run)

    undo_codemod(codemod_repo)
    assert (codemod_repo / "pkg/user.py").read_text() == after_first
    undo_codemod(codemod_repo)  # the older codemod, not the same snapshot again
    assert (codemod_repo / "pkg/user.py").read_text() == original
    with pytest.raises(SnapshotNotFound, match="every codemod applied here was undone"):
        undo_codemod(codemod_repo)


def test_codemod_undo_refuses_to_overwrite_a_later_edit_and_names_the_file(codemod_repo, capsys):
    from mission_control import cli

    _rename(codemod_repo, "Widget")
    (codemod_repo / "pkg/user.py").write_text("# the lead's later edit\n")

    with pytest.raises(CodemodUndoRefused, match=r"pkg/user\.py changed after codemod"):
        undo_codemod(codemod_repo)
    assert (codemod_repo / "pkg/user.py").read_text() == "# the lead's later edit\n"

    assert cli.run(["codemod", "undo", "--repo", str(codemod_repo)]) == 1
    assert "--force" in capsys.readouterr().err
    assert cli.run(["codemod", "undo", "--repo", str(codemod_repo), "--force"]) == 0
    assert "Thing" in (codemod_repo / "pkg/user.py").read_text()


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from mission_control.repo import snapshots, worktree
    from mission_control.repo.rollback import undo_rollback

    real = worktree.apply_state

    def dying(git, wanted, blobs, current, keep_dirs=None):
        half = dict(list(wanted.items())[: len(wanted) // 2])
        real(git, half, blobs, {p: current[p] for p in half}, keep_dirs=keep_dirs)
        (git.root / "app/ws/.m39.py.abcd1234.tmp").write_text("half-written")  # what a killed write leaves
        os.kill(os.getpid(), signal.SIGKILL)

    snapshots.apply_state = dying
    undo_rollback(sys.argv[1])
    """
)


def test_a_killed_undo_is_still_pending_and_the_next_undo_completes_it(repo):
    for index in range(40):
        (repo / f"app/ws/m{index:02}.py").write_text(f"EDITED = {index}\n")
    rollback(repo, "ws")
    assert (repo / "app/ws/m39.py").read_text() == "VALUE = 39\n"

    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(repo)],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    restored = sum((repo / f"app/ws/m{i:02}.py").read_text().startswith("EDITED") for i in range(40))
    assert 0 < restored < 40  # really half-restored

    assert len(undoable_rollbacks(repo)) == 1  # not marked undone by the killed run
    undo_rollback(repo)

    assert all((repo / f"app/ws/m{i:02}.py").read_text() == f"EDITED = {i}\n" for i in range(40))
    assert not (repo / "app/ws/.m39.py.abcd1234.tmp").exists()
    assert undoable_rollbacks(repo) == []


def test_a_folder_replaced_by_a_symlink_to_outside_rolls_back_and_undoes_exactly(git_repo, tmp_path):
    (git_repo / "ext").mkdir()
    (git_repo / "ext/m1.py").write_text("A = 1\n")
    _git(git_repo, "add", "-A")
    _git(git_repo, "commit", "-qm", "baseline")
    start_mission(git_repo)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "m1.py").write_text("A = 1\n")  # the same bytes as the baseline's file
    (outside / "m2.py").write_text("B = 2\n")
    for item in (git_repo / "ext").iterdir():
        item.unlink()
    (git_repo / "ext").rmdir()
    (git_repo / "ext").symlink_to(outside, target_is_directory=True)

    rollback(git_repo, full=True)

    assert not (git_repo / "ext").is_symlink() and (git_repo / "ext/m1.py").read_text() == "A = 1\n"
    assert _git(git_repo, "status", "--porcelain") == ""  # really at the baseline
    undo_rollback(git_repo)
    assert (git_repo / "ext").is_symlink() and os.readlink(git_repo / "ext") == str(outside)
    assert sorted(p.name for p in outside.iterdir()) == ["m1.py", "m2.py"]
    assert (outside / "m1.py").read_text() == "A = 1\n"
