"""watchdog → Qt: the repository watcher's change sets as signals on the GUI thread.

The core :class:`~mission_control.watch.RepoWatcher` already debounces bursts into one
:class:`~mission_control.watch.ChangeSet` and calls back from its own thread; this QObject lives
on the GUI thread and re-emits each change set through a queued signal.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6 import QtCore

from mission_control.watch import ChangeSet, RepoWatcher, WatchError

log = logging.getLogger(__name__)


class WatchBridge(QtCore.QObject):
    """Owns a RepoWatcher and relays its change sets.

    Signals:
        changed(object): a :class:`ChangeSet`, delivered on the GUI thread.
    """

    changed = QtCore.Signal(object)

    def __init__(self, repo: Path, plan: Path | None, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.watcher = RepoWatcher(repo, self._from_thread, plan=plan)

    def start(self) -> str:
        """Start watching; returns the mode (``native``/``polling``) or a reason it could not."""
        try:
            self.watcher.start()
        except WatchError as exc:
            log.warning("%s", exc)
            return f"not watching: {exc}"
        return self.watcher.mode

    def stop(self) -> None:
        self.watcher.stop()

    def _from_thread(self, change: ChangeSet) -> None:
        # Signal emission from a foreign thread is queued to this object's (GUI) thread.
        self.changed.emit(change)

    @property
    def status(self) -> str:
        """A short status-bar text: how the repository is being watched."""
        if self.watcher.mode == "polling":
            return f"Watching (polling: {self.watcher.notice})" if self.watcher.notice else "Watching (polling)"
        return "Watching" if self.watcher.mode == "native" else "Not watching"
