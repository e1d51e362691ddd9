"""The "optimized" agent factory: the same factory plus an object pool and its own singleton.

The factory consolidation merges this into ``agent_instance_factory.py`` (pooling as a flag).
"""

from __future__ import annotations

import threading
from collections import defaultdict

from app.agents.agent_class_registry import AgentClassRegistry, create_default_class_registry
from app.agents.base_agent import BaseAgent
from app.core.config import get_settings
from app.services.agent_websocket_bridge import AgentWebSocketBridge


class AgentCreationError(Exception):
    """An agent could not be created (duplicate of the plain factory's error)."""


class OptimizedAgentInstanceFactory:
    """Creates agents like AgentInstanceFactory, reusing released instances from a pool."""

    def __init__(self, class_registry: AgentClassRegistry | None = None, websocket_manager=None,
                 pool_size: int | None = None) -> None:
        self.class_registry = class_registry
        self.bridge = AgentWebSocketBridge(websocket_manager) if websocket_manager is not None else None
        self.pool_size = get_settings().agent_pool_size if pool_size is None else pool_size
        self._pool: dict[str, list[BaseAgent]] = defaultdict(list)
        self._lock = threading.Lock()
        self.created_count = 0
        self.reused_count = 0

    def create_agent_instance(self, agent_name: str, context, emitter=None) -> BaseAgent:
        """An agent for ``context``: a pooled one when available, else a new one."""
        if context is None or not getattr(context, "user_id", None):
            raise AgentCreationError("a user execution context is required")
        agent_class = self._lookup(agent_name)
        if emitter is None and self.bridge is not None:
            emitter = self.bridge.emitter_for(context)
        with self._lock:
            pooled = self._pool[agent_name].pop() if self._pool[agent_name] else None
        if pooled is not None:
            pooled.reset(context, emitter)
            self.reused_count += 1
            return pooled
        agent = agent_class(context, emitter=emitter)
        agent.factory = self
        self.created_count += 1
        return agent

    def release_agent(self, agent: BaseAgent) -> bool:
        """Return ``agent`` to the pool; False if the pool for its type is full."""
        with self._lock:
            pool = self._pool[agent.name]
            if len(pool) >= self.pool_size:
                return False
            agent.reset(None, None)
            pool.append(agent)
            return True

    def stats(self) -> dict:
        """Created, reused and currently pooled instance counts."""
        pooled = sum(len(pool) for pool in self._pool.values())
        return {"created": self.created_count, "reused": self.reused_count, "pooled": pooled}

    def _lookup(self, agent_name: str) -> type:
        if self.class_registry is None:
            self.class_registry = create_default_class_registry()
        if agent_name not in self.class_registry:
            raise AgentCreationError(f"unknown agent type {agent_name!r}")
        return self.class_registry.get(agent_name)


_optimized_instance: OptimizedAgentInstanceFactory | None = None
_optimized_lock = threading.Lock()


def get_optimized_agent_factory() -> OptimizedAgentInstanceFactory:
    """The process-wide optimized factory (a second singleton next to the plain one)."""
    global _optimized_instance
    if _optimized_instance is None:
        with _optimized_lock:
            if _optimized_instance is None:
                _optimized_instance = OptimizedAgentInstanceFactory()
    return _optimized_instance


def reset_optimized_agent_factory() -> None:
    """Drop the process-wide optimized factory (tests)."""
    global _optimized_instance
    _optimized_instance = None
