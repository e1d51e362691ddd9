"""The per-user execution engine: one engine per user, with its own emitter."""

from __future__ import annotations

from app.agents.base_agent import AgentResult
from app.execution.execution_engine import ExecutionEngine
from app.websocket_core.unified_emitter import UserWebSocketEmitter as ExecutionEmitter


class UserExecutionEngine(ExecutionEngine):
    """Runs agents for one user context; every event goes through one emitter."""

    def __init__(self, context, websocket_manager, factory=None) -> None:
        super().__init__(factory)
        self.context = context
        self.emitter = ExecutionEmitter(
            websocket_manager, context.user_id, thread_id=context.thread_id, run_id=context.run_id
        )

    def execute(self, agent_name: str, request: dict) -> AgentResult:
        """Run ``agent_name`` on ``request``, announcing the execution first."""
        self.executions += 1
        self.emitter.emit("execution_started", {"agent": agent_name})
        agent = self.factory.create_agent_instance(agent_name, self.context, emitter=self.emitter)
        return agent.run(request)
