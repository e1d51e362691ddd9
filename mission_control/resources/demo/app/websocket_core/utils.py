"""Websocket helpers: connection and message ids, message validation."""

from __future__ import annotations

import uuid

REQUIRED_MESSAGE_KEYS = ("type", "user_id", "payload")


def generate_connection_id() -> str:
    """A new connection id: ``conn_`` and 12 hex digits."""
    return f"conn_{uuid.uuid4().hex[:12]}"


def generate_message_id() -> str:
    """A new message id: ``msg_`` and 12 hex digits."""
    return f"msg_{uuid.uuid4().hex[:12]}"


def is_valid_message(message: object) -> bool:
    """Whether ``message`` is a dict with every required key."""
    return isinstance(message, dict) and all(key in message for key in REQUIRED_MESSAGE_KEYS)
