"""The shared status cache: which change sets concern the components' status, and that reading only
as far as they require gives what a full read gives (real git repositories)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers import git
from mission_fixtures import CORE_COMPONENT, core_component_repo

from mission_control.repo.components import Component, Components
from mission_control.repo.status import repo_status
from mission_control.services.status_cache import CHANGES, FULL, NONE, StatusCache, status_scope
from mission_control.watch import ChangeSet


def make_repo(repo: Path) -> Path:
    """A component ``core`` (app/core*.py) and the baseline ``pre``."""
    return core_component_repo(repo, 'baseline = "pre"\n' + CORE_COMPONENT)


@pytest.mark.parametrize(
    ("change", "source", "baseline", "scope"),
    [
        (ChangeSet(modified=("app/x.py",)), "config", "abc", CHANGES),
        (ChangeSet(modified=("app/x.py",)), "config", None, NONE),  # nothing to differ from
        (ChangeSet(created=("app/x.py",)), "plan", None, NONE),
        (ChangeSet(created=("app/x.py",)), "config", None, FULL),  # configured components own files
        (ChangeSet(deleted=("app/x.py",)), "config", "abc", FULL),
        (ChangeSet(moved=(("a.py", "b.py"),), created=("b.py",), deleted=("a.py",)), "config", None, FULL),
        (ChangeSet(modified=("mission-control.toml",)), "plan", None, FULL),
        (ChangeSet(modified=("pyproject.toml",)), "plan", None, FULL),
        (ChangeSet(modified=("app/pyproject.toml",)), "plan", None, NONE),  # not the repository's config
        (ChangeSet(modified=("app/.gitignore",)), "plan", None, FULL),
        (ChangeSet(created=("docs/PLAN.md",)), "plan", None, FULL),  # the plan may be discovered there
        (ChangeSet(modified=("plans/mission.txt",)), "config", None, FULL),  # the configured plan
        (ChangeSet(plan_changed=True), "config", None, FULL),
        (ChangeSet(repo_deleted=True), "config", "abc", FULL),
        (ChangeSet(notice="watching by polling"), "config", "abc", NONE),
    ],
)
def test_status_scope(change, source, baseline, scope, tmp_path):
    from mission_control.repo.baseline import Baseline
    from mission_control.repo.status import RepoStatus

    status = RepoStatus(tmp_path, Baseline("pre" if baseline else None, baseline, "config" if baseline else "none"))
    components = Components({"core": Component("core", ("app/core*.py",))}, source)
    assert status_scope(change, status, components, "plans/mission.txt") == scope


def test_nothing_read_yet_is_a_full_read(tmp_path):
    assert status_scope(ChangeSet(modified=("app/x.py",)), None, None) == FULL


def test_the_incremental_status_equals_a_full_read(git_repo):
    """Rescans through the cache give what a full ``repo_status`` gives, edit after edit."""
    repo = make_repo(git_repo)
    cache = StatusCache(repo)
    cache.read()
    edits = [("app/core.py", "CORE = 2\n"), ("app/other.py", "OTHER = 2\n"), ("app/core.py", "CORE = 1\n")]
    for rel, text in edits:  # the last one returns core.py to the baseline: no longer changed
        (repo / rel).write_text(text)
        assert cache.note_change(ChangeSet(modified=(rel,)))
        assert cache.read() == repo_status(repo)
    assert cache.reads == {FULL: 1, CHANGES: 3}
    assert cache.status is not None and [c.path for c in cache.status.changes] == ["app/other.py"]


def test_a_change_set_is_judged_once_and_a_moved_baseline_reads_everything(git_repo):
    repo = make_repo(git_repo)
    cache = StatusCache(repo)
    cache.read()
    change = ChangeSet(modified=("app/core.py",))
    (repo / "app" / "core.py").write_text("CORE = 2\n")
    assert cache.note_change(change) and cache.note_change(change)  # the second dock asks about the same set
    git(repo, "commit", "-qam", "more")
    git(repo, "tag", "-f", "pre")  # the baseline moved (not a change set: a git ref)
    assert cache.read() == repo_status(repo)
    assert cache.reads == {FULL: 2, CHANGES: 0}
    assert cache.read() is cache.status  # nothing noted since: the same answer, nothing read
    assert cache.reads == {FULL: 2, CHANGES: 0}


def test_readers_at_the_same_time_share_one_read(git_repo):
    repo = make_repo(git_repo)
    cache = StatusCache(repo)
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(cache.read())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 4 and all(r is results[0] for r in results)
    assert cache.reads == {FULL: 1, CHANGES: 0}
