"""The conflict matrix, the proposed order and integration from the Teams dock, in the real window on real git.

The Conflicts dock's matrix (``conflictMatrix``) colours each pair by the forecast: a textual conflict
red, a semantic one orange, an overlap yellow, clean green, with the number of files; a click on a
cell lists the files (``conflictFiles``) and a click on a file shows both sides' diffs. The Gantt links
the tasks whose commits conflict. Integrate (``integrateTeamButton``) with a fake green test runner
moves ``mission/integration``; a red one ejects the team, and its row says why; Undo moves it back.

A cell is found by its pair: ``panel.cell_of(row_team, column_team)``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import git
from mission_fixtures import SETTINGS, commit, launched_teams
from mission_fixtures import team_worktree as wt
from PySide6 import QtCore, QtWidgets
from ui_helpers import button, click

from mission_control.repo.baseline import start_mission
from mission_control.services import teams as flows
from mission_control.services.demo import SCRIPTED_TASKS, create_demo
from mission_control.testing.results import TestResult, TestRunResult
from mission_control.ui import conflicts_panel, create_window, teams_panel

Qt = QtCore.Qt
TIMEOUT = 30_000


@pytest.fixture
def launched(git_repo: Path) -> Path:
    return launched_teams(git_repo)


@pytest.fixture
def collisions(launched: Path) -> Path:
    """alpha × bravo conflict (settings.py content, legacy.py modify/delete), alpha × charlie semantic
    (alpha imports old_api, charlie removes it), bravo × charlie overlap, delta clean with everyone."""
    repo = launched
    commit(
        wt(repo, "alpha"),
        {"app/settings.py": SETTINGS.replace("A = 1", "A = 10"), "app/legacy.py": "LEGACY = 2\n"},
        "alpha1: settings",
    )
    commit(wt(repo, "alpha"), {"app/dispatch.py": "from app.core import old_api\n\nold_api()\n"}, "alpha1: dispatch")
    commit(
        wt(repo, "bravo"),
        {"app/settings.py": SETTINGS.replace("A = 1", "A = 20"), "app/legacy.py": None},
        "bravo1: settings",
    )
    commit(
        wt(repo, "charlie"),
        {"app/core.py": "def engine():\n    return 1\n", "app/settings.py": SETTINGS.replace("F = 6", "F = 60")},
        "charlie1: drop old_api",
    )
    return repo


@pytest.fixture
def confirmed(monkeypatch) -> list[str]:
    """Every confirmation the Teams dock asks for (its text), answered yes at once."""
    asked: list[str] = []

    def yes(parent, text, on_confirm):
        asked.append(text)
        on_confirm()

    for name in ("confirm_integrate", "confirm_undo"):
        monkeypatch.setattr(teams_panel, name, yes)
    return asked


def fake(exit_code: int, failing: tuple[str, ...] = ()):
    """A test runner standing in for pytest on the merged tree."""

    def run(folder: Path, args: list[str]) -> TestRunResult:
        tests = tuple(TestResult(nodeid, "failed", 0.0) for nodeid in failing)
        return TestRunResult(exit_code, 0.1, {"passed": 3, "failed": len(failing)}, tests)

    return run


def open_window(qtbot, repo: Path):
    win = create_window(repo, repo / "plan.md")
    qtbot.addWidget(win)
    win.resize(1366, 768)
    teams = win.panels["teams_panel"]
    conflicts = win.panels["conflicts_panel"]
    win.show()
    win.findChild(QtWidgets.QDockWidget, "teamsPanelDock").raise_()
    win.findChild(QtWidgets.QDockWidget, "conflictsPanelDock").raise_()
    wait_forecast(qtbot, teams)
    return win, teams, conflicts


def wait_forecast(qtbot, teams) -> None:
    qtbot.waitUntil(lambda: not teams.busy_now and teams.forecast is not None, timeout=TIMEOUT)


def click_cell(qtbot, panel, a: str, b: str) -> None:
    item = panel.cell_of(a, b)
    assert item is not None, (a, b)
    rect = panel.matrix.visualItemRect(item)
    with qtbot.waitSignal(panel.pair_shown, timeout=TIMEOUT):
        qtbot.mouseClick(panel.matrix.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def cell(panel, a: str, b: str) -> tuple[str, str]:
    """(text, background colour) of a matrix cell."""
    item = panel.cell_of(a, b)
    assert item is not None, (a, b)
    return item.text(), item.background().color().name()


def colour(status: str) -> str:
    return conflicts_panel.STATUS_STYLE[status][2]


def head(repo: Path, ref: str = "mission/integration") -> str:
    return git(repo, "rev-parse", ref).strip()


def test_the_matrix_colours_each_pair_and_a_click_lists_the_files_and_both_diffs(qtbot, collisions, informed):
    win, _teams, panel = open_window(qtbot, collisions)
    matrix = win.findChild(QtWidgets.QTableWidget, "conflictMatrix")
    assert matrix is panel.matrix and matrix.isVisible()
    assert matrix.rowCount() == 4 and matrix.columnCount() == 5  # four teams, and the integration branch

    assert cell(panel, "alpha", "bravo") == ("✗ 2", colour("conflict"))
    assert cell(panel, "bravo", "alpha") == ("✗ 2", colour("conflict")), "the matrix is symmetric"
    assert cell(panel, "alpha", "charlie") == ("⚠ 1", colour("semantic"))
    assert cell(panel, "bravo", "charlie") == ("≈ 1", colour("overlap"))
    assert cell(panel, "delta", "alpha") == ("✓", colour("clean"))
    assert cell(panel, "alpha", "integration") == ("✓", colour("clean"))
    summary = panel.summary.text()
    assert "<b>1</b> conflict<" in summary and "<b>1</b> semantic conflict<" in summary
    assert "alpha1 and bravo1 share app/core.py at the same time: serialise them" in panel.planned.text()

    click_cell(qtbot, panel, "alpha", "bravo")
    assert panel.file_texts() == ["app/legacy.py  (modify/delete)", "app/settings.py  (content)"]
    assert "conflict" in panel.pair_title.text()
    files = panel.files
    item = files.item(1)
    settings = "app/settings.py"  # the first file's diffs are read by themselves first: wait for this one's
    with qtbot.waitSignal(panel.diff_shown, timeout=TIMEOUT, check_params_cb=lambda path: path == settings) as shown:
        qtbot.mouseClick(files.viewport(), Qt.MouseButton.LeftButton, pos=files.visualItemRect(item).center())
    assert shown.args == ["app/settings.py"]
    alpha_diff = win.findChild(QtWidgets.QPlainTextEdit, "conflictDiffA").toPlainText()
    bravo_diff = win.findChild(QtWidgets.QPlainTextEdit, "conflictDiffB").toPlainText()
    assert "-A = 1\n+A = 10" in alpha_diff and "A = 20" not in alpha_diff
    assert "-A = 1\n+A = 20" in bravo_diff

    click_cell(qtbot, panel, "charlie", "alpha")
    texts = panel.file_texts()
    assert texts[0] == "app/dispatch.py  (semantic)"
    assert texts[1] == "⚠ app/dispatch.py:1  imports old_api, removed by charlie in app/core.py"
    assert informed == []


def test_the_gantt_links_the_conflicting_tasks_on_both_bars(qtbot, collisions, informed):
    win, teams, _panel = open_window(qtbot, collisions)
    gantt = win.gantt
    assert "⚡ conflicts with bravo1" in gantt.bars["alpha1"].marker
    assert "⚡ conflicts with alpha1" in gantt.bars["bravo1"].marker
    assert "⚡ semantic conflict with alpha1" in gantt.bars["charlie1"].marker
    tip = gantt.tooltip_for(gantt.bars["alpha1"])
    assert "conflicts with bravo1 — team bravo: app/legacy.py, app/settings.py" in tip
    assert "semantic conflict with charlie1 — team charlie: app/core.py, app/dispatch.py" in tip
    assert gantt.bars["delta1"].marker == "" and "delta1" not in gantt.team_conflicts
    # the Order column: every team placed, the reason as the tooltip
    orders = {name: teams.row_texts(name)["Order"] for name in ("alpha", "bravo", "charlie", "delta")}
    assert sorted(orders.values()) == ["1", "2", "3", "4"]
    row = teams.row_of("delta")
    tip = teams.table.item(row, teams_panel.COLUMN["Order"]).toolTip()
    assert tip.startswith(f"#{orders['delta']}: ")
    assert informed == []


def test_integrate_by_click_moves_the_branch_when_green_and_undo_moves_it_back(
    qtbot, launched, confirmed, informed, monkeypatch
):
    repo = launched
    alpha_head = commit(wt(repo, "alpha"), {"app/extra.py": "EXTRA = 1\n"}, "alpha1: extra")
    before = head(repo)
    monkeypatch.setattr(teams_panel, "integration_tests", fake(0))
    win, teams, _panel = open_window(qtbot, repo)
    teams.select_team("alpha")
    with qtbot.waitSignal(teams.integration_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "integrateTeamButton"))
    assert len(confirmed) == 1 and "Integrate team alpha" in confirmed[0]
    after = head(repo)
    assert after != before
    assert git(repo, "rev-parse", f"{after}^1").strip() == before and git(repo, "rev-parse", f"{after}^2").strip() == (
        alpha_head
    )
    assert "[alpha] integrated: tests passed on the merged tree" in teams.output.toPlainText()
    assert not teams.integration_bar.isVisible()
    qtbot.waitUntil(lambda: teams.row_texts("alpha")["State"] == "✔ integrated", timeout=TIMEOUT)
    wait_forecast(qtbot, teams)
    assert teams.forecast is not None and teams.forecast.refs and after in teams.forecast.refs

    with qtbot.waitSignal(teams.integration_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "undoIntegrationButton"))
    assert head(repo) == before
    assert "undid the integration of alpha" in teams.output.toPlainText()
    assert informed == []


def test_a_red_integration_ejects_the_team_and_its_row_says_why(qtbot, launched, confirmed, informed, monkeypatch):
    repo = launched
    commit(wt(repo, "bravo"), {"app/value.py": "VALUE = 2\n"}, "bravo1: change value")
    before = head(repo)
    monkeypatch.setattr(teams_panel, "integration_tests", fake(1, ("tests/test_value.py::test_value",)))
    win, teams, _panel = open_window(qtbot, repo)
    teams.select_team("bravo")
    with qtbot.waitSignal(teams.integration_finished, timeout=TIMEOUT):
        click(qtbot, button(win, "integrateTeamButton"))
    assert head(repo) == before, "red: the branch stays"
    qtbot.waitUntil(lambda: teams.row_texts("bravo")["State"] == "⏏ ejected", timeout=TIMEOUT)
    why = "tests failed on the merged tree: 1 failing test(s): tests/test_value.py::test_value"
    state = teams.table.item(teams.row_of("bravo"), teams_panel.COLUMN["State"])
    assert why in state.toolTip()
    assert why in teams.details.text()
    assert f"[bravo] ejected: {why}" in teams.output.toPlainText()
    assert informed == []


def test_integrate_all_follows_the_order_and_ejects_the_conflicting_team(
    qtbot, collisions, confirmed, informed, monkeypatch
):
    repo = collisions
    monkeypatch.setattr(teams_panel, "integration_tests", fake(0))
    win, teams, _panel = open_window(qtbot, repo)
    order = teams.forecast.order.order
    with qtbot.waitSignal(teams.integration_finished, timeout=60_000):
        click(qtbot, button(win, "integrateAllButton"))
    assert "1. " in confirmed[0]
    results = {r.team: r for r in teams.last_integration}
    assert [r.team for r in teams.last_integration if r.outcome == "integrated"] == [
        t for t in order if t in results and results[t].outcome == "integrated"
    ]
    ejected = [r for r in teams.last_integration if r.outcome == "ejected"]
    assert ejected and all(r.reason.startswith("merge conflicts in ") for r in ejected)
    assert {"alpha", "bravo"} & {r.team for r in ejected}, "alpha and bravo cannot both go in"
    assert informed == []


def test_the_demo_shows_charlie_and_delta_conflicting_and_alpha_and_echo_semantic(qtbot, tmp_path, informed):
    """The real demo: every team launched and its scripted agent run, as ``tests/test_demo_teams.py`` does."""
    repo = create_demo(tmp_path / "demo")
    start_mission(repo)
    context = flows.open_teams(repo)
    assert not flows.launch(context).refused
    for team in SCRIPTED_TASKS:
        assert flows.run(context, team, force=team == "delta").exit_code == 0
    win = create_window(repo)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    teams, panel = win.panels["teams_panel"], win.panels["conflicts_panel"]
    win.findChild(QtWidgets.QDockWidget, "conflictsPanelDock").raise_()
    wait_forecast(qtbot, teams)

    assert cell(panel, "charlie", "delta") == ("✗ 1", colour("conflict"))
    assert cell(panel, "alpha", "echo") == ("⚠ 1", colour("semantic"))
    others = [
        cell(panel, a, b)
        for a in SCRIPTED_TASKS
        for b in [*SCRIPTED_TASKS, "integration"]
        if a != b and {a, b} not in ({"charlie", "delta"}, {"alpha", "echo"})
    ]
    assert others and all(c == ("✓", colour("clean")) for c in others), others
    click_cell(qtbot, panel, "delta", "charlie")
    assert panel.file_texts() == ["app/core/config.py  (content)"]
    assert "⚡ conflicts with delta1" in win.gantt.bars["charlie1"].marker
    assert "⚡ conflicts with charlie1" in win.gantt.bars["delta1"].marker
    assert "⚡ semantic conflict with echo1" in win.gantt.bars["alpha1"].marker
    assert informed == []
