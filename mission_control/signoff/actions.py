"""Signing items off and revoking them: the plan box and the ledger entry together.

The identity comes from ``git var GIT_AUTHOR_IDENT`` (git's own rules: config or environment),
the commit from ``git rev-parse HEAD``, the test totals from the project's run history. The
plan edit itself is the caller's (the UI makes it undoable); :func:`sign_off_file` is the
CLI's all-in-one path: tick, record, save.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from mission_control.plan import ChecklistItem, PlanError, PlanFile
from mission_control.signoff.checklist import CheckItem, checklist_state
from mission_control.signoff.ledger import (
    JSONObject,
    LedgerEntry,
    LedgerError,
    append_entry,
    locked_ledger,
    read_ledger,
    utc_now,
)
from mission_control.signoff.matching import Titled
from mission_control.util.git import GitError, head_commit, run_git

_IDENT_RE: Final = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^>]*)>")


class SignoffError(Exception):
    """A sign-off that cannot be done; the message names the item or file."""


@dataclass(frozen=True)
class Identity:
    """Who acts: git's author name and email (empty when git has none)."""

    name: str
    email: str


def git_identity(repo: str | Path) -> Identity:
    """The git author identity in ``repo`` (environment variables win, as in git)."""
    out = _git(repo, "var", "GIT_AUTHOR_IDENT")
    match = _IDENT_RE.match(out or "")
    if not match:
        return Identity("", "")
    return Identity(match.group("name").strip(), match.group("email").strip())


def _git(repo: str | Path, *args: str) -> str:
    try:
        return run_git(repo, *args, timeout=30).decode(errors="replace").strip()
    except GitError:
        return ""


def latest_test_totals(repo: str | Path) -> JSONObject | None:
    """The latest recorded test run of ``repo``: totals, green, when, selection; None if none."""
    try:
        from mission_control.history import open_history

        with open_history(Path(repo)) as history:
            runs = history.test_runs(limit=1)
    except Exception:
        return None
    if not runs:
        return None
    run = runs[0]
    return {
        **dict(run.totals),
        "green": run.green,
        "run_at": run.when.isoformat(),
        "selection": run.selection,
        "exit_code": run.exit_code,
    }


def make_entry(
    repo: str | Path,
    kind: str,
    item: Titled,
    *,
    note: str = "",
    reason: str = "",
    now: datetime | None = None,
    extra: JSONObject | None = None,
) -> LedgerEntry:
    """A complete ledger entry for ``item`` (anything with ``text`` and ``heading``)."""
    who = git_identity(repo)
    return LedgerEntry(
        kind,
        item.text,
        tuple(item.heading),
        who.name,
        who.email,
        now or utc_now(),
        head_commit(repo),
        latest_test_totals(repo),
        note,
        reason,
        dict(extra or {}),
    )


def record_signoff(repo: str | Path, item: Titled, note: str = "", now: datetime | None = None) -> LedgerEntry:
    """Append a sign-off of ``item`` to the ledger (LedgerError if it cannot be written)."""
    return append_entry(repo, make_entry(repo, "signoff", item, note=note, now=now))


def require_reason(item: Titled, reason: str) -> str:
    """The rule "revoking needs a reason", in one place: the stripped reason, or SignoffError."""
    if not reason.strip():
        raise SignoffError(f"revoking {item.text!r} needs a reason")
    return reason.strip()


def record_revoke(repo: str | Path, item: Titled, reason: str, now: datetime | None = None) -> LedgerEntry:
    """Append a revocation of ``item``; a reason is required (SignoffError without one)."""
    reason = require_reason(item, reason)
    return append_entry(repo, make_entry(repo, "revoke", item, reason=reason, now=now))


def check_action(
    repo: str | Path, items: Sequence[CheckItem], item: CheckItem, revoke: bool, reason: str | None = None
) -> None:
    """Refuse signing an item that is already signed, or revoking one that is not (SignoffError).

    With ``reason`` given, a revoke without one is refused too (before anything is written).
    """
    if revoke and reason is not None:
        require_reason(item, reason)
    state = checklist_state(items, read_ledger(repo).entries).state_of(item)
    signed = state is not None and state.signed
    if not revoke and state is not None and state.signed and item.done:
        # a ledger line may lack its time (written by hand or by an older tool): say so, never crash on it
        when = f" ({state.signed_at:%Y-%m-%d %H:%M} UTC)" if state.signed_at is not None else ""
        raise SignoffError(f"{item.text!r} is already signed off by {state.signed_by or 'someone'}{when}")
    if revoke and not signed and not item.done:
        raise SignoffError(f"{item.text!r} is not signed off; nothing to revoke")


def sign_off_file(
    repo: str | Path,
    plan_file: PlanFile,
    item: ChecklistItem,
    *,
    revoke: bool = False,
    note: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> LedgerEntry:
    """Tick (or untick) ``item`` in ``plan_file``, save the plan, then append the ledger entry.

    All under the ledger's lock: the check, the plan write and the append happen as one step, so a
    sign-off refused (the plan changed on disk, the item already signed) leaves no trace in the
    ledger, and a ledger that cannot be written puts the plan back. Raises SignoffError/LedgerError/
    PlanError with a message naming the file.
    """
    if plan_file.modified:
        raise SignoffError(f"{plan_file.path}: has unsaved edits; save them first")
    kind = "revoke" if revoke else "signoff"
    with locked_ledger(repo) as append:
        check_action(repo, plan_file.plan.checklist, item, revoke, reason if revoke else None)
        reason = require_reason(item, reason) if revoke else ""
        entry = make_entry(repo, kind, item, note="" if revoke else note, reason=reason, now=now)
        result = plan_file.set_checked(item, not revoke)
        try:
            plan_file.save()
        except PlanError:
            plan_file.undo(result.edits)
            raise
        try:
            return append(entry)
        except LedgerError:
            plan_file.undo(result.edits)
            plan_file.save(force=True)  # we wrote it a moment ago, under the lock
            raise
