"""Which Gantt bars a test run marks, and how: "✓ 12/12" or "✗ 2 failing" (no Qt here).

A task's tests are those of the components serving it (``[components.x] tasks = [...]``); a
component's tests are its resolved pytest arguments (paths or node ids). The Tests dock keeps
the latest outcome of every test and only shows what :func:`task_markers` computes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from mission_control.config import ProjectConfig
from mission_control.plan import Plan
from mission_control.testing import Selection, SelectionError, resolve_selection
from mission_control.testing.results import FAILING

#: Outcomes that say nothing about whether the code works (not counted in "✓ n/m").
_UNCOUNTED = frozenset({"skipped", "xfailed", "running", "interrupted"})


def component_matches(nodeid: str, args: Sequence[str]) -> bool:
    """Whether ``nodeid`` is selected by a component's pytest arguments (paths or node ids)."""
    file = nodeid.split("::", 1)[0]
    for arg in args:
        arg = arg.rstrip("/")
        if nodeid == arg or nodeid.startswith(arg + "::") or file == arg or file.startswith(arg + "/"):
            return True
    return False


def marker_text(outcomes: Sequence[str]) -> str | None:
    """The Gantt marker for a task whose tests ended with ``outcomes``: "✓ 12/12" or "✗ 2 failing"."""
    if not outcomes:
        return None
    failing = sum(o in FAILING for o in outcomes)
    if failing:
        return f"✗ {failing} failing"
    counted = [o for o in outcomes if o not in _UNCOUNTED]
    return f"✓ {sum(o in ('passed', 'xpassed') for o in counted)}/{len(counted)}"


def component_outcomes(latest: Mapping[str, str], args: Sequence[str]) -> list[str]:
    """The latest outcome of each test a component's arguments select (empty until a run covered it)."""
    return [o for nodeid, o in latest.items() if args and component_matches(nodeid, args)]


def component_test_args(repo: Path, config: ProjectConfig | None) -> dict[str, tuple[str, ...]]:
    """Each component's pytest arguments (``()`` for one whose tests cannot be resolved)."""
    resolved: dict[str, tuple[str, ...]] = {}
    for name in config.components if config is not None else {}:
        try:
            resolved[name] = tuple(resolve_selection(repo, Selection("component", name), config).args)
        except SelectionError:
            resolved[name] = ()
    return resolved


def task_markers(
    plan: Plan,
    config: ProjectConfig,
    latest: Mapping[str, str],
    component_tests: Mapping[str, Sequence[str]],
) -> dict[str, str]:
    """Task key → marker text, for every task whose components' tests have a known outcome.

    Args:
        plan: the plan whose tasks get markers.
        config: the project's components (which tasks each serves).
        latest: the latest outcome of every test run so far, by node id.
        component_tests: each component's pytest arguments (:func:`component_test_args`).
    """
    markers: dict[str, str] = {}
    if not latest:
        return markers
    for task in plan.tasks:
        outcomes: list[str] = []
        for name, component in config.components.items():
            if task.key in component.tasks or (task.id and task.id in component.tasks):
                outcomes += component_outcomes(latest, component_tests.get(name) or ())
        text = marker_text(outcomes)
        if text:
            markers[task.key] = text
    return markers
