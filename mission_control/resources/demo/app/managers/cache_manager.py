"""Cache managers with expiry (a clock is injected so tests need no sleeping)."""

from __future__ import annotations

import time


class CacheManager:
    """A dict with per-entry time-to-live."""

    def __init__(self, default_ttl: float = 60.0, clock=time.monotonic) -> None:
        self.default_ttl = default_ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, object]] = {}

    def set(self, key: str, value: object, ttl: float | None = None) -> None:
        """Cache ``value`` for ``ttl`` seconds (the default TTL if None)."""
        expires = self._clock() + (self.default_ttl if ttl is None else ttl)
        self._entries[key] = (expires, value)

    def get(self, key: str, default: object = None) -> object:
        """The cached value, or ``default`` if missing or expired."""
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            self._entries.pop(key, None)
            return default
        return entry[1]


class RedisCacheManager(CacheManager):
    """The "Redis" cache: a CacheManager with key namespacing (no Redis needed in tests)."""

    def __init__(self, namespace: str = "netra", **kwargs) -> None:
        super().__init__(**kwargs)
        self.namespace = namespace

    def set(self, key: str, value: object, ttl: float | None = None) -> None:
        super().set(f"{self.namespace}:{key}", value, ttl)

    def get(self, key: str, default: object = None) -> object:
        return super().get(f"{self.namespace}:{key}", default)
