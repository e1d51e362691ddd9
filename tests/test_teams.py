"""Parallel teams on real git: launch (idempotent, lead untouched), adopt or refuse, setup and copy, run with
placeholders and a cancel that ends the group, blocked tasks, commit → task mapping with reasons, remove
only when safe, and the hand-made messes (a deleted worktree, a force-moved branch, a locked worktree)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import process_alive, wait_until
from mission_fixtures import SECTIONS_PLAN as PLAN

from mission_control import cli
from mission_control.config import ProjectConfig, TeamConfig
from mission_control.plan import parse_plan
from mission_control.repo.baseline import start_mission
from mission_control.services import teams as flows
from mission_control.teams.model import TeamError, team_name, team_specs
from mission_control.teams.tracking import BLOCKED, INTEGRATED, NOT_LAUNCHED, READY, WORKING
from mission_control.util.progress import CancelToken

CONFIG = """\
[components.core]
paths = ["app/core/**"]
tasks = ["alpha1"]
[components.registry]
paths = ["app/registry.py"]
tasks = ["alpha2"]
[teams.alpha]
copy = [".env"]
setup = ["echo setting up {team}", "python3 -c \\"open('ready.txt','w').write('ok')\\""]
command = "python3 -c \\"import sys; print('doing', sys.argv[1:])\\" {task} {task_name}"
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def lead_state(repo: Path) -> tuple[str, str, bytes]:
    """What the lead's checkout is: status, HEAD and the index file's bytes."""
    return (
        git(repo, "status", "--porcelain", "--untracked-files=all"),
        git(repo, "rev-parse", "HEAD"),
        (repo / ".git" / "index").read_bytes(),
    )


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "docs").mkdir()
    (git_repo / "docs" / "plan.md").write_text(PLAN)
    (git_repo / "mission-control.toml").write_text(CONFIG.replace("{team}", "{team}"))
    (git_repo / "app" / "core").mkdir(parents=True)
    (git_repo / "app" / "core" / "engine.py").write_text("ENGINE = 1\n")
    (git_repo / "app" / "registry.py").write_text("REGISTRY = {}\n")
    (git_repo / ".gitignore").write_text(".env\n.mission-control/\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "baseline")
    (git_repo / ".env").write_text("SECRET=1\n")
    start_mission(git_repo)
    return git_repo


def commit(folder: Path, rel: str, text: str, message: str) -> str:
    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
    (folder / rel).write_text(text)
    git(folder, "add", rel)
    git(folder, "commit", "-qm", message)
    return git(folder, "rev-parse", "HEAD").strip()


def test_team_names_come_from_sections_and_the_config_overrides_them():
    assert team_name("Team Alpha (Critical Path)") == "alpha"
    assert team_name("Team Delta (Infrastructure)") == "delta"
    assert team_name("Infrastructure & Ops") == "infrastructure-ops"
    plan = parse_plan(PLAN)
    config = ProjectConfig(teams={"ops": TeamConfig("ops", section="Infrastructure", branch="ops/main")})
    specs = team_specs(plan, config, Path("/work/repo"))
    assert [(s.name, s.branch, s.tasks) for s in specs] == [
        ("alpha", "mission/alpha", ("alpha1", "alpha2")),
        ("bravo", "mission/bravo", ("bravo1",)),
        ("ops", "ops/main", ("infra1",)),
    ]
    assert specs[0].worktree == Path("/work/repo.teams/alpha")
    with pytest.raises(TeamError, match="inside the lead's working tree"):
        team_specs(plan, ProjectConfig(teams={"alpha": TeamConfig("alpha", worktree="wt/alpha")}), Path("/work/repo"))
    with pytest.raises(TeamError, match=r"\[teams.zulu\] matches no gantt section"):
        team_specs(plan, ProjectConfig(teams={"zulu": TeamConfig("zulu")}), Path("/work/repo"))


def test_launch_creates_branches_and_worktrees_copies_sets_up_and_is_idempotent(repo):
    before = lead_state(repo)
    output: list[tuple[str, str]] = []
    context = flows.open_teams(repo)

    result = flows.launch(context, on_output=lambda team, line: output.append((team, line)))

    assert result.changed and not result.refused
    for team in ("alpha", "bravo", "infrastructure"):
        folder = repo.parent / "repo.teams" / team
        assert git(folder, "rev-parse", "--abbrev-ref", "HEAD").strip() == f"mission/{team}"
    alpha = repo.parent / "repo.teams" / "alpha"
    assert (alpha / ".env").read_text() == "SECRET=1\n" and (alpha / "ready.txt").read_text() == "ok"
    assert ("alpha", "setting up alpha") in output
    assert git(repo, "rev-parse", "mission/integration") == git(repo, "rev-parse", "HEAD")
    assert lead_state(repo) == before  # the lead's status, HEAD and index, byte for byte

    again = flows.launch(flows.open_teams(repo))
    assert not again.changed and not again.refused
    assert lead_state(repo) == before
    status = flows.overview(flows.open_teams(repo))
    assert {t.name: t.state for t in status.teams}["bravo"] in (WORKING, "idle")


def test_an_existing_branch_is_adopted_only_if_it_descends_from_the_baseline(repo):
    commit(repo, "notes.txt", "x\n", "work before the mission")  # moves main past the baseline
    git(repo, "branch", "mission/alpha")  # descends from the baseline: adopted
    git(repo, "checkout", "-q", "--orphan", "elsewhere")
    git(repo, "commit", "-qm", "unrelated", "--allow-empty")
    git(repo, "branch", "mission/bravo")  # unrelated history: refused
    git(repo, "checkout", "-q", "main")

    result = flows.launch(flows.open_teams(repo))

    assert "alpha" not in result.refused and any(s.action == "unchanged" and s.team == "alpha" for s in result.steps)
    assert "does not descend from the baseline" in result.refused["bravo"]
    assert not (repo.parent / "repo.teams" / "bravo").exists()
    assert cli.run(["teams", "launch", "--repo", str(repo)]) == 1  # the refusal is the exit code


def test_commits_map_to_tasks_by_trailer_subject_and_paths_with_the_reason(repo, capsys):
    flows.launch(flows.open_teams(repo))
    alpha = repo.parent / "repo.teams" / "alpha"
    commit(alpha, "app/x.py", "x = 1\n", "Extract helper\n\nTask: alpha2")
    commit(alpha, "app/y.py", "y = 1\n", "[alpha1] split the engine")
    commit(alpha, "app/core/engine.py", "ENGINE = 2\n", "Tidy the engine")
    commit(alpha, "README.txt", "r\n", "Fix a typo")

    assert cli.run(["teams", "list", "--repo", str(repo), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)

    assert {"integration", "teams"} <= set(data) and set(data["integration"]) == {"branch", "head"}
    team = next(t for t in data["teams"] if t["team"] == "alpha")
    for key in (
        "team",
        "section",
        "branch",
        "worktree",
        "launched",
        "head",
        "base",
        "ahead",
        "behind",
        "uncommitted",
        "state",
        "tasks",
        "commits",
    ):
        assert key in team
    assert [(c["task"], c["why"]) for c in team["commits"]] == [
        ("alpha2", "trailer"),
        ("alpha1", "subject"),
        ("alpha1", "paths"),
        (None, None),
    ]
    assert team["ahead"] == 4 and team["behind"] == 0 and team["launched"] is True
    assert all(set(c) >= {"sha", "subject", "author", "at", "task", "why"} for c in team["commits"])


def test_run_fills_placeholders_streams_output_and_refuses_a_blocked_task(repo):
    context = flows.open_teams(repo)
    flows.launch(context)
    lines: list[str] = []

    run = flows.run(context, "alpha", task="alpha2", on_line=lines.append, force=True)

    assert run.exit_code == 0 and lines == ["doing ['alpha2', 'Move', 'the', 'registry']"]
    assert "doing" in run.log.read_text()
    with pytest.raises(TeamError, match=r"blocked by alpha2 \(Team Alpha \(Critical Path\), not integrated\)"):
        flows.run(context, "infrastructure", task="infra1", command=["true"])
    infra = next(t for t in flows.overview(context).teams if t.name == "infrastructure")
    assert infra.state == BLOCKED and infra.blocked["infra1"].startswith("blocked by alpha2")

    alpha = repo.parent / "repo.teams" / "alpha"
    commit(alpha, "app/registry.py", "REGISTRY = {'a': 1}\n", "alpha2: move the registry")
    git(repo, "branch", "-f", "mission/integration", "mission/alpha")  # integrated
    done = flows.run(context, "infrastructure", task="infra1", command=[sys.executable, "-c", "print('{team} {task}')"])
    assert done.exit_code == 0


def test_a_shell_command_cannot_be_injected_through_a_task_name(repo, tmp_path):
    (repo / "docs" / "plan.md").write_text(PLAN.replace("Config in one place", "Config $(touch PWNED) `x` 'q'"))
    config = (repo / "mission-control.toml").read_text() + '[teams.bravo]\ncommand = "echo {task_name}"\n'
    (repo / "mission-control.toml").write_text(config)
    context = flows.open_teams(repo)
    flows.launch(context, ["bravo"])
    lines: list[str] = []
    flows.run(context, "bravo", task="bravo1", on_line=lines.append)
    assert lines == ["Config touch PWNED x q"]
    assert not (repo.parent / "repo.teams" / "bravo" / "PWNED").exists()


def test_a_cancelled_run_ends_the_whole_process_group(repo, tmp_path):
    context = flows.open_teams(repo)
    flows.launch(context, ["bravo"])
    pid_file = tmp_path / "child.pid"
    script = (
        "import os, subprocess, sys, time; "
        f"c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
        f"open({str(pid_file)!r}, 'w').write(str(c.pid)); print('started', flush=True); time.sleep(600)"
    )
    cancel = CancelToken()
    threading.Thread(target=lambda: (wait_until(pid_file.exists, 30), cancel.cancel()), daemon=True).start()

    run = flows.run(context, "bravo", command=[sys.executable, "-c", script], cancel=cancel)

    assert run.cancelled and run.exit_code != 0
    child = int(pid_file.read_text())
    assert wait_until(lambda: not process_alive(child), 10), "the command's child outlived the cancel"


def test_remove_refuses_dirty_or_unintegrated_work_and_then_removes_only_the_worktree(repo):
    context = flows.open_teams(repo)
    flows.launch(context, ["bravo"])
    bravo = repo.parent / "repo.teams" / "bravo"
    sha = commit(bravo, "app/config.py", "CONFIG = 1\n", "bravo1: one config")
    (bravo / "scratch.txt").write_text("unsaved thoughts\n")

    with pytest.raises(TeamError, match=r"uncommitted changes that would be lost: scratch\.txt"):
        flows.remove(context, "bravo")
    (bravo / "scratch.txt").unlink()
    with pytest.raises(TeamError, match=r"1 commit\(s\) of mission/bravo are not integrated: .*bravo1: one config"):
        flows.remove(context, "bravo")

    git(repo, "worktree", "add", "-q", str(repo.parent / "integ"), "mission/integration")
    git(repo.parent / "integ", "cherry-pick", sha)  # patch-equivalent, not the same commit
    status = next(t for t in flows.overview(context).teams if t.name == "bravo")
    assert status.state in (INTEGRATED, READY)
    assert "removed the worktree" in flows.remove(context, "bravo")
    assert not bravo.exists() and git(repo, "rev-parse", "mission/bravo").strip() == sha  # the branch stays


def test_hand_made_messes_give_clear_messages_and_lose_nothing(repo):
    context = flows.open_teams(repo)
    flows.launch(context)
    alpha = repo.parent / "repo.teams" / "alpha"
    sha = commit(alpha, "app/a.py", "a = 1\n", "alpha1: start")
    subprocess.run(["rm", "-rf", str(alpha)], check=True)  # deleted by hand
    orphan = git(repo, "commit-tree", "-m", "rewritten", git(repo, "write-tree").strip()).strip()
    git(repo, "update-ref", "refs/heads/mission/infrastructure", orphan)  # force-moved by someone else
    bravo = repo.parent / "repo.teams" / "bravo"
    git(repo, "worktree", "lock", "--reason", "on a USB disk", str(bravo))

    status = {t.name: t for t in flows.overview(context).teams}
    assert any("is gone (deleted by hand?)" in p for p in status["alpha"].problems)
    assert status["alpha"].state == NOT_LAUNCHED
    assert any("locked (on a USB disk)" in p for p in status["bravo"].problems)
    assert any("no longer contains the baseline" in p for p in status["infrastructure"].problems)
    assert git(repo, "rev-parse", "mission/infrastructure").strip() == orphan  # left as it is
    with pytest.raises(TeamError, match="locked \\(on a USB disk\\); unlock it first"):
        flows.remove(context, "bravo")

    again = flows.launch(context, ["alpha"])  # the worktree comes back, with the commit
    assert any(s.action == "pruned" for s in again.steps)
    assert git(alpha, "rev-parse", "HEAD").strip() == sha


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_ready_needs_every_task_done_a_clean_worktree_and_no_red_test_run(repo):
    from mission_control.history import open_history

    context = flows.open_teams(repo)
    flows.launch(context, ["bravo"])
    bravo = repo.parent / "repo.teams" / "bravo"
    commit(bravo, "app/config.py", "C = 1\n", "bravo1: one config")

    def state() -> tuple[str, str | None]:
        team = flows.overview(flows.open_teams(repo)).team("bravo")
        assert team is not None
        return team.state, team.tests

    assert state() == (READY, None)
    with open_history(bravo) as history:
        history.record_test_run(
            selection="all",
            exit_code=1,
            duration=1.0,
            totals={"failed": 1},
            outcomes={"tests/test_a.py::test_a": "failed"},
        )
    red_state, red_tests = state()
    assert red_tests == "red" and red_state != READY
    with open_history(bravo) as history:
        history.record_test_run(
            selection="all",
            exit_code=0,
            duration=1.0,
            totals={"passed": 1},
            outcomes={"tests/test_a.py::test_a": "passed"},
        )
    assert state() == (READY, "green")
