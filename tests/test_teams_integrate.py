"""The integration queue on real git: green moves the branch, red or conflicting ejects, a concurrent move
is detected, a green tree is not tested twice, flaky tests retried, undo by moving back or by revert."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from mission_control import cli
from mission_control.repo.baseline import start_mission
from mission_control.services import teams as flows
from mission_control.signoff import read_ledger
from mission_control.teams.model import TeamError
from mission_control.testing.results import TestResult, TestRunResult

PLAN = """# Mission

```mermaid
gantt
  dateFormat HH:mm
  section Team Alpha
  Core :alpha1, 00:00, 2h
  section Team Bravo
  Config :bravo1, 00:00, 2h
```
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def commit(folder: Path, rel: str, text: str, message: str) -> None:
    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
    (folder / rel).write_text(text)
    git(folder, "add", rel)
    git(folder, "commit", "-qm", message)


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "plan.md").write_text(PLAN)
    (git_repo / ".gitignore").write_text(".mission-control/\n__pycache__/\n")
    commit(git_repo, "app.py", "def value():\n    return 1\n", "app")
    commit(
        git_repo, "tests/test_app.py", "from app import value\n\n\ndef test_value():\n    assert value() == 1\n", "t"
    )
    start_mission(git_repo)
    flows.launch(flows.open_teams(git_repo))
    return git_repo


def wt(repo: Path, team: str) -> Path:
    return repo.parent / "repo.teams" / team


def head(repo: Path, ref: str = "mission/integration") -> str:
    return git(repo, "rev-parse", ref).strip()


def fake(exit_code: int, failing: tuple[str, ...] = (), calls: list[list[str]] | None = None):
    def run(folder: Path, args: list[str]) -> TestRunResult:
        if calls is not None:
            calls.append(list(args))
        tests = tuple(TestResult(nodeid, "failed", 0.0) for nodeid in failing)
        return TestRunResult(exit_code, 0.1, {"passed": 3, "failed": len(failing)}, tests)

    return run


def test_a_green_team_is_merged_by_real_tests_and_the_lead_is_untouched(repo, capsys):
    commit(wt(repo, "alpha"), "extra.py", "EXTRA = 1\n", "alpha1: extra")
    status = git(repo, "status", "--porcelain")
    index = (repo / ".git" / "index").read_bytes()
    before = head(repo)

    assert cli.run(["teams", "integrate", "alpha", "--repo", str(repo), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)

    assert result["outcome"] == "integrated" and result["tested"] and result["totals"]["passed"] == 1
    assert head(repo) == result["new_head"] != before
    assert git(repo, "rev-parse", f"{result['new_head']}^1").strip() == before  # a merge on top, no rewrite
    assert git(repo, "status", "--porcelain") == status and (repo / ".git" / "index").read_bytes() == index
    assert git(repo, "worktree", "list").count("mc-integrate") == 0  # the throwaway worktree is gone
    ledger = [e.to_json() for e in read_ledger(repo).entries]
    assert ledger[-1]["kind"] == "integrate" and ledger[-1]["team"] == "alpha" and ledger[-1]["outcome"] == "integrated"


def test_red_tests_eject_the_team_and_the_branch_stays(repo, capsys):
    commit(wt(repo, "bravo"), "app.py", "def value():\n    return 2\n", "bravo1: change value")
    before = head(repo)

    assert cli.run(["teams", "integrate", "bravo", "--repo", str(repo)]) == 1
    out = capsys.readouterr()

    assert "bravo: ejected: tests failed on the merged tree" in out.out and "test_value" in out.out
    assert head(repo) == before
    bravo = flows.overview(flows.open_teams(repo)).team("bravo")
    assert bravo is not None and bravo.state == "ejected" and "test_value" in (bravo.ejected or "")
    commit(
        wt(repo, "bravo"),
        "tests/test_app.py",
        "from app import value\n\n\ndef test_value():\n    assert value() == 2\n",
        "bravo1: follow the change",
    )
    assert flows.overview(flows.open_teams(repo)).team("bravo").state != "ejected"  # it moved since


def test_a_conflict_ejects_with_the_files(repo):
    commit(wt(repo, "alpha"), "app.py", "def value():\n    return 10\n", "alpha1")
    commit(wt(repo, "bravo"), "app.py", "def value():\n    return 20\n", "bravo1")
    context = flows.open_teams(repo)
    assert flows.integrate(context, "alpha", tests=fake(0)).outcome == "integrated"
    before = head(repo)

    result = flows.integrate(context, "bravo", tests=fake(0))

    assert result.outcome == "ejected" and result.conflicts == ("app.py",) and head(repo) == before


def test_a_concurrent_move_of_the_integration_branch_is_detected(repo):
    commit(wt(repo, "alpha"), "a.py", "A = 1\n", "alpha1")
    commit(wt(repo, "bravo"), "b.py", "B = 1\n", "bravo1")
    context = flows.open_teams(repo)
    intruder = git(
        repo, "commit-tree", "-p", head(repo), "-m", "someone else", git(repo, "rev-parse", "HEAD^{tree}").strip()
    ).strip()

    def moving(folder: Path, args: list[str]) -> TestRunResult:
        git(repo, "update-ref", "refs/heads/mission/integration", intruder)  # while the tests run
        return fake(0)(folder, args)

    with pytest.raises(TeamError, match=r"moved from .* while alpha was being integrated; nothing was changed"):
        flows.integrate(context, "alpha", tests=moving)
    assert head(repo) == intruder


def test_a_tree_tested_green_is_not_tested_again_and_flaky_tests_are_retried(repo):
    commit(wt(repo, "alpha"), "a.py", "A = 1\n", "alpha1")
    context = flows.open_teams(repo)
    calls: list[list[str]] = []
    flaky = iter([fake(1, ("tests/test_app.py::test_value",), calls), fake(0, (), calls)])

    result = flows.integrate(context, "alpha", tests=lambda f, a: next(flaky)(f, a), retries=1)

    assert result.outcome == "integrated" and calls == [[], ["tests/test_app.py::test_value"]]
    flows.undo_integration(context)
    calls.clear()
    again = flows.integrate(context, "alpha", tests=fake(0, (), calls))
    assert again.outcome == "integrated" and not again.tested and calls == []  # same merged tree: known green


def test_undo_moves_back_or_reverts_when_something_came_after(repo):
    commit(wt(repo, "alpha"), "a.py", "A = 1\n", "alpha1")
    commit(wt(repo, "bravo"), "b.py", "B = 1\n", "bravo1")
    context = flows.open_teams(repo)
    start = head(repo)
    flows.integrate(context, "alpha", tests=fake(0))

    assert "moved back" in flows.undo_integration(context)
    assert head(repo) == start

    flows.integrate(context, "alpha", tests=fake(0))
    after_alpha = head(repo)
    flows.integrate(context, "bravo", tests=fake(0))
    assert "moved back" in flows.undo_integration(context)  # bravo, the latest, comes off cleanly
    assert head(repo) == after_alpha
    flows.integrate(context, "bravo", tests=fake(0))
    git(
        repo,
        "update-ref",
        "refs/heads/mission/integration",
        git(
            repo,
            "commit-tree",
            "-p",
            head(repo),
            "-m",
            "later work",
            git(repo, "rev-parse", "mission/integration^{tree}").strip(),
        ).strip(),
    )
    message = flows.undo_integration(context)
    assert "reverted with" in message
    tree = git(repo, "ls-tree", "--name-only", "mission/integration").split()
    assert "b.py" not in tree and "a.py" in tree  # bravo's work reverted, alpha's kept
    with pytest.raises(TeamError, match="nothing to integrate"):
        flows.integrate(context, "alpha", tests=fake(0))


@pytest.fixture
def three(git_repo: Path) -> Path:
    plan = PLAN.replace(
        "  Config :bravo1, 00:00, 2h\n```\n",
        "  Config :bravo1, 00:00, 2h\n  section Team Charlie\n  Tools :charlie1, 00:00, 2h\n```\n",
    )
    (git_repo / "plan.md").write_text(plan)
    (git_repo / ".gitignore").write_text(".mission-control/\n__pycache__/\n")
    commit(git_repo, "app.py", "def value():\n    return 1\n", "app")
    start_mission(git_repo)
    flows.launch(flows.open_teams(git_repo))
    return git_repo


def test_the_queue_tests_speculatively_and_takes_the_longest_green_prefix(three, capsys):
    repo = three
    commit(wt(repo, "alpha"), "a.py", "A = 1\n", "alpha1")
    commit(wt(repo, "bravo"), "b.py", "B = 1\n", "bravo1")  # red
    commit(wt(repo, "charlie"), "c.py", "C = 1\n", "charlie1")
    trees: list[tuple[str, ...]] = []

    def verdict(folder: Path, args: list[str]) -> TestRunResult:
        files = tuple(sorted(p.name for p in folder.glob("*.py")))
        trees.append(files)
        red = "b.py" in files
        return fake(1 if red else 0, ("tests/test_b.py::test_b",) if red else ())(folder, args)

    context = flows.open_teams(repo)
    results = flows.integrate_queue(context, ["alpha", "bravo", "charlie"], tests=verdict, parallel=3)

    assert [(r.team, r.outcome) for r in results] == [
        ("alpha", "integrated"),
        ("bravo", "ejected"),
        ("charlie", "integrated"),
    ]
    # first round: A, A+B, A+B+C side by side; after B is red, C again on top of A alone
    assert sorted(trees[:3]) == [("a.py", "app.py"), ("a.py", "app.py", "b.py"), ("a.py", "app.py", "b.py", "c.py")]
    assert trees[3:] == [("a.py", "app.py", "c.py")]
    tree = git(repo, "ls-tree", "--name-only", "mission/integration").split()
    assert "a.py" in tree and "c.py" in tree and "b.py" not in tree
    assert flows.overview(context).team("bravo").state == "ejected"
    assert git(repo, "worktree", "list").count("mc-integrate") == 0
