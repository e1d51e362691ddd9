"""Scheduling on a parsed plan: dependency conflicts, the critical path (CPM), time formatting.

Rescheduling with cascade lives in :mod:`mission_control.plan.editing`, because it writes the
plan file; it uses :func:`find_conflicts` from here to decide what must move.
"""

from mission_control.schedule.analysis import (
    Conflict,
    ScheduleAnalysis,
    analyse,
    critical_path,
    find_conflicts,
    format_time,
    successors,
)

__all__ = ["Conflict", "ScheduleAnalysis", "analyse", "critical_path", "find_conflicts", "format_time", "successors"]
