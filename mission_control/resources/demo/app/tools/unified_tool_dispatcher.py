"""UnifiedToolDispatcher: the planned single dispatcher (strategy pattern), half adopted."""

from __future__ import annotations

from app.tools.base import ToolResult
from app.tools.tool_dispatcher import generate_execution_id
from app.tools.unified_tool_registry import UnifiedToolRegistry


def default_strategy(tool, params: dict) -> object:
    """Call the tool with its parameters."""
    return tool.func(**params)


class UnifiedToolDispatcher:
    """Dispatches through a pluggable strategy ``(tool, params) -> output``."""

    def __init__(self, registry=None, strategy=None) -> None:
        self.registry = registry if registry is not None else UnifiedToolRegistry()
        self.strategy = strategy or default_strategy
        self.history: list[ToolResult] = []

    def dispatch(self, tool_name: str, **params) -> ToolResult:
        """Run ``tool_name`` through the strategy; errors become an unsuccessful result."""
        execution_id = generate_execution_id()
        try:
            output = self.strategy(self.registry.get(tool_name), params)
            result = ToolResult(tool_name, True, output=output, execution_id=execution_id)
        except Exception as exc:
            result = ToolResult(tool_name, False, error=str(exc), execution_id=execution_id)
        self.history.append(result)
        return result
