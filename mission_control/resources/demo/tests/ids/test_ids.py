"""ID helpers, wherever they live: prefixed, unique, consistent."""

from __future__ import annotations

import re

import pytest

from app.core import ids
from app.core.unified_id_manager import UnifiedIDManager, get_id_manager
from app.core.user_context import UserExecutionContext
from app.db.session_factory import generate_session_id
from app.execution import execution_engine
from app.tools.tool_dispatcher import generate_execution_id
from app.utils import identifiers
from app.websocket_core.utils import generate_connection_id, generate_message_id

HELPERS = {
    "run": [ids.generate_run_id, identifiers.generate_run_id, execution_engine.generate_run_id],
    "thread": [ids.generate_thread_id],
    "req": [identifiers.make_request_id],
    "conn": [generate_connection_id],
    "msg": [generate_message_id],
    "sess": [generate_session_id],
    "exec": [generate_execution_id],
}


def test_every_id_helper_makes_prefixed_unique_ids():
    for prefix, helpers in HELPERS.items():
        for helper in helpers:
            made = {helper() for _ in range(200)}
            assert len(made) == 200, helper
            assert all(re.fullmatch(rf"{prefix}_[0-9a-f]{{12}}", value) for value in made), helper
    assert ids.is_run_id(ids.generate_run_id())


def test_unified_id_manager_counts_and_validates():
    manager = UnifiedIDManager()
    assert manager.generate("run").startswith("run_")
    assert manager.issued("run") == 1
    assert manager.next_sequence() < manager.next_sequence()
    with pytest.raises(ValueError, match="bad id prefix"):
        manager.generate("not a prefix")
    assert get_id_manager() is get_id_manager()


def test_timestamped_ids_sort_by_creation_time():
    first = identifiers.timestamped_id("evt")
    second = identifiers.timestamped_id("evt")
    assert int(first.split("_")[1]) <= int(second.split("_")[1])
    assert len(identifiers.new_uuid_hex()) == 32


def test_contexts_carry_fresh_ids():
    one, two = UserExecutionContext.create("u"), UserExecutionContext.create("u", thread_id="thread_x")
    assert one.run_id != two.run_id and two.thread_id == "thread_x"
    assert one.request_id.startswith("req_")
    with pytest.raises(ValueError):
        UserExecutionContext.create("")
