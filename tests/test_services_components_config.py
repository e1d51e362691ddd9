"""The Components dock's helpers without a window: writing component paths, Gantt marker texts."""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

from mission_control.config import load_config
from mission_control.repo.baseline import Baseline
from mission_control.repo.status import ComponentStatus, FileChange, RepoStatus
from mission_control.services.components_config import ComponentConfigError, add_component_paths
from mission_control.ui.components_panel import task_markers


def test_creates_mission_control_toml(tmp_path: Path) -> None:
    path = add_component_paths(tmp_path, "websocket", ["app/ws/**", " ", "app/emitter.py"], ["alpha2", "delta1"])
    assert path == tmp_path / "mission-control.toml"
    comp = load_config(tmp_path).components["websocket"]
    assert comp.paths == ("app/ws/**", "app/emitter.py") and comp.tasks == ("alpha2", "delta1")


def test_appends_to_existing_file_keeping_its_text(tmp_path: Path) -> None:
    original = '# my config\nbaseline = "pre-ssot"\n\n[components.factory]\npaths = ["app/f.py"]  # keep\n'
    (tmp_path / "mission-control.toml").write_text(original)
    add_component_paths(tmp_path, "websocket", ["app/ws.py"])
    text = (tmp_path / "mission-control.toml").read_text()
    assert text.startswith(original)
    config = load_config(tmp_path)
    assert config.baseline == "pre-ssot" and set(config.components) == {"factory", "websocket"}


def test_fills_an_existing_table_without_paths(tmp_path: Path) -> None:
    (tmp_path / "mission-control.toml").write_text(
        '[components.websocket]\ntests = ["tests/ws"]\n\n[components.factory]\npaths = ["f.py"]\n'
    )
    add_component_paths(tmp_path, "websocket", ["ws.py"])
    comp = load_config(tmp_path).components["websocket"]
    assert comp.paths == ("ws.py",) and comp.tests == ("tests/ws",)


def test_writes_into_pyproject_when_that_holds_the_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.mission-control]\nbaseline = "v1"\n')
    path = add_component_paths(tmp_path, "web socket", ["ws.py"])
    assert path.name == "pyproject.toml" and not (tmp_path / "mission-control.toml").exists()
    assert tomllib.loads(path.read_text())["tool"]["mission-control"]["components"]["web socket"]["paths"] == ["ws.py"]
    assert load_config(tmp_path).components["web socket"].paths == ("ws.py",)


@pytest.mark.parametrize(
    "globs, message",
    [
        ([], "at least one path"),
        (["../outside/*.py"], "leads outside the repository"),
        (["/etc/passwd"], "leads outside the repository"),
    ],
)
def test_bad_globs_are_refused_and_nothing_is_written(tmp_path: Path, globs, message) -> None:
    with pytest.raises(ComponentConfigError, match=message):
        add_component_paths(tmp_path, "websocket", globs)
    assert not (tmp_path / "mission-control.toml").exists()


def test_a_component_with_paths_is_not_overwritten(tmp_path: Path) -> None:
    original = '[components.websocket]\npaths = ["ws.py"]\n'
    (tmp_path / "mission-control.toml").write_text(original)
    with pytest.raises(ComponentConfigError, match=r"already has paths: ws\.py"):
        add_component_paths(tmp_path, "websocket", ["other.py"])
    assert (tmp_path / "mission-control.toml").read_text() == original


def test_an_invalid_result_is_undone(tmp_path: Path) -> None:
    original = '[components]\nwebsocket = "not a table"\n'
    (tmp_path / "mission-control.toml").write_text(original)
    with pytest.raises(ComponentConfigError):
        add_component_paths(tmp_path, "websocket", ["ws.py"])
    assert (tmp_path / "mission-control.toml").read_text() == original


def _status(**components: ComponentStatus) -> RepoStatus:
    return RepoStatus(Path("/r"), Baseline("main", "a" * 40, "config"), components)


def test_task_markers_from_component_states() -> None:
    changed = ComponentStatus(
        "ws", (FileChange("a.py", "modified", 1, 0), FileChange("b.py", "added", 2, 0)), True, ("alpha2", "delta1")
    )
    one = ComponentStatus("ids", (FileChange("i.py", "deleted", 0, 3),), True, ("delta1",))
    rolled = ComponentStatus("factory", (), True, ("alpha1",), last_rollback="20250101-rollback-factory")
    clean = ComponentStatus("agents", (), True, ("bravo1",))
    no_paths = ComponentStatus("plan-only", (), False, ("charlie1",))
    tasks = [SimpleNamespace(key=k, id=k) for k in ("alpha1", "alpha2", "delta1", "bravo1", "charlie1")]
    tasks.append(SimpleNamespace(key="task7", id=None))
    markers = task_markers(_status(ws=changed, ids=one, factory=rolled, agents=clean, p=no_paths), tasks)
    assert markers == {"alpha2": "● 2 files", "delta1": "● 2 files  ● 1 file", "alpha1": "⟲ rolled back"}


def test_task_markers_ignore_ids_missing_from_the_plan() -> None:
    changed = ComponentStatus("ws", (FileChange("a.py", "modified", 1, 0),), True, ("gone",))
    assert task_markers(_status(ws=changed), [SimpleNamespace(key="alpha1", id="alpha1")]) == {}


def test_adding_paths_to_a_plan_component_keeps_the_plans_other_components(tmp_path: Path) -> None:
    """Issue 17: with the components coming from the plan's rollback commands, "Add paths…" on one of
    them wrote a config holding only that one, and the others vanished from the project."""
    from mission_control.repo.components import load_components

    plan = (
        "# Plan\n\n```mermaid\ngantt\ndateFormat HH:mm\nsection A\nOne :a1, 00:00, 1h\n```\n\n"
        "```bash\npython rollback.py --component factory\npython rollback.py --component websocket\n"
        "python rollback.py --component registry\n```\n"
    )
    (tmp_path / "plan.md").write_text(plan)
    assert set(load_components(tmp_path).components) == {"factory", "websocket", "registry"}
    add_component_paths(tmp_path, "websocket", ["app/ws.py"])
    components = load_components(tmp_path)
    assert set(components.components) == {"factory", "websocket", "registry"}
    assert components.get("websocket").paths == ("app/ws.py",)
    assert components.get("factory").paths == () and components.get("registry").paths == ()
