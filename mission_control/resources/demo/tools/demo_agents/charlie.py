"""Team Charlie (Execution). charlie1, Tool Dispatcher Merge: one dispatch core instead of five.

Step 1 gives ``ToolDispatcher`` everything the other four do on their own (retries, websocket
notifications, admin-only tools, a strategy, a bounded history: the new ``tool_history_limit``
setting at the end of ``Settings``). Step 2 turns ``AdminToolDispatcher``,
``EnhancedToolDispatcher``, ``RequestScopedToolDispatcher`` and ``UnifiedToolDispatcher`` into thin
configurations of it; their behaviour, and tests, stay the same.

Collision: delta1 adds its own setting at the same place in ``app/core/config.py`` (a textual
conflict when the two branches are merged).
"""

from __future__ import annotations

from demo_agents.base import Files, Step

CONFIG = "app/core/config.py"
LAST_SETTING = "    websocket_queue_limit: int = 1000\n"

ONE_DISPATCHER = '''"""The tool dispatcher: the one dispatch core every other dispatcher configures."""

from __future__ import annotations

import uuid

from app.core.config import get_settings
from app.tools.base import ToolNotFoundError, ToolResult
from app.tools.tool_registry import create_default_tool_registry


def generate_execution_id() -> str:
    """A new tool execution id: ``exec_`` and 12 hex digits."""
    return f"exec_{uuid.uuid4().hex[:12]}"


def call_tool(tool, params: dict) -> object:
    """The default strategy: call the tool with its parameters."""
    return tool.func(**params)


class ToolDispatcher:
    """Looks a tool up and calls it; every call is kept in ``history`` (the last ``tool_history_limit``).

    Options, each off by default: ``emitter`` (tool_executing/tool_completed events),
    ``max_retries`` (failures other than an unknown tool are retried), ``admin_tools`` with
    ``is_admin`` (admin-only tools), ``strategy`` (how a tool is called).
    """

    def __init__(self, registry=None, *, emitter=None, max_retries: int = 0, admin_tools=(),
                 is_admin: bool = False, strategy=None) -> None:
        self.registry = registry if registry is not None else create_default_tool_registry()
        self.emitter = emitter
        self.max_retries = max_retries
        self.admin_tools = set(admin_tools)
        self.is_admin = is_admin
        self.strategy = strategy or call_tool
        self.history: list[ToolResult] = []

    def dispatch(self, tool_name: str, **params) -> ToolResult:
        """Run ``tool_name`` with ``params``; errors become an unsuccessful result."""
        execution_id = self.new_execution_id()
        if tool_name in self.admin_tools and not self.is_admin:
            result = ToolResult(tool_name, False, error=f"tool {tool_name!r} needs admin rights",
                                execution_id=execution_id)
        else:
            if self.emitter is not None:
                self.emitter.notify_tool_executing(tool_name, params)
            result = self._attempt(tool_name, params, execution_id)
            if self.emitter is not None:
                self.emitter.notify_tool_completed(tool_name, result.output if result.success else result.error)
        self._remember(result)
        return result

    def new_execution_id(self) -> str:
        """The id of the next call (subclasses may choose another format)."""
        return generate_execution_id()

    def _attempt(self, tool_name: str, params: dict, execution_id: str) -> ToolResult:
        error = ""
        for _ in range(self.max_retries + 1):
            try:
                output = self.strategy(self.registry.get(tool_name), params)
                return ToolResult(tool_name, True, output=output, execution_id=execution_id)
            except ToolNotFoundError as exc:
                return ToolResult(tool_name, False, error=str(exc), execution_id=execution_id)
            except Exception as exc:  # tool failures are reported to the agent, not raised
                error = str(exc)
        return ToolResult(tool_name, False, error=error, execution_id=execution_id)

    def _remember(self, result: ToolResult) -> None:
        self.history.append(result)
        del self.history[: -get_settings().tool_history_limit]
'''

ADMIN = '''"""A dispatcher that guards admin-only tools (a configuration of ToolDispatcher)."""

from __future__ import annotations

from app.tools.tool_dispatcher import ToolDispatcher


class AdminToolDispatcher(ToolDispatcher):
    """Like ToolDispatcher, but tools in ``admin_tools`` need ``is_admin``."""

    def __init__(self, registry=None, admin_tools: tuple[str, ...] = ("shutdown",),
                 is_admin: bool = False) -> None:
        super().__init__(registry, admin_tools=admin_tools, is_admin=is_admin)
'''

ENHANCED = '''"""A dispatcher that retries and reports tool calls to the user's websocket (a configuration)."""

from __future__ import annotations

from app.core.config import get_settings
from app.tools.tool_dispatcher import ToolDispatcher
from app.tools.unified_tool_registry import UnifiedToolRegistry


class EnhancedToolDispatcher(ToolDispatcher):
    """Dispatch with retries (``max_tool_retries`` by default), notifying ``emitter``."""

    def __init__(self, registry=None, emitter=None, max_retries: int | None = None) -> None:
        super().__init__(
            registry if registry is not None else UnifiedToolRegistry(),
            emitter=emitter,
            max_retries=get_settings().max_tool_retries if max_retries is None else max_retries,
        )
'''

REQUEST_SCOPED = '''"""A dispatcher per request, so one user's tool calls never leak into another's (a configuration)."""

from __future__ import annotations

from app.tools.base import ToolResult
from app.tools.tool_dispatcher import ToolDispatcher
from app.utils.identifiers import timestamped_id


class RequestScopedToolDispatcher(ToolDispatcher):
    """Dispatches tools for one request context; refuses to work after ``close``."""

    def __init__(self, context=None, registry=None) -> None:
        super().__init__(registry)
        self.context = context
        self.closed = False

    def dispatch(self, tool_name: str, **params) -> ToolResult:
        """Run ``tool_name``; the execution id is tied to this request."""
        if self.closed:
            raise RuntimeError("dispatcher used after its request ended")
        return super().dispatch(tool_name, **params)

    def new_execution_id(self) -> str:
        return timestamped_id("exec")

    def close(self) -> None:
        """End the request: later dispatches fail."""
        self.closed = True
'''

UNIFIED = '''"""UnifiedToolDispatcher: ToolDispatcher with a pluggable strategy over the unified registry."""

from __future__ import annotations

from app.tools.tool_dispatcher import ToolDispatcher, call_tool
from app.tools.unified_tool_registry import UnifiedToolRegistry

default_strategy = call_tool


class UnifiedToolDispatcher(ToolDispatcher):
    """Dispatches through a pluggable strategy ``(tool, params) -> output``."""

    def __init__(self, registry=None, strategy=None) -> None:
        super().__init__(registry if registry is not None else UnifiedToolRegistry(), strategy=strategy)
'''

HISTORY_TEST = '''

def test_history_keeps_the_last_calls_only():
    from app.core.config import override_settings

    override_settings(tool_history_limit=2)
    dispatcher = ToolDispatcher()
    for word in ("a", "b", "c"):
        dispatcher.dispatch("upper", text=word)
    assert [r.output for r in dispatcher.history] == ["B", "C"]
'''


def one_dispatch_core(files: Files) -> None:
    files.replace(
        CONFIG,
        LAST_SETTING,
        LAST_SETTING + "    tool_history_limit: int = 500  # tool results a dispatcher keeps\n",
    )
    files.write("app/tools/tool_dispatcher.py", ONE_DISPATCHER)
    tests = "tests/dispatch/test_dispatchers.py"
    files.write(tests, files.read(tests) + HISTORY_TEST)


def thin_configurations(files: Files) -> None:
    files.read("app/tools/tool_dispatcher.py")
    files.write("app/tools/admin_tool_dispatcher.py", ADMIN)
    files.write("app/tools/enhanced_tool_dispatcher.py", ENHANCED)
    files.write("app/tools/request_scoped_tool_dispatcher.py", REQUEST_SCOPED)
    files.write("app/tools/unified_tool_dispatcher.py", UNIFIED)


TASKS = {
    "charlie1": [
        Step(
            "Give ToolDispatcher the features of the other four dispatchers",
            "Retries, websocket notifications, admin-only tools, a strategy and a bounded history "
            "(the new tool_history_limit setting) in one dispatch core.",
            one_dispatch_core,
        ),
        Step(
            "Make the four other tool dispatchers thin configurations of ToolDispatcher",
            "Admin, enhanced, request-scoped and unified dispatchers keep their constructors and "
            "behaviour; the dispatch logic now exists once.",
            thin_configurations,
        ),
    ],
}
