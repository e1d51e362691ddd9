"""The agent class registry: agent type name -> class (used by the factories)."""

from __future__ import annotations


class AgentClassRegistry:
    """Maps agent type names to classes; frozen after start-up so nothing changes mid-run."""

    def __init__(self) -> None:
        self._classes: dict[str, type] = {}
        self._frozen = False

    def register(self, name: str, agent_class: type) -> None:
        """Add ``agent_class`` under ``name`` (refused once frozen or if taken)."""
        if self._frozen:
            raise RuntimeError("agent class registry is frozen")
        if name in self._classes:
            raise ValueError(f"agent type {name!r} is already registered")
        self._classes[name] = agent_class

    def get(self, name: str) -> type:
        """The class registered as ``name`` (KeyError naming it if there is none)."""
        try:
            return self._classes[name]
        except KeyError:
            raise KeyError(f"no agent type {name!r}") from None

    def names(self) -> list[str]:
        """Every registered type name, sorted."""
        return sorted(self._classes)

    def freeze(self) -> None:
        """Refuse registrations from now on."""
        self._frozen = True

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __len__(self) -> int:
        return len(self._classes)


def create_default_class_registry() -> AgentClassRegistry:
    """A frozen registry with every built-in agent type."""
    from app.agents.data_sub_agent import DataSubAgent
    from app.agents.reporting_agent import ReportingAgent
    from app.agents.supervisor_consolidated import SupervisorAgent
    from app.agents.triage_agent import TriageAgent

    registry = AgentClassRegistry()
    for agent_class in (TriageAgent, DataSubAgent, ReportingAgent, SupervisorAgent):
        registry.register(agent_class.name, agent_class)
    registry.freeze()
    return registry
