"""Agents: the base class, the agent types, their registries and the factories that build them."""
