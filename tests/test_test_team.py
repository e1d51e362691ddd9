"""``mission-control test --team TEAM``: the suite in the team's worktree, recorded there, or a clear refusal.

On the demo mission with only team alpha launched: a failing test committed on alpha's branch fails
``test --team alpha`` while the lead's checkout (which never sees it) stays green and untouched; each
run lands in the history of its own folder; a team not launched, or not in the plan, is refused with
exit 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import git

from mission_control import cli
from mission_control.history import open_history
from mission_control.repo.baseline import start_mission
from mission_control.services import teams as flows
from mission_control.services.demo import create_demo

FAILING_TEST = """
def test_only_on_alpha():
    assert "alpha" == "the lead"
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo, mission started, team alpha launched with a failing test committed on its branch."""
    repo = create_demo(tmp_path / "demo")
    start_mission(repo)
    result = flows.launch(flows.open_teams(repo), ["alpha"])
    assert not result.refused
    worktree = flows.worktree_of(repo, "alpha")
    (worktree / "tests" / "test_only_on_alpha.py").write_text(FAILING_TEST)
    git(worktree, "add", "-A")
    git(worktree, "commit", "-qm", "A test the lead's checkout does not have")
    return repo


def _lead_state(repo: Path) -> tuple[str, str]:
    return git(repo, "status", "--porcelain", "--untracked-files=all"), git(repo, "rev-parse", "HEAD")


def test_team_runs_in_its_worktree_and_is_recorded_there(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    worktree = flows.worktree_of(demo, "alpha")
    before = _lead_state(demo)
    code = cli.run(["test", "--repo", str(demo), "--team", "alpha", "--no-parallel", "--json"])
    captured = capsys.readouterr()
    assert code == 1, captured.out + captured.err
    data = json.loads(captured.out)
    assert (data["team"], data["worktree"]) == ("alpha", str(worktree))
    failed = [t["nodeid"] for t in data["tests"] if t["outcome"] == "failed"]
    assert failed == ["tests/test_only_on_alpha.py::test_only_on_alpha"]
    assert f"team alpha: running the tests in its worktree {worktree}" in captured.err
    assert _lead_state(demo) == before
    with open_history(worktree) as history:
        assert [run.exit_code for run in history.test_runs()] == [1]
    with open_history(demo) as history:
        assert history.test_runs() == []

    assert cli.run(["test", "--repo", str(demo), "--no-parallel"]) == 0  # the lead's checkout: green
    out = capsys.readouterr().out
    assert "test_only_on_alpha" not in out
    with open_history(demo) as history:
        assert [run.exit_code for run in history.test_runs()] == [0]


def test_a_selection_applies_inside_the_worktree(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.run(["test", "--repo", str(demo), "--team", "alpha", "--component", "factory", "--no-parallel"])
    assert code == 0, capsys.readouterr()
    assert "test_only_on_alpha" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("team", "message"),
    [
        ("bravo", "team bravo is not launched: no worktree at"),
        ("zulu", "no team 'zulu'; the plan's teams are alpha, bravo, charlie, delta, echo"),
    ],
)
def test_a_team_without_a_worktree_is_refused(
    demo: Path, team: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _lead_state(demo)
    assert cli.run(["test", "--repo", str(demo), "--team", team]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert ("mission-control teams launch --teams bravo" in err) == (team == "bravo")
    assert _lead_state(demo) == before
