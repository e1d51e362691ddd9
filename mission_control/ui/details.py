"""Task details panel (objectName ``taskDetails``): everything about the selected task."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from PySide6 import QtCore, QtWidgets

from mission_control.plan import Plan
from mission_control.schedule import ScheduleAnalysis, format_time
from mission_control.teams.progress import TaskProgress


class TaskDetails(QtWidgets.QWidget):
    """Name, id, team, times, tags, dependencies in and out with their kinds, conflicts."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskDetails")
        self.title = QtWidgets.QLabel("No task selected")
        self.title.setObjectName("taskTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.form = QtWidgets.QFormLayout()
        self.form.setLabelAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QtWidgets.QLabel] = {}
        for name in (
            "Id",
            "Team",
            "Start",
            "End",
            "Duration",
            "Actual",
            "Tags",
            "Float",
            "Depends on",
            "Blocks",
            "Conflicts",
        ):
            label = QtWidgets.QLabel("–")
            label.setWordWrap(True)
            label.setTextFormat(QtCore.Qt.TextFormat.RichText)
            label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[name] = label
            self.form.addRow(f"{name}:", label)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.key: str | None = None
        self.progress: dict[str, TaskProgress] = {}

    def set_progress(self, progress: dict[str, TaskProgress]) -> None:
        """Planned against actual per task (from the teams' commits); shown as the "Actual" row."""
        self.progress = dict(progress)
        item = self.progress.get(self.key) if self.key else None
        self.fields["Actual"].setText(_actual_text(item))

    def show_task(self, plan: Plan, analysis: ScheduleAnalysis, key: str | None) -> None:
        """Fill the panel for ``key`` (or clear it)."""
        self.key = key
        task = plan.find_task(key) if key else None
        if task is None:
            self.title.setText("No task selected")
            for label in self.fields.values():
                label.setText("–")
            return
        self.title.setText(task.name)
        values = {
            "Id": escape(task.id or f"(none; Mermaid calls it {task.key})"),
            "Team": escape(task.section or "(no section)"),
            "Start": format_time(plan, task.start),
            "End": format_time(plan, task.end),
            "Duration": _duration(task.duration),
            "Actual": _actual_text(self.progress.get(task.key)),
            "Tags": escape(", ".join(task.tags) or "–"),
            "Float": _float_text(analysis, task.key),
            "Depends on": self._deps(plan, [(d.from_key, d) for d in plan.dependencies_of(task.key)]),
            "Blocks": self._deps(plan, [(d.to_key, d) for d in plan.dependents_of(task.key)]),
            "Conflicts": "<br>".join(
                f"<span style='color:#d7263d'>⚠ {escape(c.message)}</span>" for c in analysis.conflicts_of(task.key)
            )
            or "none",
        }
        for name, value in values.items():
            self.fields[name].setText(value)

    @staticmethod
    def _deps(plan: Plan, pairs) -> str:
        if not pairs:
            return "–"
        rows = []
        for key, dep in pairs:
            other = plan.find_task(key)
            name = other.name if other else key
            label = f" “{escape(dep.label)}”" if dep.label else ""
            rows.append(f"{escape(name)} <small>({escape(key)}; {dep.kind}{label}; {dep.source})</small>")
        return "<br>".join(rows)


def _actual_text(item: TaskProgress | None) -> str:
    """``started 40 min late · 3 commits`` (or "–" before any commit is mapped to the task)."""
    if item is None or not item.commits:
        return "–"
    count = len(item.commits)
    color = "#d7263d" if (item.start_slip or timedelta(0)) > timedelta(minutes=1) else "#2a7f3f"
    return f"<span style='color:{color}'>{escape(item.describe())}</span> · {count} commit{'s' * (count != 1)}"


def _duration(value) -> str:
    if value is None:
        return "–"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d"] * bool(days) + [f"{hours}h"] * bool(hours) + [f"{mins}m"] * bool(mins)
    return " ".join(parts) or "0m"


def _float_text(analysis: ScheduleAnalysis, key: str) -> str:
    value = analysis.total_float.get(key)
    if value is None:
        return "–"
    if key in analysis.critical_path:
        return f"{_duration(value) if value.total_seconds() > 0 else '0m'} — on the critical path"
    return _duration(value)
