"""Where a working tree keeps its own Mission Control refs: baseline, snapshots, finished restores.

Snapshots, the baseline and undo belong to the working tree they were taken in: a rollback in a
team's worktree must never be undone into the lead's tree, and moving one tree's baseline must not
move another's. The main working tree uses ``refs/mission-control/…`` (as before, so existing
repositories need no migration); a linked worktree (``git worktree add``) uses
``refs/mission-control/worktrees/<name>/…``, ``<name>`` being git's own id for it (the folder under
``.git/worktrees/``). They are ordinary refs, so they travel with ``git push``/``fetch`` like the
rest of the mission's state, and every worktree can list the others'.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Final

from mission_control.util.git import Git

MISSION_REFS: Final = "refs/mission-control/"


def worktree_prefix(git: Git) -> str:
    """``refs/mission-control/`` in the main working tree, ``…/worktrees/<name>/`` in a linked one."""
    return _prefix_for(git.root)


@lru_cache(maxsize=64)
def _prefix_for(root: Path) -> str:
    git = Git(root)
    git_dir, common_dir = (Path(line) for line in git.text("rev-parse", "--git-dir", "--git-common-dir").splitlines())
    git_dir = Path(os.path.realpath(root / git_dir))
    common_dir = Path(os.path.realpath(root / common_dir))
    if git_dir == common_dir:
        return MISSION_REFS
    return f"{MISSION_REFS}worktrees/{git_dir.name}/"


def baseline_ref(git: Git) -> str:
    """The ref holding this working tree's mission baseline."""
    return worktree_prefix(git) + "baseline"


def snapshot_prefix(git: Git) -> str:
    """The folder of refs holding this working tree's snapshots."""
    return worktree_prefix(git) + "snapshots/"


def restored_prefix(git: Git) -> str:
    """The folder of refs marking restores that finished (one per before-undo snapshot)."""
    return worktree_prefix(git) + "restored/"
