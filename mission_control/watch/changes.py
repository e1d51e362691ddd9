"""Coalescing raw file events into one net change set per burst.

A checkout or a codemod writing 500 files produces thousands of raw events; consumers want
one answer: which paths are new, changed, gone. Per path only the net effect survives (a
temp file created and renamed away within the burst disappears entirely).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


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

    def to_json(self) -> dict[str, Any]:
        """One JSON-ready object (what ``mission-control watch`` prints per line)."""
        return {
            "time": datetime.fromtimestamp(self.when, UTC).isoformat(timespec="milliseconds"),
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
    """Accumulates raw events (``created``/``modified``/``deleted``/``moved``) into net states.

    watchdog may deliver one burst's events out of order (seen with watchdog 7 after an
    earlier observer in the same process), so the net state is not replayed from the event
    order: it is decided when the burst closes, from counts of births and deaths per path
    and whether the path exists *now* (see :meth:`finish`).
    """

    def __init__(self) -> None:
        self.births: dict[str, int] = {}
        self.deaths: dict[str, int] = {}
        self.touched: dict[str, None] = {}  # insertion-ordered set
        self.moves: list[tuple[str, str]] = []
        self.count = 0
        self.states: dict[str, str] = {}

    def add(self, kind: str, path: str | None, dest: str | None = None) -> None:
        """Fold one event in; ``dest`` is set for moves (either side may be None = outside)."""
        self.count += 1
        if kind == "moved":
            if path is not None:
                self._bump(self.deaths, path)
            if dest is not None:
                self._bump(self.births, dest)
            if path is not None and dest is not None:
                self.moves.append((path, dest))
        elif path is None:
            return  # only a move has an end outside the watched tree
        elif kind == "created":
            self._bump(self.births, path)
        elif kind == "deleted":
            self._bump(self.deaths, path)
        else:
            self.touched[path] = None

    def _bump(self, counter: dict[str, int], path: str) -> None:
        counter[path] = counter.get(path, 0) + 1
        self.touched[path] = None

    def finish(self, exists: Callable[[str], bool]) -> dict[str, str]:
        """Decide each path's net state with ``exists(path) -> bool``; returns and keeps it.

        Existing now: ``created`` if it was born more often than it died in the burst, else
        ``modified``. Gone now: ``deleted`` unless it was born in the burst too (a temp file:
        nothing to report). Moves keep only pairs whose source is gone and was not born here.
        """
        states = {}
        for path in self.touched:
            born, died = self.births.get(path, 0), self.deaths.get(path, 0)
            if exists(path):
                states[path] = "created" if born > died else "modified"
            elif died > born or (died and not born):
                states[path] = "deleted"
        self.states = states
        self.moves = [
            (src, dest)
            for src, dest in self.moves
            if states.get(src) == "deleted" and dest in states and not self.births.get(src)
        ]
        return states

    def paths_by_state(self, state: str) -> tuple[str, ...]:
        """Sorted paths whose net state is ``state`` (after :meth:`finish`)."""
        return tuple(sorted(p for p, s in self.states.items() if s == state))
