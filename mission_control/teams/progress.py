"""Planned against actual: each task's span from its mapped commits, its slip, and the mission's projected end.

Commit times are real times; a plan's times may be hours from the mission's start (``HH:mm`` plans).
Both are put on the plan's own axis (:func:`mission_control.signoff.mission.to_plan_time`), so the
Gantt can draw the actual span under the planned bar and the details can say "started 40 min late".
A slip on the critical path moves the mission's projected end: a critical task that started late,
or that should have started by now and has no commit, pushes it by that much.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mission_control.plan import Plan
from mission_control.signoff.mission import Mission, to_plan_time
from mission_control.teams.tracking import Commit, MissionTeams

_ON_TIME = timedelta(minutes=1)


@dataclass(frozen=True)
class TaskProgress:
    """A task's planned and actual span on the plan's axis (actual: first to last mapped commit)."""

    task: str
    planned_start: datetime
    planned_end: datetime
    actual_start: datetime | None
    actual_end: datetime | None
    commits: tuple[Commit, ...]

    @property
    def start_slip(self) -> timedelta | None:
        """How late (positive) or early (negative) it started; None before its first commit."""
        return None if self.actual_start is None else self.actual_start - self.planned_start

    def describe(self) -> str:
        """``started 40 min late``, ``started on time``, ``not started``…"""
        slip = self.start_slip
        if slip is None:
            return "not started"
        if abs(slip) < _ON_TIME:
            return "started on time"
        return f"started {_span(abs(slip))} {'late' if slip > timedelta(0) else 'early'}"

    def to_json(self) -> dict[str, object]:
        slip = self.start_slip
        return {
            "task": self.task,
            "planned_start": self.planned_start.isoformat(),
            "planned_end": self.planned_end.isoformat(),
            "actual_start": self.actual_start.isoformat() if self.actual_start else None,
            "actual_end": self.actual_end.isoformat() if self.actual_end else None,
            "slip_minutes": round(slip.total_seconds() / 60) if slip is not None else None,
            "summary": self.describe(),
        }


@dataclass(frozen=True)
class MissionEnd:
    """The mission's planned end, its projected end, and the critical task that moves it most."""

    planned: datetime
    projected: datetime
    cause: str | None

    @property
    def slip(self) -> timedelta:
        return self.projected - self.planned

    def describe(self) -> str:
        if self.slip <= timedelta(0) or self.cause is None:
            return "mission on schedule"
        return f"mission end +{_span(self.slip)} ({self.cause} on the critical path)"


def task_progress(plan: Plan, teams: MissionTeams, mission: Mission | None) -> dict[str, TaskProgress]:
    """Every scheduled task's planned span and, once it has mapped commits, its actual span."""
    commits: dict[str, list[Commit]] = {}
    for team in teams.teams:
        for commit in team.commits:
            if commit.task:
                commits.setdefault(commit.task, []).append(commit)
    result = {}
    for task in plan.tasks:
        times = task.times
        if times is None:
            continue
        mine = sorted(commits.get(task.key, []), key=lambda c: c.at)
        moments = [m for m in (to_plan_time(plan, mission, c.at) for c in mine) if m is not None]
        result[task.key] = TaskProgress(
            task.key, times[0], times[1], min(moments, default=None), max(moments, default=None), tuple(mine)
        )
    return result


def mission_end(
    plan: Plan, critical_path: Iterable[str], progress: dict[str, TaskProgress], now: datetime | None
) -> MissionEnd | None:
    """The projected end: the planned end pushed by the largest slip of a critical task (``now`` on the
    plan's axis counts a critical task that should have started and has not)."""
    ends = [p.planned_end for p in progress.values()]
    if not ends:
        return None
    planned = max(ends)
    worst, cause = timedelta(0), None
    for key in critical_path:
        item = progress.get(key)
        if item is None:
            continue
        slip = item.start_slip
        if slip is None and now is not None and now > item.planned_start:
            slip = now - item.planned_start
        if slip is not None and slip > worst:
            worst, cause = slip, key
    return MissionEnd(planned, planned + worst, cause)


def _span(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} d {hours % 24} h"
