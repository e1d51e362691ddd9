"""A database session manager: yet another way to make sessions."""

from __future__ import annotations

from app.db.session_factory import InMemoryDatabase, Session


class DatabaseSessionManager:
    """Creates sessions and remembers them so they can all be closed at shutdown."""

    def __init__(self, database: InMemoryDatabase | None = None) -> None:
        self.database = database if database is not None else InMemoryDatabase()
        self._sessions: list[Session] = []

    def create_session(self) -> Session:
        """A new session, tracked until :meth:`close_all`."""
        session = Session(self.database)
        self._sessions.append(session)
        return session

    def close_all(self) -> int:
        """Close every tracked session; returns how many were still open."""
        still_open = [session for session in self._sessions if not session.closed]
        for session in still_open:
            session.close()
        self._sessions.clear()
        return len(still_open)
