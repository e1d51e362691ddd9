"""The older agent registry: names, descriptions and classes (overlaps AgentClassRegistry)."""

from __future__ import annotations

from app.agents.base_agent import BaseAgent


class AgentRegistry:
    """Registered agents with a description each; can also instantiate them."""

    def __init__(self) -> None:
        self._agents: dict[str, tuple[type, str]] = {}

    def register_agent(self, name: str, agent_class: type, description: str = "") -> None:
        """Register (or replace) an agent class under ``name``."""
        if not issubclass(agent_class, BaseAgent):
            raise TypeError(f"{agent_class!r} is not an agent class")
        self._agents[name] = (agent_class, description)

    def get_agent_class(self, name: str) -> type:
        """The class of agent ``name`` (KeyError naming it if unknown)."""
        if name not in self._agents:
            raise KeyError(f"unknown agent {name!r}")
        return self._agents[name][0]

    def describe(self, name: str) -> str:
        """The description given at registration."""
        return self._agents[name][1]

    def list_agents(self) -> list[str]:
        """Every registered agent name, sorted."""
        return sorted(self._agents)

    def create(self, name: str, context, emitter=None) -> BaseAgent:
        """Instantiate agent ``name`` (a second factory, living in a registry)."""
        return self.get_agent_class(name)(context, emitter=emitter)

    def register_default_agents(self) -> None:
        """Register every built-in agent with its description."""
        from app.agents.data_sub_agent import DataSubAgent
        from app.agents.reporting_agent import ReportingAgent
        from app.agents.supervisor_consolidated import SupervisorAgent
        from app.agents.triage_agent import TriageAgent

        self.register_agent("triage", TriageAgent, "routes requests")
        self.register_agent("data", DataSubAgent, "summarizes numeric data")
        self.register_agent("reporting", ReportingAgent, "writes reports")
        self.register_agent("supervisor", SupervisorAgent, "orchestrates the other agents")
