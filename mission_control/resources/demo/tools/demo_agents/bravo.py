"""Team Bravo (Agents). bravo1, DataSubAgent Consolidation: one DataSubAgent instead of three.

Step 1 moves the legacy modes that still matter (``histogram``, ``normalize``, the NaN warning)
into ``app/agents/data_sub_agent.py``. Step 2 deletes ``agent_core_legacy.py`` and
``agent_legacy_massive.py``, whose tests now cover the one agent, and drops them from the agents
component in ``mission-control.toml``.
"""

from __future__ import annotations

from demo_agents.base import Files, Step

AGENT = "app/agents/data_sub_agent.py"

ONE_AGENT = '''"""The data sub-agent: the one DataSubAgent (the two legacy copies were merged into it)."""

from __future__ import annotations

import math
from statistics import fmean

from app.agents.base_agent import BaseAgent

MODES = ("summary", "histogram", "normalize")


def summarize(values: list[float]) -> dict:
    """Count, mean, min and max of ``values`` (rounded to 3 places); a warning if any is NaN."""
    if not values:
        raise ValueError("no values to summarize")
    summary = {
        "count": len(values),
        "mean": round(fmean(values), 3),
        "min": min(values),
        "max": max(values),
    }
    if any(math.isnan(v) for v in values):
        summary["warnings"] = ["NaN in input"]
    return summary


def histogram(values: list[float], buckets: int = 4) -> list[int]:
    """How many values fall in each of ``buckets`` equal-width buckets from min to max."""
    low, high = min(values), max(values)
    width = (high - low) / buckets or 1.0
    counts = [0] * buckets
    for value in values:
        counts[min(int((value - low) / width), buckets - 1)] += 1
    return counts


def normalize(values: list[float]) -> list[float]:
    """``values`` scaled to 0..1 (rounded to 3 places)."""
    low, high = min(values), max(values)
    span = high - low or 1.0
    return [round((value - low) / span, 3) for value in values]


class DataSubAgent(BaseAgent):
    """Summarizes the numbers in ``request["values"]`` (or makes a histogram, or normalizes them)."""

    name = "data"

    def __init__(self, context, emitter=None, mode: str = "summary") -> None:
        super().__init__(context, emitter)
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode

    def execute(self, request: dict) -> dict:
        values = [float(v) for v in request.get("values", [])]
        self.think(f"{self.mode} of {len(values)} values")
        if not values:
            raise ValueError("no values to summarize")
        if self.mode == "histogram":
            return {"histogram": histogram(values)}
        if self.mode == "normalize":
            return {"normalized": normalize(values)}
        return summarize(values)
'''

ONE_AGENT_TESTS = '''"""The DataSubAgent: summaries, the modes it took over from the legacy copies, failures."""

from __future__ import annotations

import pytest

from app.agents.data_sub_agent import DataSubAgent, summarize


def test_summarizes_the_values(context):
    result = DataSubAgent(context).run({"values": [4, 1, 2.5, 8]})
    assert result.success
    assert result.output == {"count": 4, "mean": 3.875, "min": 1.0, "max": 8.0}


def test_no_values_is_an_unsuccessful_result_not_an_exception(context):
    result = DataSubAgent(context).run({"values": []})
    assert not result.success
    assert "no values" in result.error


def test_modes_taken_over_from_the_legacy_agent(context):
    histogram = DataSubAgent(context, mode="histogram").run({"values": [0, 1, 2, 3, 4]})
    assert histogram.output == {"histogram": [1, 1, 1, 2]}
    normalized = DataSubAgent(context, mode="normalize").run({"values": [2, 4, 6]})
    assert normalized.output == {"normalized": [0.0, 0.5, 1.0]}
    with pytest.raises(ValueError, match="unknown mode"):
        DataSubAgent(context, mode="stddev")


def test_nan_is_summarized_with_a_warning():
    assert summarize([1.0, float("nan")])["warnings"] == ["NaN in input"]
'''


def fold_in_the_modes(files: Files) -> None:
    files.read("app/agents/agent_legacy_massive.py")  # refuse if the legacy agent is already gone
    files.write(AGENT, ONE_AGENT)
    tests = "tests/agents/test_data_sub_agent.py"
    files.write(tests, files.read(tests) + '''

def test_the_one_agent_has_the_legacy_modes(context):
    assert data_sub_agent.DataSubAgent(context, mode="histogram").run({"values": [0, 4]}).output == {
        "histogram": [1, 0, 0, 1]
    }
''')


def delete_the_legacy_agents(files: Files) -> None:
    files.write("tests/agents/test_data_sub_agent.py", ONE_AGENT_TESTS)
    files.delete("app/agents/agent_core_legacy.py")
    files.delete("app/agents/agent_legacy_massive.py")
    files.replace(
        "mission-control.toml",
        '''    "app/agents/agent_core_legacy.py",
    "app/agents/agent_legacy_massive.py",
''',
        "",
    )


TASKS = {
    "bravo1": [
        Step(
            "Fold the legacy DataSubAgent modes into the one DataSubAgent",
            "histogram, normalize and the NaN warning of agent_legacy_massive now live in "
            "data_sub_agent; the legacy copies are still there, so nothing breaks yet.",
            fold_in_the_modes,
        ),
        Step(
            "Delete the two legacy DataSubAgent copies",
            "agent_core_legacy and agent_legacy_massive have no callers left; their tests now cover "
            "the one agent's modes, and the agents component no longer lists them.",
            delete_the_legacy_agents,
        ),
    ],
}
