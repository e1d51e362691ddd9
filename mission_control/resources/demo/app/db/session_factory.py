"""Session factories: a global one that leaks state between requests, and the request-scoped fix."""

from __future__ import annotations

import uuid
from contextlib import contextmanager


def generate_session_id() -> str:
    """A new database session id: ``sess_`` and 12 hex digits."""
    return f"sess_{uuid.uuid4().hex[:12]}"


class InMemoryDatabase:
    """Committed rows per table."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, object]] = {}


class Session:
    """A unit of work: pending writes become visible to others on ``commit``."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self.session_id = generate_session_id()
        self.database = database
        self._pending: dict[tuple[str, str], object] = {}
        self.closed = False

    def add(self, table: str, key: str, value: object) -> None:
        """Stage a write."""
        if self.closed:
            raise RuntimeError(f"session {self.session_id} is closed")
        self._pending[(table, key)] = value

    def get(self, table: str, key: str) -> object:
        """A row, seeing this session's own pending writes."""
        if (table, key) in self._pending:
            return self._pending[(table, key)]
        return self.database.tables.get(table, {}).get(key)

    def commit(self) -> None:
        """Make the pending writes visible."""
        for (table, key), value in self._pending.items():
            self.database.tables.setdefault(table, {})[key] = value
        self._pending.clear()

    def rollback(self) -> None:
        """Drop the pending writes."""
        self._pending.clear()

    def close(self) -> None:
        """Drop pending writes and refuse further use."""
        self.rollback()
        self.closed = True


class SessionFactory:
    """Hands out one shared session: simple, and the cause of "session leakage"."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self.database = database
        self._shared: Session | None = None

    def get_session(self) -> Session:
        """The shared session (created on first use)."""
        if self._shared is None or self._shared.closed:
            self._shared = Session(self.database)
        return self._shared


class RequestScopedSessionFactory:
    """A new session per request, always closed at the end (rolled back unless committed)."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self.database = database
        self.open_sessions = 0

    @contextmanager
    def session(self):
        """``with factory.session() as s:`` a session for one request."""
        session = Session(self.database)
        self.open_sessions += 1
        try:
            yield session
        finally:
            session.close()
            self.open_sessions -= 1
