"""The Checklist dock: one-click sign-off with evidence, discrepancies, the mission clock and task states.

Items stand under their headings with progress per group. "Sign off" ticks the box through an
undoable plan edit and appends a ledger entry (written in a worker: it asks git who and which
commit); "Revoke" needs a reason typed in the note field. Selecting an item shows its whole
ledger history. "Start mission" sets Hour 0 and the baseline; task states (planned, active,
done, late, blocked) are shown as Gantt markers, with the now-line on the mission clock.
"""

from __future__ import annotations

import dataclasses
import html
import logging
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from mission_control.services import signoff as signoff_flow
from mission_control.services.status_cache import StatusCache
from mission_control.signoff import (
    ChecklistState,
    Facts,
    Mission,
    TaskEvidence,
    checklist_state,
    elapsed_label,
    evidence_for,
    gather_facts,
    gather_task_evidence,
    latest_audit,
    legacy_files_affected,
    read_ledger,
    read_mission,
    start_mission,
    task_states,
    to_plan_time,
    update_task_states,
    utc_now,
)
from mission_control.signoff.actions import SignoffError
from mission_control.ui import dialogs
from mission_control.ui.commands import SignoffCommand
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.workers import LOW, NORMAL, Job, Work, run_in_thread

log = logging.getLogger(__name__)
#: The parts of a reload (see :func:`_load`).
EVERYTHING = frozenset({"ledger", "facts", "tasks"})
UNDO_REASON = "sign-off taken back with Edit › Undo/Redo"
UNDO_NOTE = "signed again with Edit › Undo/Redo"
Button = QtWidgets.QMessageBox.StandardButton
ITEM_ROLE = QtCore.Qt.ItemDataRole.UserRole
OK_COLOUR, BAD_COLOUR, GREY = "#2e7d32", "#c62828", "#757575"


class _Relay(QtCore.QObject):
    """Runs ``fn`` on the GUI thread: a worker's queued signal reaches a QObject's slot in the
    receiver's thread, whereas a bare lambda would be called in the worker's thread."""

    def __init__(self, parent: QtCore.QObject, fn) -> None:
        super().__init__(parent)
        self.fn = fn

    @QtCore.Slot(object)
    def call(self, value: Any = None) -> None:
        self.fn(value)
        self.deleteLater()


def on_gui(parent: QtCore.QObject, fn):
    """A slot that calls ``fn(value)`` on ``parent``'s (the GUI) thread, once."""
    return _Relay(parent, fn).call


class ChecklistPanel(DockPanel):
    """The checklist dock's widget (objectName ``checklistPanel``).

    Signals:
        loaded(): the ledger, evidence and task states (or the part of them a change set concerned)
            were read again and shown.
        signed(object): a ledger entry was written (sign-off or revoke).
    """

    loaded = QtCore.Signal()
    signed = QtCore.Signal(object)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("checklistPanel")
        self.clock = utc_now  # tests replace it with a fake clock
        self.state = ChecklistState()
        self.facts = Facts()
        self._tree_shown: tuple[tuple, Facts] | None = None  # what the tree was built from (see redraw)
        self.task_evidence: TaskEvidence | None = None
        self.task_status: dict = {}
        # what task_status was computed from: (plan, plan time, task evidence, the checklist's _tree_key)
        self._states_basis: tuple | None = None
        self._state_key: tuple = ()
        self.mission: Mission | None = None
        self.ledger_problems: tuple[str, ...] = ()
        self._entries: tuple = ()
        self._jobs: list[Job] = []
        self._reload_pending = False
        self._pending_fresh = False  # a queued reload reads the components' status from scratch
        self._pending_parts: frozenset[str] = frozenset()  # what a queued reload reads
        self._reload_job: Job | None = None
        self._loaded_repo: Path | None = None
        self._build()
        self._timer = QtCore.QTimer(self, interval=60_000)
        self._timer.timeout.connect(self._render_clock)
        self._timer.start()

    # construction ----------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(self._mission_row())
        layout.addLayout(self._task_row())
        self.note_edit = QtWidgets.QLineEdit()
        self.note_edit.setObjectName("signoffNote")
        self.note_edit.setPlaceholderText("Note for a sign-off (optional) / reason for a revoke (required)")
        self.note_edit.setClearButtonEnabled(True)
        layout.addWidget(self.note_edit)
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setObjectName("checklistTree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Item", "Signed", "Evidence", ""])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (1, 3):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        # Evidence can be long: a fixed, elided column keeps the Sign off buttons on screen.
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 120)
        header.setStretchLastSection(False)
        self.tree.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.tree.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.currentItemChanged.connect(lambda *_: self._show_history())
        self.tree.setMinimumHeight(180)
        layout.addWidget(self.tree, 3)
        self.discrepancy_label = QtWidgets.QLabel()
        self.discrepancy_label.setObjectName("discrepancyLabel")
        self.discrepancy_label.setWordWrap(True)
        self.discrepancy_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        layout.addWidget(self.discrepancy_label)
        self.history = QtWidgets.QTextBrowser()
        self.history.setObjectName("signoffHistory")
        self.history.setPlaceholderText("Select an item to see its sign-off history.")
        self.history.setMaximumHeight(90)
        layout.addWidget(self.history, 1)
        self.setMinimumWidth(420)

    def _mission_row(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.clock_label = QtWidgets.QLabel("Mission not started")
        self.clock_label.setObjectName("missionClock")
        font = self.clock_label.font()
        font.setBold(True)
        self.clock_label.setFont(font)
        self.start_button = QtWidgets.QPushButton("Start mission")
        self.start_button.setObjectName("startMissionButton")
        self.start_button.setToolTip("Set the mission clock's Hour 0 to now and record HEAD as the baseline")
        self.start_button.clicked.connect(self._on_start_mission_clicked)
        self.refresh_button = QtWidgets.QPushButton("Refresh")
        self.refresh_button.setObjectName("checklistRefresh")
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        row.addWidget(self.clock_label, 1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.start_button)
        return row

    def _task_row(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.task_label = QtWidgets.QLabel("No task selected")
        self.task_label.setObjectName("taskStateLabel")
        self.task_label.setWordWrap(True)
        self.active_button = QtWidgets.QPushButton("Mark active")
        self.active_button.setObjectName("markActiveButton")
        self.done_button = QtWidgets.QPushButton("Mark done")
        self.done_button.setObjectName("markDoneButton")
        self.active_button.clicked.connect(self._on_mark_active_clicked)
        self.done_button.clicked.connect(self._on_mark_done_clicked)
        row.addWidget(self.task_label, 1)
        row.addWidget(self.active_button)
        row.addWidget(self.done_button)
        return row

    # loading -----------------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        """The plan changed (edit, undo, reload) or another project was opened."""
        repo = project.repo if project is not None else None
        if repo != self._loaded_repo:
            self._loaded_repo = repo
            self._entries, self.facts, self.task_evidence, self.mission = (), Facts(), None, None
            self.reload()
        self.redraw()

    def refresh(self, change: Any = None) -> None:
        """Files changed: read again if they can change what the dock shows.

        That is the components' status (files changed since the baseline, the task evidence; the
        shared :class:`StatusCache` decides) and the legacy files. The ledger and the mission clock live in git refs, the test
        history and the audit outside the tree: no change set carries them (a test run and an audit
        are signalled, :meth:`_on_tests_finished` and :meth:`_on_audit_recorded`).
        """
        if change is None:
            self.reload()
            return
        cache = self._status_cache()
        status_due = cache.note_change(change) if cache is not None else False
        parts = ({"tasks"} if status_due else set()) | ({"facts"} if legacy_files_affected(change) else set())
        if parts:
            self.reload(fresh=False, parts=frozenset(parts), priority=LOW)  # after the Dashboard's audit

    @QtCore.Slot(object)
    def _on_audit_recorded(self, _snapshot: Any) -> None:
        """The Dashboard recorded an audit: read its metrics again (only them) for the evidence."""
        project = self.project
        if project is None or project.repo is None:
            return
        repo = project.repo
        self._start(lambda progress, event, cancel: (repo, latest_audit(repo)), on_result=self._audit_read)

    def _audit_read(self, result: tuple[Path, dict[str, float] | None]) -> None:
        repo, audit = result
        if self.project is None or repo != self.project.repo or audit == self.facts.audit:
            return
        self.facts = dataclasses.replace(self.facts, audit=audit)
        self.redraw()

    @QtCore.Slot(object)
    def _on_tests_finished(self, _run: Any) -> None:
        """A test run wrote the history: the evidence and the task states (Gantt markers) read it again."""
        self.reload()

    def _on_refresh_clicked(self) -> None:
        self.reload()

    def reload(self, fresh: bool = True, parts: frozenset[str] = EVERYTHING, priority: str = NORMAL) -> None:
        """Read ``parts`` of what the dock shows in a worker, then render (see :func:`_load`).

        ``fresh``: the components' status is read from scratch too; else only as far as the change
        sets noted since require. A reload asked for while one runs runs once more, for every part asked.
        """
        project = self.project
        if project is None or project.repo is None:
            return
        self._pending_fresh = self._pending_fresh or fresh
        self._pending_parts |= parts
        if self._reload_job is not None and self._reload_job.running:
            self._reload_pending = True
            return
        fresh, self._pending_fresh = self._pending_fresh, False
        parts, self._pending_parts = self._pending_parts, frozenset()
        repo, config, cache, entries = project.repo, project.config, self._status_cache(), self._entries
        if fresh and cache is not None:
            cache.invalidate()
        self._reload_job = self._start(
            lambda progress, event, cancel: _load(repo, config, progress, cancel, cache, parts, entries),
            on_result=self._loaded_result,
            on_error=self._reload_failed,
            on_end=self._reload_ended,
            priority=priority,
        )

    def _reload_failed(self, message: str) -> None:
        log.warning("checklist reload: %s", message)

    def _start(self, work: Work, **slots: Any) -> Job:
        job = run_in_thread(self, work, **slots)
        self._jobs = [j for j in self._jobs if j.running] + [job]
        return job

    def _reload_ended(self) -> None:
        self._reload_job = None
        if self._reload_pending:  # stays pending (busy) until the queued reload has started
            QtCore.QTimer.singleShot(0, self._run_pending_reload)

    def _run_pending_reload(self) -> None:
        self._reload_pending = False
        self.reload(fresh=False, parts=frozenset())  # what the queued requests asked for (kept pending)

    def _status_cache(self) -> StatusCache | None:
        """The project's shared components status (None without a repository)."""
        project = self.project
        cache = getattr(project, "status_cache", None)
        return cache if isinstance(cache, StatusCache) else None

    def _loaded_result(self, data: dict) -> None:
        if self.project is None or data["repo"] != self.project.repo:
            return
        if "entries" in data:
            self._entries, self.ledger_problems, self.mission = data["entries"], data["problems"], data["mission"]
        if "facts" in data:
            self.facts = data["facts"]
        if "tasks" in data:
            self.task_evidence = data["tasks"]
        self.redraw()
        self.loaded.emit()

    @property
    def busy(self) -> bool:
        """Whether a read or write is under way (or a reload is queued)."""
        return self._reload_pending or any(job.running for job in self._jobs)

    def wait_for_jobs(self, ms: int = 30_000) -> None:
        """Block until background reads and writes end (tests, shutdown)."""
        for job in list(self._jobs):
            if job.running:
                job.wait(ms)

    # rendering ---------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Render the tree, discrepancies, clock and task states from the current plan + cached reads.

        The tree is rebuilt only when what it shows changed (items, sign-offs, evidence): a drop on the
        Gantt moves no checklist item, and rebuilding would also reset the lead's scroll and collapsed groups.
        """
        if self.project is None:
            return
        self.state = checklist_state(self.project.plan.checklist, self._entries, self.ledger_problems)
        shown = (self._tree_key(self.state), self.facts)
        self._state_key = shown[0]
        if self._tree_shown is None or shown[0] != self._tree_shown[0] or shown[1] is not self._tree_shown[1]:
            self._tree_shown = shown
            self._render_tree()
        self._render_discrepancies()
        self._render_clock()

    @staticmethod
    def _tree_key(state: ChecklistState) -> tuple:
        """What the tree shows of ``state`` (a reschedule moves no item: the tree is not rebuilt)."""
        return tuple(
            (s.heading, s.text, s.item.line, s.done, s.signed, s.signed_by, s.signed_at, s.note, s.history)
            for s in state.items
        )

    def _render_tree(self) -> None:
        current = self._current_key()
        self.tree.clear()
        groups: dict[tuple, QtWidgets.QTreeWidgetItem] = {}
        for item_state in self.state.items:
            parent = groups.get(item_state.heading)
            if parent is None:
                parent = groups[item_state.heading] = self._group_row(item_state.heading)
            self._item_row(parent, item_state)
        for heading, parent in groups.items():
            self._fill_group(parent, heading)
        self.tree.expandAll()
        self._restore_current(current)

    def _group_row(self, heading: tuple) -> QtWidgets.QTreeWidgetItem:
        row = QtWidgets.QTreeWidgetItem(self.tree, [heading[-1].rstrip(":") if heading else "(no heading)"])
        row.setToolTip(0, " › ".join(heading))
        font = row.font(0)
        font.setBold(True)
        row.setFont(0, font)
        row.setFirstColumnSpanned(False)
        return row

    def _fill_group(self, parent: QtWidgets.QTreeWidgetItem, heading: tuple) -> None:
        mine = [s for s in self.state.items if s.heading == heading]
        done = sum(1 for s in mine if s.done and s.signed)
        parent.setText(1, f"{done}/{len(mine)}")
        bar = QtWidgets.QProgressBar(maximum=max(1, len(mine)), value=done, textVisible=False)
        bar.setFixedHeight(10)
        bar.setMaximumWidth(140)
        self.tree.setItemWidget(parent, 2, bar)

    def _item_row(self, parent: QtWidgets.QTreeWidgetItem, s: Any) -> None:
        row = QtWidgets.QTreeWidgetItem(parent, [s.text])
        row.setData(0, ITEM_ROLE, (s.text, s.item.line))
        row.setCheckState(0, QtCore.Qt.CheckState.Checked if s.done else QtCore.Qt.CheckState.Unchecked)
        row.setFlags(row.flags() & ~QtCore.Qt.ItemFlag.ItemIsUserCheckable)
        if s.signed and s.signed_at:
            row.setText(1, f"{s.signed_by} · {s.signed_at:%b %d %H:%M}")
            row.setToolTip(
                1, f"{s.signed_by}, {s.signed_at:%Y-%m-%d %H:%M} UTC" + (f"\nNote: {s.note}" if s.note else "")
            )
        evidence = evidence_for(s.text, self.facts)
        if evidence is not None:
            row.setText(2, evidence.text)
            colour = GREY if evidence.ok is None else OK_COLOUR if evidence.ok else BAD_COLOUR
            row.setForeground(2, QtGui.QBrush(QtGui.QColor(colour)))
            row.setToolTip(2, evidence.text)
        button = QtWidgets.QPushButton("Revoke…" if s.signed else "Sign off")
        button.setObjectName(f"signoff:{s.text}")
        button.clicked.connect(lambda _=False, text=s.text, line=s.item.line: self._on_item_button_clicked(text, line))
        self.tree.setItemWidget(row, 3, button)

    def _current_key(self):
        row = self.tree.currentItem()
        return row.data(0, ITEM_ROLE) if row is not None else None

    def _restore_current(self, key) -> None:
        if key is None:
            return
        for row in self._item_rows():
            if row.data(0, ITEM_ROLE) and row.data(0, ITEM_ROLE)[0] == key[0]:
                self.tree.setCurrentItem(row)
                return

    def _item_rows(self) -> list[QtWidgets.QTreeWidgetItem]:
        rows: list[QtWidgets.QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            if group is not None:
                children = (group.child(j) for j in range(group.childCount()))
                rows += [child for child in children if child is not None]
        return rows

    def button_for(self, text: str) -> QtWidgets.QPushButton | None:
        """The Sign off / Revoke button of the item with ``text`` (tests click it)."""
        for row in self._item_rows():
            if row.text(0) == text:
                button = self.tree.itemWidget(row, 3)
                return button if isinstance(button, QtWidgets.QPushButton) else None
        return None

    def _render_discrepancies(self) -> None:
        lines = [f"⚠ {html.escape(d.text)}: {html.escape(d.message)}" for d in self.state.discrepancies]
        lines += [f"⚠ {html.escape(p)}" for p in self.state.problems]
        self.discrepancy_label.setText(f"<span style='color:{BAD_COLOUR}'>" + "<br>".join(lines) + "</span>")
        self.discrepancy_label.setVisible(bool(lines))

    def _show_history(self) -> None:
        key = self._current_key()
        state = next((s for s in self.state.items if key and (s.text, s.item.line) == tuple(key)), None)
        if state is None:
            self.history.clear()
            return
        rows = [
            f"<b>{html.escape(state.text)}</b> <span style='color:{GREY}'>({html.escape(' › '.join(state.heading))}, "
            f"line {state.item.line})</span>"
        ]
        for entry in state.history:
            rows.append(_history_line(entry))
        if not state.history:
            rows.append("<i>Never signed off.</i>")
        self.history.setHtml("<br>".join(rows))

    # sign-off ----------------------------------------------------------------------------------
    def _find(self, text: str, line: int):
        return next((s for s in self.state.items if s.text == text and s.item.line == line), None)

    def _on_item_button_clicked(self, text: str, line: int) -> None:
        """Sign the item off, or revoke it when it is signed."""
        state = self._find(text, line)
        if state is None or self.project is None or self.project.repo is None:
            return
        if state.signed:
            self.revoke(state)
        else:
            self.sign_off(state)

    def sign_off(self, state: Any) -> None:
        """Warn when the evidence disagrees, tick the box (undoable), then write the ledger entry."""
        evidence = evidence_for(state.text, self.facts)
        if evidence is not None and evidence.ok is False:
            answer = dialogs.ask(
                self,
                "Evidence says otherwise",
                f"“{state.text}”\n\nThe evidence says: {evidence.text}\n\nSign it off anyway?",
                Button.Yes | Button.No,
                Button.No,
                headless_answer=Button.No,
            )
            if answer != Button.Yes:
                return
        self._write(state, revoke=False, note=self.note_edit.text().strip())

    def revoke(self, state: Any) -> None:
        """Untick the box and append a revocation; the reason comes from the note field."""
        self._write(state, revoke=True, reason=self.note_edit.text())

    def _write(self, state: Any, *, revoke: bool, note: str = "", reason: str = "") -> None:
        """The services' sign-off flow: check (its refusal is shown), an undoable tick, the ledger in a worker."""
        project = self.project
        item = state.item
        try:
            signoff_flow.check(project, item, revoke=revoke, reason=reason)
        except SignoffError as exc:
            self._refused(exc, revoke)
            return
        was_modified = project.modified
        done = not revoke
        command = None
        if item.done != done:
            verb = "Revoke" if revoke else "Sign off"
            window = self.main_window
            command = SignoffCommand(
                project,
                f"{verb} “{item.text}”",
                lambda: project.plan_file.set_checked(item, done).edits,
                window.refresh,
                window._edit_failed,
                revoke=revoke,
                record=lambda again, modified: self._record_from_undo_stack(project, item, again, modified),
            )
            window.undo_stack.push(command)
        self.note_edit.clear()
        self._record(project, item, revoke=revoke, note=note, reason=reason, was_modified=was_modified, command=command)

    def _record(
        self,
        project: Any,
        item: Any,
        *,
        revoke: bool,
        note: str = "",
        reason: str = "",
        was_modified: bool,
        command: SignoffCommand | None = None,
    ) -> None:
        """Append the ledger entry in a worker; then save (if the tick was the plan's only change) and reload."""
        when = self.clock()
        self._start(
            lambda progress, event, cancel: signoff_flow.record(
                project, item, revoke=revoke, note=note, reason=reason, now=when
            ),
            on_result=on_gui(self, lambda entry: self._written(entry, was_modified)),
            on_error=on_gui(self, lambda msg: self._write_failed(msg, command)),
        )

    def _record_from_undo_stack(self, project: Any, item: Any, revoke: bool, was_modified: bool) -> None:
        """Edit › Undo/Redo of a sign-off or revoke: append the matching entry so plan and ledger agree."""
        if project is not self.project:
            return
        reason = UNDO_REASON if revoke else ""
        try:
            signoff_flow.check(project, item, revoke=revoke, reason=reason)
        except SignoffError as exc:  # the ledger moved on (another sign-off): say so, write nothing
            log.warning("undo of a sign-off: %s", exc)
            self.main_window.statusBar().showMessage(f"Ledger not changed: {exc}", 12000)
            return
        log.info("%s %r (Edit › Undo/Redo)", "revoking" if revoke else "signing off", item.text)
        self._record(project, item, revoke=revoke, note=UNDO_NOTE, reason=reason, was_modified=was_modified)

    def _refused(self, error: SignoffError, revoke: bool) -> None:
        """Show why the flow refused; a missing reason is typed in the note field."""
        hint = "\n\nType the reason in the note field, then click Revoke again." if revoke else ""
        dialogs.inform(self, "Revoke refused" if revoke else "Sign-off refused", f"{error}{hint}")
        if revoke:
            self.note_edit.setFocus()

    def _written(self, entry: Any, was_modified: bool) -> None:
        why = f" — {entry.reason}" if entry.kind == "revoke" and entry.reason else ""
        log.info("ledger: %s of %r by %s in %s%s", entry.kind, entry.text, entry.who, self._loaded_repo, why)
        if self.project is not None and not was_modified and self.project.modified:
            self.main_window.save()  # the plan on disk then differs from its last state only in that box
        self.signed.emit(entry)
        self.reload()

    def _write_failed(self, message: str, command: SignoffCommand | None) -> None:
        stack = self.main_window.undo_stack
        if command is not None and stack.index() > 0 and stack.command(stack.index() - 1) is command:
            command.skip_ledger = True  # nothing was written: taking the tick back appends nothing
            command.setObsolete(True)
            stack.undo()
        dialogs.inform(self, "Sign-off not recorded", f"The ledger could not be written:\n{message}", warning=True)

    # mission and tasks -------------------------------------------------------------------------
    def _on_start_mission_clicked(self) -> None:
        """Set Hour 0 = now and the baseline (asking before restarting a started mission)."""
        project = self.project
        if project is None or project.repo is None:
            return
        force = False
        if self.mission is not None:
            answer = dialogs.ask(
                self,
                "Restart the mission?",
                f"The mission started {self.mission.started_at:%Y-%m-%d %H:%M} UTC.\n"
                "Restart the clock now and move the baseline to HEAD?",
                Button.Yes | Button.No,
                Button.No,
                headless_answer=Button.No,
            )
            if answer != Button.Yes:
                return
            force = True
        repo, now = project.repo, self.clock()
        self._start(
            lambda progress, event, cancel: start_mission(repo, now=now, force=force),
            on_result=self._mission_started,
            on_error=on_gui(self, lambda msg: dialogs.inform(self, "Cannot start the mission", msg, warning=True)),
        )

    def _mission_started(self, mission: Any) -> None:
        self.mission = mission
        self.main_window.statusBar().showMessage(
            f"Mission started: Hour 0 = {mission.started_at:%Y-%m-%d %H:%M} UTC", 8000
        )
        self.reload()
        self.main_window.mission_started.emit(self)  # the Components dock shows the new baseline

    @QtCore.Slot(object)
    def _on_mission_started(self, source: Any) -> None:
        """Another dock started the mission: read Hour 0 and the evidence again."""
        if source is not self:
            self.reload()

    def _render_clock(self) -> None:
        """Clock label, task states, Gantt markers and the now-line."""
        if self.project is None:
            return
        now = self.clock()
        self.clock_label.setText(
            "Mission not started" if self.mission is None else f"Mission clock: {elapsed_label(self.mission, now)}"
        )
        plan = self.project.plan
        plan_now = to_plan_time(plan, self.mission, now)
        previous = self.task_status
        self.task_status = self._task_states(plan, plan_now)
        gantt = getattr(self.main_window, "gantt", None)
        if gantt is not None:
            for key, status in self.task_status.items():
                if previous.get(key) is not status:  # (a state kept after a drop is the same object)
                    gantt.set_marker(key, "status", status.marker)
            if hasattr(gantt, "set_now"):
                gantt.set_now(plan_now if self.mission is not None else None)
        self._render_task_row()

    def _task_states(self, plan: Any, plan_now: Any) -> dict:
        """Every task's state; after a drop (same evidence and checklist) only what it can change is
        evaluated again (:func:`update_task_states`: ~1 ms instead of ~40 at 10,000 tasks)."""
        basis = self._states_basis
        if basis is not None and basis[2] is self.task_evidence and basis[3] == self._state_key:
            states = update_task_states(
                self.task_status, basis[0], basis[1], plan, plan_now, self.task_evidence, self.state
            )
        else:
            states = task_states(plan, plan_now, self.task_evidence, self.state)
        self._states_basis = (plan, plan_now, self.task_evidence, self._state_key)
        return states

    def _on_selection_changed(self, _key: str) -> None:
        self._render_task_row()

    def _render_task_row(self) -> None:
        key = getattr(self.main_window, "selected", None)
        status = self.task_status.get(key) if key else None
        task = self.project.plan.find_task(key) if key and self.project is not None else None
        self.active_button.setEnabled(task is not None)
        self.done_button.setEnabled(task is not None)
        if task is None or status is None:
            self.task_label.setText("Select a task to see its state")
            return
        self.task_label.setText(f"<b>{html.escape(task.name)}</b>: {status.state}")
        self.task_label.setToolTip("\n".join(status.reasons) or "no evidence yet")
        self.active_button.setEnabled(not task.has_tag("active") and not task.has_tag("done"))
        self.done_button.setEnabled(not task.has_tag("done"))

    def _on_mark_active_clicked(self) -> None:
        self.mark_task("active")

    def _on_mark_done_clicked(self) -> None:
        self.mark_task("done")

    def mark_task(self, tag: str) -> None:
        """Write the ``active``/``done`` Mermaid tag on the selected task (one undoable edit)."""
        key = getattr(self.main_window, "selected", None)
        project = self.project
        if project is None or not key or project.plan.find_task(key) is None:
            return

        def edit() -> list:
            edits = []
            if tag == "done":
                edits += project.plan_file.set_tag(key, "active", False).edits
            return edits + project.plan_file.set_tag(key, tag, True).edits

        self.main_window.edit_plan(f"Mark {key} {tag}", edit)

    def cleanup(self) -> None:
        """Stop the clock and wait for background jobs (window closing)."""
        self._timer.stop()
        for job in list(self._jobs):
            if job.running:
                job.cancel()
        self.wait_for_jobs(10_000)


def _history_line(entry: Any) -> str:
    when = f"{entry.at:%Y-%m-%d %H:%M} UTC" if entry.at else "?"
    who = html.escape(f"{entry.who} <{entry.email}>")
    what = {
        "signoff": f"<span style='color:{OK_COLOUR}'>signed off</span>",
        "revoke": f"<span style='color:{BAD_COLOUR}'>revoked</span>",
    }.get(entry.kind, entry.kind)
    detail = ""
    if entry.note:
        detail += f" — note: {html.escape(entry.note)}"
    if entry.reason:
        detail += f" — reason: {html.escape(entry.reason)}"
    if entry.tests:
        detail += f" — tests: {entry.tests.get('passed', 0)} passed, {entry.tests.get('failed', 0)} failed"
    commit = f" at {entry.commit[:7]}" if entry.commit else ""
    return f"{when}: {what} by {who}{commit}{detail}"


def _load(
    repo: Path,
    config: Any,
    progress,
    cancel,
    cache: StatusCache | None = None,
    parts: frozenset[str] = EVERYTHING,
    entries: tuple = (),
) -> dict:
    """``parts`` of what the panel shows that needs the disk or git (runs in a worker).

    ``"ledger"``: entries, problems and the mission clock; ``"facts"``: the evidence's measurements
    (with ``entries`` unless the ledger is read too); ``"tasks"``: the task evidence, its status
    through ``cache``. The result holds the keys of the parts read.
    """
    data: dict[str, Any] = {"repo": repo}
    if "ledger" in parts:
        ledger = read_ledger(repo)
        try:
            mission = read_mission(repo)
        except Exception as exc:
            mission, problems = None, ledger.problems + (str(exc),)
        else:
            problems = ledger.problems
        entries = ledger.entries
        data.update(entries=entries, problems=problems, mission=mission)
    if "facts" in parts:
        data["facts"] = gather_facts(repo, entries)
    if "tasks" in parts:
        read_status = (lambda: cache.read(cancel)) if cache is not None else None
        data["tasks"] = gather_task_evidence(repo, config, on_progress=progress, cancel=cancel, read_status=read_status)
    return data


def install(window: Any) -> ChecklistPanel:
    """Build the Checklist dock in ``window`` and connect it to the window's signals."""
    panel = ChecklistPanel(window)
    panel.dock_into("Checklist", "checklistPanelDock", QtCore.Qt.DockWidgetArea.RightDockWidgetArea)
    window.selection_changed.connect(panel._on_selection_changed)
    window.tests_finished.connect(panel._on_tests_finished)
    window.audit_recorded.connect(panel._on_audit_recorded)
    window.mission_started.connect(panel._on_mission_started)
    app = QtCore.QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(panel.cleanup)
    return panel
