"""ID helpers, first generation.

One of several places that make IDs; see also ``app.utils.identifiers``,
``app.websocket_core.utils``, ``app.db.session_factory`` and the agents and tools packages.
"""

from __future__ import annotations

import uuid


def generate_run_id() -> str:
    """A new run id: ``run_`` and 12 hex digits."""
    return f"run_{uuid.uuid4().hex[:12]}"


def generate_thread_id() -> str:
    """A new conversation thread id: ``thread_`` and 12 hex digits."""
    return f"thread_{uuid.uuid4().hex[:12]}"


def generate_user_id() -> str:
    """A new anonymous user id."""
    return f"user_{uuid.uuid4().hex[:8]}"


def is_run_id(value: str) -> bool:
    """Whether ``value`` looks like a run id made by :func:`generate_run_id`."""
    return value.startswith("run_") and len(value) == 16
