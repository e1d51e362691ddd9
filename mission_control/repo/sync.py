"""Share the mission through a git remote: fetch, merge the mission's records by union, push, repeat on a race.

``sync`` fetches the mission's refs (``refs/mission-control/*``, into ``refs/mission-control-remotes/
<remote>/``) and the team branches (``refs/heads/mission/*``, into ``refs/remotes/<remote>/mission/``),
merges the sign-off ledger and the mission clock with what the remote has (a merge commit keeps both
sides' records: two leads who signed different items offline both keep theirs), brings in team
branches pushed from other machines, and pushes the merged records back — never forced: a push that
loses a race is retried after a new fetch. Reading never needs the network; nothing here rewrites
history, moves a branch checked out in a worktree, or touches any working tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from mission_control.repo.records import RecordError, compare_and_swap, merge_records
from mission_control.util.git import Git, GitError

SHARED_RECORDS = ("refs/mission-control/ledger", "refs/mission-control/mission")
#: Single values: taken from the remote when missing here, offered to it when missing there, never merged.
SHARED_VALUES = ("refs/mission-control/baseline",)
TEAM_PREFIX = "refs/heads/mission/"
_ATTEMPTS = 5


class SyncError(Exception):
    """The remote cannot be used (missing, unreachable, refusing); local work is unaffected."""


@dataclass(frozen=True)
class SyncResult:
    """What a sync did."""

    remote: str
    pushed: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    new_branches: tuple[str, ...] = ()
    fast_forwarded: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    attempts: int = 1
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self) -> dict[str, object]:
        return {
            "remote": self.remote,
            "pushed": list(self.pushed),
            "merged": list(self.merged),
            "new_branches": list(self.new_branches),
            "fast_forwarded": list(self.fast_forwarded),
            "notes": list(self.notes),
            "attempts": self.attempts,
            "at": self.at.isoformat(),
        }


def tracking_ref(remote: str, ref: str) -> str:
    """Where the remote's copy of a mission ref is kept after a fetch."""
    return f"refs/mission-control-remotes/{remote}/{ref[len('refs/mission-control/') :]}"


def unpushed(git: Git, remote: str) -> int:
    """How many local mission records the remote did not have at the last sync (0: nothing waiting)."""
    waiting = 0
    for ref in SHARED_RECORDS:
        local = git.resolve_commit(ref)
        if local is None:
            continue
        theirs = git.resolve_commit(tracking_ref(remote, ref))
        span = local if theirs is None else f"{theirs}..{local}"
        waiting += int(git.text("rev-list", "--count", "--no-merges", span))
    return waiting


def sync(git: Git, remote: str = "origin", *, attempts: int = _ATTEMPTS) -> SyncResult:
    """Fetch, merge the mission's records, bring in team branches, push; retried when a push loses a race.

    Raises:
        SyncError: no such remote, or it is unreachable or refuses (the message says which).
    """
    if not git.run("remote", ok_codes=(0,)).decode().split().count(remote):
        raise SyncError(f"{git.root}: no remote named {remote!r} (git remote add {remote} URL)")
    notes: list[str] = []
    for attempt in range(1, attempts + 1):
        _fetch(git, remote)
        merged = _merge_records(git, remote) + _adopt_values(git, remote)
        new, forwarded, branch_notes = _team_branches(git, remote)
        pushed, rejected = _push(git, remote)
        pushed += _offer_values(git, remote, notes)
        if not rejected:
            return SyncResult(remote, pushed, merged, new, forwarded, (*notes, *branch_notes), attempt)
        notes.append(f"push of {', '.join(rejected)} lost a race; fetched again (attempt {attempt})")
    raise SyncError(f"{remote}: the mission's records kept moving on the remote; nothing was lost, sync again")


def _fetch(git: Git, remote: str) -> None:
    specs = [
        f"+refs/mission-control/*:refs/mission-control-remotes/{remote}/*",
        f"+{TEAM_PREFIX}*:refs/remotes/{remote}/mission/*",
    ]
    try:
        git.run("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote, *specs)
    except GitError as exc:
        raise SyncError(
            f"{remote}: cannot fetch ({_first_line(exc)}); local work continues, sync again later"
        ) from None


def _merge_records(git: Git, remote: str) -> tuple[str, ...]:
    merged = []
    for ref in SHARED_RECORDS:
        theirs = git.resolve_commit(tracking_ref(remote, ref))
        if theirs is None:
            continue
        before = git.resolve_commit(ref)
        try:
            after = merge_records(git, ref, theirs, f"sync: merge {remote}'s {ref.rsplit('/', 1)[-1]}")
        except RecordError as exc:
            raise SyncError(str(exc)) from None
        if after != before:
            merged.append(ref)
    return tuple(merged)


def _adopt_values(git: Git, remote: str) -> tuple[str, ...]:
    """The mission's baseline from the remote when this clone has none (a second lead's first sync)."""
    adopted = []
    for ref in SHARED_VALUES:
        theirs = git.resolve_commit(tracking_ref(remote, ref))
        if theirs is not None and git.resolve_commit(ref) is None and compare_and_swap(git, ref, theirs, None):
            adopted.append(ref)
    return tuple(adopted)


def _offer_values(git: Git, remote: str, notes: list[str]) -> tuple[str, ...]:
    """Push single values the remote lacks; a different value there is noted, never overwritten."""
    offered = []
    for ref in SHARED_VALUES:
        ours, theirs = git.resolve_commit(ref), git.resolve_commit(tracking_ref(remote, ref))
        if ours is None or ours == theirs:
            continue
        if theirs is not None:
            notes.append(f"{ref}: {remote} has another value ({theirs[:7]}, here {ours[:7]}); left as they are")
            continue
        try:
            git.run("push", "--quiet", remote, f"{ref}:{ref}")
        except GitError as exc:
            notes.append(f"{ref}: not pushed ({_first_line(exc)})")
            continue
        git.run("update-ref", tracking_ref(remote, ref), ours)
        offered.append(ref)
    return tuple(offered)


def _team_branches(git: Git, remote: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Create team branches the remote has and we lack; fast-forward ours when no worktree has them out."""
    checked_out = {
        line.split(" ", 1)[1]
        for line in git.text("worktree", "list", "--porcelain").splitlines()
        if line.startswith("branch ")
    }
    new, forwarded, notes = [], [], []
    prefix = f"refs/remotes/{remote}/mission/"
    for row in git.refs(prefix, "%(refname)%00%(objectname)"):
        name, theirs = row[0][len(prefix) :], row[1]
        local_ref = f"{TEAM_PREFIX}{name}"
        ours = git.resolve_commit(local_ref)
        if ours == theirs:
            continue
        if ours is None:
            if compare_and_swap(git, local_ref, theirs, None):
                new.append(f"mission/{name}")
        elif git.is_ancestor(ours, theirs):
            if local_ref in checked_out:
                notes.append(f"mission/{name}: {remote} has newer commits; it is checked out in a worktree: pull there")
            elif compare_and_swap(git, local_ref, theirs, ours):
                forwarded.append(f"mission/{name}")
        elif not git.is_ancestor(theirs, ours):
            notes.append(f"mission/{name}: differs from {remote}'s (diverged); left as it is")
    return tuple(new), tuple(forwarded), tuple(notes)


def _push(git: Git, remote: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Push the records (never forced); (pushed refs, refs rejected because the remote moved)."""
    refs = [ref for ref in SHARED_RECORDS if git.resolve_commit(ref) is not None]
    refs = [ref for ref in refs if git.resolve_commit(ref) != git.resolve_commit(tracking_ref(remote, ref))]
    if not refs:
        return (), ()
    try:
        out = git.run("push", "--porcelain", remote, *(f"{r}:{r}" for r in refs), ok_codes=(0, 1)).decode()
    except GitError as exc:
        raise SyncError(f"{remote}: cannot push ({_first_line(exc)}); local work continues, sync again later") from None
    pushed: list[str] = []
    rejected: list[str] = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or ":" not in parts[1]:
            continue
        ref = parts[1].split(":", 1)[0]
        (rejected if line.startswith("!") else pushed).append(ref)
    for ref in pushed:  # what the remote now holds
        sha = git.resolve_commit(ref)
        if sha is not None:
            git.run("update-ref", tracking_ref(remote, ref), sha)
    return tuple(pushed), tuple(rejected)


def _first_line(exc: GitError) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else "git failed"
