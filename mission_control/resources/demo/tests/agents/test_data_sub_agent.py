"""The three DataSubAgent implementations give the same summaries."""

from __future__ import annotations

import pytest

from app.agents import agent_core_legacy, agent_legacy_massive, data_sub_agent

IMPLEMENTATIONS = [
    data_sub_agent.DataSubAgent,
    agent_core_legacy.DataSubAgent,
    agent_legacy_massive.DataSubAgent,
]


@pytest.mark.parametrize("agent_class", IMPLEMENTATIONS, ids=["modern", "core_legacy", "legacy_massive"])
def test_every_implementation_summarizes_alike(agent_class, context):
    result = agent_class(context).run({"values": [4, 1, 2.5, 8]})
    assert result.success
    assert result.output == {"count": 4, "mean": 3.875, "min": 1.0, "max": 8.0}


def test_no_values_is_an_unsuccessful_result_not_an_exception(context):
    result = data_sub_agent.DataSubAgent(context).run({"values": []})
    assert not result.success
    assert "no values" in result.error


def test_legacy_massive_modes(context):
    histogram = agent_legacy_massive.DataSubAgent(context, mode="histogram").run({"values": [0, 1, 2, 3, 4]})
    assert histogram.output == {"histogram": [1, 1, 1, 2]}
    normalized = agent_legacy_massive.DataSubAgent(context, mode="normalize").run({"values": [2, 4, 6]})
    assert normalized.output == {"normalized": [0.0, 0.5, 1.0]}
    with pytest.raises(ValueError, match="unknown mode"):
        agent_legacy_massive.DataSubAgent(context, mode="stddev")
