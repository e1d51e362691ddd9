"""Which Gantt bars a test run marks (services.test_markers): Qt-free, from outcomes and components."""

from __future__ import annotations

from pathlib import Path

from helpers import write_file

from mission_control.config import ComponentConfig, ProjectConfig, load_config
from mission_control.plan import parse_plan
from mission_control.services.test_markers import (
    component_matches,
    component_outcomes,
    component_test_args,
    marker_text,
    task_markers,
)

PLAN = parse_plan(
    """```mermaid
gantt
    dateFormat HH:mm
    section A
    Factory :f1, 00:00, 2h
    Emitter :e1, 02:00, 2h
    Docs    :04:00, 1h
```
"""
)
CONFIG = ProjectConfig(
    components={
        "factory": ComponentConfig("factory", tasks=("f1",)),
        "emitter": ComponentConfig("emitter", tasks=("e1", "f1")),
    }
)
TESTS = {"factory": ("tests/factory",), "emitter": ("tests/test_emit.py::test_send",)}


def test_a_task_is_marked_from_the_tests_of_every_component_serving_it() -> None:
    latest = {
        "tests/factory/test_a.py::test_1": "passed",
        "tests/factory/test_a.py::test_2": "skipped",
        "tests/test_emit.py::test_send": "passed",
        "tests/test_emit.py::test_receive": "failed",  # no component selects it
    }
    assert task_markers(PLAN, CONFIG, latest, TESTS) == {"f1": "✓ 2/2", "e1": "✓ 1/1"}
    latest["tests/test_emit.py::test_send"] = "error"
    assert task_markers(PLAN, CONFIG, latest, TESTS) == {"f1": "✗ 1 failing", "e1": "✗ 1 failing"}


def test_no_marker_without_outcomes_or_without_resolvable_tests() -> None:
    assert task_markers(PLAN, CONFIG, {}, TESTS) == {}
    latest = {"tests/factory/test_a.py::test_1": "passed"}
    assert task_markers(PLAN, CONFIG, latest, {"factory": (), "emitter": ()}) == {}
    assert component_outcomes(latest, ()) == []


def test_matching_and_marker_text() -> None:
    assert component_matches("tests/ws/test_a.py::test_x", ("tests/ws/",))
    assert not component_matches("tests/wsx/test_a.py::t", ("tests/ws",))
    assert marker_text(["passed", "xpassed", "xfailed", "interrupted"]) == "✓ 2/2"
    assert marker_text(["failed", "error", "passed"]) == "✗ 2 failing"


def test_component_test_args_resolve_from_the_config(git_repo: Path) -> None:
    write_file(git_repo, "tests/test_core.py", "def test_x():\n    pass\n")
    write_file(
        git_repo,
        "mission-control.toml",
        '[components.core]\ntests = ["tests/test_core.py"]\n[components.none]\npaths = ["app/*.py"]\n',
    )
    args = component_test_args(git_repo, load_config(git_repo))
    assert args["core"] == ("tests/test_core.py",) and args["none"] == ()
    assert component_test_args(git_repo, None) == {}
