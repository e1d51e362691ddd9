"""The Codemods dock (``codemodsPanel``): choose, dry-run, review, apply and undo libcst codemods.

Left: the codemod (built-ins and the repository's own, discovered in a worker), its arguments
(qualified names complete from the repository's definitions, comma-separated lists too), the
plan task it serves, Run / Cancel with a progress bar and an ETA, and the codemods applied here
(newest first; Undo restores the selected one exactly). Middle: the dry run's files, each
changed file and each of its hunks checkable (accept or reject), then the files skipped and
those that failed to parse. Right: the selected diff, coloured. Apply writes the accepted files
after a snapshot (the rollback mechanism) in a worker; the served task's bar then shows the
codemod ran. Every repository call goes through :mod:`mission_control.codemods`.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.codemods import (
    AppliedCodemod,
    ApplyResult,
    CodemodInfo,
    CodemodRun,
    apply_run,
    codemod_history,
    qualified_names,
    run_codemod,
    undo_codemod,
)
from mission_control.ui import dialogs
from mission_control.ui.codemods_review import PROBLEM_COLOUR, DiffView, ReviewTree
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.workers import Job, run_in_thread
from mission_control.util.progress import Progress

log = logging.getLogger(__name__)
Qt = QtCore.Qt
MARKER_SOURCE = "codemods"
HISTORY_ROLE = Qt.ItemDataRole.UserRole
NO_TASK = ""
NO_REPO = "Open a repository to run codemods."
APPLY_TIP = "Write the checked files and hunks, after a snapshot (Undo restores it)"


def task_markers(history: list[AppliedCodemod]) -> dict[str, str]:
    """The marker each task's bar shows: the codemods applied for it and not undone (oldest first)."""
    names: dict[str, list[str]] = {}
    for applied in reversed(history):
        if applied.task and not applied.undone and applied.codemod not in names.get(applied.task, []):
            names.setdefault(applied.task, []).append(applied.codemod)
    return {task: "⚙ " + ", ".join(codemods) for task, codemods in names.items()}


class ListCompleter(QtWidgets.QCompleter):
    """Completes the last item of a comma-separated list (``a.B, c.D``) as well as a single name."""

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QtCore.QModelIndex | QtCore.QPersistentModelIndex) -> str:
        chosen = super().pathFromIndex(index)
        widget = self.widget()
        text = widget.text() if isinstance(widget, QtWidgets.QLineEdit) else ""
        head, sep, _ = text.rpartition(",")
        return f"{head}, {chosen}" if sep else chosen


class CodemodsPanel(DockPanel):
    """The Codemods dock's widget (objectName ``codemodsPanel``).

    Signals:
        run_finished(object): a dry run ended (its :class:`~mission_control.codemods.CodemodRun`).
        applied(object): changes were written (the :class:`~mission_control.codemods.ApplyResult`).
        undone(object): a codemod was undone (the paths restored).
    """

    run_finished = QtCore.Signal(object)
    applied = QtCore.Signal(object)
    undone = QtCore.Signal(object)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("codemodsPanel")
        # The built-ins and the repository's codemods, read once the dock is first shown: listing
        # them imports libcst (~0.5 s), which the window's start must not wait for.
        self.infos: list[CodemodInfo] = []
        self._choice_stale = True
        self._tab_shown = False
        self.run: CodemodRun | None = None
        self.history: list[AppliedCodemod] = []
        self.job: Job | None = None
        self.busy = ""  # "run", "apply", "undo" while a job of that kind runs
        self._repo: Path | None = None
        self._marked: set[str] = set()
        self._task_entries: tuple[tuple[str, str], ...] = ()  # the (key, name) pairs the task list shows
        self._arg_edits: dict[str, QtWidgets.QLineEdit] = {}
        self._arg_checks: dict[str, QtWidgets.QCheckBox] = {}
        self._asked_for: list[str] = []  # the required arguments a "Fill in … first." names
        self._names_model = QtCore.QStringListModel(self)
        self._filling = False
        self._names_timer = QtCore.QTimer(self, singleShot=True, interval=800)
        self._names_timer.timeout.connect(self._load_names)
        self._build()
        self._show_codemod()

    # building ----------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        split = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(split)

        left = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.choice = QtWidgets.QComboBox()
        self.choice.setObjectName("codemodChoice")
        self.choice.currentIndexChanged.connect(self._on_codemod_chosen)
        codemod_label = QtWidgets.QLabel("&Codemod:")
        codemod_label.setBuddy(self.choice)
        form.addRow(codemod_label, self.choice)
        self.description = _label("codemodDescription")
        self.description.setStyleSheet("color: palette(mid);")
        form.addRow(self.description)
        self.args_box = QtWidgets.QWidget()
        self.args_form = QtWidgets.QFormLayout(self.args_box)
        self.args_form.setContentsMargins(0, 0, 0, 0)
        self.args_form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.args_box)
        self.task_choice = QtWidgets.QComboBox()
        self.task_choice.setObjectName("codemodTask")
        self.task_choice.setToolTip("The plan task this codemod serves: its bar shows the codemod ran")
        task_label = QtWidgets.QLabel("For &task:")
        task_label.setBuddy(self.task_choice)
        form.addRow(task_label, self.task_choice)
        column.addLayout(form)
        buttons = QtWidgets.QHBoxLayout()
        self.run_button = _button("&Run (dry run)", "codemodRun")
        self.run_button.setToolTip("Compute every change and show it; nothing is written")
        self.cancel_button = _button("Cancel", "codemodCancel", enabled=False)
        self.run_button.clicked.connect(self.start_run)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.cancel_button)
        column.addLayout(buttons)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setObjectName("codemodProgress")
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        column.addWidget(self.progress)
        self.status_label = _label("codemodStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        column.addWidget(self.status_label)
        history_label = QtWidgets.QLabel("Applied here (newest first):")
        column.addWidget(history_label)
        self.history_list = QtWidgets.QListWidget()
        self.history_list.setObjectName("codemodHistory")
        self.history_list.currentRowChanged.connect(self._on_history_row_changed)
        column.addWidget(self.history_list, 1)
        self.undo_button = _button("&Undo codemod", "codemodUndo", enabled=False)
        self.undo_button.clicked.connect(self.undo_selected)
        column.addWidget(self.undo_button)
        scroll = QtWidgets.QScrollArea()  # a short dock scrolls the form instead of squashing its fields
        scroll.setObjectName("codemodFormScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(left)
        split.addWidget(scroll)

        middle = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(middle)
        box.setContentsMargins(0, 0, 0, 0)
        self.problems_label = _label("codemodProblems")
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_label.setStyleSheet(f"color: {PROBLEM_COLOUR}; font-weight: bold;")
        self.problems_label.setVisible(False)
        box.addWidget(self.problems_label)
        self.files = ReviewTree()
        self.files.currentItemChanged.connect(self._on_current_file_changed)
        self.files.itemChanged.connect(self._on_review_checked)
        box.addWidget(self.files, 1)
        apply_row = QtWidgets.QHBoxLayout()
        self.apply_button = _button("&Apply", "codemodApply", enabled=False)
        self.apply_button.setToolTip(APPLY_TIP)
        self.apply_button.clicked.connect(self.apply)
        apply_row.addWidget(self.apply_button, 1)
        self.apply_anyway_button = _button("Apply an&yway…", "codemodApplyAnyway", enabled=False)
        self.apply_anyway_button.setToolTip(
            "Write the checked changes although the review found problems (asks first; Undo restores them)"
        )
        self.apply_anyway_button.setStyleSheet(f"color: {PROBLEM_COLOUR};")
        self.apply_anyway_button.setVisible(False)
        self.apply_anyway_button.clicked.connect(self.apply_anyway)
        apply_row.addWidget(self.apply_anyway_button)
        box.addLayout(apply_row)
        split.addWidget(middle)

        self.diff_view = DiffView()
        split.addWidget(self.diff_view)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 2)
        split.setStretchFactor(2, 4)
        split.setSizes([300, 300, 600])
        self._fill_choice()

    def _on_codemod_chosen(self, _index: int) -> None:
        self._show_codemod()

    def _on_history_row_changed(self, _row: int) -> None:
        self._update_buttons()

    def _on_arg_edited(self, _text: str) -> None:
        if self._asked_for:  # "Fill in … first." goes (or shrinks) as the fields are filled
            self._asked_for = self._missing_args()
            if self._asked_for:
                self._say(f"Fill in {', '.join(self._asked_for)} first.", error=True)
            else:
                self._say("")
        self._update_buttons()

    def _on_return_pressed(self, edit: QtWidgets.QLineEdit) -> None:
        """Enter runs, unless it accepts a completion: the completer hands that Enter to the line edit
        first (with its popup still open), then completes."""
        completer = edit.completer()
        popup = completer.popup() if completer is not None else None
        if popup is not None and popup.isVisible():
            return
        self.start_run()

    def _missing_args(self) -> list[str]:
        given = self.args()
        return [a.name for a in self.info().args if a.required and a.name not in given]

    def _on_review_checked(self, _item: QtWidgets.QTreeWidgetItem, _column: int) -> None:
        self._update_buttons()

    def _fill_choice(self) -> None:
        current = self.choice.currentData()
        self.choice.blockSignals(True)
        self.choice.clear()
        for info in self.infos:
            label = info.name if info.builtin else f"{info.name}  (this repository)"
            self.choice.addItem(label, info.name)
            self.choice.setItemData(self.choice.count() - 1, info.description, Qt.ItemDataRole.ToolTipRole)
        index = self.choice.findData(current)
        self.choice.setCurrentIndex(max(index, 0))
        self.choice.blockSignals(False)

    def info(self) -> CodemodInfo:
        """The chosen codemod."""
        name = self.choice.currentData()
        if not self.infos:
            from mission_control.codemods import builtin_infos  # imports libcst

            self.infos = builtin_infos()
        return next((i for i in self.infos if i.name == name), self.infos[0])

    def _show_codemod(self) -> None:
        if self._choice_stale:  # filled when the dock is first shown
            return
        info = self.info()
        self.description.setText(info.description or "")
        previous = {name: edit.text() for name, edit in self._arg_edits.items()}
        previous_checks = {name: check.isChecked() for name, check in self._arg_checks.items()}
        while self.args_form.rowCount():
            self.args_form.removeRow(0)
        self._arg_edits = {}
        self._arg_checks = {}
        for spec in info.args:
            if spec.kind == "bool":
                check = QtWidgets.QCheckBox(spec.name.replace("_", " "))
                check.setObjectName(f"codemodArg_{spec.name}")
                check.setToolTip(spec.help)
                check.setChecked(previous_checks.get(spec.name, False))
                self.args_form.addRow("", check)
                self._arg_checks[spec.name] = check
                continue
            edit = QtWidgets.QLineEdit()
            edit.setObjectName(f"codemodArg_{spec.name}")
            edit.setPlaceholderText(spec.help)
            edit.setToolTip(spec.help)
            edit.setText(previous.get(spec.name, ""))
            if spec.kind == "qualname":
                completer = ListCompleter(self._names_model, edit)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                completer.setMaxVisibleItems(12)
                edit.setCompleter(completer)
            edit.textChanged.connect(self._on_arg_edited)
            edit.returnPressed.connect(functools.partial(self._on_return_pressed, edit))
            label = spec.name.replace("_", " ") + ("" if spec.required else " (optional)") + ":"
            self.args_form.addRow(label, edit)
            self._arg_edits[spec.name] = edit
        if not info.args:
            self.args_form.addRow(QtWidgets.QLabel("No arguments: runs over every Python file."))
        self._update_buttons()

    def set_args(self, codemod: str, **values: str) -> None:
        """Choose ``codemod`` and fill its arguments (scripting, tests)."""
        if self._choice_stale:
            self._fill_codemods()
        self.choice.setCurrentIndex(self.choice.findData(codemod))
        for name, value in values.items():
            if name in self._arg_checks:
                self._arg_checks[name].setChecked(value == "true")
                continue
            self._arg_edits[name].setText(value)
            self._arg_edits[name].setCursorPosition(0)

    def args(self) -> dict[str, str]:
        values = {name: edit.text().strip() for name, edit in self._arg_edits.items() if edit.text().strip()}
        values.update({name: "true" for name, check in self._arg_checks.items() if check.isChecked()})
        return values

    # project -----------------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        """Fill the task list; a different repository starts over (codemods, names, history)."""
        self._fill_tasks()
        repo = project.repo if project is not None else None
        if repo != self._repo:
            self._repo = repo
            self.run = None
            self._show_run()
            self._choice_stale = True
            if self._tab_shown:
                self._fill_codemods()
            self.refresh_history()
        else:
            self._apply_markers()
        self._update_buttons()

    def _on_dock_visibility(self, visible: bool) -> None:
        """The dock's tab was selected or left (a tabbed dock stays "visible" behind the current one)."""
        self._tab_shown = visible
        if visible and self._choice_stale:
            self._fill_codemods()

    def _fill_codemods(self) -> None:
        """List the built-in codemods, then discover the repository's and its names in workers."""
        from mission_control.codemods import builtin_infos  # imports libcst

        self._choice_stale = False
        self.infos = builtin_infos()
        self._fill_choice()
        self._show_codemod()
        if self._repo is not None:
            self._discover()
            self._load_names()

    def refresh(self, change: Any = None) -> None:
        """Python files changed: refresh the completion names (soon, once per burst)."""
        paths = [*getattr(change, "created", ()), *getattr(change, "modified", ()), *getattr(change, "deleted", ())]
        if any(str(p).endswith(".py") for p in paths):
            self._names_timer.start()

    def _on_selection_changed(self, key: str) -> None:
        """Follow the task selected in the Gantt (unless a job is running)."""
        if key and not self.busy:
            index = self.task_choice.findData(key)
            if index >= 0:
                self.task_choice.setCurrentIndex(index)

    def _fill_tasks(self) -> None:
        project = self.main_window.project
        entries = tuple((task.key, task.name) for task in project.plan.tasks) if project is not None else ()
        if entries == self._task_entries and self.task_choice.count() == len(entries) + 1:
            return  # the same tasks (a reschedule): keep the list and the lead's choice
        self._task_entries = entries
        current = self.task_choice.currentData()
        self.task_choice.blockSignals(True)
        self.task_choice.clear()
        self.task_choice.addItem("(no task)", NO_TASK)
        for key, name in entries:
            self.task_choice.addItem(f"{key} — {name}", key)
        index = self.task_choice.findData(current if current is not None else self.main_window.selected or NO_TASK)
        self.task_choice.setCurrentIndex(max(index, 0))
        self.task_choice.blockSignals(False)

    def _discover(self) -> None:
        from mission_control.codemods import list_codemods

        repo = self._repo

        def found(result: tuple[list[CodemodInfo], list[str]]) -> None:
            if repo != self._repo:
                return
            infos, problems = result
            self.infos = infos
            self._fill_choice()
            self._show_codemod()
            for problem in problems:
                log.warning("codemod discovery: %s", problem)
            if problems:
                self.main_window.statusBar().showMessage(f"Repository codemods: {problems[0]}", 10000)

        run_in_thread(
            self,
            lambda progress, event, cancel: list_codemods(repo),
            on_result=found,
            on_error=lambda message: log.warning("codemod discovery failed: %s", message),
        )

    def _load_names(self) -> None:
        repo = self._repo
        if repo is None or self._choice_stale:
            return  # never shown yet: the names are read when it is (a large repo costs seconds of CPU)

        def loaded(names: list[str]) -> None:
            if repo == self._repo:
                self._names_model.setStringList(names)

        run_in_thread(
            self,
            lambda progress, event, cancel: [n for n, _path, _line in qualified_names(repo)],
            on_result=loaded,
            on_error=lambda message: log.warning("names: %s", message),
        )

    # running -----------------------------------------------------------------------------------
    def start_run(self) -> None:
        """Dry-run the chosen codemod with its arguments in a worker; nothing is written."""
        if self.busy or self._repo is None:
            return
        info = self.info()
        missing = self._missing_args()
        self._asked_for = missing
        if missing:
            self._say(f"Fill in {', '.join(missing)} first.", error=True)
            self._arg_edits[missing[0]].setFocus()
            return
        repo, name, args = self._repo, info.name, self.args()
        self.run = None
        self._show_run()
        self._start("run", f"Running {name}…")
        self.job = run_in_thread(
            self,
            lambda progress, event, cancel: run_codemod(repo, name, args, on_progress=progress, cancel=cancel),
            on_result=self._run_done,
            on_error=self._failed,
            on_progress=self._progressed,
            on_end=self._ended,
        )

    def _start(self, kind: str, message: str) -> None:
        self.busy = kind
        self.progress.setRange(0, 0)
        self.progress.setFormat(message)
        self.progress.setVisible(True)
        self._say(message)
        self._update_buttons()

    def _progressed(self, progress: Progress) -> None:
        if progress.total > 0:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
        self.progress.setFormat(progress.message or "%p%")
        self.progress.setToolTip(progress.message)

    def _ended(self) -> None:
        self.busy = ""
        self.job = None
        self.progress.setVisible(False)
        self._update_buttons()

    def cancel(self) -> None:
        """Stop the running job at its next file (a dry run keeps what it computed; Apply stops between files)."""
        if self.job is not None:
            self._say("Cancelling…")
            self.job.cancel()

    def _run_done(self, run: CodemodRun) -> None:
        self.run = run
        self._show_run()
        counts = (
            f"{len(run.changed)} to change, {len(run.skipped)} skipped, {len(run.failed)} failed of "
            f"{run.scanned} files ({run.prefiltered} ruled out without parsing) in {run.seconds:.1f} s"
        )
        pending = sum(not m.rewritten for m in run.mentions)
        if pending:
            verb = "mentions" if pending == 1 else "mention"
            counts += f"; {_plural(pending, 'string')} also {verb} it (listed, not rewritten)"
        if run.cancelled:
            self._say(f"Cancelled: {counts}. Nothing written; run again to apply.", error=True)
        elif run.problems:
            self._say(
                f"{counts}. The review found {_plural(len(run.problems), 'problem')} (red, first in the list): "
                "Apply is refused.",
                error=True,
            )
        elif not run.changed:
            self._say(f"Nothing to change: {counts}.")
        else:
            self._say(f"Review, then Apply: {counts}.")
        self.run_finished.emit(run)

    def _failed(self, message: str) -> None:
        if message == "cancelled":
            self._say("Cancelled; nothing written.", error=True)
            return
        self._say(message, error=True)
        dialogs.inform(self, "Codemod", message, warning=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #c62828;" if error else "")

    # review --------------------------------------------------------------------------------------
    def _show_run(self) -> None:
        self._filling = True
        self.diff_view.clear()
        self.files.show_run(self.run)
        self._filling = False
        self._update_buttons()

    def file_item(self, path: str) -> QtWidgets.QTreeWidgetItem | None:
        """The review row of changed file ``path``."""
        return self.files.file_item(path)

    def _on_current_file_changed(
        self, _current: QtWidgets.QTreeWidgetItem | None, _previous: QtWidgets.QTreeWidgetItem | None
    ) -> None:
        prose = self.files.current_is_prose()  # a problem or a mention: wrap it, it is not a diff
        self.diff_view.setLineWrapMode(
            QtWidgets.QPlainTextEdit.LineWrapMode.WidgetWidth if prose else QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap
        )
        highlighter = self.diff_view.highlighter
        if prose == (highlighter.document() is not None):  # no Python colours in prose
            highlighter.setDocument(None if prose else self.diff_view.document())
        self.diff_view.setPlainText(self.files.current_text())

    def accepted(self) -> dict[str, list[int] | None]:
        """What Apply writes: path -> None (the whole file) or the accepted hunk indices."""
        return self.files.accepted()

    # applying and undoing ------------------------------------------------------------------------
    def apply(self) -> None:
        """Write the accepted changes after a snapshot, in a worker (not when the review found problems)."""
        self._apply(force=False)

    def _apply(self, force: bool) -> None:
        run, accept, repo = self.run, self.accepted(), self._repo
        if self.busy or run is None or run.cancelled or not accept or repo is None:
            return
        if run.problems and not force:
            return
        task = self.task_choice.currentData() or None
        self._start("apply", f"Applying {run.name} to {len(accept)} files…")
        self.job = run_in_thread(
            self,
            lambda progress, event, cancel: apply_run(
                repo, run, accept, task=task, force=force, on_progress=progress, cancel=cancel
            ),
            on_result=self._applied,
            on_error=self._failed,
            on_progress=self._progressed,
            on_end=self._ended,
        )

    def apply_anyway(self) -> None:
        """Apply a run whose review found problems, once the user confirms it (default: No)."""
        run = self.run
        if run is None or not run.problems or self.busy:
            return
        shown = "\n".join(f"• {p}" for p in run.problems[:8])
        more = f"\n… and {len(run.problems) - 8} more" if len(run.problems) > 8 else ""
        answer = dialogs.ask(
            self,
            "Apply anyway?",
            f"The review found {_plural(len(run.problems), 'problem')}; the code may not import or run after this:"
            f"\n\n{shown}{more}\n\nWrite the checked changes anyway? (Undo codemod restores the files.)",
            dialogs.Button.Yes | dialogs.Button.No,
            dialogs.Button.No,
            headless_answer=dialogs.Button.No,
        )
        if answer == dialogs.Button.Yes:
            log.info("codemod %s applied despite %d problems: %s", run.name, len(run.problems), run.problems[0])
            self._apply(force=True)

    def _applied(self, result: ApplyResult) -> None:
        written = len(result.written) + len(result.deleted)
        text = f"Applied: {len(result.written)} files written, {len(result.deleted)} deleted."
        if result.cancelled:
            text = f"Cancelled after {written} files (each whole); Undo restores them."
        if result.problems:
            text += " Refused: " + "; ".join(result.problems)
        self._say(text, error=bool(result.problems or result.cancelled))
        log.info("codemod applied in %s: %s", self._repo, text)
        if written:
            self.run = None
            self._show_run()
            self.main_window.statusBar().showMessage(text + " Undo codemod restores them exactly.", 10000)
        self.refresh_history()
        self.applied.emit(result)

    def undo_selected(self) -> None:
        """Restore the files of the selected applied codemod exactly (default: the latest not undone)."""
        applied = self.selected_history()
        repo = self._repo
        if self.busy or applied is None or applied.undone or repo is None:
            return
        self._start("undo", f"Undoing {applied.codemod}…")
        self.job = run_in_thread(
            self,
            lambda progress, event, cancel: undo_codemod(
                repo, applied.snapshot_id, on_progress=progress, cancel=cancel
            ),
            on_result=self._undone,
            on_error=self._failed,
            on_progress=self._progressed,
            on_end=self._ended,
        )

    def _undone(self, restored: list[str]) -> None:
        self._say(f"Undone: {len(restored)} files restored as they were.")
        log.info("codemod undone in %s: %d files restored (%s)", self._repo, len(restored), ", ".join(restored[:10]))
        self.main_window.statusBar().showMessage(f"Codemod undone: {len(restored)} files restored.", 8000)
        self.refresh_history()
        self.undone.emit(restored)

    def selected_history(self) -> AppliedCodemod | None:
        item = self.history_list.currentItem()
        return item.data(HISTORY_ROLE) if item is not None else None

    def refresh_history(self) -> None:
        """Read the codemods applied in the repository (a worker) and mark their tasks' bars."""
        repo = self._repo
        if repo is None:
            self._show_history([])
            return

        def read(progress, event, cancel) -> list[AppliedCodemod]:
            try:
                return codemod_history(repo)
            except Exception as exc:
                log.info("codemod history unavailable: %s", exc)
                return []

        def read_done(history: list[AppliedCodemod]) -> None:
            if repo == self._repo:  # else another repository was opened meanwhile
                self._show_history(history)

        run_in_thread(self, read, on_result=read_done)

    def _show_history(self, history: list[AppliedCodemod]) -> None:
        self.history = history
        self.history_list.clear()
        select = None
        for applied in history:
            task = f" → {applied.task}" if applied.task else ""
            when = applied.created.astimezone().strftime("%b %d %H:%M")
            state = "  (undone)" if applied.undone else ""
            item = QtWidgets.QListWidgetItem(f"{when}  {applied.codemod}{task} · {len(applied.paths)} files{state}")
            item.setData(HISTORY_ROLE, applied)
            item.setToolTip("\n".join([*(f"{k} = {v}" for k, v in applied.args.items()), "", *applied.paths]).strip())
            if applied.undone:
                item.setForeground(QtGui.QColor("#888888"))
            elif select is None:
                select = item
            self.history_list.addItem(item)
        if select is not None:
            self.history_list.setCurrentItem(select)
        self._apply_markers()
        self._update_buttons()

    def _apply_markers(self) -> None:
        gantt = getattr(self.main_window, "gantt", None)
        if gantt is None:
            return
        wanted = task_markers(self.history)
        for key in self._marked - set(wanted):
            gantt.set_marker(key, MARKER_SOURCE, None)
        for key, text in wanted.items():
            gantt.set_marker(key, MARKER_SOURCE, text)
        self._marked = set(wanted)

    # state -----------------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        if self._filling:
            return
        has_repo = self._repo is not None
        ready = not self._choice_stale and all(a.name in self.args() for a in self.info().args if a.required)
        self.run_button.setEnabled(has_repo and not self.busy and ready)
        self.run_button.setToolTip(
            "Compute every change and show it; nothing is written" if has_repo else "Open a repository to run codemods"
        )
        self.cancel_button.setEnabled(bool(self.busy) and self.busy != "undo")
        accept = self.accepted() if self.run is not None and not self.run.cancelled else {}
        problems = self.run.problems if self.run is not None and not self.run.cancelled else ()
        self.apply_button.setEnabled(not self.busy and bool(accept) and not problems)
        self.apply_button.setText(
            f"&Apply {len(accept)} of {len(self.run.changed)} files" if accept and self.run else "&Apply"
        )
        refused = f"Apply is refused: the review found {_plural(len(problems), 'problem')}" if problems else ""
        self.apply_button.setToolTip(
            f"{refused} (listed first in red). Fix them and run again." if refused else APPLY_TIP
        )
        self.problems_label.setText(
            f"{refused}. Fix them and run again, or Apply anyway (asks first)." if refused else ""
        )
        self.problems_label.setVisible(bool(problems))
        self.apply_anyway_button.setVisible(bool(problems))
        self.apply_anyway_button.setEnabled(not self.busy and bool(accept) and bool(problems))
        chosen = self.selected_history()
        self.undo_button.setEnabled(not self.busy and chosen is not None and not chosen.undone)
        if chosen is not None:
            self.undo_button.setToolTip(f"Restore the {len(chosen.paths)} files {chosen.codemod} changed, exactly")
        if not has_repo and not self.busy:
            self._say(NO_REPO)
        elif has_repo and self.status_label.text() == NO_REPO:
            self._say("")

    def cleanup(self) -> None:
        """Cancel a running job and wait for it (window closing)."""
        if self.job is not None:
            self.job.cancel()
            self.job.wait(15_000)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _button(text: str, name: str, enabled: bool = True) -> QtWidgets.QPushButton:
    button = QtWidgets.QPushButton(text)
    button.setObjectName(name)
    button.setEnabled(enabled)
    return button


def _label(name: str) -> QtWidgets.QLabel:
    """An empty word-wrapping label named ``name``, filled later."""
    label = QtWidgets.QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def install(window: Any) -> CodemodsPanel:
    """Build the Codemods dock in ``window`` and connect it to the window's signals."""
    panel = CodemodsPanel(window)
    dock = panel.dock_into("Codemods", "codemodsPanelDock", Qt.DockWidgetArea.BottomDockWidgetArea)
    dock.visibilityChanged.connect(panel._on_dock_visibility)
    window.selection_changed.connect(panel._on_selection_changed)
    panel.set_project(window.project)
    return panel
