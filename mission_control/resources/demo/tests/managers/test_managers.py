"""The manager classes: each does one small job (and several do the same one)."""

from __future__ import annotations

import pytest

from app.managers.cache_manager import CacheManager, RedisCacheManager
from app.managers.config_manager import ConfigManager, UnifiedConfigManager
from app.managers.lifecycle_manager import LifecycleManager, ResourceManager
from app.managers.session_manager import SessionManager, UserSessionManager
from app.managers.state_manager import AgentStateManager
from app.managers.thread_manager import RunManager, ThreadManager


def test_state_managers_keep_state_per_run():
    states = AgentStateManager()
    states.set_agent_state("run_1", "data", {"step": 2})
    states.set("run_1", "status", "busy")
    assert states.get_agent_state("run_1", "data") == {"step": 2}
    states.clear("run_1")
    assert states.get("run_1", "status", "gone") == "gone"


def test_both_session_managers_open_and_close_sessions():
    sessions = SessionManager()
    token = sessions.open("u1")
    assert sessions.user_for(token) == "u1"
    assert sessions.close(token) and sessions.user_for(token) is None
    per_user = UserSessionManager()
    assert per_user.open("u1") == per_user.open("u1")
    assert per_user.active_users == ["u1"] and per_user.close_user("u1")


def test_cache_entries_expire_on_the_injected_clock():
    now = [100.0]
    cache = RedisCacheManager(namespace="t", default_ttl=10, clock=lambda: now[0])
    cache.set("k", "v")
    assert cache.get("k") == "v"
    now[0] = 111.0
    assert cache.get("k", "expired") == "expired"
    assert CacheManager().get("missing") is None


def test_threads_and_run_status_transitions():
    threads = ThreadManager()
    thread_id = threads.create_thread("u1")
    assert threads.add_message(thread_id, "user", "hi") == 1
    assert threads.threads_of("u1") == [thread_id]
    runs = RunManager()
    run_id = runs.start_run()
    runs.advance(run_id, "running")
    runs.advance(run_id, "completed")
    with pytest.raises(ValueError, match="cannot go from completed to running"):
        runs.advance(run_id, "running")


def test_config_layers_and_environment_overrides():
    config = ConfigManager({"level": "info", "port": 80})
    config.add_layer({"level": "debug"})
    assert (config.get("level"), config.get("port"), config.get("x", 1)) == ("debug", 80, 1)
    unified = UnifiedConfigManager({"level": "info"}, environ={"NETRA_LEVEL": "warning"})
    assert unified.get("level") == "warning"


def test_lifecycle_order_and_resource_limits():
    lifecycle = LifecycleManager()
    lifecycle.register("db", lambda: None, lambda: None)
    lifecycle.register("ws", lambda: None, lambda: None)
    lifecycle.start()
    lifecycle.stop()
    assert lifecycle.log == ["started db", "started ws", "stopped ws", "stopped db"]
    resources = ResourceManager(limit=1)
    resources.acquire("gpu")
    with pytest.raises(RuntimeError, match="exhausted"):
        resources.acquire("gpu")
    resources.release("gpu")
    assert resources.in_use("gpu") == 0
