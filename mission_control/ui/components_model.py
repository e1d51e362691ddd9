"""What the Components dock shows, and the calls it runs in workers — no widgets here.

The texts of a component's row, its Gantt markers and the dock's notes are computed from a
:class:`~mission_control.repo.status.RepoStatus`; the ``*_work`` factories build the functions
:func:`~mission_control.ui.workers.run_in_thread` runs (module-level, so they capture only plain
data). An expected failure (a refusal, a bad configuration) comes back as a :class:`Problem`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from mission_control.config import ConfigError
from mission_control.repo.baseline import BASELINE_REF, Baseline
from mission_control.repo.rollback import RollbackPlan, RollbackResult, plan_rollback, rollback, undo_rollback
from mission_control.repo.snapshots import RestoreResult
from mission_control.repo.status import ComponentStatus, RepoStatus
from mission_control.services.status_cache import StatusCache
from mission_control.signoff.mission import MissionError, start_mission
from mission_control.util.git import RepoError
from mission_control.util.progress import CancelToken, ProgressCallback

STATE_STYLE = {  # state -> (symbol, colour)
    "clean": ("✓", "#2e7d32"),
    "changed": ("●", "#c77700"),
    "rolled back": ("⟲", "#1565c0"),
    "no paths": ("○", "#777777"),
    "no files": ("⚠", "#c62828"),
}


@dataclass(frozen=True)
class Problem:
    """An expected failure of a background call (a refusal, a bad config), shown as a message."""

    message: str


class PlanTask(Protocol):
    """What the markers need of a plan task."""

    @property
    def key(self) -> str: ...

    @property
    def id(self) -> str | None: ...


# texts --------------------------------------------------------------------------------------------------
def escape(text: str) -> str:
    """``text`` for a rich-text label (``&``, ``<`` and ``>`` escaped)."""
    return html.escape(text, quote=False)


def state_text(comp: ComponentStatus) -> str:
    """The Status column: ``3 files changed``, ``clean``, ``rolled back``, ``no paths``."""
    count = len(comp.files)
    return f"{count} file{'s' * (count != 1)} changed" if comp.state == "changed" else comp.state


def lines_text(comp: ComponentStatus) -> str:
    """The Lines column: ``+12 −3`` (empty when no file changed)."""
    added = sum(f.added or 0 for f in comp.files)
    removed = sum(f.removed or 0 for f in comp.files)
    return f"+{added} −{removed}" if comp.files else ""


def files_tip(comp: ComponentStatus) -> str:
    """The Status cell's tooltip: the changed files (at most 30), or why there are none."""
    if not comp.has_paths:
        return f"{comp.name} has no paths yet: Add paths… says which files it owns."
    if comp.state == "no files":
        return f"{comp.name}'s paths match no file: a typo? The notes above name the glob."
    if not comp.files:
        rolled = f"\nRolled back ({comp.last_rollback})." if comp.last_rollback else ""
        return "Every file matches the baseline." + rolled
    shown = [f"{f.change:9} {f.path}" for f in comp.files[:30]]
    more = len(comp.files) - len(shown)
    return "\n".join(shown + ([f"… and {more} more"] if more > 0 else []))


def baseline_html(base: Baseline) -> str:
    """The dock's baseline line (rich text): the baseline, a missing ref in red, or "No baseline yet"."""
    if base.commit:
        return f"Baseline: <b>{escape(base.label)}</b>"
    if base.ref:
        return f"<span style='color:#c62828'>Baseline {escape(base.label)}</span>"
    return "<span style='color:#c77700'>No baseline yet</span>"


def notes_html(status: RepoStatus) -> list[str]:
    """The notes above the table (rich text): a missing baseline, the status's notes, unassigned files."""
    notes = [escape(n) for n in status.notes if n != status.baseline.problem]
    if status.baseline.source == "none":
        notes.insert(
            0,
            "No baseline yet: press <b>Start mission</b> to record the current commit, or set "
            '<code>baseline = "&lt;ref&gt;"</code> in mission-control.toml.',
        )
    elif status.baseline.problem:
        notes.insert(0, escape(status.baseline.problem))
    if status.unassigned:
        count = len(status.unassigned)
        notes.append(
            f"{count} changed file{'s' * (count != 1)} belong{'s' * (count == 1)} to no component "
            "(only Full rollback covers {0}).".format("it" if count == 1 else "them")
        )
    return notes


# markers ------------------------------------------------------------------------------------------------
def marker_text(status: ComponentStatus) -> str | None:
    """The Gantt marker for a component's tasks: ``● 3 files``, ``⟲ rolled back`` or None."""
    if status.state == "changed":
        count = len(status.files)
        return f"● {count} file{'s' * (count != 1)}"
    if status.state == "rolled back":
        return "⟲ rolled back"
    return None


def task_markers(status: RepoStatus, tasks: Iterable[PlanTask]) -> dict[str, str]:
    """Task key -> marker text for every plan task linked to a component that changed or was rolled back.

    Components name tasks by their written id (or key); a task of several components gets
    every text, in component order.
    """
    by_id: dict[str, str] = {}
    for task in tasks:
        by_id.setdefault(task.key, task.key)
        if task.id:
            by_id.setdefault(task.id, task.key)
    texts: dict[str, list[str]] = {}
    for comp in status.components.values():
        text = marker_text(comp)
        if text is None:
            continue
        for task_id in comp.tasks:
            key = by_id.get(task_id)
            if key is not None and text not in texts.setdefault(key, []):
                texts[key].append(text)
    return {key: "  ".join(parts) for key, parts in texts.items()}


# work run in threads --------------------------------------------------------------------------------------
T = TypeVar("T")
WorkOf = Callable[[ProgressCallback, Callable[[Any], None], CancelToken], T | Problem]


def status_work(cache: StatusCache) -> WorkOf[RepoStatus]:
    """Read the status through the project's shared cache (only what the noted changes require)."""

    def work(_progress: ProgressCallback, _event: Callable[[Any], None], cancel: CancelToken) -> RepoStatus | Problem:
        try:
            return cache.read(cancel)
        except (RepoError, ConfigError) as exc:
            return Problem(str(exc))

    return work


def plan_work(repo: Path, component: str | None) -> WorkOf[RollbackPlan]:
    def work(
        _progress: ProgressCallback, _event: Callable[[Any], None], _cancel: CancelToken
    ) -> RollbackPlan | Problem:
        try:
            return plan_rollback(repo, component, full=component is None)
        except (RepoError, ConfigError) as exc:
            return Problem(str(exc))

    return work


def rollback_work(repo: Path, component: str | None) -> WorkOf[RollbackResult]:
    def work(
        progress: ProgressCallback, _event: Callable[[Any], None], cancel: CancelToken
    ) -> RollbackResult | Problem:
        try:
            return rollback(repo, component, full=component is None, on_progress=progress, cancel=cancel)
        except (RepoError, ConfigError) as exc:
            return Problem(str(exc))

    return work


def undo_work(repo: Path, snapshot: str | None) -> WorkOf[RestoreResult]:
    def work(progress: ProgressCallback, _event: Callable[[Any], None], cancel: CancelToken) -> RestoreResult | Problem:
        try:
            return undo_rollback(repo, snapshot, on_progress=progress, cancel=cancel)
        except RepoError as exc:
            return Problem(str(exc))

    return work


def start_work(repo: Path) -> WorkOf[Baseline]:
    """Start the mission as the Checklist's button of the same name does: Hour 0 now, HEAD the baseline."""

    def work(_progress: ProgressCallback, _event: Callable[[Any], None], _cancel: CancelToken) -> Baseline | Problem:
        try:
            mission = start_mission(repo)
        except MissionError as exc:
            return Problem(str(exc))
        return Baseline(BASELINE_REF, mission.baseline, "mission")

    return work
