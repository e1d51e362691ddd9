"""The plan as JSON-ready data (the shape ``mission-control plan show --json`` prints, exactly
the keys issue 2 lists)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mission_control.plan.model import Plan
from mission_control.plan.schedule import ScheduleAnalysis, analyse


def iso(value: datetime | None) -> str | None:
    """ISO 8601 without zone (``1970-01-01T08:00:00``), or None when unscheduled."""
    return value.isoformat() if value is not None else None


def problems(plan: Plan) -> list[dict[str, Any]]:
    """Errors and warnings in the issue's ``{"line", "message"}`` shape, errors first and marked.

    ``plan show --json`` has one list for both (its shape is fixed); ``check --json`` keeps
    them apart.
    """
    errors = [{"line": d.line, "message": f"error: {d.message}"} for d in plan.errors]
    return errors + [{"line": d.line, "message": d.message} for d in plan.warnings]


def plan_to_json(plan: Plan, analysis: ScheduleAnalysis | None = None) -> dict[str, Any]:
    """Every fact about ``plan`` as plain JSON data."""
    analysis = analysis or analyse(plan)
    return {
        "title": plan.title,
        "date_format": plan.date_format,
        "sections": list(plan.sections),
        "tasks": [
            {
                "id": t.id,
                "name": t.name,
                "section": t.section,
                "start": iso(t.start),
                "end": iso(t.end),
                "tags": list(t.tags),
                "line": t.line,
            }
            for t in plan.tasks
        ],
        "dependencies": [
            {"from": d.from_key, "to": d.to_key, "kind": d.kind, "label": d.label, "source": d.source}
            for d in plan.dependencies
        ],
        "critical_path": list(analysis.critical_path),
        "conflicts": [
            {"task": c.task, "depends_on": c.depends_on, "kind": c.kind, "message": c.message}
            for c in analysis.conflicts
        ],
        "checklist": [
            {"text": i.text, "heading": list(i.heading), "done": i.done, "line": i.line} for i in plan.checklist
        ],
        "components": list(plan.components),
        "warnings": problems(plan),
        "graph": {
            "nodes": [{"id": n.id, "label": n.label, "task": n.task} for n in plan.graph.nodes],
            "edges": [{"from": e.from_id, "to": e.to_id, "label": e.label, "kind": e.kind} for e in plan.graph.edges],
        },
    }
