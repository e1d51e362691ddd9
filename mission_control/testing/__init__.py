"""Run the repository's own pytest in the background: live results, selections, schedules.

Typical use (the UI does the same from a worker thread)::

    run = run_project_tests(repo, Selection("component", "core"), on_event=..., cancel=token)
    run.result.totals, run.result.tests, run.alerts
"""

from mission_control.testing.interpreter import (
    Interpreter,
    InterpreterError,
    choose_interpreter,
    find_interpreter,
    probe_interpreter,
)
from mission_control.testing.results import (
    OUTCOMES,
    Collected,
    Collecting,
    CollectionError,
    CollectionFailed,
    RunEvent,
    TestFinished,
    TestResult,
    TestRunResult,
    TestStarted,
    summary_line,
)
from mission_control.testing.runner import PLUGIN_DIR, PLUGIN_MODULE, build_command, run_tests
from mission_control.testing.schedule import RunScheduler, ScheduleSettings, interval_from_plan
from mission_control.testing.selection import (
    KINDS,
    ResolvedSelection,
    Selection,
    SelectionError,
    changed_files,
    resolve_selection,
)
from mission_control.testing.service import (
    Alert,
    ProjectRun,
    RecordedRun,
    last_recorded_run,
    record_run,
    regression_alerts,
    run_project_tests,
)
from mission_control.util.git import head_commit as current_commit  # the HEAD commit, by its old name here

__all__ = [
    "KINDS",
    "OUTCOMES",
    "PLUGIN_DIR",
    "PLUGIN_MODULE",
    "Alert",
    "Collected",
    "Collecting",
    "CollectionError",
    "CollectionFailed",
    "Interpreter",
    "InterpreterError",
    "ProjectRun",
    "RecordedRun",
    "ResolvedSelection",
    "RunEvent",
    "RunScheduler",
    "ScheduleSettings",
    "Selection",
    "SelectionError",
    "TestFinished",
    "TestResult",
    "TestRunResult",
    "TestStarted",
    "build_command",
    "changed_files",
    "choose_interpreter",
    "current_commit",
    "find_interpreter",
    "interval_from_plan",
    "last_recorded_run",
    "probe_interpreter",
    "record_run",
    "regression_alerts",
    "resolve_selection",
    "run_project_tests",
    "run_tests",
    "summary_line",
]
