"""A dispatcher that retries and reports tool calls to the user's websocket."""

from __future__ import annotations

from app.core.config import get_settings
from app.tools.base import ToolNotFoundError, ToolResult
from app.tools.tool_dispatcher import generate_execution_id
from app.tools.unified_tool_registry import UnifiedToolRegistry


class EnhancedToolDispatcher:
    """Dispatch with retries; sends tool_executing/tool_completed through ``emitter``."""

    def __init__(self, registry=None, emitter=None, max_retries: int | None = None) -> None:
        self.registry = registry if registry is not None else UnifiedToolRegistry()
        self.emitter = emitter
        self.max_retries = get_settings().max_tool_retries if max_retries is None else max_retries
        self.history: list[ToolResult] = []

    def dispatch(self, tool_name: str, **params) -> ToolResult:
        """Run ``tool_name``, retrying failures up to ``max_retries`` times."""
        if self.emitter is not None:
            self.emitter.notify_tool_executing(tool_name, params)
        result = self._attempt(tool_name, params)
        if self.emitter is not None:
            self.emitter.notify_tool_completed(tool_name, result.output if result.success else result.error)
        self.history.append(result)
        return result

    def _attempt(self, tool_name: str, params: dict) -> ToolResult:
        execution_id = generate_execution_id()
        error = ""
        for _ in range(self.max_retries + 1):
            try:
                output = self.registry.get(tool_name).func(**params)
                return ToolResult(tool_name, True, output=output, execution_id=execution_id)
            except ToolNotFoundError as exc:
                return ToolResult(tool_name, False, error=str(exc), execution_id=execution_id)
            except Exception as exc:  # retry anything else
                error = str(exc)
        return ToolResult(tool_name, False, error=error, execution_id=execution_id)
