"""The unified tool registry (second of two): tools by name and by category."""

from __future__ import annotations

from collections import defaultdict

from app.tools.base import Tool, ToolNotFoundError, builtin_tools


class UnifiedToolRegistry:
    """Tools by name, also listable by category; duplicate names are refused."""

    def __init__(self, include_builtins: bool = True) -> None:
        self._tools: dict[str, Tool] = {}
        self._categories: dict[str, list[str]] = defaultdict(list)
        if include_builtins:
            for tool in builtin_tools():
                self.register(tool)

    def register(self, tool: Tool) -> None:
        """Add ``tool``; ValueError if its name is taken."""
        if tool.name in self._tools:
            raise ValueError(f"tool {tool.name!r} is already registered")
        self._tools[tool.name] = tool
        self._categories[tool.category].append(tool.name)

    def get(self, name: str) -> Tool:
        """The tool called ``name`` (ToolNotFoundError naming it otherwise)."""
        if name not in self._tools:
            raise ToolNotFoundError(f"no tool named {name!r}")
        return self._tools[name]

    def names(self) -> list[str]:
        """Every tool name, sorted."""
        return sorted(self._tools)

    def by_category(self, category: str) -> list[str]:
        """Tool names in ``category``, sorted."""
        return sorted(self._categories.get(category, []))
