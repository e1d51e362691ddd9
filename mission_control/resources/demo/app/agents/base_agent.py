"""The agent base class: run a request, report progress through a websocket emitter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


def generate_agent_id(agent_name: str) -> str:
    """A new agent instance id: ``agent_<name>_`` and 8 hex digits."""
    return f"agent_{agent_name}_{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class AgentResult:
    """What one agent run produced."""

    agent: str
    success: bool
    output: object = None
    error: str | None = None


class BaseAgent:
    """An agent: ``run`` wraps ``execute`` with started/completed/error events.

    The emitter is optional (batch jobs have no websocket); the factory is set by the agent
    factory so agents can create sub-agents.
    """

    name = "base"

    def __init__(self, context, emitter=None) -> None:
        self.context = context
        self.emitter = emitter
        self.factory = None
        self.agent_id = generate_agent_id(self.name)
        self.runs = 0

    def run(self, request: dict) -> AgentResult:
        """Execute ``request``; failures become an unsuccessful result, never an exception."""
        self.runs += 1
        self._notify("notify_agent_started", self.name)
        try:
            output = self.execute(request)
        except Exception as exc:  # an agent failure must not kill the user's session
            self._notify("notify_agent_error", self.name, str(exc))
            return AgentResult(self.name, False, error=str(exc))
        self._notify("notify_agent_completed", self.name, output)
        return AgentResult(self.name, True, output=output)

    def execute(self, request: dict) -> object:
        """Do the work; subclasses override."""
        raise NotImplementedError(f"{type(self).__name__} does not implement execute()")

    def think(self, thought: str) -> None:
        """Send a progress note to the user."""
        self._notify("notify_agent_thinking", self.name, thought)

    def reset(self, context, emitter=None) -> None:
        """Reuse this instance for another run (object pooling)."""
        self.context = context
        self.emitter = emitter

    def _notify(self, method: str, *args) -> None:
        if self.emitter is not None:
            getattr(self.emitter, method)(*args)
