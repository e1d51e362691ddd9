"""Shared fixtures: a fresh websocket manager with one connected user, and clean singletons."""

from __future__ import annotations

import pytest

from app.agents.agent_instance_factory import reset_agent_instance_factory
from app.core.config import reset_settings
from app.core.user_context import UserExecutionContext
from app.websocket_core.connection import InMemoryConnection
from app.websocket_core.manager import WebSocketManager, reset_websocket_manager

USER = "user-1"


@pytest.fixture(autouse=True)
def _clean_singletons():
    """Every test starts with default settings and no process-wide managers or factories."""
    yield
    reset_settings()
    reset_websocket_manager()
    reset_agent_instance_factory()


@pytest.fixture
def ws_manager() -> WebSocketManager:
    """A websocket manager of its own."""
    return WebSocketManager()


@pytest.fixture
def connection(ws_manager: WebSocketManager) -> InMemoryConnection:
    """An open connection of ``USER`` on ``ws_manager``."""
    conn = InMemoryConnection()
    ws_manager.connect(USER, conn)
    return conn


@pytest.fixture
def context() -> UserExecutionContext:
    """A fresh execution context for ``USER``."""
    return UserExecutionContext.create(USER)
