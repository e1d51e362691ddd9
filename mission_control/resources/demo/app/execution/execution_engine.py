"""The base execution engine."""

from __future__ import annotations

import uuid

from app.agents.base_agent import AgentResult


def generate_run_id() -> str:
    """A run id (yet another copy of the run id helper)."""
    return f"run_{uuid.uuid4().hex[:12]}"


class ExecutionEngine:
    """Creates an agent through the factory and runs one request with it."""

    def __init__(self, factory=None) -> None:
        if factory is None:
            from app.agents.agent_instance_factory import get_agent_instance_factory

            factory = get_agent_instance_factory()
        self.factory = factory
        self.executions = 0

    def execute_agent(self, agent_name: str, context, request: dict) -> AgentResult:
        """Run ``agent_name`` on ``request`` for ``context``."""
        self.executions += 1
        agent = self.factory.create_agent_instance(agent_name, context)
        return agent.run(request)
