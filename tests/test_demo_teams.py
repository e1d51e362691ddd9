"""Parallel teams on the demo mission, for real: launch, each team's scripted agent, the two collisions.

One demo is made per module (the agents take about a second in all): the mission is started, every
team launched, and each team's agent run for its first task through the same flow as
``mission-control teams run``. Then: the commits map to that task by their trailer, the suite passes
in every worktree, the lead's checkout is untouched, and the two collisions the demo documents are
real (charlie x delta conflict in ``app/core/config.py``; alpha x echo merge cleanly but the merged
suite cannot import what alpha deleted), while every other pair merges cleanly.
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import git

from mission_control import cli
from mission_control.repo.baseline import start_mission
from mission_control.services import teams as flows
from mission_control.services.demo import BASELINE_TAG, COLLISIONS, SCRIPTED_TASKS, create_demo
from mission_control.teams.runner import TeamRun

TEAMS = list(SCRIPTED_TASKS)


@dataclass
class Mission:
    repo: Path
    runs: dict[str, TeamRun]
    output: dict[str, list[str]]
    lead_head: str


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mission]:
    """The demo with every team launched and its agent run for its first task (delta forced: the plan
    blocks delta1 on alpha2). The user folders are this module's own, like every test's."""
    root = tmp_path_factory.mktemp("demo-teams")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MISSION_CONTROL_HOME", str(root / "home"))
        repo = create_demo(root / "demo")
        start_mission(repo)
        context = flows.open_teams(repo)
        launched = flows.launch(context)
        assert not launched.refused
        runs, output = {}, {}
        for team in TEAMS:
            lines: list[str] = []
            runs[team] = flows.run(context, team, force=team == "delta", on_line=lines.append)
            output[team] = lines
        yield Mission(repo, runs, output, git(repo, "rev-parse", "HEAD").strip())


def _worktree(mission: Mission, team: str) -> Path:
    return mission.repo.parent / f"{mission.repo.name}.teams" / team


def _python(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _merge_tree(repo: Path, one: str, two: str) -> subprocess.CompletedProcess[str]:
    """``git merge-tree --write-tree`` of two team branches: exit 0 clean, 1 conflicts; nothing is checked out."""
    return subprocess.run(
        ["git", "merge-tree", "--write-tree", f"mission/{one}", f"mission/{two}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


def _extract(repo: Path, tree: str, dest: Path) -> Path:
    """The files of ``tree`` in ``dest`` (git archive: no worktree, no ref, the lead's checkout untouched)."""
    archive = subprocess.run(["git", "archive", tree], cwd=repo, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4
            tar.extractall(dest, filter="data")
        else:
            tar.extractall(dest)
    return dest


def test_each_agent_does_its_first_task_in_commits_mapped_by_trailer(mission: Mission) -> None:
    overview = flows.overview(flows.open_teams(mission.repo))
    for team, task in SCRIPTED_TASKS.items():
        run = mission.runs[team]
        assert (run.exit_code, run.task) == (0, task), mission.output[team]
        assert f"{task} done in 2 commit(s)" in mission.output[team][-1]
        status = overview.team(team)
        assert status is not None and status.launched
        assert [(c.task, c.why) for c in status.commits] == [(task, "trailer"), (task, "trailer")]
        assert status.uncommitted == ()
        assert status.current_task != task  # done: the team moved on
        authors = git(_worktree(mission, team), "log", "-2", "--format=%an").split("\n")[:2]
        assert authors == [f"Demo agent {team}"] * 2


def test_the_leads_checkout_is_untouched(mission: Mission) -> None:
    repo = mission.repo
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert mission.lead_head == git(repo, "rev-parse", f"{BASELINE_TAG}^{{commit}}").strip()


@pytest.mark.parametrize("team", TEAMS)
def test_the_suite_passes_in_each_teams_worktree(mission: Mission, team: str) -> None:
    done = _python(_worktree(mission, team), "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_the_agents_refactor_the_code_the_task_names(mission: Mission) -> None:
    def changed(team: str) -> set[str]:
        return set(git(mission.repo, "diff", "--name-only", BASELINE_TAG, f"mission/{team}").split())

    def text(team: str, rel: str) -> str:
        return (_worktree(mission, team) / rel).read_text(encoding="utf-8")

    alpha = _worktree(mission, "alpha")
    assert not (alpha / "app/agents/agent_instance_factory_optimized.py").exists()
    assert "pool_size" in text("alpha", "app/agents/agent_instance_factory.py")
    bravo = _worktree(mission, "bravo")
    assert not (bravo / "app/agents/agent_core_legacy.py").exists()
    assert not (bravo / "app/agents/agent_legacy_massive.py").exists()
    assert "def histogram" in text("bravo", "app/agents/data_sub_agent.py")
    for name in ("admin", "enhanced", "request_scoped", "unified"):
        assert "(ToolDispatcher):" in text("charlie", f"app/tools/{name}_tool_dispatcher.py"), name
    assert "(WebSocketManager):" in text("delta", "app/websocket_core/connection_scoped_manager.py")
    assert "reset_optimized_agent_factory" in text("echo", "tests/conftest.py")
    assert changed("echo") == {"tests/conftest.py", "pyproject.toml"}
    assert all(
        path.startswith(("app/", "tests/", "mission-control.toml", "pyproject.toml"))
        for t in TEAMS
        for path in changed(t)
    )


def test_running_again_changes_nothing_and_an_unscripted_task_is_refused(
    mission: Mission, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, head = mission.repo, git(mission.repo, "rev-parse", "mission/alpha")
    assert cli.run(["teams", "run", "--repo", str(repo), "--task", "alpha1", "alpha"]) == 0
    assert "alpha1 is already done on this branch" in capsys.readouterr().out
    assert cli.run(["teams", "run", "--repo", str(repo), "alpha"]) == 1  # its current task: alpha2
    captured = capsys.readouterr()
    assert "there is no script for task alpha2" in captured.out
    assert git(repo, "rev-parse", "mission/alpha") == head


def test_charlie_and_delta_conflict_in_the_settings(mission: Mission) -> None:
    (textual,) = [c for c in COLLISIONS if c.kind == "conflict"]
    assert textual.teams == ("charlie", "delta")
    merged = _merge_tree(mission.repo, *textual.teams)
    assert merged.returncode == 1, merged.stdout + merged.stderr
    assert f"CONFLICT (content): Merge conflict in {textual.path}" in merged.stdout


def test_alpha_and_echo_merge_cleanly_but_the_merged_suite_cannot_import(mission: Mission, tmp_path: Path) -> None:
    (semantic,) = [c for c in COLLISIONS if c.kind == "import"]
    assert semantic.teams == ("alpha", "echo")
    merged = _merge_tree(mission.repo, *semantic.teams)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    tree = _extract(mission.repo, merged.stdout.split()[0], tmp_path / "merged")
    assert not (tree / semantic.path).exists()
    assert f"import {semantic.name}" in (tree / "tests/conftest.py").read_text(encoding="utf-8")
    imported = _python(tree, "-B", "-c", "import tests.conftest")
    assert imported.returncode == 1
    assert "ModuleNotFoundError: No module named 'app.agents.agent_instance_factory_optimized'" in imported.stderr
    for team in semantic.teams:  # each side alone is fine: only the combination breaks
        assert _python(_worktree(mission, team), "-B", "-c", "import tests.conftest").returncode == 0


def test_every_other_pair_of_teams_merges_cleanly(mission: Mission) -> None:
    colliding = {frozenset(c.teams) for c in COLLISIONS if c.kind == "conflict"}
    for one, two in itertools.combinations(TEAMS, 2):
        merged = _merge_tree(mission.repo, one, two)
        expected = 1 if frozenset((one, two)) in colliding else 0
        assert merged.returncode == expected, f"{one} x {two}: {merged.stdout}"
