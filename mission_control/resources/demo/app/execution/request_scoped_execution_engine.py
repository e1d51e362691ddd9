"""An execution engine per request (isolation by construction)."""

from __future__ import annotations

from app.agents.base_agent import AgentResult
from app.execution.execution_engine import ExecutionEngine


class RequestScopedExecutionEngine(ExecutionEngine):
    """Runs agents for one request context; refuses work after ``close``."""

    def __init__(self, context, factory=None) -> None:
        super().__init__(factory)
        self.context = context
        self.results: list[AgentResult] = []
        self.closed = False

    def execute(self, agent_name: str, request: dict) -> AgentResult:
        """Run ``agent_name`` on ``request`` within this request's context."""
        if self.closed:
            raise RuntimeError("execution engine used after its request ended")
        result = self.execute_agent(agent_name, self.context, request)
        self.results.append(result)
        return result

    def close(self) -> None:
        """End the request."""
        self.closed = True
