"""The Conflicts dock (``conflictsPanel``): the conflict forecast as a teams × teams matrix.

The matrix ``conflictMatrix`` has a row per launched team and a column per team plus the
integration branch; a cell is red for a textual conflict, orange for a semantic one (a name one
side removed that the other still imports), yellow for files changed on both sides that still
merge, green when clean, with the number of files. **Finding a cell:** each item holds the pair
``(row team, column team)`` in ``data(Qt.UserRole)``; :meth:`ConflictsPanel.cell_of` returns it.

Clicking a cell lists the pair's files with their conflict kind, and the semantic messages
(``file:line``), in ``conflictFiles``; selecting a file shows what each side changed in it since
their merge base in ``conflictDiffA`` and ``conflictDiffB`` (read in a worker, never on the GUI
thread; :attr:`ConflictsPanel.diff_shown` says when). Planned overlaps (tasks of different teams at
the same time on the same files) are listed in ``plannedOverlaps``.

The forecast itself is computed by the Teams dock, in a worker, whenever a team branch or the
integration branch moves (see :meth:`mission_control.ui.teams_panel.TeamsPanel.request_forecast`);
this dock shows each new one (:attr:`TeamsPanel.forecast_refreshed`).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.services import teams as flows
from mission_control.teams.forecast import (
    CLEAN,
    CONFLICT,
    INTEGRATION,
    OVERLAP,
    SEMANTIC,
    Forecast,
    IntegrationOrder,
    PairForecast,
)
from mission_control.teams.model import TeamError
from mission_control.teams.tracking import MissionTeams
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.workers import Job, Work, run_in_thread
from mission_control.util.git import RepoError
from mission_control.util.progress import CancelToken, Progress

__all__ = ["STATUS_STYLE", "ConflictsPanel", "ForecastView", "conflict_links", "install"]

#: Status -> (symbol, text colour, cell background).
STATUS_STYLE = {
    CONFLICT: ("✗", "#ffffff", "#d7263d"),
    SEMANTIC: ("⚠", "#3d2400", "#ff9f1c"),
    OVERLAP: ("≈", "#4a3b00", "#ffe066"),
    CLEAN: ("✓", "#1b5e20", "#b9e4bf"),
}
SAME = ("=", "#5c6773", "#eef1f4")  # two sides at the same commit: nothing to merge
DIAGONAL = ("", "#5c6773", "#f4f6f8")
MATRIX_MAX_WIDTH = 560  # wider (many teams): the matrix scrolls rather than squeeze the diffs
#: Status -> a text colour that reads on the window's background (the summary, the pair's title).
TEXT_COLOUR = {CONFLICT: "#c62828", SEMANTIC: "#c25e00", OVERLAP: "#8d6e00", CLEAN: "#2e7d32"}
KIND_WORD = {CONFLICT: "conflict", SEMANTIC: "semantic conflict", OVERLAP: "overlap", CLEAN: "clean"}


@dataclass(frozen=True)
class ForecastView:
    """One forecast as the docks show it: the pairs, the proposed order and the Gantt's links.

    ``teams`` are the launched teams (the matrix rows), ``integration`` whether the integration
    branch exists (the last column), ``links`` task key -> lines for the Gantt's conflict marker.
    """

    forecast: Forecast
    order: IntegrationOrder
    teams: tuple[str, ...]
    integration: bool
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    refs: str = ""


def conflict_links(mission: MissionTeams, forecast: Forecast) -> dict[str, tuple[str, ...]]:
    """Task key -> one line per conflict its commits take part in (``conflicts with bravo2 — …``).

    For each conflicting (textual or semantic) pair, the tasks of the commits on each side that
    touched the files involved (for a semantic conflict: the importing file on one side, the
    module whose name was removed on the other). Against the integration branch only the team's
    side has tasks.
    """
    links: dict[str, list[str]] = {}
    for pair in forecast.pairs:
        if pair.status not in (CONFLICT, SEMANTIC):
            continue
        files = set(pair.files) | {_removed_path(s.message) for s in pair.semantic} - {""}
        tasks = {side: _tasks_touching(mission, side, files) for side in (pair.a, pair.b)}
        word = "conflicts" if pair.status == CONFLICT else "semantic conflict"
        shown = ", ".join(sorted(files)[:3]) + (" …" if len(files) > 3 else "")
        for side, other in ((pair.a, pair.b), (pair.b, pair.a)):
            others = tasks[other] or [other]
            for task in tasks[side]:
                for peer in others:
                    team = "the integration branch" if other == INTEGRATION else f"team {other}"
                    line = f"{word} with {peer} — {team}: {shown}"
                    if line not in links.setdefault(task, []):
                        links[task].append(line)
    return {task: tuple(lines) for task, lines in links.items()}


def _removed_path(message: str) -> str:
    """The module a semantic conflict's message says was removed (``… removed by x in app/core.py``)."""
    return message.rsplit(" in ", 1)[-1] if " removed by " in message else ""


def _tasks_touching(mission: MissionTeams, side: str, files: set[str]) -> list[str]:
    team = mission.team(side) if side != INTEGRATION else None
    if team is None:
        return []
    found: list[str] = []
    for commit in team.commits:
        if commit.task and commit.task not in found and files & set(commit.files):
            found.append(commit.task)
    return found


@dataclass(frozen=True)
class _Diffs:
    a: str
    b: str
    path: str
    texts: tuple[str, str] = ("", "")
    problem: str | None = None


def _diff_work(project: Any, a: str, b: str, path: str) -> Work:
    def work(progress: Callable[[Progress], None], event: Callable[[Any], None], cancel: CancelToken) -> Any:
        try:
            return _Diffs(a, b, path, flows.side_diffs(flows.context_of(project), a, b, path))
        except (TeamError, RepoError, OSError) as exc:
            return _Diffs(a, b, path, problem=str(exc))

    return work


class ConflictsPanel(DockPanel):
    """The dock's widget; see the module docstring.

    Signals:
        pair_shown(object): a cell's pair ``(a, b)`` is listed in the details.
        diff_shown(str): both sides' diffs of this file are shown.
    """

    pair_shown = QtCore.Signal(object)
    diff_shown = QtCore.Signal(str)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("conflictsPanel")
        self.view: ForecastView | None = None
        self.pair: PairForecast | None = None
        self.selected_pair: tuple[str, str] | None = None
        self._diff_job: Job | None = None
        self._diff_again: tuple[str, str, str] | None = None
        self._build()
        self._show_empty("The forecast appears once the teams are launched.")

    # construction ----------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        self.summary = QtWidgets.QLabel()
        self.summary.setObjectName("conflictsSummary")
        self.summary.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.matrix = QtWidgets.QTableWidget(0, 0)
        self.matrix.setObjectName("conflictMatrix")
        self.matrix.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.matrix.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectItems)
        self.matrix.setWordWrap(False)
        self.matrix.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.matrix.horizontalHeader().setMinimumSectionSize(44)
        self.matrix.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        self.matrix.verticalHeader().setDefaultSectionSize(24)
        self.matrix.setStyleSheet("QTableWidget::item:selected { border: 2px solid #111; }")
        self.matrix.cellClicked.connect(self._on_cell_clicked)
        self.matrix.currentCellChanged.connect(lambda row, column, *_: self._on_cell_clicked(row, column))
        self.planned = QtWidgets.QLabel()
        self.planned.setObjectName("plannedOverlaps")
        self.planned.setWordWrap(True)
        self.planned.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.planned.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        left = QtWidgets.QWidget()
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(2)
        left_layout.addWidget(self.matrix, 1)
        left_layout.addWidget(self.planned)

        self.pair_title = QtWidgets.QLabel()
        self.pair_title.setObjectName("conflictPairTitle")
        self.pair_title.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.pair_title.setWordWrap(True)
        self.files = QtWidgets.QListWidget()
        self.files.setObjectName("conflictFiles")
        self.files.setWordWrap(True)
        self.files.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files.currentItemChanged.connect(self._on_file_changed)
        middle = QtWidgets.QWidget()
        middle_layout = QtWidgets.QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.setSpacing(2)
        middle_layout.addWidget(self.pair_title)
        middle_layout.addWidget(self.files, 1)

        fixed = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        self.diff_labels: list[QtWidgets.QLabel] = []
        self.diffs: list[QtWidgets.QPlainTextEdit] = []
        diffs = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        diffs.setObjectName("conflictDiffSplitter")
        for side in ("A", "B"):
            box = QtWidgets.QWidget()
            box_layout = QtWidgets.QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.setSpacing(2)
            label = QtWidgets.QLabel()
            label.setObjectName(f"conflictDiffLabel{side}")
            label.setTextFormat(QtCore.Qt.TextFormat.RichText)
            text = QtWidgets.QPlainTextEdit()
            text.setObjectName(f"conflictDiff{side}")
            text.setReadOnly(True)
            text.setFont(fixed)
            text.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
            text.setPlaceholderText("Pick a file to see what this side changed in it.")
            box_layout.addWidget(label)
            box_layout.addWidget(text, 1)
            diffs.addWidget(box)
            self.diff_labels.append(label)
            self.diffs.append(text)

        splitter = self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        splitter.setObjectName("conflictsSplitter")
        splitter.setChildrenCollapsible(False)
        for widget in (left, middle, diffs):
            splitter.addWidget(widget)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setStretchFactor(2, 4)
        layout.addWidget(splitter, 1)

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(900, 220)

    # lifecycle -------------------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        if project is None or getattr(project, "repo", None) is None:
            self.show_forecast(None)

    def cleanup(self) -> None:
        self._diff_again = None
        if self._diff_job is not None:
            job = self._diff_job
            job.cancel()
            job.wait(30_000)

    @property
    def busy_now(self) -> bool:
        return self._diff_job is not None or self._diff_again is not None

    # showing the forecast --------------------------------------------------------------------------
    def show_forecast(self, view: ForecastView | str | None) -> None:
        """Show a new forecast (None: nothing to show; a text: why it cannot be computed)."""
        problem = view if isinstance(view, str) else None
        view = view if isinstance(view, ForecastView) else None
        self.view = view
        if view is None or not view.teams:
            self.matrix.clear()
            self.matrix.setRowCount(0)
            self.matrix.setColumnCount(0)
            self._show_empty(problem or "The forecast appears once the teams are launched.")
            return
        columns = [*view.teams, *([INTEGRATION] if view.integration else [])]
        self.matrix.blockSignals(True)
        self.matrix.clear()
        self.matrix.setRowCount(len(view.teams))
        self.matrix.setColumnCount(len(columns))
        self.matrix.setVerticalHeaderLabels(list(view.teams))
        self.matrix.setHorizontalHeaderLabels(["integ." if c == INTEGRATION else c for c in columns])
        header = self.matrix.horizontalHeaderItem(len(columns) - 1)
        if view.integration and header is not None:
            header.setToolTip("the integration branch")
        for row, a in enumerate(view.teams):
            for column, b in enumerate(columns):
                self.matrix.setItem(row, column, self._cell(view, a, b))
        self.matrix.blockSignals(False)
        self._fit_matrix()
        counts = dict.fromkeys(STATUS_STYLE, 0)
        for pair in view.forecast.pairs:
            counts[pair.status] += 1
        parts = [
            f"<span style='color:{TEXT_COLOUR[s]}'><b>{counts[s]}</b> "
            f"{KIND_WORD[s]}{'s' * (counts[s] != 1 and s != CLEAN)}</span>"
            for s in (CONFLICT, SEMANTIC, OVERLAP, CLEAN)
        ]
        self.summary.setText(" · ".join(parts) + " &nbsp;<span style='color:#666'>(pairs; click a cell)</span>")
        self._show_planned(view)
        if self.selected_pair is not None and self.cell_of(*self.selected_pair) is not None:
            self._show_pair(*self.selected_pair)
        else:
            self._clear_details()

    def _fit_matrix(self) -> None:
        """Make the matrix's pane as wide as its columns (up to half the dock): no cell hidden by a scroll bar."""
        self.matrix.resizeColumnsToContents()
        header = self.matrix.horizontalHeader()
        width = self.matrix.verticalHeader().sizeHint().width() + header.length() + 2 * self.matrix.frameWidth() + 4
        width = min(width, MATRIX_MAX_WIDTH)
        self.matrix.setMinimumWidth(width)
        sizes = self.splitter.sizes()
        if sum(sizes) > 0 and sizes[0] < width:
            rest = sum(sizes) - width
            self.splitter.setSizes([width, max(rest * 2 // 6, 160), max(rest * 4 // 6, 200)])

    def _cell(self, view: ForecastView, a: str, b: str) -> QtWidgets.QTableWidgetItem:
        item = QtWidgets.QTableWidgetItem()
        item.setData(QtCore.Qt.ItemDataRole.UserRole, (a, b))
        item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        if a == b:
            symbol, colour, back = DIAGONAL
            item.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
            item.setText("—")
        else:
            pair = view.forecast.pair(a, b)
            if pair is None:
                symbol, colour, back = SAME
                item.setText(symbol)
                item.setToolTip(f"{a} and {b} are at the same commit: nothing to merge")
            else:
                symbol, colour, back = STATUS_STYLE[pair.status]
                count = len(pair.files)
                item.setText(f"{symbol} {count}" if pair.status != CLEAN else symbol)
                item.setToolTip(_pair_tip(pair))
                item.setData(QtCore.Qt.ItemDataRole.UserRole + 1, pair.status)
        item.setForeground(QtGui.QColor(colour))
        item.setBackground(QtGui.QColor(back))
        return item

    def _show_planned(self, view: ForecastView) -> None:
        planned = view.forecast.planned
        if not planned:
            self.planned.setText("<span style='color:#666'>No planned overlap between teams.</span>")
            return
        lines = [
            f"⏱ {html.escape(p.a_task)} and {html.escape(p.b_task)} share "
            f"{html.escape(', '.join(p.paths[:3]))}{' …' if len(p.paths) > 3 else ''} at the same time: serialise them"
            for p in planned[:6]
        ]
        if len(planned) > 6:
            lines.append(f"… and {len(planned) - 6} more")
        self.planned.setText("<br>".join(lines))

    def _show_empty(self, text: str) -> None:
        self.summary.setText(html.escape(text))
        self.planned.setText("")
        self._clear_details()

    def _clear_details(self) -> None:
        self.pair = None
        self.pair_title.setText("<span style='color:#666'>Click a cell to see the pair's files.</span>")
        self.files.clear()
        for label, text in zip(self.diff_labels, self.diffs, strict=True):
            label.setText("")
            text.clear()

    # cells and files -------------------------------------------------------------------------------
    def cell_of(self, a: str, b: str) -> QtWidgets.QTableWidgetItem | None:
        """The matrix cell of the pair (row ``a``, column ``b``), None if not shown."""
        for row in range(self.matrix.rowCount()):
            for column in range(self.matrix.columnCount()):
                item = self.matrix.item(row, column)
                if item is not None and tuple(item.data(QtCore.Qt.ItemDataRole.UserRole)) == (a, b):
                    return item
        return None

    def _on_cell_clicked(self, row: int, column: int) -> None:
        item = self.matrix.item(row, column)
        if item is None:
            return
        a, b = item.data(QtCore.Qt.ItemDataRole.UserRole)
        if a != b:
            self._show_pair(a, b)

    def _show_pair(self, a: str, b: str) -> None:
        self.selected_pair = (a, b)
        pair = self.view.forecast.pair(a, b) if self.view is not None else None
        self.pair = pair
        self.files.blockSignals(True)
        self.files.clear()
        self.files.blockSignals(False)
        for label, text, side in zip(self.diff_labels, self.diffs, (a, b), strict=True):
            label.setText(f"<b>{html.escape(side)}</b> changed:")
            text.clear()
        if pair is None:
            self.pair_title.setText(f"<b>{html.escape(a)} × {html.escape(b)}</b>: same commit, nothing to merge")
            self.pair_shown.emit((a, b))
            return
        colour = TEXT_COLOUR[pair.status]
        self.pair_title.setText(
            f"<b>{html.escape(a)} × {html.escape(b)}</b>: "
            f"<span style='color:{colour}'><b>{KIND_WORD[pair.status]}</b></span>"
            f" · {len(pair.files)} file{'s' * (len(pair.files) != 1)}"
        )
        for path in pair.files:
            kind = pair.kinds.get(path) or (SEMANTIC if pair.status == SEMANTIC else pair.status)
            entry = QtWidgets.QListWidgetItem(f"{path}  ({kind})")
            entry.setData(QtCore.Qt.ItemDataRole.UserRole, path)
            entry.setToolTip(path)
            self.files.addItem(entry)
        for semantic in pair.semantic:
            where = f"{semantic.path}:{semantic.line}"
            entry = QtWidgets.QListWidgetItem(f"⚠ {where}  {semantic.message.split(where + ' ', 1)[-1]}")
            entry.setData(QtCore.Qt.ItemDataRole.UserRole, semantic.path)
            entry.setToolTip(semantic.message)
            entry.setForeground(QtGui.QColor("#a35200"))
            self.files.addItem(entry)
        if not pair.files:
            self.files.addItem(QtWidgets.QListWidgetItem("no file changed on both sides"))
        else:
            self.files.setCurrentRow(0)  # its diffs at once: one click less
        self.pair_shown.emit((a, b))

    def file_texts(self) -> list[str]:
        """The lines listed for the selected pair (tests read them)."""
        return [self.files.item(i).text() for i in range(self.files.count())]

    def _on_file_changed(self, current: QtWidgets.QListWidgetItem | None, _previous: Any) -> None:
        if current is None or self.selected_pair is None:
            return
        path = current.data(QtCore.Qt.ItemDataRole.UserRole)
        if path:
            self.request_diff(*self.selected_pair, str(path))

    def request_diff(self, a: str, b: str, path: str) -> None:
        """Read both sides' diffs of ``path`` in a worker (coalesced: the latest request wins)."""
        project = self.project
        if project is None:
            return
        if self._diff_job is not None:
            self._diff_again = (a, b, path)
            return
        self._diff_again = None
        for text in self.diffs:
            text.setPlainText("reading…")
        self._diff_job = run_in_thread(
            self,
            _diff_work(project, a, b, path),
            on_result=self._on_diffs,
            on_error=functools.partial(self._on_diff_failed, path),
            on_end=self._on_diff_ended,
        )

    def _on_diffs(self, diffs: _Diffs) -> None:
        if self.selected_pair != (diffs.a, diffs.b) or self._diff_again is not None:
            return  # the lead moved on meanwhile
        for label, text, side, body in zip(self.diff_labels, self.diffs, (diffs.a, diffs.b), diffs.texts, strict=True):
            label.setText(f"<b>{html.escape(side)}</b> changed <code>{html.escape(diffs.path)}</code>:")
            if diffs.problem:
                text.setPlainText(diffs.problem)
            else:
                text.setPlainText(body or f"{side} did not change {diffs.path}")
        self.diff_shown.emit(diffs.path)

    def _on_diff_failed(self, path: str, message: str) -> None:
        for text in self.diffs:
            text.setPlainText(f"cannot read the diff of {path}: {message}")

    def _on_diff_ended(self) -> None:
        self._diff_job = None
        if self._diff_again is not None:
            self.request_diff(*self._diff_again)


def _pair_tip(pair: PairForecast) -> str:
    lines = [f"{pair.a} × {pair.b}: {KIND_WORD[pair.status]}"]
    lines += [f"{path} ({pair.kinds[path]})" if path in pair.kinds else path for path in pair.files[:12]]
    if len(pair.files) > 12:
        lines.append(f"… and {len(pair.files) - 12} more")
    lines += [s.message for s in pair.semantic[:6]]
    return "\n".join(lines)


def install(window: Any) -> ConflictsPanel:
    """Build the Conflicts dock (tabbed with the bottom docks) and feed it the Teams dock's forecasts."""
    panel = ConflictsPanel(window)
    panel.dock_into("Conflicts", "conflictsPanelDock", QtCore.Qt.DockWidgetArea.BottomDockWidgetArea)
    teams = getattr(window, "panels", {}).get("teams_panel")
    if teams is not None:
        teams.forecast_refreshed.connect(panel.show_forecast)
    return panel
