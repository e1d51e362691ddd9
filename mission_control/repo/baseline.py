"""The mission's baseline: the commit that status compares with and rollback returns to.

It is the ``baseline`` ref of the configuration, or else the commit recorded when the lead
pressed "Start mission", kept as ``refs/mission-control/baseline`` so it is shared like any
other ref and survives branch switches. Each linked worktree keeps its own
(``refs/mission-control/worktrees/<name>/baseline``, see :mod:`mission_control.repo.refs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from mission_control.config import ProjectConfig, load_config
from mission_control.repo.refs import baseline_ref
from mission_control.util.git import Git, RepoError, open_repo

#: The main working tree's baseline ref (a linked worktree's is :func:`baseline_ref`).
BASELINE_REF: Final = "refs/mission-control/baseline"


@dataclass(frozen=True)
class Baseline:
    """Where the baseline comes from and the commit it names.

    Attributes:
        ref: the configured ref or :data:`BASELINE_REF`; None when there is no baseline.
        commit: the commit id, or None when the ref is missing (``problem`` says why).
        source: ``"config"``, ``"mission"`` or ``"none"``.
    """

    ref: str | None
    commit: str | None
    source: str
    problem: str | None = None

    @property
    def label(self) -> str:
        """A short text for the status bar, e.g. ``pre-ssot (1a2b3c4)`` or ``no baseline``."""
        if self.commit is None:
            return "no baseline" if self.ref is None else f"{self.ref} (missing)"
        name = "mission start" if self.source == "mission" else self.ref
        return f"{name} ({self.commit[:7]})"

    def require(self) -> str:
        """The baseline commit.

        Raises:
            RepoError: there is no usable baseline; the message says how to set one.
        """
        if self.commit is None:
            raise RepoError(self.problem or "no baseline")
        return self.commit


def resolve_baseline(repo: Path | str | Git, config: ProjectConfig | None = None) -> Baseline:
    """The repository's baseline (never raises for a missing one: see ``problem``).

    Raises:
        NotARepository: ``repo`` is not a git working tree.
        ConfigError: the configuration is invalid.
    """
    git = repo if isinstance(repo, Git) else open_repo(repo)
    config = load_config(git.root) if config is None else config
    if config.baseline:
        commit = git.resolve_commit(config.baseline)
        problem = (
            None
            if commit
            else (f"{config.source}: baseline: the ref {config.baseline!r} names no commit in {git.root}")
        )
        return Baseline(config.baseline, commit, "config", problem)
    ref = baseline_ref(git)
    commit = git.resolve_commit(ref)
    if commit:
        return Baseline(ref, commit, "mission")
    return Baseline(
        None,
        None,
        "none",
        f"{git.root}: no baseline: set `baseline` in mission-control.toml or run `mission-control mission start`",
    )


def start_mission(repo: Path | str | Git, rev: str = "HEAD", *, force: bool = False) -> Baseline:
    """Record ``rev`` (HEAD by default) as the mission's baseline under :data:`BASELINE_REF`.

    Raises:
        RepoError: ``rev`` names no commit (e.g. nothing committed yet), or a baseline is already
            recorded at another commit and ``force`` is False.
    """
    git = repo if isinstance(repo, Git) else open_repo(repo)
    commit = git.resolve_commit(rev)
    if commit is None:
        raise RepoError(f"{git.root}: {rev!r} names no commit (commit something first)")
    ref = baseline_ref(git)
    existing = git.resolve_commit(ref)
    if existing and existing != commit and not force:
        raise RepoError(f"{git.root}: the mission already started at {existing[:7]}; use --force to move the baseline")
    git.set_ref(ref, commit)
    return Baseline(ref, commit, "mission")
