"""A second websocket manager, bound to one connection (the unification task removes it)."""

from __future__ import annotations

from app.websocket_core.user_emitter import UserWebSocketEmitter
from app.websocket_core.utils import is_valid_message


class ConnectionScopedWebSocketManager:
    """Delivers only to one connection of one user; same ``send_to_user`` as WebSocketManager."""

    def __init__(self, user_id: str, connection) -> None:
        self.user_id = user_id
        self.connection = connection
        self.sent = 0

    def send_to_user(self, user_id: str, message: dict) -> int:
        """Send ``message`` if it is for this manager's user; returns 1 if delivered, else 0."""
        if not is_valid_message(message):
            raise ValueError(f"invalid websocket message: {message!r}")
        if user_id != self.user_id:
            return 0
        try:
            self.connection.send_json(message)
        except ConnectionError:
            return 0
        self.sent += 1
        return 1

    def create_emitter(self, thread_id: str | None = None, run_id: str | None = None) -> UserWebSocketEmitter:
        """An emitter that talks through this connection only."""
        return UserWebSocketEmitter(self, self.user_id, thread_id=thread_id, run_id=run_id)
