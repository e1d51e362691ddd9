"""Mission critical tests: the guarantees the refactoring must never break.

Also the plan's Phase 2 command: ``python tests/mission_critical/test_complete_refactoring.py
--parallel --real-services --performance-benchmarks`` runs the whole suite (``--parallel``
uses pytest-xdist when it is installed; the other flags are accepted for the runbook).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.services.agent_service import AgentService  # noqa: E402
from app.websocket_core.connection import InMemoryConnection  # noqa: E402
from app.websocket_core.manager import WebSocketManager  # noqa: E402


def test_zero_websocket_event_loss_across_users():
    manager = WebSocketManager()
    connections = {user: InMemoryConnection() for user in ("alice", "bob", "carol")}
    for user, conn in connections.items():
        manager.connect(user, conn)
    service = AgentService(manager)
    for round_number in range(3):
        for user in connections:
            assert service.handle_message(user, {"values": [round_number, 1]}).success
    for user, conn in connections.items():
        assert {m["user_id"] for m in conn.messages} == {user}
        runs = {}
        for message in conn.messages:
            runs.setdefault(message["run_id"], []).append(message["sequence"])
        assert len(runs) == 3
        assert all(seq == list(range(1, len(seq) + 1)) for seq in runs.values())


def test_agent_creation_never_fails_for_known_types(ws_manager, context):
    service = AgentService(ws_manager)
    agents = [service.factory.create_agent_instance("data", context) for _ in range(200)]
    assert len({agent.agent_id for agent in agents}) == 200


def _main(argv: list[str]) -> int:
    import importlib.util

    import pytest

    root = Path(__file__).resolve().parents[2]
    args = [str(root / "tests"), "-q", "--rootdir", str(root)]
    if "--parallel" in argv and importlib.util.find_spec("xdist"):
        args += ["-n", "auto"]
    print("mission critical validation:", " ".join(argv) or "(no options)")
    return int(pytest.main(args))


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
