"""Every UserWebSocketEmitter copy must send the same messages (so they can be merged)."""

from __future__ import annotations

import pytest

from app.agents.agent_websocket_emitter import UserWebSocketEmitter as AgentEmitter
from app.services.agent_websocket_bridge import UserWebSocketEmitter as BridgeEmitter
from app.services.websocket_emitter import UserWebSocketEmitter
from app.websocket_core.unified_emitter import UserWebSocketEmitter as UnifiedEmitter
from app.websocket_core.user_emitter import UserWebSocketEmitter as CoreEmitter

EMITTERS = [UserWebSocketEmitter, CoreEmitter, UnifiedEmitter, AgentEmitter, BridgeEmitter]
IDS = ["services", "websocket_core", "unified", "agents", "bridge"]


@pytest.mark.parametrize("emitter_class", EMITTERS, ids=IDS)
def test_emit_sends_numbered_messages(emitter_class, ws_manager, connection):
    emitter = emitter_class(ws_manager, "user-1", thread_id="thread_1", run_id="run_1")
    first = emitter.emit("custom", {"n": 1})
    emitter.emit("custom", {"n": 2})
    assert first == {
        "type": "custom",
        "user_id": "user-1",
        "thread_id": "thread_1",
        "run_id": "run_1",
        "sequence": 1,
        "payload": {"n": 1},
    }
    assert connection.messages[0] == first
    assert [m["sequence"] for m in connection.messages] == [1, 2]
    assert (emitter.events_sent, emitter.events_dropped) == (2, 0)


@pytest.mark.parametrize("emitter_class", EMITTERS, ids=IDS)
def test_notify_helpers_send_typed_events(emitter_class, ws_manager, connection):
    emitter = emitter_class(ws_manager, "user-1")
    emitter.notify_agent_started("data")
    emitter.notify_agent_thinking("data", "hmm")
    emitter.notify_tool_executing("add", {"a": 1})
    emitter.notify_tool_completed("add", 3)
    emitter.notify_agent_completed("data", {"ok": True})
    emitter.notify_agent_error("data", "boom")
    assert connection.types() == [
        "agent_started", "agent_thinking", "tool_executing",
        "tool_completed", "agent_completed", "agent_error",
    ]
    assert connection.messages[2]["payload"] == {"tool": "add", "params": {"a": 1}}


def test_undelivered_events_are_counted_and_empty_types_refused(ws_manager):
    emitter = UserWebSocketEmitter(ws_manager, "nobody-connected")
    emitter.notify_agent_started("data")
    assert emitter.events_dropped == 1
    with pytest.raises(ValueError):
        emitter.emit("")
