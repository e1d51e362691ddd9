"""Per-connection user emitter (copy made for the connection-scoped manager)."""

from __future__ import annotations


class UserWebSocketEmitter:
    """Emits agent events to a user over a (connection-scoped) websocket manager."""

    def __init__(self, manager, user_id: str, thread_id: str | None = None, run_id: str | None = None) -> None:
        self.manager = manager
        self.user_id = user_id
        self.thread_id = thread_id
        self.run_id = run_id
        self.events_sent = 0
        self.events_dropped = 0

    def emit(self, event_type: str, payload: dict | None = None) -> dict:
        """Send one event and return the message."""
        if not event_type:
            raise ValueError("event_type must not be empty")
        self.events_sent += 1
        message = self._build(event_type, payload)
        delivered = self.manager.send_to_user(self.user_id, message)
        if not delivered:
            self.events_dropped += 1
        return message

    def _build(self, event_type: str, payload: dict | None) -> dict:
        return {
            "type": event_type,
            "user_id": self.user_id,
            "thread_id": self.thread_id,
            "run_id": self.run_id,
            "sequence": self.events_sent,
            "payload": dict(payload or {}),
        }

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
