"""Undo commands: each user edit of the plan is one QUndoCommand holding its line edits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6 import QtGui

from mission_control.plan import LineEdit, PlanError
from mission_control.services.project import Project

NUDGE_ID = 1001


class PlanEditCommand(QtGui.QUndoCommand):
    """Runs ``action`` once (it returns the line edits); undo/redo replay those edits.

    If the action fails, the command marks itself obsolete so the stack drops it, and the
    error is passed to ``on_error``.
    """

    def __init__(
        self,
        project: Project,
        text: str,
        action: Callable[[], list[LineEdit]],
        on_change: Callable[[], None],
        on_error: Callable[[str], None],
    ) -> None:
        super().__init__(text)
        self.project = project
        self.action = action
        self.on_change = on_change
        self.on_error = on_error
        self.edits: list[LineEdit] | None = None

    def redo(self) -> None:
        if self.edits is None:
            try:
                self.edits = self.action()
            except PlanError as exc:
                self.edits = []
                self.setObsolete(True)
                self.on_error(str(exc))
            if not self.edits:
                self.setObsolete(True)
        else:
            self.project.apply(self.edits)
        self.on_change()

    def undo(self) -> None:
        self.project.undo(self.edits or [])
        self.on_change()


class RescheduleCommand(PlanEditCommand):
    """Move or resize a task (with its cascade) — one drag, one undo step."""

    def __init__(
        self,
        project: Project,
        key: str,
        start: datetime | None,
        duration: timedelta | None,
        cascade: bool,
        on_change,
        on_error,
        nudge: bool = False,
    ) -> None:
        self.key = key
        self.nudge = nudge
        task = project.plan.find_task(key)
        verb = "Nudge" if nudge else ("Resize" if start is None or (task and start == task.start) else "Move")
        super().__init__(
            project,
            f"{verb} {task.name if task else key}",
            lambda: project.reschedule(key, start=start, duration=duration, cascade=cascade).edits,
            on_change,
            on_error,
        )

    def id(self) -> int:
        return NUDGE_ID if self.nudge else -1

    def mergeWith(self, other: QtGui.QUndoCommand) -> bool:
        """Consecutive arrow-key nudges of one task merge into one undo step."""
        if not isinstance(other, RescheduleCommand) or not other.nudge or other.key != self.key or other.edits is None:
            return False
        self.edits = _compose(self.edits or [], other.edits)
        return True


def _compose(first: list[LineEdit], second: list[LineEdit]) -> list[LineEdit]:
    """One edit list equivalent to applying ``first`` then ``second``."""
    result = {e.index: e for e in first}
    for edit in second:
        earlier = result.get(edit.index)
        result[edit.index] = LineEdit(edit.index, earlier.old if earlier else edit.old, edit.new)
    return [e for e in sorted(result.values(), key=lambda e: e.index) if e.old != e.new]


class SignoffCommand(PlanEditCommand):
    """Tick or untick a checklist box as a sign-off or revoke: one undo step that keeps the ledger in step.

    The ledger is append-only, so undoing a sign-off cannot erase it: undo unticks the box and
    calls ``record(True, was_modified)`` to append a revocation (undoing a revoke appends a sign-off);
    redo appends the original action again. The first redo only edits the plan: the dock
    records that entry itself. ``skip_ledger`` is set when the first write failed, so the
    undo that takes the tick back appends nothing.
    """

    def __init__(
        self,
        project: Project,
        text: str,
        action: Callable[[], list[LineEdit]],
        on_change: Callable[[], None],
        on_error: Callable[[str], None],
        *,
        revoke: bool,
        record: Callable[[bool, bool], None],
    ) -> None:
        super().__init__(project, text, action, on_change, on_error)
        self.revoke = revoke
        self.record = record
        self.skip_ledger = False

    def redo(self) -> None:
        first, was_modified = self.edits is None, self.project.modified
        super().redo()
        if not first and not self.skip_ledger:
            self.record(self.revoke, was_modified)

    def undo(self) -> None:
        was_modified = self.project.modified
        super().undo()
        if not self.skip_ledger:
            self.record(not self.revoke, was_modified)
