"""The Tests dock in the real window: real clicks, real pytest subprocesses, real git repositories."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git, process_alive, write_file
from PySide6 import QtCore, QtWidgets

from mission_control.services.test_markers import component_matches, marker_text
from mission_control.testing import Selection, TestFinished, TestResult, TestStarted
from mission_control.ui import create_window
from mission_control.ui.tests_editor import editor_command
from mission_control.ui.tests_model import KIND_ROLE, NODEID_ROLE, OUTCOME_ROLE, split_nodeid
from mission_control.ui.tests_panel import BATCH
from mission_control.watch import ChangeSet

Qt = QtCore.Qt
RUN_TIMEOUT = 60_000

PLAN = """\
    # Calc mission

    Run tests every 15 minutes.

    ```mermaid
    gantt
        title Calc mission
        dateFormat HH:mm
        section Core
        Fix calc    :calc1, 00:00, 2h
        Other work  :other1, after calc1, 2h
    ```
"""

SUITE = """\
    import pytest
    from calc import add

    def test_add():
        assert add(2, 2) == 4

    def test_broken():
        assert add(1, 1) == 3, "one and one make two"

    @pytest.mark.skip(reason="not today")
    def test_skipped():
        pass

    class TestGroup:
        def test_in_class(self):
            assert add(0, 0) == 0
"""


@pytest.fixture
def calc_repo(git_repo: Path) -> Path:
    write_file(git_repo, "plan.md", PLAN)
    write_file(git_repo, "calc.py", "def add(a, b):\n    return a + b\n")
    write_file(git_repo, "tests/test_calc.py", SUITE)
    write_file(git_repo, "tests/test_other.py", "def test_other():\n    assert True\n")
    write_file(
        git_repo,
        "mission-control.toml",
        """
        plan = "plan.md"
        [components.calc]
        paths = ["calc.py"]
        tasks = ["calc1"]
        tests = ["tests/test_calc.py"]
        [components.other]
        paths = ["other.py"]
        tasks = ["other1"]
        tests = ["tests/test_other.py"]
    """,
    )
    write_file(git_repo, "pyproject.toml", '[tool.pytest.ini_options]\npythonpath = ["."]\n')
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "calc")
    return git_repo


def open_window(qtbot, repo: Path):
    win = create_window(repo)
    qtbot.addWidget(win)
    win.resize(1500, 950)
    panel = win.panels["tests_panel"]
    panel.workers = None  # no xdist start-up cost on this 2-core machine
    return win, panel


def click(qtbot, button: QtWidgets.QAbstractButton) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def run_and_wait(qtbot, panel, button) -> object:
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT) as blocker:
        click(qtbot, button)
    qtbot.waitUntil(lambda: panel.job is None, timeout=RUN_TIMEOUT)
    return blocker.args[0]


def pytest_summary(repo: Path) -> dict[str, int]:
    """Plain pytest's own summary line, as counts."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=repo, capture_output=True, text=True
    )
    last = [line for line in proc.stdout.splitlines() if " in " in line][-1]
    words = {"errors": "error", "warnings": "warning"}
    return {words.get(k, k): int(n) for n, k in re.findall(r"(\d+) (\w+)", last) if k not in ("warning", "warnings")}


def visible_leaves(panel) -> list[str]:
    """Node ids of the test rows the filtered tree shows."""
    found = []

    def walk(parent: QtCore.QModelIndex) -> None:
        for row in range(panel.proxy.rowCount(parent)):
            index = panel.proxy.index(row, 0, parent)
            if index.data(KIND_ROLE) == "test":
                found.append(index.data(NODEID_ROLE))
            walk(index)

    walk(QtCore.QModelIndex())
    return sorted(found)


def proxy_index(panel, nodeid: str) -> QtCore.QModelIndex:
    source = panel.model.indexFromItem(panel.model.leaves[nodeid])
    return panel.proxy.mapFromSource(source)


def test_run_all_click_fills_the_tree_with_pytests_totals(qtbot, calc_repo):
    win, panel = open_window(qtbot, calc_repo)
    assert win.findChild(QtWidgets.QWidget, "testsPanel") is panel
    assert [panel.component_combo.itemText(i) for i in range(panel.component_combo.count())] == ["calc", "other"]
    run = run_and_wait(qtbot, panel, panel.run_all_button)
    expected = pytest_summary(calc_repo)
    assert expected == {"failed": 1, "passed": 3, "skipped": 1}
    nonzero = {k: v for k, v in panel.model.totals().items() if v}
    assert nonzero == expected == {k: v for k, v in run.result.totals.items() if v}
    # folder › module › class › test
    folder_item = panel.model.groups[("tests",)]
    file_item = panel.model.groups[("tests", "tests/test_calc.py")]
    class_item = panel.model.groups[("tests", "tests/test_calc.py", "TestGroup")]
    assert (folder_item.text(), folder_item.data(KIND_ROLE), file_item.parent()) == ("tests/", "folder", folder_item)
    assert (file_item.text(), file_item.data(NODEID_ROLE), file_item.data(KIND_ROLE)) == (
        "test_calc.py",
        "tests/test_calc.py",
        "file",
    )
    assert class_item.parent() is file_item and class_item.child(0).text() == "test_in_class"
    assert class_item.data(NODEID_ROLE) == "tests/test_calc.py::TestGroup"
    assert file_item.data(OUTCOME_ROLE) == "failed"
    assert (
        panel.model.itemFromIndex(panel.model.indexFromItem(file_item).siblingAtColumn(1)).text()
        == "1 failed · 2 passed · 1 skipped"
    )
    assert panel.progress.value() == panel.progress.maximum() == 5
    assert "1 failed, 3 passed, 1 skipped" in panel.summary.text()
    assert "✗" in panel.status_label.text()
    # task bars show their components' tests
    assert win.gantt.bars["calc1"].marker == "✗ 1 failing"
    assert win.gantt.bars["other1"].marker == "✓ 1/1"
    panel.cleanup()


def test_filters_details_and_open_in_editor(qtbot, calc_repo, tmp_path, monkeypatch):
    _win, panel = open_window(qtbot, calc_repo)
    run_and_wait(qtbot, panel, panel.run_all_button)
    assert len(visible_leaves(panel)) == 5
    panel.outcome_filter.setCurrentIndex(panel.outcome_filter.findText("Failing"))
    assert visible_leaves(panel) == ["tests/test_calc.py::test_broken"]
    panel.outcome_filter.setCurrentIndex(panel.outcome_filter.findText("Skipped"))
    assert visible_leaves(panel) == ["tests/test_calc.py::test_skipped"]
    panel.outcome_filter.setCurrentIndex(0)
    qtbot.keyClicks(panel.text_filter, "CLASS")
    assert visible_leaves(panel) == ["tests/test_calc.py::TestGroup::test_in_class"]
    panel.text_filter.clear()

    # a real click on the failing test shows its traceback
    index = proxy_index(panel, "tests/test_calc.py::test_broken")
    panel.tree.scrollTo(index)
    rect = panel.tree.visualRect(index)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "one and one make two" in panel.details.toPlainText()
    assert "assert 2 == 3" in panel.details.toPlainText()
    assert "test_broken" in panel.details_title.text() and "failed" in panel.details_title.text()

    # Open in editor: $VISUAL gets +line and the file
    record = tmp_path / "editor-args.txt"
    script = write_file(
        tmp_path, "editor.py", f"import sys\nopen({str(record)!r}, 'w').write(' '.join(sys.argv[1:]))\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    click(qtbot, panel.open_button)
    qtbot.waitUntil(lambda: record.exists() and bool(record.read_text()), timeout=10_000)
    line = SUITE.splitlines().index("    def test_broken():") + 1
    assert record.read_text() == f"+{line} {calc_repo / 'tests' / 'test_calc.py'}"
    panel.cleanup()


def test_editor_commands_per_editor():
    path = Path("/r/t.py")
    assert editor_command(path, 7, {"EDITOR": "vim"}) == ["vim", "+7", "/r/t.py"]
    assert editor_command(path, 7, {"VISUAL": "code --wait", "EDITOR": "vim"}) == ["code", "--wait", "-g", "/r/t.py:7"]
    assert editor_command(path, 7, {"EDITOR": "/usr/bin/subl"}) == ["/usr/bin/subl", "/r/t.py:7"]
    assert editor_command(path, None, {"EDITOR": "nano"}) == ["nano", "/r/t.py"]
    assert editor_command(path, 7, {}) is None


def test_helpers_split_nodeids_match_components_and_mark_bars():
    assert split_nodeid("tests/a.py::TestX::test_y[a::b]") == ["tests/a.py", "TestX", "test_y[a::b]"]
    assert component_matches("tests/ws/test_a.py::test_x", ("tests/ws",))
    assert component_matches("tests/a.py::T::t", ("tests/a.py::T",))
    assert not component_matches("tests/wsx/test_a.py::t", ("tests/ws",))
    assert marker_text(["passed", "passed", "skipped"]) == "✓ 2/2"
    assert marker_text(["passed", "failed", "error"]) == "✗ 2 failing"
    assert marker_text([]) is None


HANG = """\
    import os, subprocess, sys, time

    def test_quick():
        pass

    def test_hang():
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open(os.environ["HANG_PID_FILE"], "w") as f:
            f.write(str(child.pid))
        time.sleep(600)
"""


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_cancel_button_stops_a_hanging_test_and_its_process_group(qtbot, calc_repo, tmp_path, monkeypatch):
    write_file(calc_repo, "tests/test_hang.py", HANG)
    pid_file = tmp_path / "child.pid"
    monkeypatch.setenv("HANG_PID_FILE", str(pid_file))
    _win, panel = open_window(qtbot, calc_repo)
    panel.component_combo.setCurrentText("calc")
    click(qtbot, panel.run_all_button)
    assert not panel.run_all_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: pid_file.exists() and bool(pid_file.read_text()), timeout=RUN_TIMEOUT)
    qtbot.waitUntil(lambda: "tests/test_hang.py::test_hang" in panel.model.leaves, timeout=10_000)
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT) as blocker:
        click(qtbot, panel.cancel_button)
    qtbot.waitUntil(lambda: panel.job is None, timeout=RUN_TIMEOUT)
    run = blocker.args[0]
    assert run.result.cancelled and "test_hang" in run.result.message
    assert "cancelled" in panel.summary.text()
    assert panel.model.outcomes()["tests/test_hang.py::test_hang"] == "interrupted"
    child = int(pid_file.read_text())
    qtbot.waitUntil(lambda: not process_alive(child), timeout=10_000)
    assert panel.run_all_button.isEnabled() and not panel.cancel_button.isEnabled()
    panel.cleanup()


def test_a_regression_raises_the_alert_in_the_dock_and_status_bar(qtbot, calc_repo):
    write_file(calc_repo, "tests/test_calc.py", "from calc import add\n\ndef test_add():\n    assert add(2, 2) == 4\n")
    win, panel = open_window(qtbot, calc_repo)
    first = run_and_wait(qtbot, panel, panel.run_all_button)
    assert first.result.ok and panel.alert.isHidden()
    assert win.gantt.bars["calc1"].marker == "✓ 1/1"
    write_file(calc_repo, "calc.py", "def add(a, b):\n    return a - b\n")
    second = run_and_wait(qtbot, panel, panel.run_all_button)
    assert [a.title for a in second.alerts] == ["Test regression detected"]
    assert panel.alert.isVisible()
    assert "Test regression detected" in panel.alert_label.text()
    assert "tests/test_calc.py::test_add" in panel.alert_label.text()
    assert "Test regression detected" in panel.status_label.text()
    assert win.gantt.bars["calc1"].marker == "✗ 1 failing"
    # Rerun failed runs only the failing test
    third = run_and_wait(qtbot, panel, panel.rerun_failed_button)
    assert [t.nodeid for t in third.result.tests] == ["tests/test_calc.py::test_add"]
    assert panel.model.outcomes() == {  # its row updated in the full tree (issue 17: the tree was replaced)
        "tests/test_calc.py::test_add": "failed",
        "tests/test_other.py::test_other": "passed",
    }
    click(qtbot, panel.alert.findChild(QtWidgets.QToolButton, "dismissAlertButton"))
    assert panel.alert.isHidden()
    panel.cleanup()


def test_run_component_runs_only_its_tests(qtbot, calc_repo):
    win, panel = open_window(qtbot, calc_repo)
    panel.component_combo.setCurrentText("other")
    run = run_and_wait(qtbot, panel, panel.run_component_button)
    assert run.result.selection == "component:other"
    assert list(panel.model.leaves) == ["tests/test_other.py::test_other"]
    assert win.gantt.bars["other1"].marker == "✓ 1/1"
    assert win.gantt.bars["calc1"].marker == ""
    panel.cleanup()


def test_schedule_defaults_from_the_plan_and_on_change_runs_affected(qtbot, calc_repo):
    win, panel = open_window(qtbot, calc_repo)
    assert panel.schedule_toggle.isChecked() and panel.schedule_minutes.value() == 15  # the plan says so
    assert not panel.change_toggle.isChecked()
    assert panel.scheduler.settings.interval_minutes == 15
    click(qtbot, panel.schedule_toggle)  # the lead's click wins
    assert panel.scheduler.settings.interval_minutes is None
    win.project_changed.emit()
    assert not panel.schedule_toggle.isChecked()

    panel.debounce_seconds = 0.0
    click(qtbot, panel.change_toggle)
    assert panel.scheduler.settings.on_change
    win.repo_changed.emit(ChangeSet(modified=("docs/notes.md",)))
    assert panel.check_schedule() is None  # not a source file
    write_file(calc_repo, "calc.py", "def add(a, b):\n    return b + a\n")
    with qtbot.waitSignal(panel.run_finished, timeout=RUN_TIMEOUT) as blocker:
        win.repo_changed.emit(ChangeSet(modified=("calc.py",)))  # the 1 s tick starts the run
    run = blocker.args[0]
    assert run.result.selection == "affected"
    qtbot.waitUntil(lambda: panel.job is None, timeout=RUN_TIMEOUT)
    panel.cleanup()


def test_preferences_set_the_schedule_and_interpreter(qtbot, calc_repo, tmp_path):
    from mission_control.services.settings import Settings

    win, panel = open_window(qtbot, calc_repo)
    win.settings = Settings(test_schedule_minutes=5, run_tests_on_change=True, python=str(tmp_path / "nope"))
    panel._switch_repo(None)
    panel.set_project(win.project)
    assert panel.schedule_toggle.isChecked() and panel.schedule_minutes.value() == 5
    assert panel.change_toggle.isChecked()
    run = run_and_wait(qtbot, panel, panel.run_all_button)
    assert run.result.exit_code == 4 and "nope" in run.result.message
    assert "nope" in panel.summary.text()
    panel.cleanup()


def test_thousands_of_streamed_events_through_the_panel(qtbot, calc_repo, qtmodeltester, monkeypatch):
    """Thousands of signals from a real worker thread reach the tree in batches (PySide6 6.12 aborted)."""
    from mission_control.ui.workers import run_in_thread

    _win, panel = open_window(qtbot, calc_repo)
    count = 3000

    def work(progress, event, cancel):
        for number in range(count):
            nodeid = f"tests/test_f{number % 20}.py::TestC{number % 3}::test_{number}"
            event(TestStarted(nodeid))
            outcome = "failed" if number % 97 == 0 else "passed"
            event(TestFinished(TestResult(nodeid, outcome, 0.001), number + 1, count))
        return count

    done, batches = [], []
    apply = panel.model.apply

    def counting_apply(started=(), finished=(), errors=()):
        started, finished = list(started), list(finished)
        batches.append(len(started) + len(finished))
        apply(started, finished, errors)

    monkeypatch.setattr(panel.model, "apply", counting_apply)
    job = run_in_thread(panel, work, on_event=panel._evented, on_result=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=RUN_TIMEOUT)
    job.wait(10_000)
    qtbot.waitUntil(lambda: not panel._pending and len(panel.model.leaves) == count, timeout=RUN_TIMEOUT)
    assert sum(batches) == 2 * count and max(batches) <= BATCH  # handed over in slices, never all at once
    totals = panel.model.totals()
    assert totals["failed"] == len(range(0, count, 97)) and totals["passed"] == count - totals["failed"]
    assert panel.model.outcomes()["tests/test_f0.py::TestC0::test_0"] == "failed"
    panel.outcome_filter.setCurrentIndex(panel.outcome_filter.findText("Failing"))
    assert len(visible_leaves(panel)) == totals["failed"]
    qtmodeltester.check(panel.proxy)
    panel.cleanup()


def test_the_demo_mission_runs_green_in_the_dock(qtbot, tmp_path):
    from mission_control.services.demo import create_demo

    repo = create_demo(tmp_path / "demo")
    win, panel = open_window(qtbot, repo)
    run = run_and_wait(qtbot, panel, panel.run_all_button)
    assert run.result.ok, run.result.message
    assert panel.model.totals() == run.result.totals
    assert run.result.totals["passed"] == run.result.collected == len(panel.model.leaves) > 0
    assert win.gantt.bars["alpha1"].marker.startswith("✓ ")
    assert panel.summary.text().startswith(f"{run.result.totals['passed']} passed")
    panel.cleanup()


def test_without_a_repository_nothing_runs(qtbot, sample_plan_path, tmp_path):
    import shutil

    plan = tmp_path / "plan.md"
    shutil.copyfile(sample_plan_path, plan)
    win = create_window(None, plan)
    qtbot.addWidget(win)
    panel = win.panels["tests_panel"]
    assert win.project.repo is None
    assert not panel.run_all_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert not panel.run(Selection("all"))
    assert "No repository" in panel.summary.text()


def test_a_finished_run_collapses_what_passed_and_opens_and_scrolls_to_failures(qtbot, calc_repo):
    for number in range(40):  # enough passing modules that a failure sits below the fold
        write_file(calc_repo, f"tests/a{number:02}/test_ok{number:02}.py", "def test_ok():\n    assert True\n")
    win, panel = open_window(qtbot, calc_repo)
    panel.tree.setMinimumHeight(0)
    win.findChild(QtWidgets.QDockWidget, "testsPanelDock").raise_()
    win.show()
    qtbot.waitExposed(win)
    run_and_wait(qtbot, panel, panel.run_all_button)
    QtWidgets.QApplication.processEvents()

    def view_index(path):
        return panel.proxy.mapFromSource(panel.model.indexFromItem(panel.model.groups[path]))

    assert not panel.tree.isExpanded(view_index(("tests/a07",)))  # passed: collapsed
    assert not panel.tree.isExpanded(view_index(("tests", "tests/test_other.py")))
    assert panel.tree.isExpanded(view_index(("tests",))) and panel.tree.isExpanded(
        view_index(("tests", "tests/test_calc.py"))
    )
    assert not panel.tree.isExpanded(view_index(("tests", "tests/test_calc.py", "TestGroup")))  # it passed
    failing = proxy_index(panel, "tests/test_calc.py::test_broken")
    rect = panel.tree.visualRect(failing)
    assert rect.isValid() and panel.tree.viewport().rect().contains(rect.center()), rect  # scrolled into view
    panel.cleanup()


def test_rerun_failed_updates_its_rows_in_the_full_tree(qtbot, calc_repo):
    """Issue 17: Rerun failed replaced the whole tree with the rows it ran."""
    _win, panel = open_window(qtbot, calc_repo)
    run_and_wait(qtbot, panel, panel.run_all_button)
    everything = sorted(panel.model.leaves)
    assert panel.model.outcomes()["tests/test_calc.py::test_broken"] == "failed"
    write_file(calc_repo, "tests/test_calc.py", SUITE.replace("== 3, ", "== 2, "))
    run = run_and_wait(qtbot, panel, panel.rerun_failed_button)
    assert run.result.selection == "failed" and run.result.totals["passed"] == 1
    assert sorted(panel.model.leaves) == everything  # the other rows stay
    outcomes = panel.model.outcomes()
    assert outcomes["tests/test_calc.py::test_broken"] == "passed"
    assert (
        outcomes["tests/test_other.py::test_other"] == "passed"
        and outcomes["tests/test_calc.py::test_skipped"] == "skipped"
    )
    module = panel.model.groups[("tests", "tests/test_calc.py")]
    assert module.data(OUTCOME_ROLE) == "passed"  # the group's counts follow the updated row
    parent = module.parent()
    assert parent.child(module.row(), 1).text() == "3 passed · 1 skipped"
    assert panel.summary.text().startswith("1 passed")
    panel.cleanup()


def test_the_last_run_is_restored_at_start(qtbot, calc_repo):
    """Issue 17: after a relaunch the dock said "No run yet" although the history held the run."""
    win, panel = open_window(qtbot, calc_repo)
    run_and_wait(qtbot, panel, panel.run_all_button)
    before = panel.model.outcomes()
    panel.cleanup()
    win.close()

    again, panel = open_window(qtbot, calc_repo)
    again.findChild(QtWidgets.QDockWidget, "testsPanelDock").raise_()
    again.show()
    qtbot.waitExposed(again)
    assert panel.model.outcomes() == before
    assert panel.summary.text().startswith("Last run ") and "1 failed, 3 passed, 1 skipped" in panel.summary.text()
    broken = proxy_index(panel, "tests/test_calc.py::test_broken")
    assert panel.tree.isExpanded(broken.parent())  # failures opened, what passed collapsed
    other = panel.model.groups[("tests", "tests/test_other.py")]
    assert not panel.tree.isExpanded(panel.proxy.mapFromSource(panel.model.indexFromItem(other)))
    panel.tree.setCurrentIndex(broken)
    assert "Failed in the run of" in panel.details_pane.body.toPlainText()
    assert panel.component_outcomes("calc") and "failed" in panel.component_outcomes("calc")
    panel.cleanup()
