"""A dispatcher per request, so one user's tool calls never leak into another's."""

from __future__ import annotations

from app.tools.base import ToolResult
from app.tools.tool_registry import create_default_tool_registry
from app.utils.identifiers import timestamped_id


class RequestScopedToolDispatcher:
    """Dispatches tools for one request context; refuses to work after ``close``."""

    def __init__(self, context=None, registry=None) -> None:
        self.context = context
        self.registry = registry if registry is not None else create_default_tool_registry()
        self.history: list[ToolResult] = []
        self.closed = False

    def dispatch(self, tool_name: str, **params) -> ToolResult:
        """Run ``tool_name``; the execution id is tied to this request."""
        if self.closed:
            raise RuntimeError("dispatcher used after its request ended")
        execution_id = timestamped_id("exec")
        try:
            tool = self.registry.get(tool_name)
            result = ToolResult(tool_name, True, output=tool.func(**params), execution_id=execution_id)
        except Exception as exc:
            result = ToolResult(tool_name, False, error=str(exc), execution_id=execution_id)
        self.history.append(result)
        return result

    def close(self) -> None:
        """End the request: later dispatches fail."""
        self.closed = True
