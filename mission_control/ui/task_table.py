"""The task table beside the Gantt: one row per task, in the chart's row order, linked to its selection.

Columns: id, name, team, start, end, duration, float, state. Start and duration cells are
editable; the table only reads what was typed and forwards it (``span_edit_requested``) — the
window turns it into the same undoable reschedule a drag of the bar makes. Text that is not a
time in the plan's dateFormat, or not a duration, is refused with a message (``edit_rejected``)
and nothing changes.

Signals (of :class:`TaskTable`; ``edit_rejected`` is its model's):
    task_selected(str): the lead selected a task's row.
    span_edit_requested(str, object, object): task key, new start, new duration (one of them
        changed) from an edited cell, once the cell's editor has closed.
    edit_rejected(str): what was typed cannot be a start or a duration, and why.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.plan import Plan, Task, retiming
from mission_control.plan.dates import EPOCH, DateFormat, format_duration, parse_duration
from mission_control.schedule import ScheduleAnalysis, format_time

COLUMNS = ("ID", "Name", "Team", "Start", "End", "Duration", "Float", "State")
ID, NAME, TEAM, START, END, DURATION, FLOAT, STATE = range(len(COLUMNS))
KEY_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
_DISPLAY = QtCore.Qt.ItemDataRole.DisplayRole
_EDIT = QtCore.Qt.ItemDataRole.EditRole
_Index = QtCore.QModelIndex | QtCore.QPersistentModelIndex
_ROOT = QtCore.QModelIndex()


def task_state(task: Task, analysis: ScheduleAnalysis | None, conflicted: set[str]) -> str:
    """What the State column says: done / active (plan tags), conflict (a dependency broken), else planned."""
    if task.has_tag("done"):
        return "done"
    if task.key in conflicted:
        return "conflict"
    if task.has_tag("active"):
        return "active"
    if not task.resolved:
        return "unscheduled"
    return "planned"


class TaskTableModel(QtCore.QAbstractTableModel):
    """The plan's tasks as rows (in the order given: the chart's), read-only but for start and duration."""

    span_edit_requested = QtCore.Signal(str, object, object)
    edit_rejected = QtCore.Signal(str)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.plan: Plan | None = None
        self.analysis: ScheduleAnalysis | None = None
        self.tasks: list[Task] = []
        self.rows: dict[str, int] = {}
        self._conflicted: set[str] = set()
        self._order: list[str] | None = None  # the order asked for by the last reset

    def set_plan(self, plan: Plan, analysis: ScheduleAnalysis, order: list[str] | None = None) -> None:
        """Show ``plan``'s tasks, in ``order`` (task keys) if given.

        A plan that only moved tasks (a drop: :func:`retiming`) in the same order keeps the rows: the
        re-read tasks are put in their rows and the views told the data changed (no reset, which
        would also lose the current cell and cost a pass over every task).
        """
        change = retiming(self.plan, plan) if self.plan is not None and order == self._order else None
        if change is not None:
            self.plan, self.analysis = plan, analysis
            for key in change.reread:
                if key in self.rows:
                    self.tasks[self.rows[key]] = plan.task(key)
            self._conflicted = {c.task for c in analysis.conflicts}
            if self.tasks:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.tasks) - 1, len(COLUMNS) - 1))
            return
        self._order = list(order) if order is not None else None
        by_key = {t.key: t for t in plan.tasks}
        keys = [k for k in order if k in by_key] if order is not None else list(by_key)
        self.beginResetModel()
        self.plan, self.analysis = plan, analysis
        self.tasks = [by_key[k] for k in keys]
        self.rows = {k: i for i, k in enumerate(keys)}
        self._conflicted = {c.task for c in analysis.conflicts}
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.tasks)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: QtCore.Qt.Orientation, role: int = _DISPLAY):
        if orientation == QtCore.Qt.Orientation.Horizontal and role == _DISPLAY:
            return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> QtCore.Qt.ItemFlag:
        if not index.isValid():
            return QtCore.Qt.ItemFlag.NoItemFlags
        flags = QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable
        if index.column() in (START, DURATION) and self.tasks[index.row()].resolved:
            flags |= QtCore.Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _Index, role: int = _DISPLAY):
        if not index.isValid() or self.plan is None:
            return None
        task = self.tasks[index.row()]
        column = index.column()
        if role == KEY_ROLE:
            return task.key
        if role == _EDIT and column in (START, DURATION):
            return self._edit_text(task, column)
        if role == _DISPLAY:
            return self._text(task, column)
        if role == QtCore.Qt.ItemDataRole.ToolTipRole and column in (START, DURATION):
            return "Double-click or F2 to edit: the change is one undoable step, like a drag of the bar"
        if role == QtCore.Qt.ItemDataRole.ForegroundRole and column == STATE and task.key in self._conflicted:
            return QtGui.QColor("#d7263d")
        return None

    def _text(self, task: Task, column: int) -> str:
        plan, analysis = self.plan, self.analysis
        assert plan is not None
        if column == ID:
            return task.id or ""
        if column == NAME:
            return task.name
        if column == TEAM:
            return task.section
        if column == START:
            return format_time(plan, task.start) if task.resolved else "unscheduled"
        if column == END:
            return format_time(plan, task.end) if task.resolved else ""
        if column == DURATION:
            return format_duration(task.duration) if task.duration is not None else ""
        if column == FLOAT:
            slack = analysis.total_float.get(task.key) if analysis is not None else None
            return format_duration(slack) if slack is not None else ""
        return task_state(task, analysis, self._conflicted)

    def _edit_text(self, task: Task, column: int) -> str:
        assert self.plan is not None
        if column == START and task.start is not None:
            return _start_format(self.plan).format(task.start)
        return format_duration(task.duration) if task.duration is not None else ""

    def setData(self, index: _Index, value, role: int = _EDIT) -> bool:
        """Read an edited start or duration; forward it as an edit request, or refuse it with a message."""
        if role != _EDIT or not index.isValid() or self.plan is None:
            return False
        task = self.tasks[index.row()]
        text = str(value).strip()
        if text == self._edit_text(task, index.column()):
            return False  # unchanged
        start: datetime | None = None
        duration: timedelta | None = None
        try:
            if index.column() == START:
                start = parse_start(self.plan, task, text)
            else:
                duration = parse_new_duration(task, text)
        except ValueError as exc:
            self.edit_rejected.emit(str(exc))
            return False
        self.span_edit_requested.emit(
            task.key, task.start if start is None else start, task.duration if duration is None else duration
        )
        return True

    def key_at(self, row: int) -> str | None:
        return self.tasks[row].key if 0 <= row < len(self.tasks) else None


def _start_format(plan: Plan) -> DateFormat:
    return DateFormat(plan.date_format)


def parse_start(plan: Plan, task: Task, text: str) -> datetime:
    """A start typed by the lead, in the plan's dateFormat; ValueError saying what is expected."""
    fmt = _start_format(plan)
    reference = (plan.reference_day or task.start or EPOCH).date()
    value = fmt.parse(text, reference) if text else None
    if value is None:
        example = fmt.format(task.start) if task.start is not None else "08:00"
        shape = f"the plan's dateFormat {plan.date_format!r}" if plan.date_format else "ISO form"
        raise ValueError(f"Start of {task.name!r}: {text!r} is not a time in {shape} (for example {example}).")
    return value


def parse_new_duration(task: Task, text: str) -> timedelta:
    """A duration typed by the lead (``6h``, ``90m``, ``2d``); ValueError saying what is expected."""
    duration = parse_duration(text.replace(" ", ""))
    if duration is None or task.start is None:
        raise ValueError(
            f"Duration of {task.name!r}: {text!r} is not a duration; write a number and a unit, like 6h, 90m or 2d."
        )
    return duration.add_to(task.start) - task.start


class TaskTable(QtWidgets.QTableView):
    """The table widget (objectName ``taskTable``); :meth:`select` follows the chart without echoing back."""

    task_selected = QtCore.Signal(str)
    span_edit_requested = QtCore.Signal(str, object, object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskTable")
        self.table_model = TaskTableModel(self)
        self.setModel(self.table_model)
        # queued: the edit reaches the plan once the cell editor has closed (the plan's refresh resets the model)
        self.table_model.span_edit_requested.connect(
            self.span_edit_requested, QtCore.Qt.ConnectionType.QueuedConnection
        )
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked
            | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed  # (no SelectedClicked: its delay blocks F2)
        )
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        widths = {ID: 7, NAME: 22, TEAM: 16, START: 10, END: 10, DURATION: 7, FLOAT: 6, STATE: 9}
        char = self.fontMetrics().averageCharWidth()
        for column, chars in widths.items():
            header.resizeSection(column, chars * char + 16)
        self._quiet = False
        self._selected: str | None = None
        self._stale: tuple | None = None
        self.selectionModel().currentRowChanged.connect(self._on_current_changed)

    def set_plan(self, plan: Plan, analysis: ScheduleAnalysis, order: list[str] | None = None) -> None:
        """Show ``plan`` (deferred while the table is hidden: a collapsed table costs nothing)."""
        if not self.isVisible():
            self._stale = (plan, analysis, order)
            return
        self._stale = None
        self._quiet = True
        try:
            self.table_model.set_plan(plan, analysis, order)
        finally:
            self._quiet = False
        self.select(self._selected)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self._stale is not None:
            self.set_plan(*self._stale)

    def select(self, key: str | None) -> None:
        """Select ``key``'s row and scroll to it (no ``task_selected``: the chart did it)."""
        self._selected = key
        row = self.table_model.rows.get(key, -1) if key else -1
        self._quiet = True
        try:
            if row < 0:
                self.clearSelection()
                return
            current = self.currentIndex()
            if current.isValid() and current.row() == row and self.selectionModel().isRowSelected(row):
                return  # already there (the lead's click): keep the cell they clicked current, for F2
            index = self.table_model.index(row, current.column() if current.isValid() else NAME)
            flags = (
                QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect | QtCore.QItemSelectionModel.SelectionFlag.Rows
            )
            self.selectionModel().setCurrentIndex(index, flags)
            self.scrollTo(index)
        finally:
            self._quiet = False

    def _on_current_changed(self, current: QtCore.QModelIndex, _previous: QtCore.QModelIndex) -> None:
        key = self.table_model.key_at(current.row()) if current.isValid() else None
        if key is None or self._quiet or key == self._selected:
            return
        self._selected = key
        self.task_selected.emit(key)
