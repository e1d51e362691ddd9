"""Execution engines: run agents and tool plans."""

from __future__ import annotations

import pytest

from app.agents.agent_instance_factory import AgentInstanceFactory
from app.execution.execution_engine import ExecutionEngine
from app.execution.mcp_execution_engine import MCPExecutionEngine
from app.execution.request_scoped_execution_engine import RequestScopedExecutionEngine
from app.execution.user_execution_engine import UserExecutionEngine


def test_execution_engine_runs_an_agent(context):
    engine = ExecutionEngine(AgentInstanceFactory())
    result = engine.execute_agent("reporting", context, {"text": "hello"})
    assert result.output == "Report: hello"
    assert engine.executions == 1


def test_user_engine_streams_every_event_through_one_emitter(ws_manager, connection, context):
    engine = UserExecutionEngine(context, ws_manager, factory=AgentInstanceFactory())
    assert engine.execute("data", {"values": [2, 4]}).output["mean"] == 3.0
    assert connection.types() == ["execution_started", "agent_started", "agent_thinking", "agent_completed"]
    assert [m["sequence"] for m in connection.messages] == [1, 2, 3, 4]


def test_request_scoped_engine_keeps_results_and_closes(context):
    engine = RequestScopedExecutionEngine(context, factory=AgentInstanceFactory())
    engine.execute("triage", {"values": [1]})
    assert engine.results[0].output["route"] == "data"
    engine.close()
    with pytest.raises(RuntimeError, match="after its request ended"):
        engine.execute("triage", {})


def test_mcp_engine_stops_at_the_first_failing_step():
    results = MCPExecutionEngine().execute_tool_plan(
        [("upper", {"text": "a"}), ("nope", {}), ("echo", {"text": "never"})]
    )
    assert [(r.tool, r.success) for r in results] == [("upper", True), ("nope", False)]
