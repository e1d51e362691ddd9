"""The execution plan: Markdown + Mermaid parsing, the plan model, and round-trip edits.

Typical use::

    pf = load_plan("docs/plan.md")      # PlanError if unreadable
    plan = pf.plan                      # tasks, dependencies, graph, checklist, diagnostics
    result = pf.reschedule("alpha2", start=..., cascade=True)
    pf.save()                           # only the changed lines differ on disk
"""

from datetime import datetime
from pathlib import Path

from mission_control.plan.document import Document, LineEdit, PlanChangedOnDisk, PlanError
from mission_control.plan.editing import DiskMerge, EditResult, Move, PlanFile
from mission_control.plan.loader import parse_plan
from mission_control.plan.model import (
    FINISH_TO_START,
    START_TO_START,
    ChecklistItem,
    CodeBlock,
    Dependency,
    Diagnostic,
    Graph,
    GraphEdge,
    GraphNode,
    Heading,
    Plan,
    Retiming,
    Task,
    retiming,
)


def load_plan(path: str | Path, today: datetime | None = None) -> PlanFile:
    """Read and parse the plan at ``path`` (PlanError naming the file if it cannot be read)."""
    return PlanFile.load(path, today)


__all__ = [
    "FINISH_TO_START",
    "START_TO_START",
    "ChecklistItem",
    "CodeBlock",
    "Dependency",
    "Diagnostic",
    "DiskMerge",
    "Document",
    "EditResult",
    "Graph",
    "GraphEdge",
    "GraphNode",
    "Heading",
    "LineEdit",
    "Move",
    "Plan",
    "PlanChangedOnDisk",
    "PlanError",
    "PlanFile",
    "Retiming",
    "Task",
    "load_plan",
    "parse_plan",
    "retiming",
]
