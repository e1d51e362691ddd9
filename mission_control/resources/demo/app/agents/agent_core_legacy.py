"""Legacy data sub-agent (v1). Scheduled for removal by the DataSubAgent consolidation."""

from __future__ import annotations

from app.agents.base_agent import BaseAgent


class DataSubAgent(BaseAgent):
    """The first data agent: same results as the modern one, computed by hand."""

    name = "data"

    def execute(self, request: dict) -> dict:
        values = [float(v) for v in request.get("values", [])]
        if len(values) == 0:
            raise ValueError("no values to summarize")
        total = 0.0
        for value in values:
            total += value
        return {
            "count": len(values),
            "mean": round(total / len(values), 3),
            "min": sorted(values)[0],
            "max": sorted(values)[-1],
        }
