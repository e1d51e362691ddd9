"""Components, baseline and status since the baseline, on real git repositories."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import git

from mission_control.config import ProjectConfig
from mission_control.repo.baseline import BASELINE_REF, resolve_baseline, start_mission
from mission_control.repo.components import Component, glob_to_regex, load_components
from mission_control.repo.status import repo_status
from mission_control.util.git import RepoError


@pytest.mark.parametrize(
    "pattern, path, matches",
    [
        ("app/agents/agent_instance_factory*.py", "app/agents/agent_instance_factory_optimized.py", True),
        ("app/agents/agent_instance_factory*.py", "app/agents/other.py", False),
        ("app/*.py", "app/sub/x.py", False),
        ("app/**/*.py", "app/x.py", True),
        ("app/**/*.py", "app/a/b/x.py", True),
        ("app/websocket_core", "app/websocket_core/deep/x.py", True),
        ("app/websocket_core/", "app/websocket_core/x.py", True),
        ("app/websocket_core", "app/websocket_core_v2/x.py", False),
        ("./app/?.py", "app/a.py", True),
        ("app/[ab].py", "app/b.py", True),
        ("app/[!ab].py", "app/b.py", False),
        ("a+b/(x).py", "a+b/(x).py", True),
    ],
)
def test_globs_follow_git_glob_rules(pattern: str, path: str, matches: bool) -> None:
    assert bool(re.fullmatch(glob_to_regex(pattern), path)) is matches


@pytest.mark.parametrize("pattern", ["../x", "a/../../x", "/etc/passwd", ""])
def test_globs_leaving_the_repo_are_rejected(pattern: str) -> None:
    with pytest.raises(RepoError, match="leads outside the repository"):
        Component("bad", (pattern,)).matcher()


def test_components_from_config(git_repo: Path) -> None:
    (git_repo / "mission-control.toml").write_text('[components.a]\npaths = ["x/*"]\ntasks = ["t1"]\n[components.b]\n')
    comps = load_components(git_repo)
    assert comps.source == "config" and list(comps.components) == ["a", "b"]
    assert comps.components["a"].tasks == ("t1",)
    assert any("components.b: no paths" in note for note in comps.notes)


def test_components_from_the_plan_have_no_paths_and_say_so(git_repo: Path) -> None:
    comps = load_components(git_repo, ProjectConfig(), plan_components=["factory", "websocket"])
    assert comps.source == "plan" and list(comps.components) == ["factory", "websocket"]
    assert all(c.paths == () and c.source == "plan" for c in comps.components.values())
    assert "have no paths" in comps.notes[0]


def test_components_from_the_real_sample_plan(git_repo: Path, sample_plan_path: Path) -> None:
    comps = load_components(git_repo, ProjectConfig(plan=sample_plan_path))
    assert {"factory", "websocket"} <= set(comps.components)


def test_no_components_at_all(git_repo: Path) -> None:
    comps = load_components(git_repo, ProjectConfig(), plan_components=[])
    assert comps.source == "none" and "no components" in comps.notes[-1]


def test_baseline_from_config_beats_the_mission_ref(git_repo: Path) -> None:
    first = git(git_repo, "rev-parse", "HEAD").strip()
    git(git_repo, "tag", "pre-ssot")
    (git_repo / "x").write_text("x")
    git(git_repo, "add", "x")
    git(git_repo, "commit", "-q", "-m", "x")
    mission = start_mission(git_repo)
    assert git(git_repo, "rev-parse", BASELINE_REF).strip() == mission.commit != first
    assert resolve_baseline(git_repo).source == "mission"
    base = resolve_baseline(git_repo, ProjectConfig(baseline="pre-ssot"))
    assert (base.source, base.commit, base.label) == ("config", first, f"pre-ssot ({first[:7]})")


def test_start_mission_refuses_to_move_silently(git_repo: Path) -> None:
    start_mission(git_repo)
    (git_repo / "x").write_text("x")
    git(git_repo, "add", "x")
    git(git_repo, "commit", "-q", "-m", "x")
    with pytest.raises(RepoError, match=r"already started.*--force"):
        start_mission(git_repo)
    assert start_mission(git_repo, force=True).commit == git(git_repo, "rev-parse", "HEAD").strip()


def test_start_mission_on_an_empty_repository(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    with pytest.raises(RepoError, match="names no commit"):
        start_mission(tmp_path)


def test_status_counts_commits_staged_unstaged_and_untracked(git_repo: Path) -> None:
    (git_repo / "mission-control.toml").write_text(
        '[components.app]\npaths = ["app"]\ntasks = ["a1"]\n[components.none]\npaths = ["nothing"]\n'
    )
    (git_repo / ".gitignore").write_text("*.log\n")
    (git_repo / "app").mkdir()
    for name in ("committed", "staged", "unstaged", "deleted"):
        (git_repo / "app" / f"{name}.py").write_text("one\ntwo\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "base")
    start_mission(git_repo)
    (git_repo / "app/committed.py").write_text("one\n")
    git(git_repo, "commit", "-q", "-am", "work")
    (git_repo / "app/staged.py").write_text("one\ntwo\nthree\n")
    git(git_repo, "add", "app/staged.py")
    (git_repo / "app/unstaged.py").write_text("changed\n")
    (git_repo / "app/deleted.py").unlink()
    (git_repo / "app/new.bin").write_bytes(b"\x00\x01\x02")
    (git_repo / "app/debug.log").write_text("ignored")
    (git_repo / "README.md").write_text("outside\n")

    status = repo_status(git_repo)
    app = status.components["app"]
    assert {f.path: f.change for f in app.files} == {
        "app/committed.py": "modified",
        "app/staged.py": "modified",
        "app/unstaged.py": "modified",
        "app/deleted.py": "deleted",
        "app/new.bin": "added",
    }
    counts = {f.path: (f.added, f.removed) for f in app.files}
    assert counts["app/committed.py"] == (0, 1) and counts["app/staged.py"] == (1, 0)
    assert counts["app/new.bin"] == (None, None)
    assert app.summary == "5 files changed (+2 -5)" and app.tasks == ("a1",)
    assert status.components["none"].state == "no files"  # its path matches nothing: not "clean" (issue 18)
    assert [f.path for f in status.unassigned] == ["README.md"]
    data = status.to_json()
    assert data["baseline"] == BASELINE_REF
    assert {"path": "app/deleted.py", "change": "deleted"}.items() <= data["components"]["app"]["files"][1].items()
    assert git(git_repo, "status", "--porcelain").count("A ") == 0, "the real index is untouched"


def test_status_without_a_baseline_explains(git_repo: Path) -> None:
    status = repo_status(git_repo)
    assert status.baseline.source == "none" and status.changes == ()
    assert any("mission start" in note for note in status.notes)
    assert status.baseline.label == "no baseline"
