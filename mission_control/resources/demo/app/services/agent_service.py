"""The agent service: what the chat endpoint calls for every user message."""

from __future__ import annotations

from app.agents.agent_instance_factory import AgentInstanceFactory
from app.agents.agent_instance_factory_optimized import OptimizedAgentInstanceFactory
from app.agents.base_agent import AgentResult
from app.core.config import get_settings
from app.core.user_context import UserExecutionContext
from app.services.websocket_emitter import UserWebSocketEmitter
from app.websocket_core.manager import get_websocket_manager


def create_factory(websocket_manager):
    """The agent factory the feature flags ask for (plain or optimized)."""
    if get_settings().use_optimized_factory:
        return OptimizedAgentInstanceFactory(websocket_manager=websocket_manager)
    return AgentInstanceFactory(websocket_manager=websocket_manager)


class AgentService:
    """Handles a user message: acknowledges it, then runs the supervisor on it."""

    def __init__(self, websocket_manager=None, factory=None) -> None:
        self.websocket_manager = websocket_manager if websocket_manager is not None else get_websocket_manager()
        self.factory = factory if factory is not None else create_factory(self.websocket_manager)

    def handle_message(self, user_id: str, message: dict, thread_id: str | None = None) -> AgentResult:
        """Run the supervisor for ``message``; every event reaches the user's connections."""
        context = UserExecutionContext.create(user_id, thread_id)
        emitter = UserWebSocketEmitter(
            self.websocket_manager, user_id, thread_id=context.thread_id, run_id=context.run_id
        )
        emitter.emit("message_received", {"text": message.get("text", "")})
        supervisor = self.factory.create_agent_instance("supervisor", context, emitter=emitter)
        return supervisor.run(message)
