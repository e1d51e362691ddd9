"""The agent service end to end: a user message in, websocket events and a report out."""

from __future__ import annotations

from app.agents.agent_instance_factory_optimized import OptimizedAgentInstanceFactory
from app.core.config import override_settings
from app.services.agent_service import AgentService


def test_a_message_is_acknowledged_answered_and_streamed(ws_manager, connection):
    result = AgentService(ws_manager).handle_message("user-1", {"values": [3, 5], "text": "stats"})
    assert result.success
    assert result.output["report"] == "Report: count=2, mean=4.0, min=3.0, max=5.0"
    assert connection.types()[0] == "message_received"
    assert connection.types()[-1] == "agent_completed"


def test_the_feature_flag_selects_the_optimized_factory(ws_manager):
    override_settings(use_optimized_factory=True)
    assert isinstance(AgentService(ws_manager).factory, OptimizedAgentInstanceFactory)
