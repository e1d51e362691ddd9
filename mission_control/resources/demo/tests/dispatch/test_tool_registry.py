"""ToolRegistry and UnifiedToolRegistry."""

from __future__ import annotations

import pytest

from app.tools.base import Tool, ToolNotFoundError
from app.tools.tool_registry import create_default_tool_registry
from app.tools.unified_tool_registry import UnifiedToolRegistry


def test_both_registries_hold_the_builtin_tools():
    assert create_default_tool_registry().names() == UnifiedToolRegistry().names()
    with pytest.raises(ToolNotFoundError, match="'teleport'"):
        create_default_tool_registry().get("teleport")


def test_unified_registry_groups_by_category_and_refuses_duplicates():
    registry = UnifiedToolRegistry()
    assert registry.by_category("text") == ["upper", "word_count"]
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Tool("echo", print))
