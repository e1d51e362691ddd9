"""The websocket manager: which user has which open connections, and delivery to them."""

from __future__ import annotations

import threading

from app.websocket_core.utils import generate_connection_id, is_valid_message


class WebSocketManager:
    """Tracks open connections per user and delivers messages to all of a user's tabs."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._connections: dict[str, tuple[str, object]] = {}

    def connect(self, user_id: str, connection) -> str:
        """Register ``connection`` for ``user_id``; returns its connection id."""
        connection_id = generate_connection_id()
        with self._lock:
            self._connections[connection_id] = (user_id, connection)
        return connection_id

    def disconnect(self, connection_id: str) -> bool:
        """Forget a connection; False if it was not known."""
        with self._lock:
            return self._connections.pop(connection_id, None) is not None

    def connections_for(self, user_id: str) -> list:
        """The open connections of ``user_id``."""
        with self._lock:
            return [conn for owner, conn in self._connections.values() if owner == user_id]

    @property
    def connection_count(self) -> int:
        """How many connections are open."""
        return len(self._connections)

    def send_to_user(self, user_id: str, message: dict) -> int:
        """Send ``message`` to every connection of ``user_id``; returns how many got it.

        Connections that fail are dropped, so one dead tab never blocks the others.
        """
        if not is_valid_message(message):
            raise ValueError(f"invalid websocket message: {message!r}")
        delivered = 0
        with self._lock:
            targets = [(cid, conn) for cid, (owner, conn) in self._connections.items() if owner == user_id]
        for connection_id, connection in targets:
            try:
                connection.send_json(message)
                delivered += 1
            except ConnectionError:
                self.disconnect(connection_id)
        return delivered

    def broadcast(self, message: dict) -> int:
        """Send ``message`` to every user; returns how many connections got it."""
        with self._lock:
            users = {owner for owner, _ in self._connections.values()}
        return sum(self.send_to_user(user, dict(message, user_id=user)) for user in users)


_manager: WebSocketManager | None = None


def get_websocket_manager() -> WebSocketManager:
    """The process-wide websocket manager (created on first use)."""
    global _manager
    if _manager is None:
        _manager = WebSocketManager()
    return _manager


def reset_websocket_manager() -> None:
    """Drop the process-wide manager (tests)."""
    global _manager
    _manager = None
