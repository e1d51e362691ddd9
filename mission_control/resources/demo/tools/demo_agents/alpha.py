"""Team Alpha (Critical Path). alpha1, Factory Consolidation: one agent factory instead of two.

Step 1 moves the object pool of ``OptimizedAgentInstanceFactory`` into ``AgentInstanceFactory``
(``pool_size``, 0 = no pooling) and leaves the optimized class as a thin subclass, so nothing else
changes yet. Step 2 moves the callers (the agent service and the tests) to the one factory and
deletes ``app/agents/agent_instance_factory_optimized.py``.

Collision: echo1's new ``tests/conftest.py`` still imports ``reset_optimized_agent_factory`` from
the module deleted here (no textual conflict; the merged suite fails to import).
"""

from __future__ import annotations

from demo_agents.base import Files, Step

FACTORY = "app/agents/agent_instance_factory.py"
OPTIMIZED = "app/agents/agent_instance_factory_optimized.py"

ONE_FACTORY = '''"""The agent instance factory: builds a fresh, user-isolated agent per request.

The single factory of the platform: pooling released agents (once the "optimized" duplicate's
feature) is an option, ``pool_size`` (0, the default, creates a new agent every time).
"""

from __future__ import annotations

import threading
from collections import defaultdict

from app.agents.agent_class_registry import AgentClassRegistry, create_default_class_registry
from app.agents.base_agent import BaseAgent
from app.services.agent_websocket_bridge import AgentWebSocketBridge


class AgentCreationError(Exception):
    """An agent could not be created (unknown type, bad context)."""


class AgentInstanceFactory:
    """Creates agents from a class registry, wiring each to its user's websocket emitter.

    With ``pool_size`` > 0, agents handed back with :meth:`release_agent` are reused (up to
    ``pool_size`` per agent type) instead of creating new ones.
    """

    def __init__(self, class_registry: AgentClassRegistry | None = None, websocket_manager=None,
                 pool_size: int = 0) -> None:
        self.class_registry = class_registry
        self.bridge = AgentWebSocketBridge(websocket_manager) if websocket_manager is not None else None
        self.pool_size = pool_size
        self._pool: dict[str, list[BaseAgent]] = defaultdict(list)
        self._lock = threading.Lock()
        self.created_count = 0
        self.reused_count = 0

    def configure(self, class_registry: AgentClassRegistry | None = None, websocket_manager=None) -> None:
        """Set the registry and/or websocket manager after construction."""
        if class_registry is not None:
            self.class_registry = class_registry
        if websocket_manager is not None:
            self.bridge = AgentWebSocketBridge(websocket_manager)

    def create_agent_instance(self, agent_name: str, context, emitter=None) -> BaseAgent:
        """An agent of type ``agent_name`` for ``context``: a pooled one when available, else a new one.

        Raises:
            AgentCreationError: unknown agent type or missing user.
        """
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
        """Return ``agent`` to the pool; False if pooling is off or the pool for its type is full."""
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
'''

THIN_OPTIMIZED = '''"""The "optimized" agent factory: now just AgentInstanceFactory with pooling turned on.

Kept only until its callers ask ``AgentInstanceFactory(pool_size=...)`` for pooling themselves.
"""

from __future__ import annotations

import threading

from app.agents.agent_instance_factory import AgentCreationError, AgentInstanceFactory
from app.core.config import get_settings

__all__ = [
    "AgentCreationError",
    "OptimizedAgentInstanceFactory",
    "get_optimized_agent_factory",
    "reset_optimized_agent_factory",
]


class OptimizedAgentInstanceFactory(AgentInstanceFactory):
    """AgentInstanceFactory whose pool size defaults to the ``agent_pool_size`` setting."""

    def __init__(self, class_registry=None, websocket_manager=None, pool_size: int | None = None) -> None:
        size = get_settings().agent_pool_size if pool_size is None else pool_size
        super().__init__(class_registry, websocket_manager, pool_size=size)


_optimized_instance: OptimizedAgentInstanceFactory | None = None
_optimized_lock = threading.Lock()


def get_optimized_agent_factory() -> OptimizedAgentInstanceFactory:
    """The process-wide optimized factory (goes away with this module)."""
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
'''

FACTORY_TESTS = '''"""The agent factory, with and without pooling (the optimized duplicate is merged into it)."""

from __future__ import annotations

import functools

import pytest

from app.agents.agent_instance_factory import (
    AgentInstanceFactory,
    configure_agent_instance_factory,
    get_agent_instance_factory,
)
from app.core.config import override_settings
from app.core.user_context import UserExecutionContext
from app.services.agent_service import create_factory

AGENT_TYPES = ["triage", "data", "reporting", "supervisor"]


@pytest.fixture(params=[AgentInstanceFactory, functools.partial(AgentInstanceFactory, pool_size=4)],
                ids=["plain", "pooled"])
def factory_class(request):
    return request.param


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


def test_one_process_wide_factory(ws_manager):
    assert get_agent_instance_factory() is get_agent_instance_factory()
    assert configure_agent_instance_factory(websocket_manager=ws_manager) is get_agent_instance_factory()


def test_pooling_reuses_released_agents(context):
    factory = AgentInstanceFactory(pool_size=1)
    agent = factory.create_agent_instance("data", context)
    extra = factory.create_agent_instance("data", context)
    assert factory.release_agent(agent)
    assert not factory.release_agent(extra)  # the pool holds one
    other = UserExecutionContext.create("user-2")
    reused = factory.create_agent_instance("data", other)
    assert reused is agent and reused.context is other
    assert factory.stats() == {"created": 2, "reused": 1, "pooled": 0}


def test_without_pooling_nothing_is_kept(context):
    factory = AgentInstanceFactory()
    assert not factory.release_agent(factory.create_agent_instance("data", context))


def test_the_settings_turn_pooling_on_and_size_it(ws_manager):
    assert create_factory(ws_manager).pool_size == 0
    override_settings(use_optimized_factory=True, agent_pool_size=7)
    assert create_factory(ws_manager).pool_size == 7
'''


def merge_the_pool(files: Files) -> None:
    files.read(OPTIMIZED)  # refuse if the duplicate is already gone
    files.write(FACTORY, ONE_FACTORY)
    files.write(OPTIMIZED, THIN_OPTIMIZED)


def delete_the_duplicate(files: Files) -> None:
    service = "app/services/agent_service.py"
    files.replace(
        service,
        "from app.agents.agent_instance_factory_optimized import OptimizedAgentInstanceFactory\n",
        "",
    )
    files.replace(
        service,
        '''    """The agent factory the feature flags ask for (plain or optimized)."""
    if get_settings().use_optimized_factory:
        return OptimizedAgentInstanceFactory(websocket_manager=websocket_manager)
    return AgentInstanceFactory(websocket_manager=websocket_manager)
''',
        '''    """The agent factory; the ``use_optimized_factory`` flag turns on pooling (``agent_pool_size``)."""
    settings = get_settings()
    pool_size = settings.agent_pool_size if settings.use_optimized_factory else 0
    return AgentInstanceFactory(websocket_manager=websocket_manager, pool_size=pool_size)
''',
    )
    files.write("tests/agents/test_factory.py", FACTORY_TESTS)
    service_tests = "tests/services/test_agent_service.py"
    files.replace(
        service_tests,
        "from app.agents.agent_instance_factory_optimized import OptimizedAgentInstanceFactory\n",
        "",
    )
    files.replace(
        service_tests,
        '''def test_the_feature_flag_selects_the_optimized_factory(ws_manager):
    override_settings(use_optimized_factory=True)
    assert isinstance(AgentService(ws_manager).factory, OptimizedAgentInstanceFactory)
''',
        '''def test_the_feature_flag_turns_on_agent_pooling(ws_manager):
    override_settings(use_optimized_factory=True)
    assert AgentService(ws_manager).factory.pool_size == 4
''',
    )
    files.delete(OPTIMIZED)


TASKS = {
    "alpha1": [
        Step(
            "Merge the optimized factory's object pool into AgentInstanceFactory",
            "Pooling becomes an option of the one factory (pool_size, off by default); the optimized "
            "class is left as a thin subclass so its callers keep working until the next step.",
            merge_the_pool,
        ),
        Step(
            "Delete the optimized agent factory; callers ask AgentInstanceFactory for pooling",
            "The agent service turns pooling on from the use_optimized_factory flag; the factory tests "
            "cover the one factory with and without a pool.",
            delete_the_duplicate,
        ),
    ],
}
