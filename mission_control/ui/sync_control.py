"""The Sync action's behaviour: share the mission through the git remote, off the GUI thread.

The window builds the action (``syncAction``, toolbar button ``syncButton``, Ctrl+Shift+Y) and the
permanent status label (``syncStatus``); :class:`SyncControl` drives them:

- the action is enabled only while a repository with the chosen remote (Preferences, default
  ``origin``) is open and no sync runs;
- a sync runs :func:`mission_control.services.sync.sync_project` in a worker; on success the
  Checklist and Teams docks read again (the ledger, the clock and team branches may have moved);
  on failure (no remote, unreachable: expected, logged as a warning) the reason is shown in the
  status bar and local work goes on;
- with a sync interval set (Preferences, minutes; 0: off) a timer syncs by itself, skipping a
  tick while a sync still runs;
- the label says when the last sync was and how many records wait to be pushed (a cheap, offline
  :func:`~mission_control.services.sync.pending` in a worker, after each sync, each sign-off in the
  Checklist and each change the repository watcher reports; coalesced, one at a time).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6 import QtCore

from mission_control.services import sync as sync_service
from mission_control.ui.dock_panel import DockPanel
from mission_control.ui.workers import LOW, Job, run_in_thread

log = logging.getLogger(__name__)
#: The docks that show what a sync brings in (the ledger and clock; team branches).
REFRESHED_PANELS = ("checklist_panel", "teams_panel")
MESSAGE_MS = 20_000


class SyncControl(QtCore.QObject):
    """Runs syncs and keeps ``window.act_sync`` and ``window.sync_label`` up to date.

    Signals:
        synced(object): a sync succeeded (its :class:`~mission_control.repo.sync.SyncResult`).
        failed(str): a sync failed; why (already shown in the status bar).
        pending_checked(): the label was updated from a fresh count of records waiting to be pushed.
    """

    synced = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    pending_checked = QtCore.Signal()

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.main_window = window
        self.action = window.act_sync
        self.label = window.sync_label
        self.timer = QtCore.QTimer(self)
        self.timer.setObjectName("syncTimer")
        self.timer.timeout.connect(self.on_interval)
        self.repo: Path | None = None
        self.has_remote = False
        self.counted = False  # whether the remote and the records to push were looked up yet
        self.waiting = 0
        self.last_synced: datetime | None = None
        self.last_error = ""
        self._sync_job: Job | None = None
        self._pending_job: Job | None = None
        self._pending_again = False
        self._closed = False
        window.project_changed.connect(self._on_project_changed)
        window.repo_changed.connect(self.check_pending)  # e.g. a sign-off from the command line here
        window.closing.connect(self.cleanup)
        preferences = window.panels.get("preferences")
        if preferences is not None:
            preferences.changed.connect(self._on_settings_changed)
        checklist = window.panels.get("checklist_panel")
        if checklist is not None and hasattr(checklist, "signed"):
            checklist.signed.connect(self.check_pending)
        self._on_project_changed()

    # state -----------------------------------------------------------------------------------------
    @property
    def remote(self) -> str:
        return self.main_window.settings.sync_remote or "origin"

    @property
    def running(self) -> bool:
        return self._sync_job is not None and self._sync_job.running

    @property
    def available(self) -> bool:
        """Whether a sync can start now: a repository with the remote is open and none runs."""
        return self.repo is not None and self.has_remote and not self.running and not self._closed

    def _on_project_changed(self) -> None:
        project = self.main_window.project
        repo = project.repo if project is not None else None
        if repo == self.repo:
            return
        self.repo = repo
        self.has_remote, self.counted, self.waiting = False, False, 0
        self.last_synced, self.last_error = None, ""
        self._apply_interval()
        self._update()
        self.check_pending()

    def _on_settings_changed(self, _settings: Any = None) -> None:
        """The remote or the interval may have changed: count again, restart the timer."""
        self._apply_interval()
        self.check_pending()

    def _apply_interval(self) -> None:
        minutes = int(self.main_window.settings.sync_minutes or 0)
        if minutes > 0 and self.repo is not None and not self._closed:
            if not self.timer.isActive() or self.timer.interval() != minutes * 60_000:
                self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()

    # syncing ---------------------------------------------------------------------------------------
    def sync_now(self) -> Job | None:
        """Start a sync in a worker (nothing when one runs or there is no remote); the job."""
        project = self.main_window.project
        if not self.available or project is None:
            return None
        remote, repo = self.remote, self.repo
        log.info("sync with %s started (%s)", remote, repo)
        self.main_window.statusBar().showMessage(f"Syncing the mission with {remote}…", MESSAGE_MS)
        self._sync_job = run_in_thread(
            self,
            lambda progress, event, cancel: sync_service.sync_project(project, remote),
            on_result=lambda result: self._synced(repo, result),
            on_error=lambda message: self._failed(repo, remote, message),
            on_end=self._sync_ended,
        )
        self._update()
        return self._sync_job

    def on_interval(self) -> None:
        """The interval timer's slot: sync, unless one still runs (never two at once)."""
        if self.running:
            log.debug("sync interval: the previous sync still runs; skipped")
            return
        self.sync_now()

    def _synced(self, repo: Path | None, result: Any) -> None:
        if repo != self.repo:
            return  # another project was opened meanwhile
        self.last_synced, self.last_error = result.at, ""
        self.main_window.statusBar().showMessage(_summary(result), MESSAGE_MS)
        log.info("%s", _summary(result))
        for note in result.notes:
            log.info("sync: %s", note)
        for name in REFRESHED_PANELS:
            panel = self.main_window.panels.get(name)
            if isinstance(panel, DockPanel):
                panel.refresh()
        self.synced.emit(result)

    def _failed(self, repo: Path | None, remote: str, message: str) -> None:
        if repo != self.repo:
            return
        self.last_error = message
        # An unreachable or missing remote is expected (a laptop on a train), not a bug: no ERROR.
        log.warning("sync with %s failed: %s", remote, message)
        self.main_window.statusBar().showMessage(f"Sync failed: {message}", MESSAGE_MS)
        self.failed.emit(message)

    def _sync_ended(self) -> None:
        self._sync_job = None
        self._update()
        self.check_pending()

    # waiting to be pushed --------------------------------------------------------------------------
    def check_pending(self, *_args: Any) -> None:
        """Count, in a worker, the records waiting to be pushed (and whether the remote exists)."""
        project = self.main_window.project
        if self._closed:
            return
        if project is None or project.repo is None:
            self._update()
            return
        if self._pending_job is not None and self._pending_job.running:
            self._pending_again = True
            return
        remote, repo = self.remote, project.repo
        self._pending_job = run_in_thread(
            self,
            lambda progress, event, cancel: sync_service.pending(project, remote),
            on_result=lambda waiting: self._pending_counted(repo, remote, waiting),
            on_error=lambda message: log.warning("sync: cannot count the records to push: %s", message),
            on_end=self._pending_ended,
            priority=LOW,  # a count for the status bar: after an audit of the same change set
        )

    def _pending_counted(self, repo: Path | None, remote: str, waiting: int | None) -> None:
        if repo != self.repo or remote != self.remote:
            return
        self.has_remote, self.counted = waiting is not None, True
        self.waiting = waiting or 0
        self._update()
        self.pending_checked.emit()

    def _pending_ended(self) -> None:
        self._pending_job = None
        if self._pending_again:
            self._pending_again = False
            QtCore.QTimer.singleShot(0, self.check_pending)

    # showing ---------------------------------------------------------------------------------------
    def _update(self) -> None:
        """The action's enabled state and the label's text and tooltip from the current state."""
        self.action.setEnabled(self.available)
        text, tip = self.status_text()
        self.label.setText(text)
        self.label.setToolTip(tip)

    def status_text(self) -> tuple[str, str]:
        """(label, tooltip): "synced 14:02 · 2 to push", "never synced", "no remote"..."""
        remote = self.remote
        if self.repo is None:
            return "no remote", "No repository is open: the mission's state lives in its git refs."
        if self.running:
            return "syncing…", f"Syncing the mission with {remote}…"
        if not self.counted:
            return "sync…", f"Looking for the remote {remote!r}…"
        if not self.has_remote:
            return (
                "no remote",
                f"This repository has no remote named {remote!r} (Preferences › Sync, or git remote add).",
            )
        last = f"synced {self.last_synced.astimezone():%H:%M}" if self.last_synced else "never synced"
        text = "sync failed" if self.last_error else last
        tip = f"Last sync with {remote}: " + (
            f"{self.last_synced.astimezone():%Y-%m-%d %H:%M}" if self.last_synced else "none in this session"
        )
        if self.last_error:
            tip = f"The last sync failed: {self.last_error}\n{tip}"
        if self.waiting:
            text += f" · {self.waiting} to push"
            tip += f"\n{self.waiting} mission record{'s' * (self.waiting != 1)} waiting to be pushed"
        return text, tip

    # closing ---------------------------------------------------------------------------------------
    def cleanup(self) -> None:
        """The window closes: no more syncs; wait for the running jobs (safe to call twice)."""
        self._closed = True
        self.timer.stop()
        for job in (self._sync_job, self._pending_job):
            if job is not None and job.running:
                job.cancel()
                job.wait(30_000)

    def wait_for_jobs(self, ms: int = 30_000) -> None:
        """Block until a running sync and count end (tests)."""
        for job in (self._sync_job, self._pending_job):
            if job is not None and job.running:
                job.wait(ms)


def _summary(result: Any) -> str:
    parts = []
    if result.merged:
        parts.append(f"merged {len(result.merged)} record{'s' * (len(result.merged) != 1)}")
    if result.pushed:
        parts.append(f"pushed {len(result.pushed)}")
    if result.new_branches:
        parts.append(f"new team branch{'es' * (len(result.new_branches) != 1)} {', '.join(result.new_branches)}")
    if result.fast_forwarded:
        parts.append(f"updated {', '.join(result.fast_forwarded)}")
    return f"Synced with {result.remote}: " + ("; ".join(parts) if parts else "nothing new")
