"""The original tool dispatcher."""

from __future__ import annotations

import uuid

from app.tools.base import ToolResult
from app.tools.tool_registry import create_default_tool_registry


def generate_execution_id() -> str:
    """A new tool execution id: ``exec_`` and 12 hex digits."""
    return f"exec_{uuid.uuid4().hex[:12]}"


class ToolDispatcher:
    """Looks a tool up and calls it; every call is kept in ``history``."""

    def __init__(self, registry=None) -> None:
        self.registry = registry if registry is not None else create_default_tool_registry()
        self.history: list[ToolResult] = []

    def dispatch(self, tool_name: str, **params) -> ToolResult:
        """Run ``tool_name`` with ``params``; errors become an unsuccessful result."""
        execution_id = generate_execution_id()
        try:
            output = self.registry.get(tool_name).func(**params)
            result = ToolResult(tool_name, True, output=output, execution_id=execution_id)
        except Exception as exc:  # tool failures are reported to the agent, not raised
            result = ToolResult(tool_name, False, error=str(exc), execution_id=execution_id)
        self.history.append(result)
        return result
