"""The repository watcher with a real watchdog observer on ``tmp_path``."""

from __future__ import annotations

import errno
import shutil
import threading
from pathlib import Path

import pytest
from watchdog.observers import Observer

from mission_control.watch import ChangeSet, Coalescer, RepoWatcher, WatchError

WAIT = 15.0  # generous upper bound for slow, shared CI machines; never a timing assertion


class Collector:
    """Collects change sets from the watcher thread and lets the test wait for one."""

    def __init__(self) -> None:
        self.sets: list[ChangeSet] = []
        self.threads: set[str] = set()
        self._cond = threading.Condition()

    def __call__(self, change: ChangeSet) -> None:
        with self._cond:
            self.sets.append(change)
            self.threads.add(threading.current_thread().name)
            self._cond.notify_all()

    def wait_for(self, predicate, timeout: float = WAIT) -> ChangeSet:
        """Wait until some change set satisfies ``predicate``; fail otherwise."""
        with self._cond:
            ok = self._cond.wait_for(lambda: any(predicate(c) for c in self.sets), timeout)
            assert ok, f"no matching change set; got {[c.to_json() for c in self.sets]}"
            return next(c for c in self.sets if predicate(c))

    def all_paths(self) -> set[str]:
        with self._cond:
            return {p for c in self.sets for p in c.paths}


@pytest.fixture
def repo(git_repo: Path) -> Path:
    (git_repo / ".gitignore").write_text("build/\n*.log\n")
    return git_repo


def start(repo: Path, sink: Collector, **kwargs) -> RepoWatcher:
    watcher = RepoWatcher(repo, sink, debounce=kwargs.pop("debounce", 0.15), **kwargs)
    return watcher.start()


def test_create_modify_move_delete(repo: Path) -> None:
    sink = Collector()
    with start(repo, sink) as watcher:
        assert watcher.mode == "native" and watcher.notice is None
        (repo / "a.py").write_text("x = 1\n")
        sink.wait_for(lambda c: "a.py" in c.created)
        (repo / "README.md").write_text("changed\n")
        sink.wait_for(lambda c: "README.md" in c.modified)
        (repo / "a.py").rename(repo / "b.py")
        moved = sink.wait_for(lambda c: ("a.py", "b.py") in c.moved)
        assert "a.py" in moved.deleted and "b.py" in moved.created
        (repo / "b.py").unlink()
        sink.wait_for(lambda c: "b.py" in c.deleted)
    assert sink.threads == {"mission-control-watch"}  # delivered from the watcher's own thread
    assert watcher.mode == "stopped"


def test_burst_of_1000_files_is_one_change_set(repo: Path) -> None:
    sink = Collector()
    with start(repo, sink, debounce=0.5, max_latency=30.0):
        folder = repo / "pkg"
        folder.mkdir()
        for i in range(1000):
            (folder / f"m{i}.py").write_text(f"x = {i}\n")
        change = sink.wait_for(lambda c: len(c.created) >= 1000)
    assert len(sink.sets) == 1
    assert change.events >= 1000
    assert {f"pkg/m{i}.py" for i in range(1000)} <= set(change.created)


def test_ignored_paths_are_not_reported(repo: Path) -> None:
    venv = repo / "env"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr\n")
    for folder in ("build", "__pycache__", ".mypy_cache", "node_modules"):
        (repo / folder).mkdir()
    sink = Collector()
    with start(repo, sink):
        (repo / "build" / "gen.py").write_text("x\n")
        (repo / "run.log").write_text("x\n")
        (venv / "site.py").write_text("x\n")
        (repo / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"x")
        (repo / ".mypy_cache" / "x.json").write_text("x")
        (repo / "node_modules" / "x.js").write_text("x")
        (repo / "mod.pyc").write_bytes(b"x")
        git_dir_file = repo / ".git" / "mission-control-test"
        git_dir_file.write_text("x")
        (repo / "kept.py").write_text("x\n")  # the one real change in the burst
        sink.wait_for(lambda c: "kept.py" in c.created)
    assert sink.all_paths() == {"kept.py"}


def test_transient_files_vanish_from_the_net_change(repo: Path) -> None:
    sink = Collector()
    with start(repo, sink, debounce=0.4):
        tmp = repo / ".a.py.tmp"
        tmp.write_text("x = 1\n")
        tmp.rename(repo / "a.py")  # the atomic-save pattern
        scratch = repo / "scratch.py"
        scratch.write_text("x")
        scratch.unlink()
        change = sink.wait_for(lambda c: "a.py" in c.created)
    assert change.paths == ("a.py",), [c.to_json() for c in sink.sets]


def test_plan_changes_and_deletion_are_reported(repo: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plans" / "plan.md"  # outside the repository
    plan.parent.mkdir()
    plan.write_text("# plan\n")
    (plan.parent / "other.md").write_text("not watched\n")
    sink = Collector()
    with start(repo, sink, plan=plan):
        plan.write_text("# plan v2\n")
        (plan.parent / "other.md").write_text("still not\n")
        sink.wait_for(lambda c: c.plan_changed)
        plan.unlink()
        gone = sink.wait_for(lambda c: c.plan_deleted)
    assert not gone.plan_changed
    assert all("other.md" not in p for p in sink.all_paths())


def test_repository_disappearing_is_reported_and_stops(repo: Path) -> None:
    sink = Collector()
    watcher = start(repo, sink)
    try:
        shutil.rmtree(repo)
        change = sink.wait_for(lambda c: c.repo_deleted)
        assert "gone" in change.notice
    finally:
        watcher.stop()


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WatchError, match="no such folder"):
        RepoWatcher(tmp_path / "nope", lambda c: None).start()


class ExhaustedObserver(Observer):
    """A real native observer that fails like Linux does when inotify watches run out."""

    def start(self) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


def test_inotify_exhaustion_falls_back_to_polling(repo: Path) -> None:
    sink = Collector()
    with start(repo, sink, observer_factory=ExhaustedObserver, polling_interval=0.2) as watcher:
        assert watcher.mode == "polling"
        assert "inotify watch limit" in watcher.notice and "polling" in watcher.notice
        (repo / "polled.py").write_text("x\n")
        (repo / "build").mkdir()
        (repo / "build" / "ignored.py").write_text("x\n")
        change = sink.wait_for(lambda c: "polled.py" in c.created)
    assert change.mode == "polling"
    assert "build/ignored.py" not in sink.all_paths()


@pytest.mark.allow_log_errors(match="the change callback failed")  # the watcher logs the raising callback
def test_a_failing_callback_does_not_kill_the_watcher(repo: Path) -> None:
    sink = Collector()

    def flaky(change: ChangeSet) -> None:
        sink(change)
        if len(sink.sets) == 1:
            raise RuntimeError("consumer bug")

    watcher = RepoWatcher(repo, flaky, debounce=0.15).start()
    try:
        (repo / "one.py").write_text("x")
        sink.wait_for(lambda c: "one.py" in c.paths)
        (repo / "two.py").write_text("x")
        sink.wait_for(lambda c: "two.py" in c.paths)
    finally:
        watcher.stop()


def test_coalescer_net_effects_ignore_event_order() -> None:
    existing = {"new", "plan", "gone", "old-kept"}
    c = Coalescer()
    c.add("modified", "new")  # out of order on purpose: watchdog can deliver it so
    c.add("created", "new")
    c.add("modified", "old")
    c.add("deleted", "old")
    c.add("moved", "tmp", "plan")
    c.add("created", "tmp")
    c.add("deleted", "gone")
    c.add("created", "gone")
    c.add("moved", "old-name", "old-kept")
    c.finish(existing.__contains__)
    assert c.paths_by_state("created") == ("new", "old-kept", "plan")
    assert c.paths_by_state("deleted") == ("old", "old-name")
    assert c.paths_by_state("modified") == ("gone",)
    assert "tmp" not in c.states  # born and renamed away within the burst
    assert c.moves == [("old-name", "old-kept")]  # the temp file's rename is not a user move
    assert c.count == 9


def test_change_set_json() -> None:
    change = ChangeSet(created=("a.py",), moved=(("b.py", "c.py"),), when=0.0)
    data = change.to_json()
    assert data["time"] == "1970-01-01T00:00:00.000+00:00"
    assert data["moved"] == [["b.py", "c.py"]] and data["mode"] == "native"
    assert change.paths == ("a.py", "b.py", "c.py")
    assert ChangeSet().is_empty() and not change.is_empty()


def test_reading_files_sends_no_events_so_git_reads_cannot_flood_the_queue(repo: Path) -> None:
    """Only changes reach the watcher: opens and closes of files merely read are not subscribed to.

    git reading thousands of objects in .git (watched: inotify cannot leave a folder out) used to
    send two events per file read, overflowing the kernel's queue (16,384), which then lost edits.
    """
    folder = repo / "pkg"
    folder.mkdir()
    for i in range(300):
        (folder / f"m{i}.py").write_text(f"x = {i}\n")
    sink = Collector()
    seen: list[str] = []
    watcher = RepoWatcher(repo, sink, debounce=0.15)
    intake = watcher._on_event
    watcher._on_event = lambda event: (seen.append(event.event_type), intake(event))[-1]  # type: ignore[method-assign]
    with watcher.start():
        for _ in range(3):
            for i in range(300):
                (folder / f"m{i}.py").read_text()
        (repo / "edited.py").write_text("y = 1\n")
        sink.wait_for(lambda c: "edited.py" in c.created)
    assert seen and not {"opened", "closed", "closed_no_write"} & set(seen), sorted(set(seen))
