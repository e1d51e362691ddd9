"""Rollback and undo on real git repositories: every file kind, the index, and every refusal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import git, tree_state

from mission_control.repo.baseline import start_mission
from mission_control.repo.components import UnknownComponent
from mission_control.repo.rollback import (
    RollbackRefused,
    plan_rollback,
    rollback,
    undo_rollback,
)
from mission_control.repo.snapshots import last_rollbacks, list_snapshots, undoable_rollbacks
from mission_control.repo.status import repo_status
from mission_control.util.progress import Cancelled, CancelToken

CONFIG = """\
[components.ws]
paths = ["app/ws", "bin/ws-*"]
tasks = ["alpha2"]
[components.fac]
paths = ["app/fac/*.py"]
[components.empty]
paths = ["nothing/here/*.py"]
[components.nopaths]
tasks = ["x"]
"""


@pytest.fixture
def repo(git_repo: Path) -> Path:
    files = {
        "app/ws/manager.py": "class Manager:\n    pass\n",
        "app/ws/emitter.py": "def emit():\n    return 1\n",
        "app/ws/old_name.py": "OLD = 1\n",
        "app/ws/logo.png": None,
        "app/fac/factory.py": "def make():\n    return 2\n",
        "bin/ws-tool": "#!/bin/sh\necho ws\n",
        "lib/shared.py": "SHARED = 1\n",
    }
    for rel, text in files.items():
        path = git_repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
        else:
            path.write_text(text)
    (git_repo / "bin" / "ws-tool").chmod(0o755)
    (git_repo / "mission-control.toml").write_text(CONFIG)
    (git_repo / ".gitignore").write_text("*.pyc\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "baseline")
    start_mission(git_repo)
    return git_repo


def break_ws(repo: Path) -> None:
    """Every kind of change inside component ws, plus changes in fac and outside components."""
    (repo / "app/ws/manager.py").write_text("class Manager:\n    broken = True\n")
    git(repo, "add", "app/ws/manager.py")  # staged
    (repo / "app/ws/manager.py").write_text("class Manager:\n    broken = 2\n")  # and unstaged on top
    os.rename(repo / "app/ws/old_name.py", repo / "app/ws/new_name.py")  # renamed
    (repo / "app/ws/emitter.py").unlink()  # deleted
    (repo / "app/ws/logo.png").write_bytes(b"\x89PNG garbage \x00\xff")  # binary
    (repo / "bin/ws-tool").chmod(0o644)  # executable bit lost
    (repo / "app/ws/untracked.py").write_text("scratch = 1\n")  # untracked
    (repo / "app/ws/cache.pyc").write_bytes(b"ignored")  # ignored: left alone
    (repo / "app/ws/sub").mkdir()
    (repo / "app/ws/sub/deep.py").write_text("deep = 1\n")  # added in a new folder
    (repo / "app/fac/factory.py").write_text("def make():\n    return 3\n")
    (repo / "lib/shared.py").write_text("SHARED = 2\n")
    git(repo, "add", "lib/shared.py")
    (repo / "notes.txt").write_text("lead's notes\n")


def test_rollback_returns_the_component_to_the_baseline_and_nothing_else(repo: Path) -> None:
    break_ws(repo)
    outside_before = {k: v for k, v in tree_state(repo).items() if not k.startswith(("app/ws", "bin/"))}
    index_outside = [line for line in git(repo, "ls-files", "-s").splitlines() if "app/ws" not in line]

    result = rollback(repo, "ws")

    for rel in ("app/ws/manager.py", "app/ws/emitter.py", "app/ws/old_name.py", "bin/ws-tool"):
        assert (repo / rel).read_text() == git(repo, "show", f"HEAD:{rel}")
    assert (repo / "app/ws/logo.png").read_bytes() == b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    assert os.access(repo / "bin/ws-tool", os.X_OK)
    for gone in ("app/ws/new_name.py", "app/ws/untracked.py", "app/ws/sub/deep.py"):
        assert not (repo / gone).exists()
    assert not (repo / "app/ws/sub").exists()
    assert (repo / "app/ws/cache.pyc").read_bytes() == b"ignored"
    after = {k: v for k, v in tree_state(repo).items() if not k.startswith(("app/ws", "bin/"))}
    assert after == outside_before
    assert [line for line in git(repo, "ls-files", "-s").splitlines() if "app/ws" not in line] == index_outside
    status = git(repo, "status", "--porcelain")
    assert "app/ws" not in status and "bin/" not in status
    assert "M  lib/shared.py" in status and " M app/fac/factory.py" in status
    assert git(repo, "log", "--oneline").count("\n") == 2, "no commit was made"
    assert result.snapshot.info["component"] == "ws"
    assert set(result.removed) == {"app/ws/new_name.py", "app/ws/untracked.py", "app/ws/sub/deep.py"}


def test_undo_gives_back_exactly_the_pre_rollback_bytes_and_index(repo: Path) -> None:
    break_ws(repo)
    before, index_before = tree_state(repo), git(repo, "ls-files", "-s")
    status_before = git(repo, "status", "--porcelain")
    result = rollback(repo, "ws")
    assert tree_state(repo) != before
    undone = undo_rollback(repo)
    assert undone.snapshot.id == result.snapshot.id
    assert tree_state(repo) == before
    assert git(repo, "ls-files", "-s") == index_before
    assert git(repo, "status", "--porcelain") == status_before
    assert undoable_rollbacks(repo) == []
    with pytest.raises(RollbackRefused, match="nothing to undo"):
        undo_rollback(repo)


def test_status_says_rolled_back_until_undone(repo: Path) -> None:
    break_ws(repo)
    assert repo_status(repo).components["ws"].state == "changed"
    result = rollback(repo, "ws")
    ws = repo_status(repo).components["ws"]
    assert (ws.state, ws.last_rollback) == ("rolled back", result.snapshot.id)
    assert last_rollbacks(repo) == {"ws": result.snapshot.id}
    undo_rollback(repo, result.snapshot.id)
    assert repo_status(repo).components["ws"].state == "changed"


def test_dry_run_lists_files_and_diffstat_and_changes_nothing(repo: Path) -> None:
    break_ws(repo)
    before = tree_state(repo)
    plan = plan_rollback(repo, "ws")
    changes = {f.path: f.change for f in plan.files}
    assert changes == {
        "app/ws/manager.py": "modified",
        "app/ws/emitter.py": "deleted",
        "app/ws/old_name.py": "deleted",
        "app/ws/new_name.py": "added",
        "app/ws/logo.png": "modified",
        "bin/ws-tool": "modified",
        "app/ws/untracked.py": "added",
        "app/ws/sub/deep.py": "added",
    }
    assert next(f for f in plan.files if f.path == "app/ws/logo.png").binary
    assert plan.diffstat.startswith("8 files, +")
    assert tree_state(repo) == before and list_snapshots(repo) == []


def test_rollback_across_commits_since_the_baseline(repo: Path) -> None:
    (repo / "app/ws/manager.py").write_text("committed change\n")
    (repo / "app/ws/committed_new.py").write_text("new\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "work")
    rollback(repo, "ws")
    assert (repo / "app/ws/manager.py").read_text() == "class Manager:\n    pass\n"
    assert not (repo / "app/ws/committed_new.py").exists()
    status = git(repo, "status", "--porcelain")
    assert " M app/ws/manager.py" in status and " D app/ws/committed_new.py" in status, "left unstaged for review"
    assert git(repo, "log", "--oneline").count("\n") == 3


def test_full_rollback_and_undo(repo: Path) -> None:
    break_ws(repo)
    (repo / ".mission-control").mkdir()
    (repo / ".mission-control/signoffs.jsonl").write_text('{"item": 1}\n')
    before = tree_state(repo)
    result = rollback(repo, full=True)
    assert git(repo, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        "?? .mission-control/signoffs.jsonl"
    ]
    assert any("signoffs.jsonl" in note for note in result.plan.notes)
    assert result.snapshot.info["component"] == "*"
    undo_rollback(repo)
    assert tree_state(repo) == before


def test_cancel_before_the_snapshot_changes_nothing(repo: Path) -> None:
    break_ws(repo)
    before = tree_state(repo)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        rollback(repo, "ws", cancel=token)
    assert tree_state(repo) == before


def test_progress_is_reported_to_the_end(repo: Path) -> None:
    break_ws(repo)
    seen = []
    rollback(repo, "fac", on_progress=seen.append)
    assert seen[0].done == 0 and seen[-1].done == seen[-1].total


# --- refusals: each changes nothing -------------------------------------------------------------


def assert_refused(repo: Path, match: str, component: str | None = "ws", **kwargs) -> None:
    before, index = tree_state(repo), git(repo, "ls-files", "-s")
    with pytest.raises(RollbackRefused, match=match):
        if component is None:
            rollback(repo, full=True, **kwargs)
        else:
            rollback(repo, component, **kwargs)
    assert tree_state(repo) == before and git(repo, "ls-files", "-s") == index
    assert list_snapshots(repo) == []


def test_refuses_outside_a_git_repository(tmp_path: Path) -> None:
    with pytest.raises(RollbackRefused, match="not a git repository"):
        rollback(tmp_path, "ws")


def test_refuses_without_a_baseline(git_repo: Path) -> None:
    (git_repo / "mission-control.toml").write_text(CONFIG)
    assert_refused(git_repo, "no baseline.*mission start")


def test_refuses_a_missing_configured_baseline(repo: Path) -> None:
    (repo / "mission-control.toml").write_text('baseline = "pre-ssot"\n' + CONFIG)
    assert_refused(repo, r"mission-control.toml: baseline: the ref 'pre-ssot' names no commit")


def test_refuses_during_a_merge(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "lib/shared.py").write_text("other\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "lib/shared.py").write_text("main\n")
    git(repo, "commit", "-q", "-am", "main")
    result = os.system(f"cd '{repo}' && git merge -q other >/dev/null 2>&1")
    assert result != 0
    assert_refused(repo, "a merge is in progress")


def test_refuses_during_a_rebase(repo: Path) -> None:
    (Path(git(repo, "rev-parse", "--absolute-git-dir").strip()) / "rebase-merge").mkdir()
    assert_refused(repo, "a rebase is in progress")


def test_refuses_a_locked_index(repo: Path) -> None:
    break_ws(repo)
    (Path(git(repo, "rev-parse", "--absolute-git-dir").strip()) / "index.lock").write_text("")
    assert_refused(repo, "index is locked")


def test_refuses_a_glob_leading_outside_the_repo(repo: Path) -> None:
    (repo / "mission-control.toml").write_text('[components.bad]\npaths = ["../elsewhere/*.py"]\n')
    assert_refused(repo, "'../elsewhere/\\*.py' leads outside the repository", "bad")
    (repo / "mission-control.toml").write_text('[components.bad]\npaths = ["/etc/*"]\n')
    assert_refused(repo, "leads outside the repository", "bad")


def test_refuses_a_symlink_leading_outside_the_repo(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.py").write_text("keep me\n")
    os.symlink(outside, repo / "vendor")
    (repo / "mission-control.toml").write_text('[components.vendor]\npaths = ["vendor/*.py"]\n')
    assert_refused(repo, "goes through the symlink vendor", "vendor")
    assert (outside / "victim.py").read_text() == "keep me\n"


def test_refuses_writing_through_a_symlinked_folder(repo: Path, tmp_path: Path) -> None:
    os.rename(repo / "app/fac", tmp_path / "moved")
    os.symlink("../lib", repo / "app" / "fac")  # inside the repo, but outside the component
    assert_refused(repo, "app/fac: is a symlink", "fac")
    assert not (repo / "lib/factory.py").exists()


def test_refuses_a_component_matching_no_file(repo: Path) -> None:
    assert_refused(repo, "'empty': its paths .* match no file", "empty")


def test_refuses_a_component_without_paths(repo: Path) -> None:
    assert_refused(repo, "'nopaths' has no paths", "nopaths")


def test_refuses_a_plan_component_without_paths(git_repo: Path) -> None:
    plan = git_repo / "plan.md"
    plan.write_text(
        "# Plan\n\n```mermaid\ngantt\n    dateFormat HH:mm\n    section A\n    Task one :a1, 00:00, 1h\n```\n\n"
        "```bash\npython scripts/emergency_rollback.py --component websocket\n```\n"
    )
    (git_repo / "mission-control.toml").write_text('plan = "plan.md"\n')
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "plan")
    start_mission(git_repo)
    assert_refused(git_repo, "'websocket' comes from the plan's rollback commands and has no paths", "websocket")


def test_unknown_component_names_the_known_ones(repo: Path) -> None:
    with pytest.raises(UnknownComponent, match="known: ws, fac, empty, nopaths"):
        rollback(repo, "nope")
