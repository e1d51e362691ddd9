"""The sync flow the desktop calls: share an open project's mission through a git remote.

Thin wrappers over :mod:`mission_control.repo.sync` taking a :class:`Project`, so the UI needs no
git gateway of its own. Both functions run git and may wait on the network (``sync_project``)
or the disk (``pending``): call them from a worker thread.
"""

from __future__ import annotations

from mission_control.repo.sync import SyncError, SyncResult, sync, unpushed
from mission_control.services.project import Project
from mission_control.util.git import Git, RepoError, open_repo

__all__ = ["SyncError", "SyncResult", "pending", "remotes", "sync_project"]


def _git(project: Project) -> Git:
    if project.repo is None:
        raise SyncError(f"{project.plan_file.path}: not inside a git repository; there is nothing to sync")
    try:
        return open_repo(project.repo)
    except RepoError as exc:
        raise SyncError(str(exc)) from None


def remotes(git: Git) -> list[str]:
    """The repository's remote names."""
    return git.text("remote").split()


def sync_project(project: Project, remote: str = "origin") -> SyncResult:
    """Fetch, merge and push the mission's records and team branches (see :func:`~mission_control.repo.sync.sync`).

    Raises:
        SyncError: no repository, no such remote, or it is unreachable or refuses (the message says which).
    """
    return sync(_git(project), remote)


def pending(project: Project, remote: str = "origin") -> int | None:
    """Mission records waiting to be pushed to ``remote``; None when there is no repository or no such remote.

    Cheap and offline: compares local refs with what the last sync saw on the remote.
    """
    if project.repo is None:
        return None
    try:
        git = open_repo(project.repo)
        if remote not in remotes(git):
            return None
        return unpushed(git, remote)
    except RepoError:
        return None
