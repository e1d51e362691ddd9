"""Scheduling on a parsed plan: dependency conflicts, the critical path (CPM), time formatting, graph layout.

The CPM maths lives in :mod:`mission_control.plan.schedule`, beside the model it computes over, because
rescheduling with cascade (:mod:`mission_control.plan.editing`) needs it to decide what must move; this
package is what the faces and services import, and adds the dependency graph's layout
(:mod:`mission_control.schedule.layout`).
"""

from mission_control.plan.schedule import (
    Conflict,
    ScheduleAnalysis,
    analyse,
    critical_path,
    find_conflicts,
    format_time,
    reanalyse,
    successors,
)

__all__ = [
    "Conflict",
    "ScheduleAnalysis",
    "analyse",
    "critical_path",
    "find_conflicts",
    "format_time",
    "reanalyse",
    "successors",
]
