"""The one place every ID should come from (the ID centralization task's target).

Started, never finished: most code still calls the scattered helpers.
"""

from __future__ import annotations

import itertools
import threading
import uuid


class UnifiedIDManager:
    """Makes prefixed, unique IDs and remembers how many of each kind it issued."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._sequence = itertools.count(1)

    def generate(self, prefix: str) -> str:
        """A new ``<prefix>_<12 hex>`` id."""
        if not prefix.isidentifier():
            raise ValueError(f"bad id prefix: {prefix!r}")
        with self._lock:
            self._counts[prefix] = self._counts.get(prefix, 0) + 1
        return f"{prefix}_{uuid.uuid4().hex[:12]}"

    def next_sequence(self) -> int:
        """A process-wide increasing number (event ordering)."""
        return next(self._sequence)

    def issued(self, prefix: str) -> int:
        """How many ids with ``prefix`` this manager made."""
        return self._counts.get(prefix, 0)


_manager = UnifiedIDManager()


def get_id_manager() -> UnifiedIDManager:
    """The process-wide id manager."""
    return _manager
