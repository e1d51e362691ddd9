"""One watchdog observer on a repository, delivering debounced, filtered change sets.

Threads: watchdog's observer thread(s) only append raw events to a list (cheap, under a
lock); the watcher's own thread waits for a quiet gap of ``debounce`` seconds (at most
``max_latency`` after the first event), folds the burst into one :class:`ChangeSet`,
drops git-ignored paths with one ``git check-ignore --stdin`` call, and invokes the
callback **from that thread**. A Qt face must hop to the GUI thread itself (emit a signal
of a QObject living there); the core never imports Qt.

Ignored always: ``.git``, virtual environments (any folder with ``pyvenv.cfg``), caches and
build folders (:data:`mission_control.util.files.IGNORED_DIRS`), ``*.pyc``, editor swap files.
When the native observer cannot start (inotify watch or instance limit), the watcher falls
back to polling, skipping ignored folders, and says why in :attr:`RepoWatcher.notice`.
The repository vanishing or the plan file being deleted is reported in a change set.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserverVFS

from mission_control.util.files import is_ignored_part, is_venv
from mission_control.util.git import GitError, run_git
from mission_control.watch.changes import ChangeSet, Coalescer

# watchdog's inotify re-adds a watch when a folder it already watches is re-created (git's
# ref folders are) and warns with the whole watch table, thousands of characters, harmlessly.
warnings.filterwarnings(
    "ignore", message="Callback with id .* already exists for watch", category=RuntimeWarning, module="watchdog"
)

log = logging.getLogger(__name__)

ChangeCallback = Callable[[ChangeSet], None]
_IGNORED_SUFFIXES = (".pyc", ".pyo", ".swp", ".swx", ".swo", "~")
_EVENT_KINDS = {"created", "modified", "deleted", "moved"}
# Only what changes a file: without a filter inotify also reports every open and every close of
# a file only read, and git reading thousands of objects (in .git, ignored, but watched: inotify
# cannot leave a folder out) overflowed the kernel's queue, which then lost real edits.
_EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    DirCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    DirDeletedEvent,
    FileMovedEvent,
    DirMovedEvent,
]


class WatchError(Exception):
    """The watcher cannot start (missing folder); the message names it."""


class RepoWatcher:
    """Watch ``repo`` (and ``plan``, even outside the repo) and call ``on_change`` per burst.

    Args:
        repo: repository folder.
        on_change: called with one :class:`ChangeSet` per coalesced burst, from the
            watcher's own thread (never from the caller's thread).
        plan: the plan file; its writes set ``plan_changed``, its deletion ``plan_deleted``.
        debounce: quiet gap (seconds) that closes a burst.
        max_latency: a never-ending stream of events is still reported this often.
        polling_interval: seconds between scans in polling mode.
        observer_factory: makes the native observer (tests inject a failing one).
    """

    def __init__(
        self,
        repo: str | os.PathLike[str],
        on_change: ChangeCallback,
        *,
        plan: str | os.PathLike[str] | None = None,
        debounce: float = 0.2,
        max_latency: float = 2.0,
        polling_interval: float = 1.0,
        observer_factory: Callable[[], BaseObserver] = Observer,
    ) -> None:
        self.repo = Path(repo).expanduser().absolute()
        self.plan = Path(plan).expanduser().absolute() if plan is not None else None
        self.on_change = on_change
        self.debounce = debounce
        self.max_latency = max_latency
        self.polling_interval = polling_interval
        self._observer_factory = observer_factory
        self._observer: BaseObserver | None = None
        self.mode = "stopped"
        self.notice: str | None = None
        self._raw: list[tuple[str, str, str | None]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._venv_cache: dict[str, bool] = {}
        self._plan_existed = bool(self.plan and self.plan.exists())
        self._is_git = True

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> RepoWatcher:
        """Start observing; raises :class:`WatchError` if the repository folder is missing."""
        if not self.repo.is_dir():
            raise WatchError(f"{self.repo}: no such folder to watch")
        self._stop.clear()
        self._start_observer()
        self._thread = threading.Thread(target=self._run, name="mission-control-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop observing and wait for the watcher thread (safe to call twice)."""
        self._stop.set()
        self._wake.set()
        self._stop_observer()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self.mode = "stopped"

    def __enter__(self) -> RepoWatcher:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- observers ----------------------------------------------------------------------------

    def _start_observer(self) -> None:
        try:
            self._observer = self._schedule(self._observer_factory())
            self._observer.start()
            self.mode = "native"
        except OSError as exc:
            self._stop_observer()
            self._fall_back(_fallback_reason(exc))

    def _fall_back(self, reason: str) -> None:
        """Switch to polling; ``reason`` says why, for the status bar and the log."""
        log.warning("file watcher: %s", reason)
        self.notice = reason
        observer = PollingObserverVFS(os.stat, self._scandir, polling_interval=self.polling_interval)
        self._observer = self._schedule(observer)
        self._observer.start()
        self.mode = "polling"

    def _schedule(self, observer: BaseObserver) -> BaseObserver:
        handler = _Handler(self._on_event)
        observer.schedule(handler, str(self.repo), recursive=True, event_filter=_EVENT_FILTER)
        if self.plan is not None and not _inside(self.plan, self.repo) and self.plan.parent.is_dir():
            observer.schedule(handler, str(self.plan.parent), recursive=False, event_filter=_EVENT_FILTER)
        return observer

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is None:
            return
        try:
            observer.stop()
            if observer.is_alive() and observer is not threading.current_thread():
                observer.join(5)
        except (OSError, RuntimeError):
            pass  # stopping a half-started observer

    def _scandir(self, path: str | None) -> Iterator[os.DirEntry[str]]:
        """``os.scandir`` for the polling observer, skipping ignored folders entirely."""
        for entry in os.scandir(path):
            if entry.is_dir(follow_symlinks=False) and (is_ignored_part(entry.name) or is_venv(Path(entry.path))):
                continue
            yield entry

    # -- event intake (observer thread) --------------------------------------------------------

    def _on_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind not in _EVENT_KINDS or (kind == "modified" and event.is_directory):
            return
        src = self._relevant(os.fsdecode(event.src_path))
        dest = self._relevant(os.fsdecode(event.dest_path)) if kind == "moved" else None
        if src is None:
            if dest is None:
                return
            kind, src, dest = "created", dest, None  # moved in from an ignored or outside path
        with self._lock:
            self._raw.append((kind, src, dest))
        self._wake.set()

    def _relevant(self, path: str) -> str | None:
        """The path to report (absolute), or None if it is ignored."""
        if not path:
            return None
        absolute = Path(path)
        if self.plan is not None and absolute == self.plan:
            return path
        if absolute == self.repo:
            return path
        try:
            rel = absolute.relative_to(self.repo).as_posix()
        except ValueError:
            return None  # the plan folder's other files
        if rel.endswith(_IGNORED_SUFFIXES):
            return None
        parts = rel.split("/")
        for index, part in enumerate(parts[:-1]):
            if is_ignored_part(part) or self._is_venv_prefix("/".join(parts[: index + 1])):
                return None
        if is_ignored_part(parts[-1]) and event_is_dir_like(absolute):
            return None
        return path

    def _is_venv_prefix(self, prefix: str) -> bool:
        cached = self._venv_cache.get(prefix)
        if cached is None:
            cached = self._venv_cache[prefix] = is_venv(self.repo / prefix)
        return cached

    # -- the watcher thread ------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._wake.wait(timeout=min(1.0, self.polling_interval)):
                self._health_check()
                continue
            self._wait_for_quiet()
            if self._stop.is_set():
                break
            change = self._drain()
            if change is not None:
                self._deliver(change)
            if change is not None and change.repo_deleted:
                self._stop.set()
                self._stop_observer()
                self.mode = "stopped"

    def _wait_for_quiet(self) -> None:
        first = time.monotonic()
        while not self._stop.is_set():
            self._wake.clear()
            remaining = self.max_latency - (time.monotonic() - first)
            if remaining <= 0 or not self._wake.wait(min(self.debounce, remaining)):
                return

    def _health_check(self) -> None:
        """Report a vanished repository, and survive a native observer that died."""
        if not self.repo.is_dir():
            self._deliver(self._build(Coalescer()))
            self._stop.set()
            self._stop_observer()
            self.mode = "stopped"
            return
        observer = self._observer
        if self.mode == "native" and observer is not None and not all(e.is_alive() for e in observer.emitters):
            self._stop_observer()
            self._fall_back("the native file watcher stopped (inotify limit reached?); watching by polling")
            self._deliver(ChangeSet(mode=self.mode, notice=self.notice))

    def _drain(self) -> ChangeSet | None:
        with self._lock:
            raw, self._raw = self._raw, []
        coalescer = Coalescer()
        for kind, src, dest in raw:
            coalescer.add(kind, src, dest)
        coalescer.finish(os.path.lexists)
        change = self._build(coalescer)
        return None if change.is_empty() else change

    def _build(self, coalescer: Coalescer) -> ChangeSet:
        repo_gone = not self.repo.is_dir()
        plan_touched = self.plan is not None and str(self.plan) in coalescer.touched
        plan_exists = bool(self.plan and self.plan.exists())
        plan_deleted = bool(self.plan and self._plan_existed and not plan_exists)
        self._plan_existed = plan_exists
        ignored = set() if repo_gone else self._git_ignored(list(coalescer.states))
        states = {p: s for p, s in coalescer.states.items() if p not in ignored and p != str(self.repo)}
        rel = self._rel
        return ChangeSet(
            created=tuple(sorted(rel(p) for p, s in states.items() if s == "created")),
            modified=tuple(sorted(rel(p) for p, s in states.items() if s == "modified")),
            deleted=tuple(sorted(rel(p) for p, s in states.items() if s == "deleted")),
            moved=tuple((rel(a), rel(b)) for a, b in coalescer.moves if states.get(a) == "deleted" and b in states),
            plan_changed=plan_touched and plan_exists,
            plan_deleted=plan_deleted,
            repo_deleted=repo_gone,
            mode=self.mode,
            notice=f"{self.repo}: the repository folder is gone; watching stopped" if repo_gone else None,
            events=coalescer.count,
        )

    def _rel(self, path: str) -> str:
        try:
            return Path(path).relative_to(self.repo).as_posix()
        except ValueError:
            return path  # the plan, outside the repository

    def _git_ignored(self, paths: list[str]) -> set[str]:
        """The subset of ``paths`` git ignores (one ``git check-ignore --stdin`` call)."""
        candidates = [p for p in paths if p != str(self.plan) and _inside(Path(p), self.repo) and p != str(self.repo)]
        if not candidates or not self._is_git:
            return set()
        rels = [Path(p).relative_to(self.repo).as_posix() for p in candidates]
        try:
            # exit 1: none of them is ignored
            out = run_git(
                self.repo,
                "check-ignore",
                "--stdin",
                "-z",
                input=b"\0".join(os.fsencode(r) for r in rels) + b"\0",
                ok_codes=(0, 1),
            )
        except GitError as exc:
            if exc.returncode != -1:  # git ran and refused: not a git work tree
                self._is_git = False  # so nothing is git-ignored, now or later
            return set()
        ignored = {os.fsdecode(raw) for raw in out.split(b"\0") if raw}
        return {p for p, r in zip(candidates, rels) if r in ignored}

    def _deliver(self, change: ChangeSet) -> None:
        try:
            self.on_change(change)
        except Exception:  # a faulty consumer must not kill the watcher
            log.exception("file watcher: the change callback failed")


class _Handler(FileSystemEventHandler):
    """Forwards every watchdog event to one function (runs in the observer thread)."""

    def __init__(self, sink: Callable[[FileSystemEvent], None]) -> None:
        super().__init__()
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._sink(event)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def event_is_dir_like(path: Path) -> bool:
    """An ignored name as the last part matters only for folders (a ``venv`` file is fine)."""
    return path.is_dir() or not path.suffix


def _fallback_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        why = "the inotify watch limit is reached (raise fs.inotify.max_user_watches)"
    elif exc.errno == errno.EMFILE:
        why = "the inotify instance limit is reached (raise fs.inotify.max_user_instances)"
    else:
        why = f"the native file watcher failed: {exc.strerror or exc}"
    return f"{why}; watching by polling instead"
