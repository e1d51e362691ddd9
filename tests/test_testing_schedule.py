"""Tests for the Qt-free run scheduler and the plan's "Run tests every N minutes"."""

from __future__ import annotations

from pathlib import Path

import pytest

from mission_control.testing import RunScheduler, ScheduleSettings, interval_from_plan


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("- Run tests every 30 minutes", 30.0),
        ("**Run the test suite every 15 min** during the window", 15.0),
        ("run tests every 2 hours", 120.0),
        ("Run integration tests every hour.", 60.0),
        ("Tests are run by CI.", None),
        ("", None),
    ],
)
def test_interval_from_plan_text(text: str, minutes: float | None) -> None:
    assert interval_from_plan(text) == minutes


def test_the_sample_plan_says_thirty_minutes(sample_plan_path: Path) -> None:
    text = sample_plan_path.read_text()
    assert "Run tests every 30 minutes" in text
    assert interval_from_plan(text) == 30.0


def test_scheduled_run_is_due_after_the_interval() -> None:
    s = RunScheduler(ScheduleSettings(interval_minutes=30), now=0)
    assert s.due(29 * 60) is None
    assert s.seconds_until_due(29 * 60) == 60
    assert s.due(30 * 60) == "scheduled"
    s.run_started(30 * 60)
    assert s.due(61 * 60) is None  # never while a run is going
    s.run_finished(31 * 60)
    assert s.due(59 * 60) is None and s.due(60 * 60) == "scheduled"


def test_changes_are_debounced_and_kept_across_a_running_run() -> None:
    s = RunScheduler(ScheduleSettings(on_change=True, debounce_seconds=5), now=0)
    assert s.due(100) is None and s.seconds_until_due(100) is None
    s.note_change(100)
    s.note_change(103)  # a burst: the clock restarts at the last change
    assert s.due(107) is None and s.seconds_until_due(107) == 1
    assert s.due(108) == "changed"
    s.run_started(108)
    s.note_change(110)  # saved while the run goes on
    assert s.due(200) is None
    s.run_finished(120)
    assert s.due(120) == "changed"


def test_toggles_off_means_never_due() -> None:
    s = RunScheduler(ScheduleSettings(), now=0)
    s.note_change(1)
    assert s.due(10**6) is None and s.seconds_until_due(10**6) is None
    s.update(ScheduleSettings(on_change=True, debounce_seconds=1))
    assert s.due(10**6) == "changed"
