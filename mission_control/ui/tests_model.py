"""The Tests dock's live tree (folder › module › class › test) and its outcome/text filter.

:class:`TestTree` is a QStandardItemModel fed in batches: the panel collects streamed results and
hands them over every few tens of milliseconds, so thousands of tests never stall the event loop.
Group rows (folders, modules, classes) keep running counts of their tests' outcomes, updated once per batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from PySide6 import QtCore, QtGui

from mission_control.testing import CollectionError, TestResult
from mission_control.testing.results import OUTCOMES

OUTCOME_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
RESULT_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2
NODEID_ROLE = QtCore.Qt.ItemDataRole.UserRole + 3
KIND_ROLE = QtCore.Qt.ItemDataRole.UserRole + 4
DURATION_ROLE = QtCore.Qt.ItemDataRole.UserRole + 5
RUNNING = "running"
INTERRUPTED = "interrupted"
COLUMNS = ("Test", "Result", "Time")
COLORS = {
    "passed": "#2e9e44",
    "failed": "#d7263d",
    "error": "#e8730c",
    "skipped": "#9a9a9a",
    "xfailed": "#3b7dd8",
    "xpassed": "#8e44ad",
    RUNNING: "#c9a400",
    INTERRUPTED: "#b05a00",
}
# Worst first: a group shows the worst outcome among its tests.
SEVERITY = ("error", "failed", INTERRUPTED, "xpassed", RUNNING, "passed", "xfailed", "skipped")


def split_nodeid(nodeid: str) -> list[str]:
    """``"tests/a.py::TestX::test_y[1::2]"`` → ``["tests/a.py", "TestX", "test_y[1::2]"]``.

    Parameter ids may contain ``::``, so only the part before the first ``[`` is split.
    """
    head, bracket, params = nodeid.partition("[")
    parts = head.split("::")
    parts[-1] += bracket + params
    return [p for p in parts if p] or [nodeid]


def group_path(nodeid: str) -> tuple[str, ...]:
    """The groups a test sits in: ``("tests/unit", "tests/unit/test_a.py", "TestX")`` for
    ``tests/unit/test_a.py::TestX::test_y``; a module at the top of the repository has no folder."""
    parts = split_nodeid(nodeid)
    module = parts[0]  # a collection error's node id is the module alone: its row sits in that module
    folder = module.rpartition("/")[0]
    return ((folder,) if folder else ()) + (module,) + tuple(parts[1:-1])


def outcome_icon(outcome: str, _cache: dict = {}) -> QtGui.QIcon:  # noqa: B006 — a deliberate cache
    """A small coloured disc for ``outcome`` (hollow while running)."""
    if outcome not in _cache:
        pixmap = QtGui.QPixmap(14, 14)
        pixmap.fill(QtCore.Qt.GlobalColor.transparent)
        painter = QtGui.QPainter(pixmap)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        color = QtGui.QColor(COLORS.get(outcome, "#777777"))
        painter.setPen(QtGui.QPen(color, 2))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush if outcome == RUNNING else color)
        painter.drawEllipse(QtCore.QRectF(2, 2, 10, 10))
        painter.end()
        _cache[outcome] = QtGui.QIcon(pixmap)
    return _cache[outcome]


def format_duration(seconds: float) -> str:
    """ "0.012 s", "1.40 s", "2 min 5 s"."""
    if seconds >= 120:
        return f"{int(seconds // 60)} min {int(seconds % 60)} s"
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.0f} ms"


def counts_text(counts: Counter) -> str:
    """ "2 failed · 10 passed" in severity order."""
    parts = [f"{counts[k]} {k}" for k in SEVERITY if counts.get(k)]
    return " · ".join(parts)


class TestTree(QtGui.QStandardItemModel):
    """Tests of the current run grouped folder › module › class › test, with outcomes and durations.

    A group's key is its path: ``(folder, module file, class…)`` (no folder for a top-level module).
    """

    __test__ = False

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self._reset_index()

    def _reset_index(self) -> None:
        self.leaves: dict[str, QtGui.QStandardItem] = {}
        self.groups: dict[tuple[str, ...], QtGui.QStandardItem] = {}
        self.group_counts: dict[tuple[str, ...], Counter] = {}
        self.group_time: dict[tuple[str, ...], float] = {}
        self._dirty: set[tuple[str, ...]] = set()

    def reset(self) -> None:
        """Forget every test (a new run starts)."""
        self.removeRows(0, self.rowCount())
        self._reset_index()

    # feeding -------------------------------------------------------------------------------
    def apply(
        self, started: Iterable[str] = (), finished: Iterable[TestResult] = (), errors: Iterable[CollectionError] = ()
    ) -> None:
        """One batch: tests that started, tests that finished, collection errors."""
        finished = list(finished)
        done = {result.nodeid for result in finished}
        for nodeid in started:
            if nodeid not in self.leaves and nodeid not in done:  # started and done: one row write
                self._set_leaf(nodeid, RUNNING, None, 0.0)
        for result in finished:
            self._set_leaf(result.nodeid, result.outcome, result, result.duration)
        for error in errors:
            self._set_leaf(error.nodeid, "error", error, 0.0)
        self._refresh_groups()

    def _set_leaf(self, nodeid: str, outcome: str, payload: object, duration: float) -> None:
        parts = split_nodeid(nodeid)
        path = group_path(nodeid)
        folder = path[0] != parts[0]
        item = self.leaves.get(nodeid)
        old = None
        if item is None:
            row = self._new_row(nodeid, parts[-1])
            self._fill_row(row, outcome, payload, duration)  # before insertion: no signals
            self._group(path, folder).appendRow(row)
            self.leaves[nodeid] = row[0]
        else:
            old = item.data(OUTCOME_ROLE)
            self.group_time_add(path, -float(item.data(DURATION_ROLE) or 0.0))
            parent = item.parent() or self.invisibleRootItem()
            self._fill_row([item, parent.child(item.row(), 1), parent.child(item.row(), 2)], outcome, payload, duration)
        self._count(path, old, outcome)
        self.group_time_add(path, duration)

    @staticmethod
    def _new_row(nodeid: str, name: str) -> list[QtGui.QStandardItem]:
        item = QtGui.QStandardItem(name)
        item.setData(nodeid, NODEID_ROLE)
        item.setData("test", KIND_ROLE)
        item.setToolTip(nodeid)
        row = [item, QtGui.QStandardItem(), QtGui.QStandardItem()]
        for cell in row:
            cell.setEditable(False)
        row[2].setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        return row

    @staticmethod
    def _fill_row(row: list[QtGui.QStandardItem], outcome: str, payload: object, duration: float) -> None:
        item, result_cell, time_cell = row
        item.setData(outcome, OUTCOME_ROLE)
        item.setData(payload, RESULT_ROLE)
        item.setData(duration, DURATION_ROLE)
        item.setIcon(outcome_icon(outcome))
        result_cell.setText("collection error" if isinstance(payload, CollectionError) else outcome)
        result_cell.setForeground(QtGui.QColor(COLORS.get(outcome, "#777777")))
        time_cell.setText(format_duration(duration) if outcome != RUNNING and payload is not None else "")

    def _group(self, path: tuple[str, ...], folder: bool) -> QtGui.QStandardItem:
        """The group row for ``path`` (made with its parents if new); ``folder``: path[0] is a folder."""
        item = self.groups.get(path)
        if item is not None:
            return item
        parent = self._group(path[:-1], folder) if len(path) > 1 else self.invisibleRootItem()
        name = path[-1]
        if folder and len(path) == 1:
            kind, text, nodeid = "folder", name + "/", name
        else:
            own = path[1:] if folder else path  # the module file, then classes
            kind = "file" if len(own) == 1 else "class"
            text, nodeid = (name.rpartition("/")[2] if kind == "file" else name), "::".join(own)
        item = QtGui.QStandardItem(text)
        item.setToolTip(nodeid)
        item.setData(kind, KIND_ROLE)
        item.setData(nodeid, NODEID_ROLE)
        row = [item, QtGui.QStandardItem(), QtGui.QStandardItem()]
        for cell in row:
            cell.setEditable(False)
        row[2].setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        parent.appendRow(row)
        self.groups[path] = item
        self.group_counts[path] = Counter()
        self.group_time[path] = 0.0
        return item

    def _count(self, path: tuple[str, ...], old: str | None, new: str) -> None:
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            counts = self.group_counts[key]
            if old is not None:
                counts[old] -= 1
            counts[new] += 1
            self._dirty.add(key)

    def group_time_add(self, path: tuple[str, ...], seconds: float) -> None:
        """Add ``seconds`` to the total time of every group along ``path``."""
        for depth in range(1, len(path) + 1):
            self.group_time[path[:depth]] = self.group_time.get(path[:depth], 0.0) + seconds

    def _refresh_groups(self) -> None:
        for path in self._dirty:
            item = self.groups[path]
            counts = self.group_counts[path]
            worst = next((k for k in SEVERITY if counts.get(k)), "skipped")
            if item.data(OUTCOME_ROLE) != worst:
                item.setData(worst, OUTCOME_ROLE)
                item.setIcon(outcome_icon(worst))
            parent = item.parent() or self.invisibleRootItem()
            for column, text in ((1, counts_text(counts)), (2, format_duration(max(0.0, self.group_time[path])))):
                cell = parent.child(item.row(), column)
                if cell.text() != text:
                    cell.setText(text)
        self._dirty.clear()

    # reading -------------------------------------------------------------------------------
    def interrupt_running(self) -> int:
        """Mark tests still running as interrupted (the run was cancelled); returns how many."""
        running = [n for n, item in self.leaves.items() if item.data(OUTCOME_ROLE) == RUNNING]
        for nodeid in running:
            self._set_leaf(nodeid, INTERRUPTED, None, 0.0)
        self._refresh_groups()
        return len(running)

    def outcomes(self) -> dict[str, str]:
        """Node id → outcome (``"running"`` for unfinished ones) of every test in the tree."""
        return {nodeid: item.data(OUTCOME_ROLE) for nodeid, item in self.leaves.items()}

    def totals(self) -> dict[str, int]:
        """Outcome counts over the whole tree, in pytest's categories (collection errors are errors)."""
        counts = Counter(self.outcomes().values())
        return {k: counts.get(k, 0) for k in OUTCOMES}


class TestFilter(QtCore.QSortFilterProxyModel):
    """Shows tests whose outcome is allowed and whose node id contains the text; groups follow."""

    __test__ = False

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.outcomes: frozenset[str] | None = None
        self.text = ""

    def set_outcomes(self, outcomes: Iterable[str] | None) -> None:
        """Allowed outcomes (None: every outcome)."""
        self._change_filter("outcomes", frozenset(outcomes) if outcomes is not None else None)

    def set_text(self, text: str) -> None:
        """Case-insensitive substring of the node id."""
        self._change_filter("text", text.strip().lower())

    def _change_filter(self, name: str, value: object) -> None:
        # Qt 6.10 deprecates invalidateFilter() for begin/endFilterChange(); support both.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            setattr(self, name, value)
            self.endFilterChange()
        else:
            setattr(self, name, value)
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QtCore.QModelIndex | QtCore.QPersistentModelIndex) -> bool:
        if self.outcomes is None and not self.text:
            return True
        index = self.sourceModel().index(row, 0, parent)
        if index.data(KIND_ROLE) != "test":
            return False  # a group shows when one of its tests does (recursive filtering)
        if self.outcomes is not None and index.data(OUTCOME_ROLE) not in self.outcomes:
            return False
        return not self.text or self.text in str(index.data(NODEID_ROLE)).lower()
