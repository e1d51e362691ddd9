"""The five tool dispatchers: same results for the same calls."""

from __future__ import annotations

import pytest

from app.tools.admin_tool_dispatcher import AdminToolDispatcher
from app.tools.base import Tool
from app.tools.enhanced_tool_dispatcher import EnhancedToolDispatcher
from app.tools.request_scoped_tool_dispatcher import RequestScopedToolDispatcher
from app.tools.tool_dispatcher import ToolDispatcher
from app.tools.tool_registry import create_default_tool_registry
from app.tools.unified_tool_dispatcher import UnifiedToolDispatcher
from app.services.websocket_emitter import UserWebSocketEmitter

DISPATCHERS = [
    ToolDispatcher,
    RequestScopedToolDispatcher,
    AdminToolDispatcher,
    EnhancedToolDispatcher,
    UnifiedToolDispatcher,
]


@pytest.mark.parametrize("dispatcher_class", DISPATCHERS, ids=lambda c: c.__name__)
def test_dispatch_runs_tools_and_reports_failures(dispatcher_class):
    dispatcher = dispatcher_class()
    added = dispatcher.dispatch("add", a=2, b=3)
    assert (added.success, added.output) == (True, 5)
    assert added.execution_id.startswith("exec_")
    missing = dispatcher.dispatch("teleport")
    assert not missing.success
    assert "teleport" in missing.error
    assert [r.tool for r in dispatcher.history] == ["add", "teleport"]


def test_admin_tools_need_admin_rights():
    registry = create_default_tool_registry()
    registry.register(Tool("shutdown", lambda: "bye"))
    assert not AdminToolDispatcher(registry).dispatch("shutdown").success
    assert AdminToolDispatcher(registry, is_admin=True).dispatch("shutdown").output == "bye"


def test_request_scoped_dispatcher_refuses_work_after_its_request(context):
    dispatcher = RequestScopedToolDispatcher(context)
    assert dispatcher.dispatch("upper", text="hi").output == "HI"
    dispatcher.close()
    with pytest.raises(RuntimeError, match="after its request ended"):
        dispatcher.dispatch("upper", text="hi")


def test_enhanced_dispatcher_retries_and_reports_to_the_user(ws_manager, connection):
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise TimeoutError("slow backend")
        return "done"

    dispatcher = EnhancedToolDispatcher(emitter=UserWebSocketEmitter(ws_manager, "user-1"), max_retries=2)
    dispatcher.registry.register(Tool("flaky", flaky))
    assert dispatcher.dispatch("flaky").output == "done"
    assert len(attempts) == 3
    assert connection.types() == ["tool_executing", "tool_completed"]


def test_unified_dispatcher_uses_its_strategy():
    dispatcher = UnifiedToolDispatcher(strategy=lambda tool, params: f"{tool.name}:{sorted(params)}")
    assert dispatcher.dispatch("echo", text="x").output == "echo:['text']"
