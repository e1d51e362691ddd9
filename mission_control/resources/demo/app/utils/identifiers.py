"""More ID helpers (second generation, written before anyone found ``app.core.ids``)."""

from __future__ import annotations

import time
import uuid


def make_request_id() -> str:
    """A new request id: ``req_`` and 12 hex digits."""
    return f"req_{uuid.uuid4().hex[:12]}"


def new_uuid_hex() -> str:
    """A bare 32-digit hex uuid."""
    return uuid.uuid4().hex


def generate_run_id() -> str:
    """A run id (same format as ``app.core.ids.generate_run_id``; kept for old callers)."""
    return "run_" + uuid.uuid4().hex[:12]


def timestamped_id(prefix: str) -> str:
    """``<prefix>_<milliseconds>_<6 hex>``, sortable by creation time."""
    return f"{prefix}_{int(time.time() * 1000)}_{uuid.uuid4().hex[:6]}"
