"""The data sub-agent (modern implementation, the one the plan keeps)."""

from __future__ import annotations

from statistics import fmean

from app.agents.base_agent import BaseAgent


def summarize(values: list[float]) -> dict:
    """Count, mean, min and max of ``values`` (rounded to 3 places)."""
    if not values:
        raise ValueError("no values to summarize")
    return {
        "count": len(values),
        "mean": round(fmean(values), 3),
        "min": min(values),
        "max": max(values),
    }


class DataSubAgent(BaseAgent):
    """Summarizes the numbers in ``request["values"]``."""

    name = "data"

    def execute(self, request: dict) -> dict:
        values = [float(v) for v in request.get("values", [])]
        self.think(f"summarizing {len(values)} values")
        return summarize(values)
