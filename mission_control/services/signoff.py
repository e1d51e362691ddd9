"""The one sign-off flow: check against the plan and the ledger, tick the box, record, save.

The command line and the Checklist dock both go through here, so what a sign-off or a revoke
needs (an item not yet signed, a reason for a revoke: :mod:`mission_control.signoff.actions`)
is decided once. The CLI calls :func:`sign_off` (all in one). The dock splits the same steps
across threads: :func:`check` on the GUI thread before its undoable plan edit, then
:func:`record` in a worker (it asks git who and which commit), then saves the plan.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from mission_control.services.project import Project
from mission_control.signoff import actions
from mission_control.signoff.ledger import LedgerEntry


def check(project: Project, item: Any, *, revoke: bool, reason: str = "") -> None:
    """Refuse what the domain refuses, before anything is written (SignoffError with the message to show).

    Signing an item already signed, revoking one that is not, revoking without a reason.
    """
    actions.check_action(_repo(project), project.plan.checklist, item, revoke, reason if revoke else None)


def record(
    project: Project, item: Any, *, revoke: bool, note: str = "", reason: str = "", now: datetime | None = None
) -> LedgerEntry:
    """Append the sign-off or revocation of ``item`` to the ledger (safe in a worker thread).

    Raises:
        SignoffError: a revoke without a reason, or no repository.
        LedgerError: the ledger cannot be written.
    """
    if revoke:
        return actions.record_revoke(_repo(project), item, reason, now)
    return actions.record_signoff(_repo(project), item, note, now)


def sign_off(
    project: Project, item: Any, *, revoke: bool = False, note: str = "", reason: str = "", now: datetime | None = None
) -> LedgerEntry:
    """Check, tick (or untick) ``item`` in the plan, record the ledger entry and save the plan.

    The ledger is written before the plan is saved, so a failed write leaves the plan untouched.
    Raises SignoffError/LedgerError/PlanError with a message naming the item or file.
    """
    return actions.sign_off_file(
        _repo(project), project.plan_file, item, revoke=revoke, note=note, reason=reason, now=now
    )


def _repo(project: Project) -> Path:
    if project.repo is None:
        raise actions.SignoffError(f"{project.plan_file.path}: not inside a git repository (the ledger lives there)")
    return project.repo
