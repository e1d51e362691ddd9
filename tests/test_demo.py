"""The demo mission: a real, committed, tested codebase shaped like the sample plan's target.

Every later feature is demonstrated on it, so these tests check what they rely on: git state
and baseline, a green pytest suite that goes red when a component breaks, a configuration
whose globs, tests and task ids are all real, and safe reuse/reset.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git

from mission_control import cli
from mission_control.config import load_config
from mission_control.services.demo import (
    BASELINE_TAG,
    MARKER_NAME,
    PLAN_PATH,
    DemoError,
    create_demo,
    default_demo_path,
    is_demo,
)
from mission_control.util import appdirs

PLAN_COMPONENTS = {"factory", "websocket"}
REQUIRED_COMPONENTS = PLAN_COMPONENTS | {"agents", "dispatch", "ids", "managers"}
ID_HELPER = r"(generate|make)_\w*id|new_uuid_hex|timestamped_id"


@pytest.fixture(scope="module")
def shared_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo for the read-only checks (tests that change it make their own)."""
    return create_demo(tmp_path_factory.mktemp("shared") / "demo")


def _tracked(repo: Path) -> list[str]:
    return git(repo, "ls-files").splitlines()


def _plan_task_ids(plan_text: str) -> set[str]:
    """Task ids of the plan's Mermaid gantt, by regex (independent of the plan engine)."""
    ids: set[str] = set()
    for block in re.findall(r"```mermaid\s*\n\s*gantt\n(.*?)```", plan_text, re.S):
        for meta in re.findall(r"^\s*[^:\n%]+?\s*:\s*(.+)$", block, re.M):
            items = [item.strip() for item in meta.split(",")]
            for item in items[:-1]:  # the last item is a duration or an end
                if re.fullmatch(r"[A-Za-z_][\w-]*", item) and item not in {"crit", "done", "active", "milestone"}:
                    ids.add(item)
                    break
    return ids


def _run_demo_pytest(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- what gets created ------------------------------------------------------------------


def test_demo_is_a_clean_git_repo_with_the_baseline_tag(shared_demo: Path) -> None:
    assert git(shared_demo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(shared_demo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert git(shared_demo, "rev-parse", f"{BASELINE_TAG}^{{commit}}") == git(shared_demo, "rev-parse", "HEAD")
    assert git(shared_demo, "log", "-1", "--format=%an <%ae>").strip() == (
        "Mission Control Demo <demo@mission-control.invalid>"
    )
    tracked = _tracked(shared_demo)
    assert ".gitignore" in tracked and "gitignore" not in tracked
    assert not [p for p in tracked if "__pycache__" in p or p.endswith(".pyc")]
    assert is_demo(shared_demo)
    marker = json.loads((shared_demo / ".git" / MARKER_NAME).read_text())
    assert marker["created_by"] == "mission-control"


def test_demo_carries_the_sample_plan_byte_for_byte(shared_demo: Path, sample_plan_path: Path) -> None:
    assert (shared_demo / PLAN_PATH).read_bytes() == sample_plan_path.read_bytes()
    assert PLAN_PATH in _tracked(shared_demo)


def test_default_location_is_the_user_data_folder() -> None:
    path = create_demo()
    assert path == appdirs.data_dir() / "demo-mission" == default_demo_path()
    assert is_demo(path)


def test_demo_has_the_duplication_the_plan_removes(shared_demo: Path) -> None:
    classes: dict[str, list[str]] = {}
    id_helper_modules = set()
    for path in (shared_demo / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        module = path.relative_to(shared_demo).as_posix()
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, []).append(module)
            elif isinstance(node, ast.FunctionDef) and re.fullmatch(ID_HELPER, node.name):
                id_helper_modules.add(module)
    emitters = classes["UserWebSocketEmitter"]
    assert len(emitters) == 5 and "app/services/websocket_emitter.py" in emitters
    managers = [name for name in classes if name.endswith("Manager")]
    assert {"WebSocketManager", "ConnectionScopedWebSocketManager"} <= set(managers)
    assert len(managers) >= 12
    registries_and_factories = {
        "AgentRegistry",
        "AgentClassRegistry",
        "AgentInstanceFactory",
        "OptimizedAgentInstanceFactory",
    }
    assert registries_and_factories <= set(classes)
    assert len([name for name in classes if name.endswith("ToolDispatcher")]) == 5
    assert len([name for name in classes if name.endswith("ExecutionEngine")]) == 4
    assert len(classes["DataSubAgent"]) == 3
    assert len(id_helper_modules) >= 6
    for name in ("agent_instance_factory.py", "agent_instance_factory_optimized.py"):
        assert (shared_demo / "app" / "agents" / name).is_file()


# --- its test suite ---------------------------------------------------------------------


def test_demo_suite_passes_and_fails_when_the_websocket_component_breaks(tmp_path: Path) -> None:
    repo = create_demo(tmp_path / "demo")
    done = _run_demo_pytest(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    passed = int(re.search(r"(\d+) passed", done.stdout).group(1))
    assert 30 <= passed <= 80 and "failed" not in done.stdout
    emitter = repo / "app" / "services" / "websocket_emitter.py"
    emitter.write_text(emitter.read_text().replace('"sequence": self.events_sent', '"sequence": 0'))
    broken = _run_demo_pytest(repo, "tests/websocket")
    assert broken.returncode == 1
    assert "test_emit_sends_numbered_messages[services]" in broken.stdout


def test_emitters_are_alike_enough_to_consolidate(tmp_path: Path) -> None:
    """What the consolidate codemod will do, by hand: one canonical emitter, suite still green."""
    repo = create_demo(tmp_path / "demo")
    canonical = "from app.services.websocket_emitter import UserWebSocketEmitter"
    duplicates = [
        "app.websocket_core.user_emitter",
        "app.websocket_core.unified_emitter",
        "app.agents.agent_websocket_emitter",
        "app.services.agent_websocket_bridge",
    ]
    for path in repo.rglob("*.py"):
        text = path.read_text()
        for module in duplicates:
            text = text.replace(f"from {module} import UserWebSocketEmitter", canonical)
        path.write_text(text)
    for module in duplicates[:3]:  # modules holding only the class are left empty: deleted
        (repo / (module.replace(".", "/") + ".py")).unlink()
    bridge = repo / "app" / "services" / "agent_websocket_bridge.py"
    text = bridge.read_text()
    start, end = text.index("class UserWebSocketEmitter"), text.index("class AgentWebSocketBridge")
    bridge.write_text(text[:start].replace("\n\n\n", f"\n{canonical}\n\n\n", 1) + text[end:])
    done = _run_demo_pytest(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    remaining = git(repo, "grep", "-l", "class UserWebSocketEmitter").split()
    assert remaining == ["app/services/websocket_emitter.py"]


def test_demo_tests_are_organised_per_component(shared_demo: Path) -> None:
    tests = {p for p in _tracked(shared_demo) if p.startswith("tests/") and p.endswith(".py")}
    assert "tests/agents/test_factory.py" in tests
    for folder in ("websocket", "dispatch", "ids", "managers"):
        assert any(p.startswith(f"tests/{folder}/test_") for p in tests), folder


# --- its configuration ------------------------------------------------------------------


def test_config_loads_with_the_plan_and_baseline(shared_demo: Path) -> None:
    config = load_config(shared_demo)
    assert config.source == shared_demo / "mission-control.toml"
    assert config.plan == shared_demo / PLAN_PATH and config.plan.is_file()
    assert config.baseline == BASELINE_TAG
    assert set(config.components) >= REQUIRED_COMPONENTS


def test_every_component_glob_matches_files_and_components_do_not_overlap(shared_demo: Path) -> None:
    tracked = _tracked(shared_demo)
    owner: dict[str, str] = {}
    for name, component in load_config(shared_demo).components.items():
        for pattern in component.paths:
            # pathlib's glob and fnmatch must agree, whichever the components code uses.
            globbed = {p.relative_to(shared_demo).as_posix() for p in shared_demo.glob(pattern) if p.is_file()}
            matched = {p for p in tracked if fnmatch.fnmatch(p, pattern)}
            assert globbed and globbed == matched, f"{name}: {pattern}"
            for path in matched:
                assert owner.setdefault(path, name) == name, f"{path} in {owner[path]} and {name}"
        for test in component.tests:
            assert (shared_demo / test.split("::")[0]).exists(), f"{name}: {test}"
    app_modules = {p for p in tracked if p.startswith("app/") and p.endswith(".py")}
    assert app_modules - set(owner) == set(), "every app module belongs to a component"


def test_config_task_ids_exist_in_the_plan(shared_demo: Path) -> None:
    plan_ids = _plan_task_ids((shared_demo / PLAN_PATH).read_text(encoding="utf-8"))
    assert {"alpha1", "alpha2", "delta1", "echo4"} <= plan_ids and len(plan_ids) == 20
    for name, component in load_config(shared_demo).components.items():
        assert component.tasks, name
        assert set(component.tasks) <= plan_ids, name


def test_plan_engine_sees_the_same_tasks_and_rollback_components(shared_demo: Path) -> None:
    from mission_control.plan import load_plan

    plan = load_plan(shared_demo / PLAN_PATH).plan
    text = (shared_demo / PLAN_PATH).read_text(encoding="utf-8")
    assert {task.id for task in plan.tasks if task.id} == _plan_task_ids(text)
    assert set(plan.components) == PLAN_COMPONENTS == set(re.findall(r"--component (\w+)", text))
    assert set(load_config(shared_demo).components) >= PLAN_COMPONENTS


# --- reuse, reset and refusals ----------------------------------------------------------


def test_reuse_keeps_the_leads_edits(tmp_path: Path) -> None:
    repo = create_demo(tmp_path / "demo")
    head = git(repo, "rev-parse", "HEAD")
    edited = repo / "app" / "core" / "ids.py"
    edited.write_text("# mid-refactoring\n")
    assert create_demo(tmp_path / "demo") == repo
    assert edited.read_text() == "# mid-refactoring\n"
    assert git(repo, "rev-parse", "HEAD") == head


def test_reset_recreates_a_fresh_demo(tmp_path: Path) -> None:
    repo = create_demo(tmp_path / "demo")
    (repo / "app" / "core" / "ids.py").write_text("# broken\n")
    (repo / "stray.txt").write_text("x")
    git(repo, "tag", "extra")
    assert create_demo(tmp_path / "demo", reset=True) == repo
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert "extra" not in git(repo, "tag").split()
    assert "def generate_run_id" in (repo / "app" / "core" / "ids.py").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no staging or trash left


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    assert is_demo(create_demo(tmp_path / "demo"))


@pytest.mark.parametrize("reset", [False, True], ids=["create", "reset"])
def test_a_foreign_folder_is_never_touched(tmp_path: Path, reset: bool) -> None:
    foreign = tmp_path / "work"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    with pytest.raises(DemoError, match=r"work: exists and is not a demo mission"):
        create_demo(foreign, reset=reset)
    assert (foreign / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_files_and_symlinks_are_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(DemoError, match="is not a folder"):
        create_demo(tmp_path / "file")
    real = create_demo(tmp_path / "real")
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(DemoError, match="symbolic link"):
        create_demo(tmp_path / "link", reset=True)
    assert is_demo(real)


def test_works_without_any_git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    repo = create_demo(tmp_path / "demo")
    assert git(repo, "tag").split() == [BASELINE_TAG]


def test_missing_git_is_a_clear_error_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with pytest.raises(DemoError, match="git is not installed"):
        create_demo(tmp_path / "demo")
    assert list(tmp_path.iterdir()) == []


# --- the command line -------------------------------------------------------------------


def test_cli_creates_reuses_and_resets(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["demo", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["path"] == str(default_demo_path()) and first["created"] is True
    assert first["baseline"] == BASELINE_TAG and Path(first["plan"]).is_file()
    assert cli.run(["demo"]) == 0
    assert capsys.readouterr().out.strip() == first["path"]
    assert cli.run(["demo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] is False
    assert cli.run(["demo", "--reset", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] is True


def test_cli_refuses_a_foreign_folder_with_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert cli.run(["demo", "--path", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "refusing to touch it" in err and "Traceback" not in err
