"""The agent instance factory: builds a fresh, user-isolated agent per request."""

from __future__ import annotations

import threading

from app.agents.agent_class_registry import AgentClassRegistry, create_default_class_registry
from app.agents.base_agent import BaseAgent
from app.services.agent_websocket_bridge import AgentWebSocketBridge


class AgentCreationError(Exception):
    """An agent could not be created (unknown type, bad context)."""


class AgentInstanceFactory:
    """Creates agents from a class registry, wiring each to its user's websocket emitter."""

    def __init__(self, class_registry: AgentClassRegistry | None = None, websocket_manager=None) -> None:
        self.class_registry = class_registry
        self.bridge = AgentWebSocketBridge(websocket_manager) if websocket_manager is not None else None
        self.created_count = 0

    def configure(self, class_registry: AgentClassRegistry | None = None, websocket_manager=None) -> None:
        """Set the registry and/or websocket manager after construction."""
        if class_registry is not None:
            self.class_registry = class_registry
        if websocket_manager is not None:
            self.bridge = AgentWebSocketBridge(websocket_manager)

    def create_agent_instance(self, agent_name: str, context, emitter=None) -> BaseAgent:
        """A new agent of type ``agent_name`` for ``context``.

        Raises:
            AgentCreationError: unknown agent type or missing user.
        """
        if context is None or not getattr(context, "user_id", None):
            raise AgentCreationError("a user execution context is required")
        agent_class = self._lookup(agent_name)
        if emitter is None and self.bridge is not None:
            emitter = self.bridge.emitter_for(context)
        agent = agent_class(context, emitter=emitter)
        agent.factory = self
        self.created_count += 1
        return agent

    def _lookup(self, agent_name: str) -> type:
        if self.class_registry is None:
            self.class_registry = create_default_class_registry()
        if agent_name not in self.class_registry:
            raise AgentCreationError(f"unknown agent type {agent_name!r}")
        return self.class_registry.get(agent_name)


_factory_instance: AgentInstanceFactory | None = None
_factory_lock = threading.Lock()


def get_agent_instance_factory() -> AgentInstanceFactory:
    """The process-wide factory (a singleton, created on first use)."""
    global _factory_instance
    if _factory_instance is None:
        with _factory_lock:
            if _factory_instance is None:
                _factory_instance = AgentInstanceFactory()
    return _factory_instance


def configure_agent_instance_factory(class_registry=None, websocket_manager=None) -> AgentInstanceFactory:
    """Configure the process-wide factory and return it."""
    factory = get_agent_instance_factory()
    factory.configure(class_registry=class_registry, websocket_manager=websocket_manager)
    return factory


def reset_agent_instance_factory() -> None:
    """Drop the process-wide factory (tests)."""
    global _factory_instance
    _factory_instance = None
