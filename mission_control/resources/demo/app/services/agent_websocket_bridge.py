"""The bridge between agents and websockets: gives each agent run its emitter.

It carries its own copy of the emitter class, used right here by the bridge.
"""

from __future__ import annotations

from app.core.user_context import UserExecutionContext


class UserWebSocketEmitter:
    """Emitter copy kept next to the bridge "to avoid a circular import"."""

    def __init__(self, manager, user_id: str, thread_id: str | None = None, run_id: str | None = None) -> None:
        self.manager = manager
        self.user_id = user_id
        self.thread_id = thread_id
        self.run_id = run_id
        self.events_sent = 0
        self.events_dropped = 0

    def emit(self, event_type: str, payload: dict | None = None) -> dict:
        """Send one event; returns the message."""
        if not event_type:
            raise ValueError("event_type must not be empty")
        self.events_sent += 1
        message = {
            "type": event_type,
            "user_id": self.user_id,
            "thread_id": self.thread_id,
            "run_id": self.run_id,
            "sequence": self.events_sent,
            "payload": dict(payload or {}),
        }
        if self.manager.send_to_user(self.user_id, message) == 0:
            self.events_dropped += 1
        return message

    def notify_agent_started(self, agent_name: str) -> dict:
        return self.emit("agent_started", {"agent": agent_name})

    def notify_agent_thinking(self, agent_name: str, thought: str) -> dict:
        return self.emit("agent_thinking", {"agent": agent_name, "thought": thought})

    def notify_tool_executing(self, tool_name: str, params: dict | None = None) -> dict:
        return self.emit("tool_executing", {"tool": tool_name, "params": dict(params or {})})

    def notify_tool_completed(self, tool_name: str, result: object) -> dict:
        return self.emit("tool_completed", {"tool": tool_name, "result": result})

    def notify_agent_completed(self, agent_name: str, result: object) -> dict:
        return self.emit("agent_completed", {"agent": agent_name, "result": result})

    def notify_agent_error(self, agent_name: str, error: str) -> dict:
        return self.emit("agent_error", {"agent": agent_name, "error": error})


class AgentWebSocketBridge:
    """Creates the emitter of one agent run and keeps track of the runs it served."""

    def __init__(self, manager) -> None:
        self.manager = manager
        self.runs: list[str] = []

    def emitter_for(self, context: UserExecutionContext) -> UserWebSocketEmitter:
        """The emitter for the run described by ``context``."""
        self.runs.append(context.run_id)
        return UserWebSocketEmitter(
            self.manager, context.user_id, thread_id=context.thread_id, run_id=context.run_id
        )
