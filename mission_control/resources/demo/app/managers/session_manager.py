"""User session managers (two of them, doing the same thing)."""

from __future__ import annotations

from app.utils.identifiers import new_uuid_hex


class SessionManager:
    """Open sessions per user."""

    def __init__(self) -> None:
        self._sessions: dict[str, str] = {}

    def open(self, user_id: str) -> str:
        """Open a session for ``user_id``; returns its token."""
        token = new_uuid_hex()
        self._sessions[token] = user_id
        return token

    def user_for(self, token: str) -> str | None:
        """The user of session ``token``, or None when it is not open."""
        return self._sessions.get(token)

    def close(self, token: str) -> bool:
        """Close a session; False if it was not open."""
        return self._sessions.pop(token, None) is not None


class UserSessionManager:
    """Sessions keyed by user (one per user): a second take on SessionManager."""

    def __init__(self) -> None:
        self._by_user: dict[str, str] = {}

    def open(self, user_id: str) -> str:
        """The user's session token, opening one if needed."""
        return self._by_user.setdefault(user_id, new_uuid_hex())

    def close_user(self, user_id: str) -> bool:
        """Close the session of ``user_id``."""
        return self._by_user.pop(user_id, None) is not None

    @property
    def active_users(self) -> list[str]:
        """Users with an open session, sorted."""
        return sorted(self._by_user)
