"""The demo mission end to end: break the websocket component, roll it back, its tests pass, undo."""

from __future__ import annotations

from pathlib import Path

from helpers import tree_state, websocket_tests

from mission_control.repo.rollback import plan_rollback, rollback, undo_rollback
from mission_control.repo.status import repo_status
from mission_control.services import demo


def test_break_websocket_roll_back_tests_pass_undo(tmp_path: Path) -> None:
    repo = demo.create_demo(tmp_path / "demo")
    assert websocket_tests(repo).returncode == 0
    manager = repo / "app/websocket_core/manager.py"
    manager.write_text(manager.read_text() + "\nraise RuntimeError('broken by the refactoring')\n")
    (repo / "app/websocket_core/half_done.py").write_text("from app.nowhere import thing\n")
    (repo / "app/core/config.py").write_text((repo / "app/core/config.py").read_text() + "\n# lead's edit\n")
    assert websocket_tests(repo).returncode != 0
    status = repo_status(repo)
    assert status.baseline.ref == "pre-ssot"
    assert status.components["websocket"].state == "changed"
    broken = tree_state(repo)

    preview = plan_rollback(repo, "websocket")
    assert {f.path for f in preview.files} == {"app/websocket_core/manager.py", "app/websocket_core/half_done.py"}
    result = rollback(repo, "websocket")
    assert websocket_tests(repo).returncode == 0
    assert (repo / "app/core/config.py").read_text().endswith("# lead's edit\n"), "other components untouched"
    assert repo_status(repo).components["websocket"].state == "rolled back"

    undo_rollback(repo, result.snapshot)
    assert tree_state(repo) == broken
