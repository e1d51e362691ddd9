"""The MCP execution engine: runs a plan of tool calls in order."""

from __future__ import annotations

from app.tools.base import ToolResult
from app.tools.unified_tool_dispatcher import UnifiedToolDispatcher


class MCPExecutionEngine:
    """Executes ``[(tool, params), ...]`` through a dispatcher, stopping at the first failure."""

    def __init__(self, dispatcher=None) -> None:
        self.dispatcher = dispatcher if dispatcher is not None else UnifiedToolDispatcher()

    def execute_tool_plan(self, steps: list[tuple[str, dict]]) -> list[ToolResult]:
        """The results of the steps that ran (the last one failed if the plan stopped early)."""
        results = []
        for tool_name, params in steps:
            result = self.dispatcher.dispatch(tool_name, **params)
            results.append(result)
            if not result.success:
                break
        return results
