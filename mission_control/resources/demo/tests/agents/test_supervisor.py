"""The supervisor: triage, sub-agent, report, all on one ordered event stream."""

from __future__ import annotations

from app.agents.agent_instance_factory import AgentInstanceFactory
from app.agents.supervisor_consolidated import SupervisorAgent


def _supervisor(context, ws_manager=None):
    agent = SupervisorAgent(context, websocket_manager=ws_manager)
    agent.factory = AgentInstanceFactory()
    return agent


def test_data_requests_are_summarized_and_reported(context):
    result = _supervisor(context).run({"values": [1, 2, 3]})
    assert result.success
    assert result.output["route"] == "data"
    assert result.output["summary"]["mean"] == 2.0
    assert result.output["report"] == "Report: count=3, mean=2.0, min=1.0, max=3.0"


def test_text_requests_go_straight_to_reporting(context):
    result = _supervisor(context).run({"text": "status please"})
    assert result.output == {"route": "reporting", "summary": None, "report": "Report: status please"}


def test_events_arrive_in_order_on_one_stream(ws_manager, connection, context):
    _supervisor(context, ws_manager).run({"values": [5]})
    agents = [(m["type"], m["payload"].get("agent")) for m in connection.messages]
    assert agents[0] == ("agent_started", "supervisor")
    assert agents[-1] == ("agent_completed", "supervisor")
    assert ("agent_completed", "data") in agents
    assert [m["sequence"] for m in connection.messages] == list(range(1, len(agents) + 1))


def test_a_failing_sub_agent_fails_the_supervisor(ws_manager, connection, context):
    result = _supervisor(context, ws_manager).run({"values": ["not a number"]})
    assert not result.success
    assert result.error.startswith("data failed")
    assert connection.types()[-1] == "agent_error"
