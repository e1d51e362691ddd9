"""A dispatcher that guards admin-only tools."""

from __future__ import annotations

from app.tools.base import ToolResult
from app.tools.tool_dispatcher import ToolDispatcher, generate_execution_id


class AdminToolDispatcher(ToolDispatcher):
    """Like ToolDispatcher, but tools in ``admin_tools`` need ``is_admin``."""

    def __init__(self, registry=None, admin_tools: tuple[str, ...] = ("shutdown",),
                 is_admin: bool = False) -> None:
        super().__init__(registry)
        self.admin_tools = set(admin_tools)
        self.is_admin = is_admin

    def dispatch(self, tool_name: str, **params) -> ToolResult:
        """Refuse admin tools for non-admins, otherwise dispatch normally."""
        if tool_name in self.admin_tools and not self.is_admin:
            result = ToolResult(tool_name, False, error=f"tool {tool_name!r} needs admin rights",
                                execution_id=generate_execution_id())
            self.history.append(result)
            return result
        return super().dispatch(tool_name, **params)
