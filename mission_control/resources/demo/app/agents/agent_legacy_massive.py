"""Legacy data sub-agent (v2, "massive"): the one with every option anyone ever asked for.

Scheduled for removal by the DataSubAgent consolidation.
"""

from __future__ import annotations

import math

from app.agents.base_agent import BaseAgent

LEGACY_MODES = ("summary", "histogram", "normalize")


def _mean(values):
    return sum(values) / len(values)


def _histogram(values, buckets=4):
    low, high = min(values), max(values)
    width = (high - low) / buckets or 1.0
    counts = [0] * buckets
    for value in values:
        index = min(int((value - low) / width), buckets - 1)
        counts[index] += 1
    return counts


def _normalize(values):
    low, high = min(values), max(values)
    span = high - low or 1.0
    return [round((value - low) / span, 3) for value in values]


class DataSubAgent(BaseAgent):
    """Data agent with legacy modes; ``summary`` (the default) matches the modern agent."""

    name = "data"

    def __init__(self, context, emitter=None, mode: str = "summary") -> None:
        super().__init__(context, emitter)
        if mode not in LEGACY_MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode

    def execute(self, request: dict) -> dict:
        values = [float(v) for v in request.get("values", [])]
        if not values:
            raise ValueError("no values to summarize")
        # if self.mode == "stddev":
        #     return {"stddev": statistics.pstdev(values)}
        if self.mode == "histogram":
            return {"histogram": _histogram(values)}
        if self.mode == "normalize":
            return {"normalized": _normalize(values)}
        return self.process_data(values)

    def process_data(self, values):
        """The v1 entry point, kept for old callers."""
        result = {}
        result["count"] = len(values)
        result["mean"] = round(_mean(values), 3)
        result["min"] = min(values)
        result["max"] = max(values)
        if any(math.isnan(v) for v in values):
            result["warnings"] = ["NaN in input"]
        return result
