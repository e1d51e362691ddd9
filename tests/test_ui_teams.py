"""The Teams dock and the Gantt's team tracking in the real window, on real git worktrees.

Launch by a real click, a commit in a team's worktree showing up without pressing anything, a run
with live output and a Stop that ends the process group, a blocked task's "Run anyway", a refused
remove, and the commit ticks and actual spans the Gantt draws.

A team's row is found by name: the item in column 0 of ``teamsTable`` holds the name in
``data(Qt.UserRole)`` (``panel.row_of(name)``, ``panel.row_texts(name)``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import git, process_alive
from mission_fixtures import SECTIONS_PLAN as PLAN
from PySide6 import QtCore, QtGui, QtWidgets
from ui_helpers import button, click

from mission_control.plan import parse_plan
from mission_control.schedule import analyse
from mission_control.services import teams as flows
from mission_control.signoff import start_mission
from mission_control.ui import create_window, teams_panel
from mission_control.ui.gantt import GanttView, TaskTrack, TrackItem

Qt = QtCore.Qt
TIMEOUT = 30_000
PY = sys.executable
CONFIG = f"""\
[teams.alpha]
command = "{PY} -u -c \\"import sys; print('doing', sys.argv[1:])\\" {{team}} {{task}} {{task_name}}"
[teams.bravo]
command = "{PY} -u -c \\"import os, sys, time; print('pid', os.getpid(), sys.argv[1:]); time.sleep(120)\\" {{task}}"
[teams.infrastructure]
command = "{PY} -u -c \\"print('wiring anyway')\\""
"""


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / "docs").mkdir()
    (git_repo / "docs" / "plan.md").write_text(PLAN)
    (git_repo / "mission-control.toml").write_text(CONFIG)
    (git_repo / "app").mkdir()
    (git_repo / "app" / "core.py").write_text("CORE = 1\n")
    (git_repo / ".gitignore").write_text(".mission-control/\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "baseline")
    start_mission(git_repo)  # Hour 0 and the baseline
    return git_repo


@pytest.fixture
def confirmed(monkeypatch) -> list[str]:
    """Every confirmation the dock asks for (its text), answered yes at once."""
    asked: list[str] = []

    def yes(parent, text, on_confirm):
        asked.append(text)
        on_confirm()

    for name in ("confirm_launch", "confirm_remove", "offer_run_anyway"):
        monkeypatch.setattr(teams_panel, name, yes)
    return asked


def open_window(qtbot, repo: Path, poll_ms: int = 3000):
    win = create_window(repo)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    panel = win.panels["teams_panel"]
    panel.poll_timer.setInterval(poll_ms)
    win.show()
    win.findChild(QtWidgets.QDockWidget, "teamsPanelDock").raise_()
    wait_idle(qtbot, panel)
    return win, panel


def wait_idle(qtbot, panel) -> None:
    qtbot.waitUntil(lambda: not panel.busy_now and panel.snapshot is not None, timeout=TIMEOUT)


def commit(folder: Path, rel: str, text: str, message: str) -> str:
    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
    (folder / rel).write_text(text)
    git(folder, "add", rel)
    git(folder, "commit", "-qm", message)
    return git(folder, "rev-parse", "HEAD").strip()


def output(panel) -> str:
    return panel.output.toPlainText()


def test_the_dock_lists_the_teams_and_launch_by_click_creates_the_worktrees(qtbot, repo, confirmed, informed):
    win, panel = open_window(qtbot, repo)
    assert win.findChild(QtWidgets.QWidget, "teamsPanel") is panel
    assert panel.dock is not None and panel.dock.objectName() == "teamsPanelDock"
    assert win.dockWidgetArea(panel.dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert panel.row_texts("alpha")["State"] == "○ not launched"
    assert [panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(3)] == [
        "alpha",
        "bravo",
        "infrastructure",
    ]
    assert panel.row_texts("bravo")["Branch"] == "mission/bravo"
    assert not button(win, "runTeamButton").isEnabled(), "nothing to run before launch"

    with qtbot.waitSignal(panel.action_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "launchTeamsButton"))
    wait_idle(qtbot, panel)

    assert len(confirmed) == 1 and "mission/alpha" in confirmed[0]
    for team in ("alpha", "bravo", "infrastructure"):
        folder = repo.parent / "repo.teams" / team
        assert git(folder, "rev-parse", "--abbrev-ref", "HEAD").strip() == f"mission/{team}"
        row = panel.row_texts(team)
        assert row["State"] != "○ not launched" and row["Commits"] == "0" and row["Ahead/behind"] == "↑0 ↓0"
    assert "[alpha] created worktree" in output(panel)
    assert panel.row_texts("alpha")["Task"] == "alpha1"
    assert panel.row_texts("infrastructure")["Task"] == "infra1 ✗"
    assert win.gantt.lane_axis.states["Infrastructure"] == "blocked"
    assert win.gantt.bars["infra1"].marker.endswith("✗ blocked by alpha2")
    assert "blocked by alpha2" in win.gantt.tooltip_for(win.gantt.bars["infra1"])
    assert informed == []


def test_a_commit_in_a_worktree_shows_up_without_pressing_anything(qtbot, repo, informed):
    flows.launch(flows.open_teams(repo))
    win, panel = open_window(qtbot, repo, poll_ms=150)
    gantt = win.gantt
    assert panel.row_texts("alpha")["Commits"] == "0" and not gantt.track.data.ticks
    alpha = repo.parent / "repo.teams" / "alpha"

    first = commit(alpha, "app/core.py", "CORE = 2\n", "alpha1: split the core")
    qtbot.waitUntil(lambda: panel.row_texts("alpha")["Commits"] == "1", timeout=TIMEOUT)
    second = commit(alpha, "app/split.py", "X = 1\n", "more of the split\n\nTask: alpha1")
    qtbot.waitUntil(lambda: panel.row_texts("alpha")["Commits"] == "2", timeout=TIMEOUT)
    row = panel.row_texts("alpha")
    assert row["Files"] == "2" and row["Ahead/behind"] == "↑2 ↓0" and row["Task"] == "alpha2"
    (alpha / "scratch.txt").write_text("not yet added\n")
    git(alpha, "add", "scratch.txt")  # staging touches the index: seen by the poll
    qtbot.waitUntil(lambda: panel.row_texts("alpha")["Uncommitted"] == "1", timeout=TIMEOUT)

    # the Gantt: two ticks on alpha1's row, the actual span from the first to the last commit
    track = gantt.tracks["alpha1"]
    assert track.span and len(track.times) == 2
    assert track.commits[0].startswith(first[:7]) and "alpha1 by subject" in track.commits[0]
    assert track.commits[1].startswith(second[:7]) and "alpha1 by trailer" in track.commits[1]
    row_of_alpha1 = gantt.bars["alpha1"].geometry.row
    ticks = [x for row, x in gantt.track.data.ticks if row == row_of_alpha1]
    assert len(ticks) == 2 and ticks[0] <= ticks[1]
    assert -0.01 < ticks[0] < 1, "commits seconds after Hour 0 sit at the plan's start (git keeps whole seconds)"
    assert gantt.track.data.spans == [(row_of_alpha1, ticks[0], ticks[1])]
    assert gantt.lane_axis.states["Team Alpha (Critical Path)"] == "working"
    tip = gantt.tooltip_for(gantt.bars["alpha1"])
    assert "2 commits" in tip and "split the core" in tip and first[:7] in tip
    assert len(gantt.plotItem.items) == len([i for i in gantt.plotItem.items if not isinstance(i, TrackItem)]) + 1
    assert informed == []


def test_run_streams_the_output_and_stop_ends_the_process_group(qtbot, repo, confirmed, informed):
    flows.launch(flows.open_teams(repo))
    win, panel = open_window(qtbot, repo)

    panel.select_team("alpha")
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "runTeamButton"))
    assert "[alpha] doing ['alpha', 'alpha1', 'Split', 'the', 'core']" in output(panel)
    assert panel.last_runs["alpha"].exit_code == 0 and not panel.last_runs["alpha"].cancelled

    panel.select_team("bravo")
    click(qtbot, button(win, "runTeamButton"))
    qtbot.waitUntil(lambda: "[bravo] pid" in output(panel), timeout=TIMEOUT)
    line = next(line for line in output(panel).splitlines() if line.startswith("[bravo] pid"))
    pid = int(line.split()[2])
    assert "bravo1" in line and process_alive(pid)
    assert "running" in panel.row_texts("bravo")["State"]
    assert not button(win, "runTeamButton").isEnabled()
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "stopTeamButton"))
    assert panel.last_runs["bravo"].cancelled and not process_alive(pid)
    assert "[bravo] stopped" in output(panel)
    assert "running" not in panel.row_texts("bravo")["State"]
    assert confirmed == [] and informed == []


def test_a_blocked_task_shows_the_refusal_and_runs_anyway_when_asked(qtbot, repo, confirmed, informed):
    flows.launch(flows.open_teams(repo))
    win, panel = open_window(qtbot, repo)
    panel.select_team("infrastructure")
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "runTeamButton"))
    assert len(confirmed) == 1 and "infra1: blocked by alpha2" in confirmed[0]
    assert "--force" not in confirmed[0]
    text = output(panel)
    assert "[infrastructure] refused: infra1: blocked by alpha2" in text
    assert "[infrastructure] wiring anyway" in text
    assert informed == []


def test_remove_refused_lists_what_would_be_lost(qtbot, repo, confirmed, informed):
    flows.launch(flows.open_teams(repo))
    alpha = repo.parent / "repo.teams" / "alpha"
    commit(alpha, "app/core.py", "CORE = 2\n", "alpha1: split the core")
    win, panel = open_window(qtbot, repo)
    panel.select_team("alpha")
    with qtbot.waitSignal(panel.action_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "removeTeamButton"))
    assert informed and informed[0][0] == "Cannot remove team alpha"
    assert "1 commit(s) of mission/alpha are not integrated" in informed[0][1]
    assert "alpha1: split the core" in informed[0][1]
    assert "remove refused" in output(panel)
    assert alpha.is_dir()


def test_run_tests_shows_the_summary_in_the_row(qtbot, repo, informed):
    flows.launch(flows.open_teams(repo))
    bravo = repo.parent / "repo.teams" / "bravo"
    commit(bravo, "tests/test_core.py", "def test_core():\n    assert True\n", "bravo1: a test")
    win, panel = open_window(qtbot, repo)
    panel.select_team("bravo")
    with qtbot.waitSignal(panel.tests_finished, timeout=120_000):
        click(qtbot, button(win, "runTeamTestsButton"))
    assert panel.row_texts("bravo")["Tests"].startswith("✓ 1 passed"), panel.row_texts("bravo")
    assert informed == []
    bravo = flows.overview(flows.open_teams(win.project.repo)).team("bravo")
    assert bravo is not None and bravo.tests == "green"  # recorded in the worktree, as test --team does


def test_the_gantt_draws_ticks_and_spans_with_one_item(qtbot):
    plan = parse_plan(PLAN)
    view = GanttView()
    qtbot.addWidget(view)
    view.resize(1000, 400)
    view.set_plan(plan, analyse(plan))
    view.show()
    qtbot.waitExposed(view)
    before = view.grab().toImage()
    origin = view.origin
    times = tuple(origin + timedelta(minutes=m) for m in (20, 50, 100))
    view.set_team_tracking(
        {"Team Bravo": "working"},
        {
            "bravo1": TaskTrack(times, ("a1b2c3d config: one place — bravo1 by subject",), span=True),
            "infra1": TaskTrack(blocked="blocked by alpha2 (Team Alpha, not integrated)"),
        },
    )
    row = view.bars["bravo1"].geometry.row
    assert view.track.data.ticks == [(row, 20 / 60), (row, 50 / 60), (row, 100 / 60)]
    assert view.track.data.spans == [(row, 20 / 60, 100 / 60)]
    assert sum(isinstance(i, TrackItem) for i in view.plotItem.items) == 1
    assert view.bars["infra1"].marker == "✗ blocked by alpha2"
    assert "not integrated" in view.tooltip_for(view.bars["infra1"])
    assert "a1b2c3d config" in view.tooltip_for(view.bars["bravo1"])
    assert view.lane_axis.lane_label("Team Bravo", QtGui.QFontMetrics(view.lane_axis.font())).endswith("· working")
    qtbot.wait(50)
    assert view.grab().toImage() != before, "the ticks and the span changed pixels"

    view.set_plan(plan, analyse(plan))  # a redraw of the plan keeps the tracks
    assert len(view.track.data.ticks) == 3
    view.set_team_tracking({}, {})
    assert not view.track.data.ticks and view.bars["infra1"].marker == ""
    assert view.lane_axis.states == {}


def test_two_thousand_tracked_tasks_stay_cheap(qtbot):
    lines = ["```mermaid", "gantt", "  dateFormat HH:mm", "  section Team Big"]
    lines += [f"  Task {i} :t{i}, 00:00, 1h" for i in range(2000)]
    plan = parse_plan("\n".join([*lines, "```"]))
    view = GanttView()
    qtbot.addWidget(view)
    view.set_plan(plan, analyse(plan))
    start = datetime.now()
    tracks = {
        f"t{i}": TaskTrack(tuple(view.origin + timedelta(minutes=m) for m in range(5)), span=True) for i in range(2000)
    }
    view.set_team_tracking({"Team Big": "working"}, tracks)
    view.grab()
    assert len(view.track.data.ticks) == 10_000
    assert (datetime.now() - start).total_seconds() < 10


def test_the_details_say_the_slip_and_the_status_bar_the_projected_end(qtbot, tmp_path):
    """Planned against actual reaches the window: the Actual row and the mission-end label."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "plan.md").write_text(
        "# P\n\n```mermaid\ngantt\n  dateFormat HH:mm\n  section Team Alpha\n"
        "  Core :crit, alpha1, 00:00, 1h\n  More :crit, alpha2, after alpha1, 1h\n```\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "plan")
    hour0 = datetime.now(UTC) - timedelta(hours=3)
    start_mission(repo, now=hour0)
    flows.launch(flows.open_teams(repo))
    alpha = tmp_path / "repo.teams" / "alpha"
    (alpha / "a.py").write_text("a = 1\n")
    git(alpha, "add", "a.py")
    env_date = (hour0 + timedelta(minutes=30)).isoformat()
    subprocess.run(
        ["git", "commit", "-qm", "alpha1: a"],
        cwd=alpha,
        check=True,
        env=dict(os.environ, GIT_AUTHOR_DATE=env_date, GIT_COMMITTER_DATE=env_date),
    )

    win = create_window(repo)
    qtbot.addWidget(win)
    panel = win.panels["teams_panel"]
    qtbot.waitUntil(lambda: panel.snapshot is not None, timeout=20_000)
    win.details.show_task(win.project.plan, win.project.analysis, "alpha1")
    assert "started 30 min late" in win.details.fields["Actual"].text()
    label = win.findChild(QtWidgets.QLabel, "missionEndLabel")
    assert label is not None and label.text().startswith("mission end +") and "alpha2" in label.text()
