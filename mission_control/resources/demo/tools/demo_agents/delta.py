"""Team Delta (Infrastructure). delta1, WebSocket Manager Unification: one manager class.

Step 1 gives ``WebSocketManager`` a per-user connection limit (the new
``websocket_max_connections_per_user`` setting, at the end of ``Settings``). Step 2 turns
``ConnectionScopedWebSocketManager`` into a ``WebSocketManager`` bound to one connection, so
delivery, validation and dead-connection handling exist once.

The plan blocks delta1 on alpha2 (WebSocket Emitter Unification): ``mission-control teams run
delta --force`` runs it anyway. Collision: charlie1 adds its own setting at the same place in
``app/core/config.py`` (a textual conflict when the two branches are merged).
"""

from __future__ import annotations

from demo_agents.base import Files, Step

CONFIG = "app/core/config.py"
LAST_SETTING = "    websocket_queue_limit: int = 1000\n"
MANAGER = "app/websocket_core/manager.py"

SCOPED = '''"""The connection-scoped websocket manager: a WebSocketManager bound to one user's connection."""

from __future__ import annotations

from app.websocket_core.manager import WebSocketManager
from app.websocket_core.user_emitter import UserWebSocketEmitter


class ConnectionScopedWebSocketManager(WebSocketManager):
    """Delivers only to one connection of one user; ``sent`` counts what it delivered."""

    def __init__(self, user_id: str, connection) -> None:
        super().__init__()
        self.user_id = user_id
        self.connection = connection
        self.connect(user_id, connection)
        self.sent = 0

    def send_to_user(self, user_id: str, message: dict) -> int:
        """Send ``message`` if it is for this manager's user; returns 1 if delivered, else 0."""
        delivered = super().send_to_user(user_id, message)
        self.sent += delivered
        return delivered

    def create_emitter(self, thread_id: str | None = None, run_id: str | None = None) -> UserWebSocketEmitter:
        """An emitter that talks through this connection only."""
        return UserWebSocketEmitter(self, self.user_id, thread_id=thread_id, run_id=run_id)
'''

LIMIT_TEST = '''

def test_a_user_has_a_limited_number_of_connections(ws_manager):
    from app.core.config import override_settings

    override_settings(websocket_max_connections_per_user=2)
    ws_manager.connect("user-1", InMemoryConnection())
    ws_manager.connect("user-1", InMemoryConnection())
    with pytest.raises(ConnectionError, match="already has 2 connections"):
        ws_manager.connect("user-1", InMemoryConnection())
    ws_manager.connect("user-2", InMemoryConnection())
'''

SCOPED_TEST = '''

def test_the_scoped_manager_is_a_websocket_manager_of_one_connection():
    from app.websocket_core.manager import WebSocketManager

    conn = InMemoryConnection()
    scoped = ConnectionScopedWebSocketManager("user-1", conn)
    assert isinstance(scoped, WebSocketManager)
    assert scoped.connections_for("user-1") == [conn]
    conn.close()
    assert scoped.send_to_user("user-1", MESSAGE) == 0
    assert scoped.connection_count == 0
'''


def connection_limit(files: Files) -> None:
    files.replace(
        CONFIG,
        LAST_SETTING,
        LAST_SETTING + "    websocket_max_connections_per_user: int = 10  # open tabs per user\n",
    )
    files.replace(
        MANAGER,
        "import threading\n\nfrom app.websocket_core.utils import",
        "import threading\n\nfrom app.core.config import get_settings\nfrom app.websocket_core.utils import",
    )
    files.replace(
        MANAGER,
        '''        """Register ``connection`` for ``user_id``; returns its connection id."""
        connection_id = generate_connection_id()
        with self._lock:
''',
        '''        """Register ``connection`` for ``user_id``; returns its connection id.

        Raises:
            ConnectionError: the user already has ``websocket_max_connections_per_user`` connections.
        """
        limit = get_settings().websocket_max_connections_per_user
        connection_id = generate_connection_id()
        with self._lock:
            if sum(1 for owner, _ in self._connections.values() if owner == user_id) >= limit:
                raise ConnectionError(f"user {user_id!r} already has {limit} connections")
''',
    )
    tests = "tests/websocket/test_manager.py"
    files.write(tests, files.read(tests) + LIMIT_TEST)


def one_manager_class(files: Files) -> None:
    files.write("app/websocket_core/connection_scoped_manager.py", SCOPED)
    tests = "tests/websocket/test_manager.py"
    files.write(tests, files.read(tests) + SCOPED_TEST)


TASKS = {
    "delta1": [
        Step(
            "Limit the websocket connections of one user",
            "A runaway client opening tabs in a loop no longer grows the manager without bound: "
            "websocket_max_connections_per_user (default 10) is checked on connect.",
            connection_limit,
        ),
        Step(
            "Make ConnectionScopedWebSocketManager a WebSocketManager of one connection",
            "Validation, delivery and dropping dead connections now exist once, in WebSocketManager; "
            "the scoped manager only binds it to one user's connection.",
            one_manager_class,
        ),
    ],
}
