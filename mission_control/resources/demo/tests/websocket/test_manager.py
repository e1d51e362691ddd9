"""WebSocketManager, ConnectionScopedWebSocketManager and the agent websocket bridge."""

from __future__ import annotations

import pytest

from app.services.agent_websocket_bridge import AgentWebSocketBridge
from app.websocket_core.connection import InMemoryConnection
from app.websocket_core.connection_scoped_manager import ConnectionScopedWebSocketManager
from app.websocket_core.manager import get_websocket_manager

MESSAGE = {"type": "ping", "user_id": "user-1", "payload": {}}


def test_messages_reach_every_tab_of_the_user_only(ws_manager, connection):
    second_tab, stranger = InMemoryConnection(), InMemoryConnection()
    ws_manager.connect("user-1", second_tab)
    ws_manager.connect("user-2", stranger)
    assert ws_manager.send_to_user("user-1", MESSAGE) == 2
    assert connection.messages == second_tab.messages == [MESSAGE]
    assert stranger.messages == []


def test_dead_connections_are_dropped(ws_manager, connection):
    connection.close()
    assert ws_manager.send_to_user("user-1", MESSAGE) == 0
    assert ws_manager.connection_count == 0
    assert not ws_manager.disconnect("conn_unknown")


def test_invalid_messages_are_refused(ws_manager, connection):
    with pytest.raises(ValueError, match="invalid websocket message"):
        ws_manager.send_to_user("user-1", {"type": "ping"})


def test_broadcast_addresses_each_user(ws_manager, connection):
    other = InMemoryConnection()
    ws_manager.connect("user-2", other)
    assert ws_manager.broadcast(MESSAGE) == 2
    assert other.messages[0]["user_id"] == "user-2"
    assert get_websocket_manager() is get_websocket_manager()


def test_connection_scoped_manager_and_its_emitter():
    conn = InMemoryConnection()
    scoped = ConnectionScopedWebSocketManager("user-1", conn)
    assert scoped.send_to_user("user-2", MESSAGE) == 0
    scoped.create_emitter(run_id="run_9").notify_agent_started("triage")
    assert conn.types() == ["agent_started"]
    assert conn.messages[0]["run_id"] == "run_9"
    assert scoped.sent == 1


def test_bridge_gives_each_run_its_emitter(ws_manager, connection, context):
    bridge = AgentWebSocketBridge(ws_manager)
    bridge.emitter_for(context).notify_agent_started("data")
    assert bridge.runs == [context.run_id]
    assert connection.messages[0]["thread_id"] == context.thread_id
