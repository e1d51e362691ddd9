"""AgentRegistry and AgentClassRegistry: two registries that must agree (until merged)."""

from __future__ import annotations

import pytest

from app.agents.agent_class_registry import AgentClassRegistry, create_default_class_registry
from app.agents.agent_registry import AgentRegistry
from app.agents.data_sub_agent import DataSubAgent


def test_default_class_registry_is_complete_and_frozen():
    registry = create_default_class_registry()
    assert registry.names() == ["data", "reporting", "supervisor", "triage"]
    with pytest.raises(RuntimeError, match="frozen"):
        registry.register("extra", DataSubAgent)


def test_class_registry_refuses_duplicates_and_names_unknown_types():
    registry = AgentClassRegistry()
    registry.register("data", DataSubAgent)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("data", DataSubAgent)
    with pytest.raises(KeyError, match="oracle"):
        registry.get("oracle")
    assert "data" in registry and len(registry) == 1


def test_both_registries_know_the_same_agents():
    legacy = AgentRegistry()
    legacy.register_default_agents()
    modern = create_default_class_registry()
    assert legacy.list_agents() == modern.names()
    for name in modern.names():
        assert legacy.get_agent_class(name) is modern.get(name)


def test_agent_registry_creates_agents_and_checks_classes(context):
    registry = AgentRegistry()
    registry.register_agent("data", DataSubAgent, "summarizes numeric data")
    assert registry.describe("data") == "summarizes numeric data"
    assert isinstance(registry.create("data", context), DataSubAgent)
    with pytest.raises(TypeError):
        registry.register_agent("bad", dict)
