"""Session factories: the shared one leaks, the request-scoped one isolates."""

from __future__ import annotations

from app.db.database_session_manager import DatabaseSessionManager
from app.db.session_factory import InMemoryDatabase, RequestScopedSessionFactory, SessionFactory


def test_shared_factory_leaks_pending_writes_between_requests():
    factory = SessionFactory(InMemoryDatabase())
    factory.get_session().add("users", "u1", {"name": "Ada"})
    assert factory.get_session().get("users", "u1") == {"name": "Ada"}  # the leak the plan removes


def test_request_scoped_sessions_are_isolated_and_always_closed():
    database = InMemoryDatabase()
    factory = RequestScopedSessionFactory(database)
    with factory.session() as first:
        first.add("users", "u1", "Ada")
        with factory.session() as second:
            assert second.get("users", "u1") is None
            assert factory.open_sessions == 2
        first.commit()
    with factory.session() as third:
        assert third.get("users", "u1") == "Ada"
    assert factory.open_sessions == 0 and first.closed


def test_database_session_manager_closes_what_is_left_open():
    manager = DatabaseSessionManager()
    manager.create_session().close()
    manager.create_session()
    assert manager.close_all() == 1
