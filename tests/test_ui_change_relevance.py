"""Which docks a watched change set wakes up, in the real window with the real watcher and git.

A file write reaches the window as a change set; the Dashboard audits it. The Components, Teams and
Checklist docks read again only what the change set can alter: a change that concerns them still
updates them (a component's file, a legacy file appearing, the audit's new metrics, a plan edit),
one that cannot leaves them untouched: no worker started, nothing redrawn. "Untouched" is checked
after the Dashboard has audited the same change set (so the set was delivered) as "not busy and no
refresh signal": a refresh that had started would still be running, or would have signalled.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mission_fixtures import CORE_COMPONENT, core_component_repo
from PySide6 import QtWidgets
from ui_helpers import click

from mission_control.services.status_cache import CHANGES, FULL
from mission_control.ui import create_window

TIMEOUT = 30_000

PLAN = """# Mission

```mermaid
gantt
    dateFormat YYYY-MM-DD
    title Mission
    section Core
    Consolidate core :a1, 2024-01-01, 1d
    section Web
    Unify sockets :b1, after a1, 1d
```

## Final Checklist
- [ ] Zero broken imports
- [ ] Legacy code removed
"""

WEB_SECTION = "    section Web\n    Unify sockets :b1, after a1, 1d\n"
OPS_SECTION = WEB_SECTION + "    section Ops\n    Deploy :c1, after b1, 1d\n"


def make_repo(git_repo: Path, baseline: bool, components: bool = True) -> Path:
    """A plan with two teams, maybe a component ``core`` (app/core*.py, task a1), maybe a baseline."""
    (git_repo / "plan.md").write_text(PLAN)
    config = 'plan = "plan.md"\n' + ('baseline = "pre"\n' if baseline else "")
    return core_component_repo(git_repo, config + (CORE_COMPONENT if components else ""))


@pytest.fixture
def window(qtbot, git_repo):
    def open_on(baseline: bool, components: bool = True):
        win = create_window(make_repo(git_repo, baseline, components))
        qtbot.addWidget(win)
        win.findChild(QtWidgets.QDockWidget, "dashboardDock").raise_()
        settle(qtbot, win)
        opened.append(win)
        return win

    opened: list = []
    yield open_on
    for win in opened:
        for name in ("dashboard_panel", "checklist_panel", "components_panel", "teams_panel"):
            win.panels[name].cleanup()


def settle(qtbot, win) -> None:
    """Every dock of interest has shown its first read and is idle."""
    components, teams = win.panels["components_panel"], win.panels["teams_panel"]
    checklist, dashboard = win.panels["checklist_panel"], win.panels["dashboard_panel"]
    qtbot.waitUntil(
        lambda: (
            components.status is not None
            and not components.busy_now
            and teams.snapshot is not None
            and not teams.busy_now
            and checklist.task_evidence is not None
            and not checklist.busy
            and dashboard.snapshot is not None
            and dashboard.job is None
        ),
        timeout=TIMEOUT,
    )


def write_and_wait_for_audit(qtbot, win, path: Path, text: str) -> None:
    """Write ``path`` and wait until its change set reached the window and the Dashboard audited it."""
    dashboard = win.panels["dashboard_panel"]
    rel = path.relative_to(win.project.repo).as_posix()
    audits = dashboard.audits_started
    with qtbot.waitSignal(win.repo_changed, timeout=TIMEOUT, check_params_cb=lambda change: rel in change.paths):
        path.write_text(text)
    qtbot.waitUntil(lambda: dashboard.audits_started > audits and dashboard.job is None, timeout=TIMEOUT)


class Spy:
    """Counts a signal's emissions."""

    def __init__(self, signal) -> None:
        self.count = 0
        signal.connect(self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


def evidence(win, item: str) -> str:
    tree = win.panels["checklist_panel"].tree
    for group in range(tree.topLevelItemCount()):
        parent = tree.topLevelItem(group)
        for index in range(parent.childCount()):
            if parent.child(index).text(0) == item:
                return parent.child(index).text(2)
    raise AssertionError(f"no checklist item {item!r}")


def team_names(win) -> list[str]:
    return [t.name for t in win.panels["teams_panel"].snapshot.mission.teams]


def test_a_change_nothing_depends_on_leaves_components_teams_and_checklist_untouched(qtbot, window):
    win = window(baseline=False)  # no baseline: no file differs from one, whatever is edited
    components, teams, checklist = (win.panels[n] for n in ("components_panel", "teams_panel", "checklist_panel"))
    cache = win.project.status_cache
    reads = dict(cache.reads)
    shown = [Spy(components.status_refreshed), Spy(teams.teams_refreshed), Spy(checklist.loaded)]
    tree = checklist._tree_shown

    write_and_wait_for_audit(qtbot, win, win.project.repo / "app" / "other.py", "OTHER = 2\n")
    qtbot.wait(300)  # a refresh started by the change set would now be running or have signalled

    assert not components.busy_now and components._refresh_job is None
    assert not teams.busy_now
    assert checklist._reload_job is None and not checklist._reload_pending
    assert [spy.count for spy in shown] == [0, 0, 0]
    assert cache.reads == reads  # the status was not read again
    assert checklist._tree_shown is tree  # the audit's metrics did not change: the tree was not rebuilt


def test_a_components_file_edit_updates_components_and_checklist_with_one_shared_rescan(qtbot, window):
    win = window(baseline=True)
    components, teams, checklist = (win.panels[n] for n in ("components_panel", "teams_panel", "checklist_panel"))
    assert components.status.components["core"].state == "clean"
    assert checklist.task_evidence.changed_files.get("a1", 0) == 0
    cache = win.project.status_cache
    reads = dict(cache.reads)
    teams_shown = Spy(teams.teams_refreshed)
    change_sets = Spy(win.repo_changed)
    facts, entries = checklist.facts, checklist._entries

    write_and_wait_for_audit(qtbot, win, win.project.repo / "app" / "core.py", "CORE = 2\n")
    qtbot.waitUntil(lambda: components.status.components["core"].state == "changed", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: checklist.task_evidence.changed_files.get("a1") == 1, timeout=TIMEOUT)
    settle(qtbot, win)

    assert [f.path for f in components.status.components["core"].files] == ["app/core.py"]
    assert "1 file changed" in components.table.item(0, 1).text()
    assert cache.reads[FULL] == reads[FULL]  # no config, plan or file list read again
    assert 1 <= cache.reads[CHANGES] - reads[CHANGES] <= change_sets.count  # one rescan per change set, shared
    assert teams_shown.count == 0 and not teams.busy_now  # the teams do not read the lead's files
    assert checklist.facts is facts and checklist._entries is entries  # only the task evidence was read


def test_a_legacy_file_appearing_updates_the_checklist_evidence(qtbot, window):
    win = window(baseline=False, components=False)  # a new file changes no status: only the legacy files
    checklist = win.panels["checklist_panel"]
    assert evidence(win, "Legacy code removed") == "✓ no legacy files left"
    reads = dict(win.project.status_cache.reads)

    write_and_wait_for_audit(qtbot, win, win.project.repo / "app" / "legacy_views.py", "OLD = 1\n")

    qtbot.waitUntil(lambda: checklist.facts.legacy_files == ("app/legacy_views.py",), timeout=TIMEOUT)
    assert evidence(win, "Legacy code removed") == "✗ 1 legacy file left: app/legacy_views.py"
    assert win.project.status_cache.reads == reads


def test_the_dashboards_audit_updates_the_checklists_audit_evidence_without_a_reload(qtbot, window):
    win = window(baseline=False)
    checklist = win.panels["checklist_panel"]
    assert evidence(win, "Zero broken imports") == "✓ 0 broken imports (latest audit)"
    loaded = Spy(checklist.loaded)

    write_and_wait_for_audit(qtbot, win, win.project.repo / "app" / "other.py", "import app.missing\n")

    qtbot.waitUntil(
        lambda: evidence(win, "Zero broken imports") == "✗ 1 broken imports (latest audit)", timeout=TIMEOUT
    )
    assert loaded.count == 0  # only the audit's metrics were read, not the ledger, history and status


def test_a_plan_edited_on_disk_still_updates_the_teams(qtbot, window):
    win = window(baseline=True)
    assert team_names(win) == ["core", "web"]
    plan = win.project.repo / "plan.md"
    plan.write_text(plan.read_text().replace(WEB_SECTION, OPS_SECTION))
    qtbot.waitUntil(lambda: team_names(win) == ["core", "web", "ops"], timeout=TIMEOUT)


def test_a_config_edit_reads_the_whole_status_again(qtbot, window):
    win = window(baseline=True)
    components = win.panels["components_panel"]
    cache = win.project.status_cache
    full = cache.reads[FULL]
    config = win.project.repo / "mission-control.toml"
    config.write_text(config.read_text() + '[components.other]\npaths = ["app/other.py"]\n')
    qtbot.waitUntil(lambda: "other" in components.status.components, timeout=TIMEOUT)
    assert cache.reads[FULL] > full
    assert components.status.components["other"].state == "clean"


def test_a_config_edit_reaches_the_teams_and_checklist_through_the_projects_config(qtbot, window):
    win = window(baseline=True)
    teams, checklist = win.panels["teams_panel"], win.panels["checklist_panel"]
    evidence_before = checklist.task_evidence
    teams.poll_timer.stop()  # (its polling would read the teams again sooner or later: only the change set may)
    config = win.project.repo / "mission-control.toml"
    text = config.read_text().replace('tasks = ["a1"]', 'tasks = ["b1"]')
    config.write_text(text + '[teams.core]\nbranch = "team/kernel"\n')
    qtbot.waitUntil(lambda: win.project.config.components["core"].tasks == ("b1",), timeout=TIMEOUT)
    branch = lambda: {t.spec.name: t.spec.branch for t in teams.snapshot.mission.teams}.get("core")
    qtbot.waitUntil(lambda: branch() == "team/kernel", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: checklist.task_evidence is not evidence_before and not checklist.busy, timeout=TIMEOUT)


def test_an_invalid_config_edit_keeps_the_config_last_read_and_says_why(qtbot, window):
    win = window(baseline=True)
    kept = win.project.config
    config = win.project.repo / "mission-control.toml"
    with qtbot.waitSignal(win.repo_changed, timeout=TIMEOUT):
        config.write_text(config.read_text() + "[components.broken\n")
    assert win.project.config is kept
    assert "mission-control.toml" in win.statusBar().currentMessage()


def test_a_mission_started_in_the_checklist_shows_its_baseline_in_the_components_dock(qtbot, window):
    win = window(baseline=False, components=True)
    components, checklist = win.panels["components_panel"], win.panels["checklist_panel"]
    assert components.status.baseline.commit is None and checklist.mission is None
    click(qtbot, checklist.start_button)
    qtbot.waitUntil(lambda: checklist.mission is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: components.status.baseline.commit is not None, timeout=TIMEOUT)


def test_a_mission_started_in_the_components_dock_starts_the_checklists_clock(qtbot, window):
    win = window(baseline=False, components=True)
    components, checklist = win.panels["components_panel"], win.panels["checklist_panel"]
    click(qtbot, components.start_button)
    qtbot.waitUntil(lambda: components.status.baseline.commit is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: checklist.mission is not None, timeout=TIMEOUT)
