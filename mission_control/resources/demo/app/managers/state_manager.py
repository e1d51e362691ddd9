"""Run state managers."""

from __future__ import annotations


class StateManager:
    """Key-value state per run id."""

    def __init__(self) -> None:
        self._state: dict[str, dict] = {}

    def set(self, run_id: str, key: str, value: object) -> None:
        """Store ``value`` under ``key`` for ``run_id``."""
        self._state.setdefault(run_id, {})[key] = value

    def get(self, run_id: str, key: str, default: object = None) -> object:
        """The stored value, or ``default``."""
        return self._state.get(run_id, {}).get(key, default)

    def clear(self, run_id: str) -> None:
        """Forget everything about ``run_id``."""
        self._state.pop(run_id, None)


class AgentStateManager(StateManager):
    """State per (run, agent): a StateManager with composite keys."""

    def set_agent_state(self, run_id: str, agent: str, value: object) -> None:
        """Store the state of ``agent`` in ``run_id``."""
        self.set(run_id, f"agent:{agent}", value)

    def get_agent_state(self, run_id: str, agent: str) -> object:
        """The state of ``agent`` in ``run_id`` (None if unset)."""
        return self.get(run_id, f"agent:{agent}")
