"""Append-only records kept in git itself: a chain of commits under a ref, one record per commit.

The mission's own state (the sign-off ledger, the mission clock) lives here instead of in files of
the working tree: ``git status`` never shows it, ``git clean -fdx`` cannot delete it, and it travels
with ``git fetch``/``push`` like any ref. Each record is a commit whose tree holds one blob
(``entry.json``); appending creates the commit on top of the ref and moves the ref with a
compare-and-swap (``update-ref REF NEW OLD``), retrying on a race, so two processes never lose a
record. Two histories of the same ref merge by a merge commit with both as parents: reading walks
every commit reachable from the ref, so the union of both sides' records comes back, each once.
Nothing here rewrites history.
"""

from __future__ import annotations

from mission_control.util.git import NULL_SHA, Git, GitError

RECORD_NAME = "entry.json"
_RETRIES = 50


class RecordError(Exception):
    """A record cannot be written (git failed, or the ref kept moving); the message says which."""


def append_record(git: Git, ref: str, data: bytes, message: str) -> str:
    """Append ``data`` as a new record on ``ref``; return the record's commit.

    Raises:
        RecordError: git failed, or another writer moved the ref on every one of many attempts.
    """
    try:
        blob = git.hash_bytes(data)
        tree = git.text("mktree", input=f"100644 blob {blob}\t{RECORD_NAME}\n".encode())
        for _attempt in range(_RETRIES):
            old = git.resolve_commit(ref)
            commit = git.commit_tree(tree, message, (old,) if old else ())
            if compare_and_swap(git, ref, commit, old):
                return commit
    except GitError as exc:
        raise RecordError(f"{git.root}: cannot record in {ref}: {exc}") from None
    raise RecordError(f"{git.root}: {ref} kept moving while recording; nothing was lost, try again")


def read_records(git: Git, ref: str) -> list[tuple[str, bytes]]:
    """Every record reachable from ``ref``, oldest first: (commit, data). Merge commits carry none."""
    head = git.resolve_commit(ref)
    if head is None:
        return []
    commits = git.text("rev-list", "--topo-order", "--reverse", head).split()
    out = git.run("cat-file", "--batch", input="".join(f"{c}:{RECORD_NAME}\n" for c in commits).encode())
    records, position = [], 0
    for commit in commits:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        records.append((commit, out[position : position + size]))
        position += size + 1
    return records


def merge_records(git: Git, ref: str, other: str, message: str) -> str:
    """Make ``ref`` hold its records and those of commit ``other`` (fast-forward or a merge commit).

    Raises:
        RecordError: the ref moved meanwhile (run again), or git failed.
    """
    try:
        old = git.resolve_commit(ref)
        if old is None or git.is_ancestor(old, other):
            target = other
        elif git.is_ancestor(other, old):
            return old
        else:
            empty = git.text("mktree", input=b"")
            target = git.commit_tree(empty, message, (old, other))
        if not compare_and_swap(git, ref, target, old):
            raise RecordError(f"{git.root}: {ref} moved while merging; run it again")
        return target
    except GitError as exc:
        raise RecordError(f"{git.root}: cannot merge {ref}: {exc}") from None


def compare_and_swap(git: Git, ref: str, new: str, old: str | None) -> bool:
    """Point ``ref`` at ``new`` only if it still is ``old`` (None: only if it does not exist)."""
    try:
        git.run("update-ref", "--create-reflog", ref, new, old or NULL_SHA)
    except GitError:
        return False
    return True
