"""Snapshots on real git repositories: stored as commits, restored byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import git, tree_state

from mission_control.repo.snapshots import (
    SNAPSHOT_PREFIX,
    SnapshotNotFound,
    create_snapshot,
    find_snapshot,
    list_snapshots,
    restore_snapshot,
)
from mission_control.util.git import RepoError, open_repo
from mission_control.util.progress import Cancelled, CancelToken


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "pkg").mkdir()
    (git_repo / "pkg" / "mod.py").write_bytes(b"x = 1\r\n")
    (git_repo / "pkg" / "tool.sh").write_text("#!/bin/sh\necho hi\n")
    (git_repo / "pkg" / "tool.sh").chmod(0o755)
    (git_repo / "pkg" / "blob.bin").write_bytes(bytes(range(256)) * 4)
    os.symlink("mod.py", git_repo / "pkg" / "link")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "pkg")
    return git_repo


def test_snapshot_is_a_commit_under_its_ref_and_changes_nothing(repo: Path) -> None:
    before, status = tree_state(repo), git(repo, "status", "--porcelain")
    snap = create_snapshot(repo, ["pkg"], "before codemod", info={"kind": "codemod"})
    assert snap.ref == SNAPSHOT_PREFIX + snap.id and snap.id.endswith("-before-codemod")
    assert git(repo, "rev-parse", snap.ref).strip() == snap.commit
    assert set(snap.paths) == {"pkg/mod.py", "pkg/tool.sh", "pkg/blob.bin", "pkg/link"}
    assert snap.absent == () and snap.info == {"kind": "codemod"}
    assert snap.head == git(repo, "rev-parse", "HEAD").strip()
    assert tree_state(repo) == before and git(repo, "status", "--porcelain") == status
    assert git(repo, "branch", "--list").strip() == "* main"


def test_restore_gives_back_bytes_modes_links_and_untracked_files(repo: Path) -> None:
    (repo / "pkg" / "untracked.txt").write_bytes(b"mine\x00\xff")
    (repo / "pkg" / "mod.py").chmod(0o600)
    before = tree_state(repo)
    snap = create_snapshot(repo, ["pkg", "pkg/not-yet.py", "other/new/deep.py"], "t")
    assert set(snap.absent) == {"pkg/not-yet.py", "other/new/deep.py"}

    (repo / "pkg" / "mod.py").write_text("broken")
    (repo / "pkg" / "tool.sh").chmod(0o644)
    (repo / "pkg" / "blob.bin").unlink()
    (repo / "pkg" / "link").unlink()
    (repo / "pkg" / "link").write_text("now a file")
    (repo / "pkg" / "untracked.txt").unlink()
    (repo / "pkg" / "not-yet.py").write_text("created later")
    (repo / "other" / "new").mkdir(parents=True)
    (repo / "other" / "new" / "deep.py").write_text("created later")

    result = restore_snapshot(repo, snap.id)
    assert tree_state(repo) == before
    assert not (repo / "other").exists(), "folders the snapshot did not have are removed when emptied"
    assert set(result.removed) == {"pkg/not-yet.py", "other/new/deep.py"}
    assert result.backup is not None and result.backup.info["kind"] == "undo-backup"


def test_restore_only_touches_the_snapshot_paths(repo: Path) -> None:
    snap = create_snapshot(repo, ["pkg/mod.py"], "one file")
    (repo / "pkg" / "mod.py").write_text("changed")
    (repo / "pkg" / "tool.sh").write_text("also changed")
    (repo / "README.md").write_text("edited")
    (repo / "scratch.txt").write_text("untracked")
    restore_snapshot(repo, snap)
    assert (repo / "pkg" / "mod.py").read_bytes() == b"x = 1\r\n"
    assert (repo / "pkg" / "tool.sh").read_text() == "also changed"
    assert (repo / "README.md").read_text() == "edited"
    assert (repo / "scratch.txt").read_text() == "untracked"


def test_restore_gives_back_the_index_entries(repo: Path) -> None:
    (repo / "pkg" / "mod.py").write_text("staged\n")
    (repo / "pkg" / "added.py").write_text("staged new\n")
    git(repo, "add", "pkg/mod.py", "pkg/added.py")
    (repo / "pkg" / "mod.py").write_text("unstaged on top\n")
    index_before = git(repo, "ls-files", "-s")
    status_before = git(repo, "status", "--porcelain")
    snap = create_snapshot(repo, ["pkg/mod.py", "pkg/added.py"], "dirty index")

    git(repo, "reset", "-q", "--hard")
    (repo / "pkg" / "added.py").unlink(missing_ok=True)
    restore_snapshot(repo, snap)
    assert git(repo, "ls-files", "-s") == index_before
    assert git(repo, "status", "--porcelain") == status_before
    assert (repo / "pkg" / "mod.py").read_text() == "unstaged on top\n"


def test_restore_of_the_backup_undoes_the_undo(repo: Path) -> None:
    snap = create_snapshot(repo, ["pkg/mod.py"], "a")
    (repo / "pkg" / "mod.py").write_text("after")
    result = restore_snapshot(repo, snap)
    assert (repo / "pkg" / "mod.py").read_bytes() == b"x = 1\r\n"
    restore_snapshot(repo, result.backup, backup=False)
    assert (repo / "pkg" / "mod.py").read_text() == "after"


def test_unchanged_files_are_not_rewritten(repo: Path) -> None:
    snap = create_snapshot(repo, ["pkg"], "a")
    os.utime(repo / "pkg" / "tool.sh", (1_000_000, 1_000_000))
    (repo / "pkg" / "mod.py").write_text("after")
    result = restore_snapshot(repo, snap)
    assert result.written == ("pkg/mod.py",)
    assert (repo / "pkg" / "tool.sh").stat().st_mtime == 1_000_000


def test_list_is_newest_first_and_find_accepts_id_ref_commit_prefix_and_latest(repo: Path) -> None:
    first = create_snapshot(repo, ["pkg/mod.py"], "same")
    second = create_snapshot(repo, ["pkg/mod.py"], "same")
    assert first.id != second.id
    assert [s.id for s in list_snapshots(repo)] == [second.id, first.id]
    assert find_snapshot(repo).id == second.id
    for key in (first.id, first.ref, first.commit, first.commit[:10]):
        assert find_snapshot(repo, key).id == first.id
    with pytest.raises(SnapshotNotFound, match="no snapshot match 'nope'"):
        find_snapshot(repo, "nope")


def test_no_snapshots_yet_is_a_clear_error(repo: Path) -> None:
    assert list_snapshots(repo) == []
    with pytest.raises(SnapshotNotFound, match="no snapshots yet"):
        restore_snapshot(repo)


def test_paths_outside_the_repo_are_refused(repo: Path, tmp_path: Path) -> None:
    for bad in ("../escape.py", str(tmp_path / "elsewhere.py"), ".git/config"):
        with pytest.raises(RepoError, match="repository"):
            create_snapshot(repo, [bad], "bad")
    assert list_snapshots(repo) == []


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="not a git repository"):
        create_snapshot(tmp_path, ["x"], "bad")
    with pytest.raises(RepoError, match="no such folder"):
        list_snapshots(tmp_path / "missing")


def test_restore_refuses_a_locked_index_and_changes_nothing(repo: Path) -> None:
    snap = create_snapshot(repo, ["pkg/mod.py"], "a")
    (repo / "pkg" / "mod.py").write_text("after")
    lock = open_repo(repo).git_path("index.lock")
    lock.write_text("")
    with pytest.raises(RepoError, match="index is locked"):
        restore_snapshot(repo, snap)
    assert (repo / "pkg" / "mod.py").read_text() == "after"


def test_restore_refuses_to_write_through_a_symlinked_folder(repo: Path, tmp_path: Path) -> None:
    snap = create_snapshot(repo, ["pkg/mod.py", "pkg/tool.sh"], "a")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.rename(repo / "pkg", tmp_path / "moved")
    os.symlink(outside, repo / "pkg")
    with pytest.raises(RepoError, match="is a symlink"):
        restore_snapshot(repo, snap)
    assert list(outside.iterdir()) == []


def test_cancel_before_writing_changes_nothing(repo: Path) -> None:
    snap = create_snapshot(repo, ["pkg/mod.py"], "a")
    (repo / "pkg" / "mod.py").write_text("after")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        restore_snapshot(repo, snap, cancel=token)
    assert (repo / "pkg" / "mod.py").read_text() == "after"
    assert len(list_snapshots(repo)) == 1


def test_file_and_folder_swap_places(repo: Path) -> None:
    snap = create_snapshot(repo, ["pkg/mod.py", "pkg/mod.py/inner.py"], "swap")
    (repo / "pkg" / "mod.py").unlink()
    (repo / "pkg" / "mod.py").mkdir()
    (repo / "pkg" / "mod.py" / "inner.py").write_text("inner")
    restore_snapshot(repo, snap)
    assert (repo / "pkg" / "mod.py").read_bytes() == b"x = 1\r\n"


def test_progress_is_reported(repo: Path) -> None:
    seen = []
    create_snapshot(repo, ["pkg"], "a", on_progress=seen.append)
    assert seen[-1].done == seen[-1].total and "stored" in seen[-1].message
