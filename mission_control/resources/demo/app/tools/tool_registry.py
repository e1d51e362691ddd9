"""The tool registry (first of two)."""

from __future__ import annotations

from app.tools.base import Tool, ToolNotFoundError, builtin_tools


class ToolRegistry:
    """Tools by name."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def register(self, tool: Tool) -> None:
        """Add or replace ``tool``."""
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool:
        """The tool called ``name`` (ToolNotFoundError naming it otherwise)."""
        try:
            return self._tools[name]
        except KeyError:
            raise ToolNotFoundError(f"no tool named {name!r}") from None

    def names(self) -> list[str]:
        """Every tool name, sorted."""
        return sorted(self._tools)


def create_default_tool_registry() -> ToolRegistry:
    """A registry holding the built-in tools."""
    registry = ToolRegistry()
    for tool in builtin_tools():
        registry.register(tool)
    return registry
