"""Start-up/shutdown and resource managers."""

from __future__ import annotations


class LifecycleManager:
    """Runs start hooks in order and stop hooks in reverse order."""

    def __init__(self) -> None:
        self._hooks: list[tuple[str, object, object]] = []
        self.log: list[str] = []
        self.running = False

    def register(self, name: str, start, stop) -> None:
        """Add a component with its start and stop callables."""
        self._hooks.append((name, start, stop))

    def start(self) -> None:
        """Start every component in registration order."""
        for name, start, _ in self._hooks:
            start()
            self.log.append(f"started {name}")
        self.running = True

    def stop(self) -> None:
        """Stop every component in reverse order."""
        for name, _, stop in reversed(self._hooks):
            stop()
            self.log.append(f"stopped {name}")
        self.running = False


class ResourceManager:
    """Counts acquisitions of named resources, refusing beyond a limit."""

    def __init__(self, limit: int = 10) -> None:
        self.limit = limit
        self._in_use: dict[str, int] = {}

    def acquire(self, name: str) -> None:
        """Take one ``name`` (RuntimeError when the limit is reached)."""
        if self._in_use.get(name, 0) >= self.limit:
            raise RuntimeError(f"resource {name!r} exhausted ({self.limit} in use)")
        self._in_use[name] = self._in_use.get(name, 0) + 1

    def release(self, name: str) -> None:
        """Give one ``name`` back."""
        if self._in_use.get(name, 0) == 0:
            raise RuntimeError(f"resource {name!r} released more often than acquired")
        self._in_use[name] -= 1

    def in_use(self, name: str) -> int:
        """How many ``name`` are taken."""
        return self._in_use.get(name, 0)
