"""Coalescing raw file events into one net change set per burst.

A checkout or a codemod writing 500 files produces thousands of raw events; consumers want
one answer: which paths are new, changed, gone. Per path only the net effect survives (a
temp file created and renamed away within the burst disappears entirely).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass(frozen=True)
class ChangeSet:
    """One coalesced burst of changes in a repository (paths repo-relative, POSIX).

    ``plan_changed``: the plan file was written (reload it). ``plan_deleted``: it is gone.
    ``repo_deleted``: the repository folder is gone; the watcher has stopped.
    ``mode``: ``"native"`` (inotify & co.) or ``"polling"``; ``notice``: a human sentence
    about the watcher itself (fallback to polling, repository gone), else None.
    """

    created: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    moved: tuple[tuple[str, str], ...] = ()
    plan_changed: bool = False
    plan_deleted: bool = False
    repo_deleted: bool = False
    mode: str = "native"
    notice: str | None = None
    events: int = 0
    when: float = field(default_factory=time.time)

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path touched, sorted (both ends of moves included)."""
        touched = set(self.created) | set(self.modified) | set(self.deleted)
        for src, dest in self.moved:
            touched.update((src, dest))
        return tuple(sorted(touched))

    def is_empty(self) -> bool:
        """Whether nothing at all is reported (no path, flag or notice)."""
        return not (self.paths or self.plan_changed or self.plan_deleted or self.repo_deleted or self.notice)

    def to_json(self) -> dict:
        """One JSON-ready object (what ``mission-control watch`` prints per line)."""
        return {
            "time": datetime.fromtimestamp(self.when, timezone.utc).isoformat(timespec="milliseconds"),
            "created": list(self.created),
            "modified": list(self.modified),
            "deleted": list(self.deleted),
            "moved": [list(pair) for pair in self.moved],
            "plan_changed": self.plan_changed,
            "plan_deleted": self.plan_deleted,
            "repo_deleted": self.repo_deleted,
            "mode": self.mode,
            "notice": self.notice,
            "events": self.events,
        }


class Coalescer:
    """Accumulates raw events (``created``/``modified``/``deleted``/``moved``) into net states."""

    def __init__(self) -> None:
        self.states: dict[str, str] = {}
        self.moves: list[tuple[str, str]] = []
        self.count = 0

    def add(self, kind: str, path: str, dest: str | None = None) -> None:
        """Fold one event in; ``dest`` is set for moves (either side may be None = outside)."""
        self.count += 1
        if kind == "moved":
            created_here = self.states.get(path) == "created"
            if path is not None:
                self._deleted(path)
            if dest is not None:
                self._created(dest)
            if path is not None and dest is not None and not created_here:
                self.moves.append((path, dest))
        elif kind == "created":
            self._created(path)
        elif kind == "deleted":
            self._deleted(path)
        elif kind == "modified":
            if self.states.get(path) not in ("created",):
                self.states[path] = "modified"

    def _created(self, path: str) -> None:
        self.states[path] = "modified" if self.states.get(path) in ("deleted", "modified") else "created"

    def _deleted(self, path: str) -> None:
        if self.states.get(path) == "created":
            del self.states[path]  # born and gone within the burst: nothing happened
        else:
            self.states[path] = "deleted"

    def paths_by_state(self, state: str) -> tuple[str, ...]:
        """Sorted paths whose net state is ``state``."""
        return tuple(sorted(p for p, s in self.states.items() if s == state))
