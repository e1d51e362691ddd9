"""An in-memory websocket connection: what the server would write to a browser tab."""

from __future__ import annotations


class InMemoryConnection:
    """Collects the JSON messages sent to one client; sending after close fails."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.closed = False

    def send_json(self, message: dict) -> None:
        """Deliver ``message`` (raises ConnectionError once closed)."""
        if self.closed:
            raise ConnectionError("connection is closed")
        self.messages.append(message)

    def close(self) -> None:
        """Close the connection; later sends fail."""
        self.closed = True

    def types(self) -> list[str]:
        """The ``type`` of every message received, in order."""
        return [message["type"] for message in self.messages]
