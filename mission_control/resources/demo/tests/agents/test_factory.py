"""The agent factories: the plain one and its "optimized" duplicate must behave alike."""

from __future__ import annotations

import pytest

from app.agents.agent_instance_factory import (
    AgentInstanceFactory,
    configure_agent_instance_factory,
    get_agent_instance_factory,
)
from app.agents.agent_instance_factory_optimized import (
    OptimizedAgentInstanceFactory,
    get_optimized_agent_factory,
    reset_optimized_agent_factory,
)
from app.core.config import override_settings
from app.core.user_context import UserExecutionContext

AGENT_TYPES = ["triage", "data", "reporting", "supervisor"]


@pytest.fixture(params=[AgentInstanceFactory, OptimizedAgentInstanceFactory], ids=["plain", "optimized"])
def factory_class(request):
    yield request.param
    reset_optimized_agent_factory()


def test_creates_every_agent_type_for_the_context(factory_class, context):
    factory = factory_class()
    for name in AGENT_TYPES:
        agent = factory.create_agent_instance(name, context)
        assert agent.name == name
        assert agent.context is context
        assert agent.factory is factory
    assert factory.created_count == len(AGENT_TYPES)


def test_unknown_type_and_missing_context_are_refused(factory_class, context):
    factory = factory_class()
    with pytest.raises(Exception, match="unknown agent type 'oracle'") as info:
        factory.create_agent_instance("oracle", context)
    assert type(info.value).__name__ == "AgentCreationError"
    with pytest.raises(Exception, match="context is required"):
        factory.create_agent_instance("data", None)


def test_created_agents_report_to_their_user(factory_class, ws_manager, connection, context):
    factory = factory_class(websocket_manager=ws_manager)
    result = factory.create_agent_instance("data", context).run({"values": [1, 2, 3]})
    assert result.success
    assert connection.types() == ["agent_started", "agent_thinking", "agent_completed"]
    assert {m["run_id"] for m in connection.messages} == {context.run_id}


def test_each_request_gets_a_new_instance(context):
    factory = AgentInstanceFactory()
    first = factory.create_agent_instance("data", context)
    second = factory.create_agent_instance("data", UserExecutionContext.create("user-2"))
    assert first is not second
    assert first.agent_id != second.agent_id


def test_singletons_are_shared_per_factory_kind(ws_manager):
    assert get_agent_instance_factory() is get_agent_instance_factory()
    assert configure_agent_instance_factory(websocket_manager=ws_manager) is get_agent_instance_factory()
    assert get_optimized_agent_factory() is get_optimized_agent_factory()
    reset_optimized_agent_factory()


def test_optimized_factory_reuses_released_agents(context):
    factory = OptimizedAgentInstanceFactory(pool_size=1)
    agent = factory.create_agent_instance("data", context)
    extra = factory.create_agent_instance("data", context)
    assert factory.release_agent(agent)
    assert not factory.release_agent(extra)  # the pool holds one
    other = UserExecutionContext.create("user-2")
    reused = factory.create_agent_instance("data", other)
    assert reused is agent and reused.context is other
    assert factory.stats() == {"created": 2, "reused": 1, "pooled": 0}


def test_pool_size_comes_from_the_settings():
    override_settings(agent_pool_size=7)
    assert OptimizedAgentInstanceFactory().pool_size == 7
