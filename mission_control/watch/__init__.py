"""Watching a repository: one watchdog observer, debounced change sets, polling fallback.

Public API::

    watcher = RepoWatcher(repo, on_change, plan=plan_path)   # on_change(ChangeSet), own thread
    watcher.start(); ...; watcher.stop()
    watcher.mode      # "native" | "polling" | "stopped"
    watcher.notice    # why it polls, or None
"""

from mission_control.watch.changes import ChangeSet, Coalescer
from mission_control.watch.watcher import ChangeCallback, RepoWatcher, WatchError

__all__ = ["ChangeCallback", "ChangeSet", "Coalescer", "RepoWatcher", "WatchError"]
